package io.credence.server.nchf;

import com.fasterxml.jackson.databind.JsonNode;
import io.credence.ledger.IdentityType;
import io.credence.records.UsageRecord;
import io.credence.server.nchf.Free5gcSmfRequests.Report;
import io.credence.server.nchf.NchfTestServer.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.credence.server.nchf.Free5gcSmfRequests.NF_NAME_IS_NOT_A_UUID;
import static io.credence.server.nchf.Free5gcSmfRequests.REQUESTED_UNIT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The free5GC SMF's request sequence, with its exact shapes ({@link Free5gcSmfRequests}), against
 * the real server: every request carries invocationSequenceNumber 0, the create asks for nothing,
 * quota is asked and reported per (uPFID, ratingGroup), and the subscriber is found by servedGPSI
 * when its SUPI is not provisioned. Whatever was used is charged exactly, once, and nothing stays
 * reserved. Every body is checked against the TS 32.291 OpenAPI, tolerating only free5GC's nFName.
 */
class Free5gcSmfChargingTest {
    private static final String ROOT = NchfTestServer.ROOT;
    private static final String UPF_A = "6b1a4f7e-2f53-4a5e-9d1c-0e8c3b7a5d21"; // the first anchor
    private static final String UPF_B = "0f0e0d0c-0b0a-4908-8706-050403020100"; // PSA2 behind the uplink classifier
    private static final long RG = 1;
    private static final long PACK = 10_000_000;

    @TempDir
    Path dir;
    private NchfTestServer nchf;

    @BeforeEach
    void start() throws Exception {
        nchf = NchfTestServer.start(dir, null);
        // the subscriber's data is a pack for rating group 1 only, and the network knows it by MSISDN:
        // free5GC's SUPI is not provisioned, so only servedGPSI can find it
        nchf.openAccount("ue1");
        nchf.bind(IdentityType.E164, "0900000000", "ue1");
        nchf.bucket("ue1", PACK, RG);
    }

    @AfterEach
    void stop() throws Exception {
        nchf.close();
        NchfTestServer.assumeConformanceChecked();
    }

    private Reply send(String path, String body) {
        return nchf.post(path, body, NF_NAME_IS_NOT_A_UUID);
    }

    private long charged() {
        return PACK - nchf.bucketFor("ue1", RG).path("amount").asLong();
    }

    private long reserved() {
        return nchf.bucketFor("ue1", RG).path("reserved").asLong();
    }

    /** The multipleUnitInformation entry for (uPFID, ratingGroup), which is how the SMF looks it up. */
    private static JsonNode unit(Reply reply, String upfId, long ratingGroup) {
        for (JsonNode u : reply.body().path("multipleUnitInformation")) {
            if (u.path("uPFID").asText().equals(upfId) && u.path("ratingGroup").asLong() == ratingGroup) {
                return u;
            }
        }
        throw new AssertionError("no multipleUnitInformation for uPFID " + upfId + " rating group " + ratingGroup
                + ": " + reply.raw());
    }

    private static long granted(Reply reply, String upfId) {
        JsonNode u = unit(reply, upfId, RG);
        assertThat(u.path("resultCode").asText()).isEqualTo("SUCCESS");
        // updateGrantedQuota installs grantedUnit.totalVolume only when QUOTA_EXHAUSTED is among the triggers
        assertThat(u.path("triggers").findValuesAsText("triggerType")).contains("QUOTA_EXHAUSTED");
        return u.path("grantedUnit").path("totalVolume").asLong();
    }

    @Test
    void aPduSessionWithAnUplinkClassifierIsChargedExactlyAndLeavesNothingReserved() throws Exception {
        Free5gcSmfRequests smf = new Free5gcSmfRequests("imsi-208930000000001", "msisdn-0900000000", 1);

        // PDU session establishment: the create asks for nothing and is granted nothing
        Reply created = send(ROOT, smf.create());
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        assertThat(created.body().has("multipleUnitInformation")).as(created.raw()).isFalse();
        assertThat(created.body().path("invocationSequenceNumber").asLong()).isZero();
        String ref = NchfTestServer.refOf(created);
        String update = ROOT + "/" + ref + "/update";
        assertThat(reserved()).isZero();

        // traffic starts at UPF A: START_OF_SERVICE_DATA_FLOW, nothing used yet, 1000 bytes asked
        Reply started = send(update, smf.usageReport(new Report(RG, UPF_A, "START_OF_SERVICE_DATA_FLOW", 0, 0, true)));
        assertThat(started.status()).as(started.raw()).isEqualTo(200);
        assertThat(granted(started, UPF_A)).isEqualTo(REQUESTED_UNIT);
        assertThat(reserved()).isEqualTo(REQUESTED_UNIT);

        // the quota runs out at UPF A: 1000 used, 1000 more granted
        Reply exhausted = send(update, smf.usageReport(new Report(RG, UPF_A, "QUOTA_EXHAUSTED", 300, 700, true)));
        assertThat(exhausted.status()).as(exhausted.raw()).isEqualTo(200);
        assertThat(granted(exhausted, UPF_A)).isEqualTo(REQUESTED_UNIT);
        assertThat(charged()).isEqualTo(1000);

        // ULCL: PSA2 (UPF B) is added; its URRs are reported with ADDITION_OF_UPF, nothing used, nothing asked
        Reply added = send(update, smf.additionOfUpf(UPF_B, RG));
        assertThat(added.status()).as(added.raw()).isEqualTo(200);
        assertThat(charged()).isEqualTo(1000);
        assertThat(reserved()).isEqualTo(REQUESTED_UNIT);

        // traffic starts at UPF B too: rating group 1 now has a grant at each UPF
        Reply startedB = send(update, smf.usageReport(new Report(RG, UPF_B, "START_OF_SERVICE_DATA_FLOW", 0, 0, true)));
        assertThat(startedB.status()).as(startedB.raw()).isEqualTo(200);
        assertThat(granted(startedB, UPF_B)).isEqualTo(REQUESTED_UNIT);
        assertThat(reserved()).isEqualTo(2 * REQUESTED_UNIT);

        // both UPFs report rating group 1 in one request, each its own (uPFID, ratingGroup) entry
        Reply both = send(update, smf.perUpfReport(new Report(RG, UPF_A, "QUOTA_EXHAUSTED", 200, 400, true),
                new Report(RG, UPF_B, "QUOTA_EXHAUSTED", 100, 300, true)));
        assertThat(both.status()).as(both.raw()).isEqualTo(200);
        assertThat(granted(both, UPF_A)).isEqualTo(REQUESTED_UNIT);
        assertThat(granted(both, UPF_B)).isEqualTo(REQUESTED_UNIT);
        assertThat(charged()).isEqualTo(1000 + 600 + 400);
        assertThat(reserved()).isEqualTo(2 * REQUESTED_UNIT);

        // release: free5GC groups the final reports per rating group (UPF A's id, one container per UPF)
        Reply released = send(ROOT + "/" + ref + "/release", smf.release(new Report(RG, UPF_A, "FINAL", 100, 150, true),
                new Report(RG, UPF_B, "FINAL", 50, 100, true)));
        assertThat(released.status()).as(released.raw()).isEqualTo(204);
        assertThat(charged()).isEqualTo(1000 + 600 + 400 + 250 + 150);
        assertThat(reserved()).isZero();
        assertThat(nchf.openReservations()).isZero();

        List<UsageRecord> records = nchf.records();
        assertThat(records).allSatisfy(r -> {
            assertThat(r.accountId()).isEqualTo("ue1");
            assertThat(r.sessionId()).isEqualTo("nchf;" + ref);
            assertThat(r.ratingGroup()).isEqualTo(RG);
        });
        assertThat(records.stream().mapToLong(UsageRecord::rawUnits).sum()).isEqualTo(2400);
    }

    @Test
    void aRatingGroupOutOfQuotaIsRefusedWithTheTriggerThatMakesTheSmfStopItsTraffic() throws Exception {
        Free5gcSmfRequests smf = new Free5gcSmfRequests("imsi-208930000000001", "msisdn-0900000000", 4);
        String update = ROOT + "/" + NchfTestServer.refOf(send(ROOT, smf.create())) + "/update";
        assertThat(granted(send(update, smf.usageReport(new Report(RG, UPF_A, "START_OF_SERVICE_DATA_FLOW", 0, 0,
                true))), UPF_A)).isEqualTo(REQUESTED_UNIT);
        // the pack is spent elsewhere: all but what this session holds
        nchf.spend("ue1", RG, PACK - REQUESTED_UNIT);
        Reply last = send(update, smf.usageReport(new Report(RG, UPF_A, "QUOTA_EXHAUSTED", 400, 600, true)));
        assertThat(last.status()).as(last.raw()).isEqualTo(200);
        JsonNode refused = unit(last, UPF_A, RG);
        assertThat(refused.path("resultCode").asText()).isEqualTo("QUOTA_LIMIT_REACHED");
        assertThat(refused.has("grantedUnit")).isFalse();
        // free5GC reads no resultCode: QUOTA_EXHAUSTED with no grantedUnit installs a zero quota on the UPF
        assertThat(refused.path("triggers").findValuesAsText("triggerType")).containsExactly("QUOTA_EXHAUSTED");
        assertThat(charged()).isEqualTo(PACK);
        assertThat(reserved()).isZero();
    }

    @Test
    void aRetryGetsTheFirstAnswerAndIsChargedOnceWhileARepeatedSequenceNumberWithAnotherBodyIsNew() throws Exception {
        Free5gcSmfRequests smf = new Free5gcSmfRequests("imsi-208930000000001", "msisdn-0900000000", 2);
        Reply created = send(ROOT, smf.create());
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        String ref = NchfTestServer.refOf(created);
        String update = ROOT + "/" + ref + "/update";
        Reply started = send(update, smf.usageReport(new Report(RG, UPF_A, "START_OF_SERVICE_DATA_FLOW", 0, 0, true)));
        assertThat(granted(started, UPF_A)).isEqualTo(REQUESTED_UNIT);

        String report = smf.usageReport(new Report(RG, UPF_A, "QUOTA_EXHAUSTED", 400, 600, true));
        Reply first = send(update, report);
        assertThat(first.status()).as(first.raw()).isEqualTo(200);
        assertThat(charged()).isEqualTo(1000);

        // the answer was lost and the very same body comes again: the first answer, charged once
        Reply identical = send(update, report);
        assertThat(identical.raw()).isEqualTo(first.raw());
        // and once more with retransmissionIndicator (a consumer that marks its retries)
        Reply marked = send(update, report.replace("\"invocationSequenceNumber\":0,",
                "\"invocationSequenceNumber\":0,\"retransmissionIndicator\":true,"));
        assertThat(marked.raw()).isEqualTo(first.raw());
        assertThat(charged()).isEqualTo(1000);
        assertThat(reserved()).isEqualTo(REQUESTED_UNIT);

        // the next report repeats invocationSequenceNumber 0 with another body: a new request, charged
        Reply next = send(update, smf.usageReport(new Report(RG, UPF_A, "QUOTA_EXHAUSTED", 500, 500, true)));
        assertThat(next.status()).as(next.raw()).isEqualTo(200);
        assertThat(granted(next, UPF_A)).isEqualTo(REQUESTED_UNIT);
        assertThat(charged()).isEqualTo(2000);

        String release = smf.release(new Report(RG, UPF_A, "FINAL", 100, 200, true));
        assertThat(send(ROOT + "/" + ref + "/release", release).status()).isEqualTo(204);
        assertThat(send(ROOT + "/" + ref + "/release", release).status()).isEqualTo(204);
        assertThat(charged()).isEqualTo(2300);
        assertThat(reserved()).isZero();
        assertThat(nchf.records().stream().mapToLong(UsageRecord::rawUnits).sum()).isEqualTo(2300);
    }

    @Test
    void aCreateThatNamesNoKnownSubscriberIsRefusedAndOneWithoutGpsiIsFoundBySupi() throws Exception {
        // neither the SUPI nor the GPSI is bound: USER_UNKNOWN, and nothing is reserved
        Reply unknown = send(ROOT, new Free5gcSmfRequests("imsi-208930000000009", "msisdn-0900000009", 3).create());
        assertThat(unknown.status()).as(unknown.raw()).isEqualTo(404);
        assertThat(unknown.body().path("cause").asText()).isEqualTo("USER_UNKNOWN");
        // a UE without GPSI (servedGPSI left out) is found by its SUPI once that is bound
        nchf.bind(IdentityType.IMSI, "208930000000001", "ue1");
        Free5gcSmfRequests smf = new Free5gcSmfRequests("imsi-208930000000001", null, 4);
        Reply created = send(ROOT, smf.create());
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        Reply started = send(ROOT + "/" + NchfTestServer.refOf(created) + "/update",
                smf.usageReport(new Report(RG, UPF_A, "START_OF_SERVICE_DATA_FLOW", 0, 0, true)));
        assertThat(granted(started, UPF_A)).isEqualTo(REQUESTED_UNIT);
        assertThat(reserved()).isEqualTo(REQUESTED_UNIT);
    }
}
