package io.credence.server.nchf;

import com.fasterxml.jackson.databind.JsonNode;
import io.credence.journal.JournalConfig;
import io.credence.ledger.LedgerLimits;
import io.credence.nchf.ChargingNotifications;
import io.credence.server.ChfSettings;
import io.credence.server.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

import static io.credence.server.nchf.NchfTestServer.ROOT;
import static io.credence.server.nchf.NchfTestServer.refOf;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * ChargingNotify to a consumer's notifyUri, received by a real HTTP listener started here
 * ({@link TestConsumer}, which checks every body against TS 32.291 ChargingNotifyRequest): a
 * top-up gets a cut-off subscriber going again at once, suspension and an operator end the
 * session, a consumer that fails is tried again up to the bound and then given up on, too many at
 * once are dropped and counted, and charging never waits for any of it.
 */
class ChargingNotifyTest {
    private static final String IMSI = "262011234567890";

    @TempDir
    Path dir;
    private NchfTestServer nchf;
    private TestConsumer smf;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void stop() throws Exception {
        if (nchf != null) {
            nchf.close();
        }
        if (smf != null) {
            smf.close();
        }
    }

    private void start(int pendingMax, int attemptsMax) throws Exception {
        smf = new TestConsumer(ThreeGppSchemas.get()).start();
        ServerConfig config = new ServerConfig(dir.resolve("data"), "127.0.0.1", 0, "EUR", 16, 64,
                JournalConfig.DEFAULTS, LedgerLimits.DEFAULTS, null)
                .withChf(ChfSettings.NONE.withNotifications(new ChargingNotifications.Settings(pendingMax, attemptsMax,
                        Duration.ofMillis(100), Duration.ofMillis(400), Duration.ofSeconds(2))));
        nchf = NchfTestServer.startWith(dir, config);
    }

    private static String request(String notifyUri, long sequence, String usage) {
        return """
                {"subscriberIdentifier": "imsi-%s",
                 "nfConsumerIdentification": {"nodeFunctionality": "SMF", "nFName": "4bd4a3d0-5d9a-4d7c-9b35-1b2c3d4e5f60"},
                 "invocationTimeStamp": "2026-12-07T10:00:0%dZ", "invocationSequenceNumber": %d,
                 %s"multipleUnitUsage": [%s]}""".formatted(IMSI, sequence % 10, sequence,
                notifyUri == null ? "" : "\"notifyUri\": \"" + notifyUri + "\", ", usage);
    }

    private static String usage(long used, long asked) {
        return ("{\"ratingGroup\": 10, \"requestedUnit\": {\"totalVolume\": %d}"
                + (used > 0 ? ", \"usedUnitContainer\": [{\"totalVolume\": %d, \"localSequenceNumber\": 1}]" : "")
                + "}").formatted(asked, used);
    }

    private static long granted(NchfTestServer.Reply reply) {
        return reply.body().path("multipleUnitInformation").get(0).path("grantedUnit").path("totalVolume").asLong();
    }

    /** Opens a session for {@code context} at the consumer; returns its ChargingDataRef. */
    private String open(String context, long asked) {
        NchfTestServer.Reply created = nchf.post(ROOT, request(smf.notifyUri(context), 0, usage(0, asked)));
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        return refOf(created);
    }

    @Test
    void aTopUpGetsASubscriberCutOffByAFinalGrantGoingAgainAtOnce() throws Exception {
        start(100, 3);
        nchf.subscriber("alice", IMSI, "4917012345", 3_000);
        String ref = open("ctx-1", 2_000);
        NchfTestServer.Reply last = nchf.post(ROOT + "/" + ref + "/update", request(null, 1, usage(2_000, 2_000)));
        assertThat(granted(last)).as(last.raw()).isEqualTo(1_000);
        assertThat(last.body().path("multipleUnitInformation").get(0).has("finalUnitIndication")).isTrue();
        NchfTestServer.Reply cut = nchf.post(ROOT + "/" + ref + "/update", request(null, 2, usage(1_000, 2_000)));
        assertThat(granted(cut)).as(cut.raw()).isZero();
        assertThat(smf.received()).isEmpty();

        topUp("alice", 50_000);
        await("the re-authorisation", () -> smf.received("ctx-1").size() == 1);
        TestConsumer.Notification told = smf.received("ctx-1").getFirst();
        assertThat(told.type()).isEqualTo("REAUTHORIZATION");
        assertThat(told.version()).as("HTTP/2 with prior knowledge").isEqualTo("HTTP/2.0");
        assertThat(told.ratingGroups()).as(told.body().toString()).containsExactly(10L);
        // as an SMF does on it: report and ask again, and get quota at once
        NchfTestServer.Reply again = nchf.post(ROOT + "/" + ref + "/update", request(null, 3, usage(0, 2_000)));
        assertThat(granted(again)).as(again.raw()).isEqualTo(2_000);
        assertThat(health().path("delivered").asLong()).isEqualTo(1);
        assertThat(smf.violations()).isEmpty();
    }

    @Test
    void suspensionAndAnOperatorEndTheSessionAndTheReauthorisationNamesTheRatingGroups() throws Exception {
        start(100, 3);
        nchf.subscriber("alice", IMSI, "4917012345", 1_000_000);
        String first = open("ctx-a", 2_000);
        String second = open("ctx-b", 2_000);

        // the operator asks one session to re-authorise; the answer is the consumer's status
        JsonNode reauth = post("/v1/sessions/nchf;" + second + "/reauth", null);
        assertThat(reauth.path("resultCode").asLong()).isEqualTo(204);
        TestConsumer.Notification told = smf.received("ctx-b").getFirst();
        assertThat(told.type()).isEqualTo("REAUTHORIZATION");
        assertThat(told.ratingGroups()).containsExactly(10L);

        // the operator ends the first session
        assertThat(post("/v1/sessions/nchf;" + first + "/abort", null).path("resultCode").asLong()).isEqualTo(204);
        assertThat(smf.received("ctx-a").getLast().type()).isEqualTo("ABORT_CHARGING");

        // the account is suspended: every session of it is told to end
        patch("/v1/accounts/alice", "{\"status\": \"SUSPENDED\"}");
        await("aborts", () -> smf.received("ctx-b").stream().anyMatch(n -> n.type().equals("ABORT_CHARGING"))
                && smf.received("ctx-a").stream().filter(n -> n.type().equals("ABORT_CHARGING")).count() == 2);
        assertThat(smf.violations()).isEmpty();
    }

    @Test
    void aFailingConsumerIsTriedAgainUpToTheBoundAndChargingNeverWaits() throws Exception {
        start(2, 3);
        nchf.subscriber("alice", IMSI, "4917012345", 1_000_000);
        String flaky = open("flaky", 1_000);
        String down = open("down", 1_000);
        String third = open("third", 1_000);

        // "flaky" answers 503 twice, then takes it; "down" never takes it; answers are slow (300 ms)
        smf.answer(n -> {
            sleep(300);
            if (n.path().endsWith("down")) {
                return 503;
            }
            return n.path().endsWith("flaky") && smf.received("flaky").size() <= 2 ? 503 : 204;
        });
        topUp("alice", 10);
        // two under way at most: the third session's notification is dropped and counted
        await("dropped", () -> health().path("dropped").asLong() == 1);
        // charging goes on meanwhile, answered without waiting for any consumer
        long started = System.nanoTime();
        NchfTestServer.Reply charged = nchf.post(ROOT + "/" + third + "/update", request(null, 1, usage(500, 1_000)));
        assertThat(charged.status()).isEqualTo(200);
        assertThat(System.nanoTime() - started).as("not held up by the 300 ms consumer").isLessThan(250_000_000L);

        await("flaky delivered, down given up", () -> health().path("delivered").asLong() == 1
                && health().path("gaveUp").asLong() == 1);
        assertThat(smf.received("flaky")).hasSize(3);
        assertThat(smf.received("down")).as("attempts, bounded").hasSize(3);
        assertThat(health().path("retried").asLong()).isEqualTo(4);
        assertThat(health().path("pending").asLong()).isZero();
        assertThat(smf.violations()).isEmpty();
        // a consumer that no longer knows the context (404) is not asked again
        smf.answer(n -> 404);
        assertThat(post("/v1/sessions/nchf;" + flaky + "/reauth", null).path("resultCode").asLong()).isEqualTo(404);
        assertThat(health().path("refused").asLong()).isEqualTo(1);
    }

    @Test
    void aTariffChangeAsksEveryNchfSessionToReportAndAskAgain() throws Exception {
        smf = new TestConsumer(ThreeGppSchemas.get()).start();
        Path catalog = dir.resolve("catalog.json");
        java.nio.file.Files.copy(Path.of(System.getProperty("basedir", ".")).resolve("../examples/catalog.json"), catalog);
        io.credence.server.DiameterSettings engineOnly = new io.credence.server.DiameterSettings(null,
                io.credence.server.DiameterSettings.engineOnly().identity(), java.util.Set.of(),
                io.credence.diameter.cc.CreditControlConfig.defaults(), io.credence.server.catalog.CatalogFile.readAll(catalog),
                catalog, Duration.ZERO);
        nchf = NchfTestServer.startWith(dir, new ServerConfig(dir.resolve("data"), "127.0.0.1", 0, "EUR", 16, 64,
                JournalConfig.DEFAULTS, LedgerLimits.DEFAULTS, engineOnly));
        nchf.subscriber("alice", IMSI, "4917012345", 1_000_000);
        open("ctx-t1", 1_000);
        open("ctx-t2", 1_000);
        assertThat(smf.received()).isEmpty();

        String source = java.nio.file.Files.readString(catalog);
        java.nio.file.Files.writeString(catalog, source.replaceFirst("\"version\": \"[^\"]+\"",
                "\"version\": \"2026-12-07.2\""));
        post("/v1/catalog/reload", null);
        await("both told", () -> smf.received("ctx-t1").size() == 1 && smf.received("ctx-t2").size() == 1);
        assertThat(smf.received()).extracting(TestConsumer.Notification::type).containsOnly("REAUTHORIZATION");
        assertThat(smf.violations()).isEmpty();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void topUp(String account, long bytes) throws Exception {
        post("/v1/accounts/" + account + "/topups", "{\"unit\": \"BYTES\", \"amount\": " + bytes + "}");
    }

    private JsonNode health() {
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + nchf.server().httpPort() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).path("chf").path("notifications");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode post(String path, String body) throws Exception {
        return send("POST", path, body);
    }

    private JsonNode patch(String path, String body) throws Exception {
        return send("PATCH", path, body);
    }

    private JsonNode send(String method, String path, String body) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + nchf.server().httpPort() + path.replace(";", "%3B"))).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isBetween(200, 299);
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        io.credence.testkit.Await.until(what, java.time.Duration.ofSeconds(20), condition);
    }
}
