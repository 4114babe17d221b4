package io.credence.server.nchf;

import com.fasterxml.jackson.databind.JsonNode;
import io.credence.journal.JournalConfig;
import io.credence.ledger.LedgerLimits;
import io.credence.nchf.ChargingTerms;
import io.credence.server.ChfSettings;
import io.credence.server.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.credence.server.nchf.NchfTestServer.ROOT;
import static io.credence.server.nchf.NchfTestServer.refOf;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an Nchf grant asks of the consumer beyond its amount (TS 32.291 MultipleUnitInformation,
 * Trigger): quota thresholds, so a consumer reporting at the threshold gets its next grant
 * before the quota runs out; the quota holding time; container limits; per-direction grants; the
 * consumer's own FINAL and QHT triggers honoured; the CHF's own invocationTimeStamp, kept by a
 * retry. Every body is checked against the TS 32.291 schema by {@link NchfTestServer}.
 */
class ChargingTermsTest {
    private static final String IMSI = "262011234567890";
    private static final ChargingTerms TERMS = new ChargingTerms(25, 30, 5_000_000_000L, 600, "TERMINATE", false);

    @TempDir
    Path dir;
    private NchfTestServer nchf;

    @BeforeEach
    void start() throws Exception {
        nchf = NchfTestServer.startWith(dir, new ServerConfig(dir.resolve("data"), "127.0.0.1", 0, "EUR", 16, 64,
                JournalConfig.DEFAULTS, LedgerLimits.DEFAULTS, null).withChf(ChfSettings.NONE.withTerms(TERMS)));
    }

    @AfterEach
    void stop() throws Exception {
        nchf.close();
        NchfTestServer.assumeConformanceChecked();
    }

    private static String request(long sequence, String usage) {
        return """
                {"subscriberIdentifier": "imsi-%s",
                 "nfConsumerIdentification": {"nodeFunctionality": "SMF"},
                 "invocationTimeStamp": "2026-12-07T10:00:00Z", "invocationSequenceNumber": %d,
                 "multipleUnitUsage": [%s]}""".formatted(IMSI, sequence, usage);
    }

    private static JsonNode unit(NchfTestServer.Reply reply) {
        return reply.body().path("multipleUnitInformation").get(0);
    }

    @Test
    void aConsumerReportingAtTheThresholdGetsItsNextGrantBeforeTheQuotaRunsOut() {
        nchf.subscriber("alice", IMSI, "4917012345", 100_000);
        NchfTestServer.Reply created = nchf.post(ROOT, request(0,
                "{\"ratingGroup\": 10, \"requestedUnit\": {\"totalVolume\": 10000}}"));
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        JsonNode grant = unit(created);
        assertThat(grant.path("grantedUnit").path("totalVolume").asLong()).isEqualTo(10_000);
        assertThat(grant.path("volumeQuotaThreshold").asLong()).as("25 %").isEqualTo(2_500);
        assertThat(grant.path("quotaHoldingTime").asLong()).isEqualTo(30);
        assertThat(grant.path("triggers").findValuesAsText("triggerType")).containsExactly("QUOTA_EXHAUSTED",
                "VALIDITY_TIME", "QUOTA_THRESHOLD", "QHT");
        JsonNode limits = created.body().path("triggers");
        assertThat(limits.get(0).path("triggerType").asText()).isEqualTo("VOLUME_LIMIT");
        assertThat(limits.get(0).path("triggerCategory").asText()).isEqualTo("DEFERRED_REPORT");
        assertThat(limits.get(0).path("volumeLimit64").asLong()).as("past a Uint32").isEqualTo(5_000_000_000L);
        assertThat(limits.get(1).path("timeLimit").asLong()).isEqualTo(600);
        assertThat(created.body().path("invocationResult").path("failureHandling").asText()).isEqualTo("TERMINATE");

        // 2,500 bytes are still left when the threshold is reached: the consumer reports and asks
        String ref = refOf(created);
        NchfTestServer.Reply next = nchf.post(ROOT + "/" + ref + "/update", request(1, "{\"ratingGroup\": 10,"
                + " \"requestedUnit\": {\"totalVolume\": 10000}, \"usedUnitContainer\": [{\"totalVolume\": 7500,"
                + " \"localSequenceNumber\": 1, \"triggers\": [{\"triggerType\": \"QUOTA_THRESHOLD\","
                + " \"triggerCategory\": \"IMMEDIATE_REPORT\"}]}]}"));
        assertThat(next.status()).as(next.raw()).isEqualTo(200);
        assertThat(unit(next).path("grantedUnit").path("totalVolume").asLong()).isEqualTo(10_000);
        assertThat(next.body().has("invocationResult")).as("said at the create").isFalse();
        assertThat(nchf.bytes("alice").path("total").asLong()).isEqualTo(92_500);
        assertThat(nchf.bytes("alice").path("reserved").asLong()).isEqualTo(10_000);

        // the last of the balance is a final grant: no threshold, there is no next grant to fetch
        NchfTestServer.Reply last = nchf.post(ROOT + "/" + ref + "/update", request(2, "{\"ratingGroup\": 10,"
                + " \"requestedUnit\": {\"totalVolume\": 100000}, \"usedUnitContainer\": [{\"totalVolume\": 10000,"
                + " \"localSequenceNumber\": 2}]}"));
        assertThat(unit(last).has("finalUnitIndication")).as(last.raw()).isTrue();
        assertThat(unit(last).has("volumeQuotaThreshold")).isFalse();
        assertThat(unit(last).path("triggers").findValuesAsText("triggerType")).doesNotContain("QUOTA_THRESHOLD");
    }

    @Test
    void bytesAskedPerDirectionAreGrantedPerDirection() {
        nchf.subscriber("alice", IMSI, "4917012345", 100_000);
        NchfTestServer.Reply created = nchf.post(ROOT, request(0,
                "{\"ratingGroup\": 10, \"requestedUnit\": {\"uplinkVolume\": 1000, \"downlinkVolume\": 3000}}"));
        JsonNode granted = unit(created).path("grantedUnit");
        assertThat(granted.path("totalVolume").asLong()).as(created.raw()).isEqualTo(4_000);
        assertThat(granted.path("uplinkVolume").asLong()).isEqualTo(1_000);
        assertThat(granted.path("downlinkVolume").asLong()).isEqualTo(3_000);
    }

    @Test
    void aContainerClosedByFinalOrQhtGivesTheQuotaBackAndIsNotGrantedAgain() {
        nchf.subscriber("alice", IMSI, "4917012345", 100_000);
        NchfTestServer.Reply created = nchf.post(ROOT, request(0, "{\"ratingGroup\": 10, \"requestedUnit\":"
                + " {\"totalVolume\": 10000}}, {\"ratingGroup\": 20, \"requestedUnit\": {\"totalVolume\": 10000}}"));
        assertThat(nchf.bytes("alice").path("reserved").asLong()).as(created.raw()).isEqualTo(20_000);
        String ref = refOf(created);
        // rating group 10 went idle for the holding time, 20 ended; each still asks (as some SMFs do)
        NchfTestServer.Reply reported = nchf.post(ROOT + "/" + ref + "/update", request(1,
                "{\"ratingGroup\": 10, \"requestedUnit\": {\"totalVolume\": 10000}, \"usedUnitContainer\": [{"
                        + "\"totalVolume\": 100, \"localSequenceNumber\": 1, \"triggers\": [{\"triggerType\": \"QHT\","
                        + " \"triggerCategory\": \"IMMEDIATE_REPORT\"}]}]},"
                        + "{\"ratingGroup\": 20, \"requestedUnit\": {\"totalVolume\": 10000}, \"usedUnitContainer\": [{"
                        + "\"totalVolume\": 200, \"localSequenceNumber\": 1, \"triggers\": [{\"triggerType\": \"FINAL\","
                        + " \"triggerCategory\": \"IMMEDIATE_REPORT\"}]}]}"));
        assertThat(reported.status()).as(reported.raw()).isEqualTo(200);
        reported.body().path("multipleUnitInformation").forEach(u -> assertThat(u.has("grantedUnit")).isFalse());
        assertThat(nchf.bytes("alice").path("reserved").asLong()).isZero();
        assertThat(nchf.bytes("alice").path("total").asLong()).isEqualTo(100_000 - 300);
    }

    @Test
    void theTimeStampIsTheChfsAndARetryKeepsIt() throws Exception {
        nchf.subscriber("alice", IMSI, "4917012345", 100_000);
        String create = request(0, "{\"ratingGroup\": 10, \"requestedUnit\": {\"totalVolume\": 1000}}");
        NchfTestServer.Reply first = nchf.post(ROOT, create);
        Thread.sleep(20);
        NchfTestServer.Reply retried = nchf.post(ROOT, create);
        assertThat(first.body().path("invocationTimeStamp").asText()).isNotEqualTo("2026-12-07T10:00:00Z");
        assertThat(retried.raw()).isEqualTo(first.raw());
    }
}
