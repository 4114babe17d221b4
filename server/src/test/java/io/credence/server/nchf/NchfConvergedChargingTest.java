package io.credence.server.nchf;

import com.fasterxml.jackson.databind.JsonNode;
import io.credence.diameter.cc.CcrBuilder;
import io.credence.diameter.cc.CreditControlConfig;
import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.peer.LocalIdentity;
import io.credence.diameter.transport.DiameterClient;
import io.credence.diameter.transport.TransportConfig;
import io.credence.ledger.Unit;
import io.credence.records.UsageRecord;
import io.credence.server.CredenceServer;
import io.credence.server.DiameterSettings;
import io.credence.server.nchf.NchfTestServer.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 5G converged charging (TS 32.291) over the real HTTP port: a data session's create, updates and
 * release reserve, commit and record exactly as Diameter does, because each request is the
 * equivalent CCR handed to the same credit-control engine. Every request and answer is checked
 * against the TS 32.291 OpenAPI on the way ({@link NchfTestServer}).
 */
class NchfConvergedChargingTest {
    private static final String ROOT = NchfTestServer.ROOT;
    private static final LocalIdentity OCS = new LocalIdentity("ocs.nchf.test", "credence.test",
            List.of(new byte[] {127, 0, 0, 1}), 0, "credence", 1);
    private static final LocalIdentity PGW = new LocalIdentity("pgw.nchf.test", "epc.test",
            List.of(new byte[] {127, 0, 0, 1}), 10415, "test-pgw", 1);

    @TempDir
    Path dir;
    private NchfTestServer nchf;
    private CredenceServer server;

    @AfterEach
    void stop() throws Exception {
        if (nchf != null) {
            nchf.close();
        }
        NchfTestServer.assumeConformanceChecked();
    }

    /** With a Diameter listener, or (null settings) the engine alone, as {@code --diameter-port -1} runs it. */
    private CredenceServer start(boolean diameter) throws Exception {
        DiameterSettings settings = diameter ? new DiameterSettings(TransportConfig.defaults("127.0.0.1", 0), OCS,
                Set.of(PGW.originHost()), CreditControlConfig.defaults()) : null;
        return start(settings);
    }

    private CredenceServer start(DiameterSettings settings) throws Exception {
        nchf = NchfTestServer.start(dir, settings);
        server = nchf.server();
        return server;
    }

    private void subscriber(String account, String imsi, String msisdn, long bytes) {
        nchf.subscriber(account, imsi, msisdn, bytes);
    }

    // ------------------------------------------------------------------ requests

    private static String request(String subscriber, long sequence, String usages) {
        return """
                {"subscriberIdentifier": "%s",
                 "nfConsumerIdentification": {"nodeFunctionality": "SMF", "nFName": "4bd4a3d0-5d9a-4d7c-9b35-1b2c3d4e5f60"},
                 "invocationTimeStamp": "2026-11-24T10:00:0%dZ",
                 "invocationSequenceNumber": %d,
                 "pDUSessionChargingInformation": {"chargingId": 7},
                 "multipleUnitUsage": [%s]}""".formatted(subscriber, sequence % 10, sequence, usages);
    }

    private static String ask(long ratingGroup, long volume) {
        return "{\"ratingGroup\": %d, \"requestedUnit\": {\"totalVolume\": %d}}".formatted(ratingGroup, volume);
    }

    private static String report(long ratingGroup, long used, long next) {
        return ("{\"ratingGroup\": %d, \"requestedUnit\": {\"totalVolume\": %d}, \"usedUnitContainer\": "
                + "[{\"totalVolume\": %d, \"localSequenceNumber\": 1, \"triggers\": []}]}").formatted(ratingGroup, next, used);
    }

    private Reply post(String path, String body) {
        return nchf.post(path, body);
    }

    private Reply post(HttpClient with, String path, String body) {
        return nchf.post(with, path, body);
    }

    private JsonNode bytes(String account) {
        return nchf.bytes(account);
    }

    private static String refOf(Reply created) {
        return NchfTestServer.refOf(created);
    }

    private List<UsageRecord> records() throws Exception {
        server = null;
        return nchf.records();
    }

    // ------------------------------------------------------------------ the stories

    @Test
    void aFiveGDataSessionIsChargedOverNchfWithoutADiameterListener() throws Exception {
        start(false);
        assertThat(server.diameterPort()).isEqualTo(-1);
        subscriber("alice", "262011234567890", "4917012345", 10_000_000);

        Reply created = post(ROOT, request("imsi-262011234567890", 0, ask(10, 2_000_000)));
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        String ref = refOf(created);
        JsonNode unit = created.body().path("multipleUnitInformation").get(0);
        assertThat(unit.path("resultCode").asText()).isEqualTo("SUCCESS");
        assertThat(unit.path("ratingGroup").asLong()).isEqualTo(10);
        assertThat(unit.path("grantedUnit").path("totalVolume").asLong()).isEqualTo(2_000_000);
        assertThat(unit.path("validityTime").asLong()).isEqualTo(600);
        assertThat(unit.path("triggers").findValuesAsText("triggerType")).containsExactly("QUOTA_EXHAUSTED",
                "VALIDITY_TIME", "QUOTA_THRESHOLD");
        assertThat(unit.path("volumeQuotaThreshold").asLong()).as("20 %% of the grant").isEqualTo(400_000);
        assertThat(created.body().path("invocationSequenceNumber").asLong()).isZero();
        // the CHF's own time, not the request's; a create also says how to fail and that it cannot fail over
        java.time.Instant answeredAt = java.time.Instant.parse(created.body().path("invocationTimeStamp").asText());
        assertThat(answeredAt).isBetween(java.time.Instant.now().minusSeconds(60), java.time.Instant.now());
        assertThat(created.body().path("invocationResult").path("failureHandling").asText())
                .isEqualTo("RETRY_AND_TERMINATE");
        assertThat(created.body().path("sessionFailover").asText()).isEqualTo("FAILOVER_NOT_SUPPORTED");
        assertThat(bytes("alice").path("reserved").asLong()).isEqualTo(2_000_000);

        // three updates, each reporting 1.5 MB and asking 2 MB more; the second reports up- and downlink
        for (int n = 1; n <= 3; n++) {
            String usage = n == 2
                    ? "{\"ratingGroup\": 10, \"requestedUnit\": {\"totalVolume\": 2000000}, \"usedUnitContainer\": ["
                            + "{\"uplinkVolume\": 500000, \"downlinkVolume\": 700000, \"localSequenceNumber\": 1},"
                            + "{\"uplinkVolume\": 100000, \"downlinkVolume\": 200000, \"localSequenceNumber\": 2,"
                            + " \"quotaManagementIndicator\": \"ONLINE_CHARGING\"}]}"
                    : report(10, 1_500_000, 2_000_000);
            Reply updated = post(ROOT + "/" + ref + "/update", request("imsi-262011234567890", n, usage));
            assertThat(updated.status()).as(updated.raw()).isEqualTo(200);
            assertThat(updated.body().path("invocationSequenceNumber").asLong()).isEqualTo(n);
            assertThat(updated.body().path("multipleUnitInformation").get(0).path("grantedUnit").path("totalVolume")
                    .asLong()).isEqualTo(2_000_000);
            assertThat(bytes("alice").path("total").asLong()).isEqualTo(10_000_000 - n * 1_500_000L);
            assertThat(bytes("alice").path("reserved").asLong()).isEqualTo(2_000_000);
        }

        Reply released = post(ROOT + "/" + ref + "/release", request("imsi-262011234567890", 4,
                "{\"ratingGroup\": 10, \"usedUnitContainer\": [{\"totalVolume\": 500000, \"localSequenceNumber\": 1}]}"));
        assertThat(released.status()).as(released.raw()).isEqualTo(204);
        assertThat(released.raw()).isEmpty();
        assertThat(bytes("alice").path("total").asLong()).isEqualTo(5_000_000);
        assertThat(bytes("alice").path("reserved").asLong()).isZero();
        // the session is over: a further update finds no charging data, and the byte it reports is
        // charged all the same (reported usage is always accounted for), in a record of its own
        Reply late = post(ROOT + "/" + ref + "/update", request("imsi-262011234567890", 5, report(10, 1, 1)));
        assertThat(late.status()).isEqualTo(404);
        assertThat(late.body().path("cause").asText()).isEqualTo("CONTEXT_NOT_FOUND");
        assertThat(bytes("alice").path("total").asLong()).isEqualTo(5_000_000 - 1);

        List<UsageRecord> records = records();
        assertThat(records).hasSize(5).allSatisfy(r -> {
            assertThat(r.sessionId()).isEqualTo("nchf;" + ref);
            assertThat(r.origin()).isEqualTo("nchf");
            assertThat(r.accountId()).isEqualTo("alice");
            assertThat(r.ratingGroup()).isEqualTo(10);
            assertThat(r.unit()).isEqualTo(Unit.BYTES);
        });
        assertThat(records.stream().mapToLong(UsageRecord::rawUnits)).containsExactly(1_500_000L, 1_500_000L,
                1_500_000L, 500_000L, 1L);
    }

    @Test
    void aRetriedRequestGetsTheFirstAnswerAndIsChargedOnce() throws Exception {
        start(false);
        subscriber("bob", "262019999999999", "4917099999", 10_000_000);
        String create = request("msisdn-4917099999", 0, ask(20, 1_000_000));
        Reply created = post(ROOT, create);
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        // the consumer lost the answer and sends the create again: same charging data, nothing reserved twice
        Reply again = post(ROOT, create.replace("{\"subscriberIdentifier\"", "{\"retransmissionIndicator\": true, "
                + "\"subscriberIdentifier\""));
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.location()).isEqualTo(created.location());
        assertThat(again.raw()).isEqualTo(created.raw());
        assertThat(bytes("bob").path("reserved").asLong()).isEqualTo(1_000_000);

        String ref = refOf(created);
        String update = request("msisdn-4917099999", 1, report(20, 800_000, 1_000_000));
        Reply first = post(ROOT + "/" + ref + "/update", update);
        Reply retried = post(ROOT + "/" + ref + "/update", update);
        assertThat(first.status()).as(first.raw()).isEqualTo(200);
        assertThat(retried.status()).isEqualTo(200);
        assertThat(retried.raw()).isEqualTo(first.raw());
        assertThat(bytes("bob").path("total").asLong()).isEqualTo(10_000_000 - 800_000);

        // an invocationSequenceNumber used before, with another body, is a new request (consumers such
        // as free5GC send 0 every time): it is charged, not answered as a retry
        Reply older = post(ROOT + "/" + ref + "/update", request("msisdn-4917099999", 0, report(20, 5, 5)));
        assertThat(older.status()).as(older.raw()).isEqualTo(200);
        assertThat(older.raw()).isNotEqualTo(first.raw());
        assertThat(bytes("bob").path("total").asLong()).isEqualTo(10_000_000 - 800_005);

        String release = request("msisdn-4917099999", 2,
                "{\"ratingGroup\": 20, \"usedUnitContainer\": [{\"totalVolume\": 100000, \"localSequenceNumber\": 1}]}");
        assertThat(post(ROOT + "/" + ref + "/release", release).status()).isEqualTo(204);
        assertThat(post(ROOT + "/" + ref + "/release", release).status()).isEqualTo(204);
        assertThat(bytes("bob").path("total").asLong()).isEqualTo(10_000_000 - 900_005);
        assertThat(bytes("bob").path("reserved").asLong()).isZero();
        assertThat(records().stream().mapToLong(UsageRecord::rawUnits).sum()).isEqualTo(900_005);
    }

    @Test
    void badRequestsAreRefusedNamingTheFieldAndChangeNothing() throws Exception {
        start(false);
        subscriber("carol", "262015555555555", "4917055555", 1_000);
        Map<String, String> bad = Map.of(
                "subscriberIdentifier", request("imsi-262015555555555", 0, ask(10, 1)).replace(
                        "\"subscriberIdentifier\": \"imsi-262015555555555\",", ""),
                "multipleUnitUsage[1].requestedUnit.totalVolume", request("imsi-262015555555555", 0,
                        ask(10, 1) + ", {\"ratingGroup\": 11, \"requestedUnit\": {\"totalVolume\": -5}}"),
                "multipleUnitUsage[0].ratingGroup", request("imsi-262015555555555", 0, "{\"requestedUnit\": {}}"),
                "nfConsumerIdentification.nodeFunctionality", request("imsi-262015555555555", 0, ask(10, 1))
                        .replace("\"nodeFunctionality\": \"SMF\", ", ""),
                "invocationTimeStamp", request("imsi-262015555555555", 0, ask(10, 1))
                        .replace("2026-11-24T10:00:00Z", "yesterday"),
                "multipleUnitUsage", request("imsi-262015555555555", 0,
                        String.join(",", java.util.Collections.nCopies(65, ask(10, 1)))),
                "multipleUnitUsage[1].ratingGroup", request("imsi-262015555555555", 0, ask(10, 1) + "," + ask(10, 2)),
                "subscriberIdentifier ", request("gpsi-262015555555555", 0, ask(10, 1)));
        for (var e : bad.entrySet()) {
            Reply r = nchf.postMalformed(ROOT, e.getValue());
            assertThat(r.status()).as(e.getKey() + ": " + r.raw()).isEqualTo(400);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.body().path("invalidParams").get(0).path("param").asText()).isEqualTo(e.getKey().strip());
        }
        Reply malformed = nchf.postMalformed(ROOT, "{\"subscriberIdentifier\": ");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.body().path("cause").asText()).isEqualTo("INVALID_MSG_FORMAT");

        Reply unknown = post(ROOT, request("imsi-262010000000001", 0, ask(10, 1)));
        assertThat(unknown.status()).as(unknown.raw()).isEqualTo(404);
        assertThat(unknown.body().path("cause").asText()).isEqualTo("USER_UNKNOWN");
        Reply noRef = post(ROOT + "/AAAAAAAAAAAAAAAAAAAAAA/update", request("imsi-262015555555555", 1, report(10, 1, 1)));
        assertThat(noRef.status()).isEqualTo(404);
        assertThat(noRef.body().path("cause").asText()).isEqualTo("CONTEXT_NOT_FOUND");
        // its retry changes nothing more: the reported byte is charged once, to the subscriber it names
        Reply noRefAgain = post(ROOT + "/AAAAAAAAAAAAAAAAAAAAAA/update", request("imsi-262015555555555", 1,
                report(10, 1, 1)));
        assertThat(noRefAgain.status()).isEqualTo(404);
        assertThat(nchf.postMalformed("nchf-convergedcharging/v3/nothing", "{}").status()).isEqualTo(404);
        // the whole balance is 1000 bytes less the one reported above: the grant is what is left, final
        Reply partial = post(ROOT, request("imsi-262015555555555", 0, ask(10, 5_000)));
        assertThat(partial.status()).as(partial.raw()).isEqualTo(201);
        JsonNode unit = partial.body().path("multipleUnitInformation").get(0);
        assertThat(unit.path("grantedUnit").path("totalVolume").asLong()).isEqualTo(999);
        assertThat(unit.path("finalUnitIndication").path("finalUnitAction").asText()).isEqualTo("TERMINATE");
        // nothing left: a second session is refused
        Reply none = post(ROOT, request("imsi-262015555555555", 0, ask(11, 5_000)));
        assertThat(none.status()).as(none.raw()).isEqualTo(403);
        assertThat(none.body().path("cause").asText()).isEqualTo("QUOTA_LIMIT_REACHED");
        assertThat(bytes("carol").path("total").asLong()).isEqualTo(999);
        assertThat(nchf.openReservations()).isEqualTo(1);
    }

    @Test
    void theSameBalanceChargedOverDiameterAndNchfAtOnceIsNeverSpentTwice() throws Exception {
        start(true);
        long balance = 10_000_000;
        subscriber("erin", "262013333333333", "4917033333", balance);
        int sessionsPerInterface = 8;
        long ask = 1_000_000; // 8 + 8 sessions of 4 grants of 1 MB each want 64 MB of the 10 MB there is
        AtomicLong reported = new AtomicLong();
        AtomicInteger endToEnd = new AtomicInteger(100);
        List<Future<?>> running = new ArrayList<>();
        try (DiameterClient pgw = DiameterClient.connect("127.0.0.1", server.diameterPort(), PGW,
                DiameterClient.Options.defaults(), r -> null);
             ExecutorService sessions = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int s = 0; s < sessionsPerInterface; s++) {
                String sid = "pgw.nchf.test;gy;" + s;
                running.add(sessions.submit(() -> {
                    long granted = 0;
                    for (int n = 0; n <= 4; n++) {
                        int type = n == 0 ? Codes.INITIAL_REQUEST : n == 4 ? Codes.TERMINATION_REQUEST : Codes.UPDATE_REQUEST;
                        CcrBuilder ccr = CcrBuilder.request(sid, PGW.originHost(), PGW.originRealm(), OCS.originRealm(),
                                type, n).msisdn("4917033333");
                        ccr.mscc(10, Unit.BYTES, type == Codes.TERMINATION_REQUEST ? null : ask, n == 0 ? null : granted);
                        DiameterMessage cca = pgw.send(ccr.build(endToEnd.incrementAndGet())).get(30, TimeUnit.SECONDS);
                        reported.addAndGet(n == 0 ? 0 : granted);
                        long code = cca.find(Codes.RESULT_CODE, 0).orElseThrow().unsigned32();
                        if (n == 0 && code != Codes.DIAMETER_SUCCESS) {
                            assertThat(code).isEqualTo(Codes.DIAMETER_CREDIT_LIMIT_REACHED);
                            return null;
                        }
                        assertThat(code).isIn(Codes.DIAMETER_SUCCESS, Codes.DIAMETER_CREDIT_LIMIT_REACHED);
                        granted = grantedOctets(cca);
                    }
                    return null;
                }));
                String imsi = "262013333333333";
                running.add(sessions.submit(() -> {
                    Reply created = post(ROOT, request("imsi-" + imsi, 0, ask(10, ask)).replace("\"chargingId\": 7",
                            "\"chargingId\": " + (sid.hashCode() & 0x7FFF_FFFF))); // Uint32: never negative
                    if (created.status() == 403) {
                        assertThat(created.body().path("cause").asText()).isEqualTo("QUOTA_LIMIT_REACHED");
                        return null;
                    }
                    assertThat(created.status()).as(created.raw()).isEqualTo(201);
                    String ref = refOf(created);
                    long granted = created.body().path("multipleUnitInformation").get(0).path("grantedUnit")
                            .path("totalVolume").asLong();
                    for (int n = 1; n <= 3; n++) {
                        Reply updated = post(ROOT + "/" + ref + "/update", request("imsi-" + imsi, n,
                                report(10, granted, ask)));
                        assertThat(updated.status()).as(updated.raw()).isEqualTo(200);
                        reported.addAndGet(granted);
                        granted = updated.body().path("multipleUnitInformation").get(0).path("grantedUnit")
                                .path("totalVolume").asLong();
                    }
                    Reply released = post(ROOT + "/" + ref + "/release", request("imsi-" + imsi, 4,
                            "{\"ratingGroup\": 10, \"usedUnitContainer\": [{\"totalVolume\": " + granted
                                    + ", \"localSequenceNumber\": 9}]}"));
                    assertThat(released.status()).as(released.raw()).isEqualTo(204);
                    reported.addAndGet(granted);
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get(120, TimeUnit.SECONDS);
            }
        }
        // every unit used was granted first, and every grant came from the one balance
        JsonNode left = bytes("erin");
        assertThat(left.path("reserved").asLong()).isZero();
        assertThat(left.path("total").asLong()).isBetween(0L, balance);
        long charged = balance - left.path("total").asLong();
        assertThat(reported.get()).isEqualTo(charged).isLessThanOrEqualTo(balance);
        List<UsageRecord> records = records();
        assertThat(records.stream().mapToLong(UsageRecord::rawUnits).sum()).isEqualTo(charged);
        // which side got how much is a race; that both draw on the one balance is not
        assertThat(records).allMatch(r -> r.accountId().equals("erin") && (r.sessionId().startsWith("nchf;")
                || r.sessionId().startsWith("pgw.nchf.test;gy;")));
    }

    private static long grantedOctets(DiameterMessage cca) {
        for (Avp mscc : cca.findAll(Codes.MULTIPLE_SERVICES_CREDIT_CONTROL, 0)) {
            for (Avp m : mscc.grouped()) {
                if (m.code() == Codes.GRANTED_SERVICE_UNIT) {
                    return m.grouped().get(0).unsigned64();
                }
            }
        }
        return 0;
    }

    @Test
    void http2CleartextServesNchfAndTheProvisioningApiOnOnePort() throws Exception {
        start(false);
        subscriber("dave", "262017777777777", "4917077777", 10_000_000);
        // the JDK client speaks HTTP/2 to an http:// URI by the HTTP/1.1 Upgrade: h2c handshake
        HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).connectTimeout(Duration.ofSeconds(5))
                .build();
        HttpResponse<String> health = h2.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort()
                + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.version()).isEqualTo(HttpClient.Version.HTTP_2);
        Reply created = post(h2, ROOT, request("imsi-262017777777777", 0, ask(10, 1_000_000)));
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        assertThat(created.version()).isEqualTo(HttpClient.Version.HTTP_2);
        Reply released = post(h2, ROOT + "/" + refOf(created) + "/release", request("imsi-262017777777777", 1,
                "{\"ratingGroup\": 10, \"usedUnitContainer\": [{\"totalVolume\": 300000, \"localSequenceNumber\": 1}]}"));
        assertThat(released.status()).as(released.raw()).isEqualTo(204);
        assertThat(released.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(bytes("dave").path("total").asLong()).isEqualTo(10_000_000 - 300_000);
    }

    @Test
    void theChargingDataTableIsBoundedAndAFullOneAnswers503() throws Exception {
        DiameterSettings engine = DiameterSettings.engineOnly();
        start(new DiameterSettings(null, engine.identity(), Set.of(), CreditControlConfig.defaults().withSessionsMax(2)));
        subscriber("frank", "262014444444444", "4917044444", 10_000_000);
        for (int n = 0; n < 2; n++) {
            Reply created = post(ROOT, request("imsi-262014444444444", 0, ask(10, 1_000)).replace("\"chargingId\": 7",
                    "\"chargingId\": " + n));
            assertThat(created.status()).as(created.raw()).isEqualTo(201);
        }
        Reply third = post(ROOT, request("imsi-262014444444444", 0, ask(10, 1_000)).replace("\"chargingId\": 7",
                "\"chargingId\": 2"));
        assertThat(third.status()).as(third.raw()).isEqualTo(503);
        assertThat(third.body().path("cause").asText()).isEqualTo("NF_CONGESTION");
        assertThat(third.body().path("detail").asText()).contains("session table full (2)");
        assertThat(bytes("frank").path("reserved").asLong()).isEqualTo(2_000);
    }
}
