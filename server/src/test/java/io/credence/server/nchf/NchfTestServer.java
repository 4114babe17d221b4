package io.credence.server.nchf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.credence.journal.JournalConfig;
import io.credence.ledger.LedgerView;
import io.credence.ledger.AccountKind;
import io.credence.ledger.BucketSpec;
import io.credence.ledger.Command;
import io.credence.ledger.IdentityType;
import io.credence.ledger.Ids;
import io.credence.ledger.Ledger;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Operation;
import io.credence.ledger.Outcome;
import io.credence.ledger.ServiceFilter;
import io.credence.ledger.Unit;
import io.credence.records.UsageRecord;
import io.credence.records.file.RecordReader;
import io.credence.server.CredenceServer;
import io.credence.server.DiameterSettings;
import io.credence.server.ServerConfig;
import io.credence.server.Subscribers;
import io.credence.testkit.SharedTestData;

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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real Credence server on loopback for the Nchf tests, with the set-up and requests they share:
 * subscribers and data buckets straight on the ledger, Nchf requests over HTTP, balances read back
 * through the provisioning API, usage records read from disk.
 *
 * <p>Every Nchf request sent and every answer received is checked against the TS 32.291 OpenAPI
 * ({@link ThreeGppSchemas}): the request as a ChargingDataRequest (unless the test sends a wrong
 * one on purpose, {@link #postMalformed}), a 2xx body as a ChargingDataResponse, a problem body as
 * ProblemDetails. When the schemas are absent the requests still run and are asserted on, and
 * {@link #assumeConformanceChecked()} (called after each test) reports the test skipped, saying why.
 */
final class NchfTestServer implements AutoCloseable {
    static final String ROOT = "nchf-convergedcharging/v3/chargingdata";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger SETUP = new AtomicInteger();

    record Reply(int status, String contentType, String location, JsonNode body, String raw,
                 HttpClient.Version version) {}

    private final Path dir;
    private CredenceServer server;
    private final ThreeGppSchemas schemas = ThreeGppSchemas.rel17().isPresent() ? ThreeGppSchemas.get() : null;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private NchfTestServer(Path dir, CredenceServer server) {
        this.dir = dir;
        this.server = server;
    }

    /** With a Diameter listener, or (null settings) the engine alone, as {@code --diameter-port -1} runs it. */
    static NchfTestServer start(Path dir, DiameterSettings settings) throws Exception {
        return new NchfTestServer(dir, CredenceServer.start(new ServerConfig(dir.resolve("data"), "127.0.0.1", 0, "EUR",
                32, 64, JournalConfig.DEFAULTS, LedgerLimits.DEFAULTS, settings), fatal -> {
                    throw new AssertionError(fatal);
                }));
    }

    /** With the configuration given whole (its data directory should be {@code dir/data}). */
    static NchfTestServer startWith(Path dir, ServerConfig config) throws Exception {
        return new NchfTestServer(dir, CredenceServer.start(config, fatal -> {
            throw new AssertionError(fatal);
        }));
    }

    CredenceServer server() {
        return server;
    }

    @Override
    public void close() throws Exception {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /**
     * Fails nothing; marks the test skipped when the schemas were not there to check its bodies,
     * saying that it ran (its own assertions held) but conformance went unchecked.
     */
    static void assumeConformanceChecked() {
        assumeTrue(ThreeGppSchemas.rel17().isPresent(), () -> "ran, but no body was checked against TS 32.291: "
                + SharedTestData.absence(ThreeGppSchemas.DATA));
    }

    // ------------------------------------------------------------------ set-up on the ledger

    /** An account with {@code bytes} in its main balance, reachable by MSISDN (E.164) and IMSI. */
    void subscriber(String account, String imsi, String msisdn, long bytes) {
        Subscribers.create(server, account, msisdn, Unit.BYTES, bytes);
        bind(IdentityType.IMSI, imsi, account);
    }

    /** An account with no balance yet: what it may spend comes from {@link #bucket} or {@link #subscriber}. */
    void openAccount(String account) {
        ledger(new Operation.CreateAccount(account, AccountKind.SUBSCRIBER, Map.of()));
    }

    void bind(IdentityType type, String value, String account) {
        ledger(new Operation.BindIdentity(type, value, account));
    }

    /** A data bucket that pays only for the given rating groups (the shape of a data pack). */
    void bucket(String account, long bytes, Long... ratingGroups) {
        ledger(new Operation.TopUp(Ids.SYSTEM_ACCOUNT, account, Unit.BYTES, bytes,
                BucketSpec.unlimited(5, new ServiceFilter(Set.of(ratingGroups), Set.of()))));
    }

    /** Spends bytes of the rating group's bucket outside any session (as another device of the account would). */
    void spend(String account, long ratingGroup, long bytes) {
        ledger(new Operation.Transfer(account, Ids.SYSTEM_ACCOUNT, Unit.BYTES, bytes,
                new io.credence.ledger.ServiceRef(ratingGroup, io.credence.ledger.ServiceRef.NONE)));
    }

    private void ledger(Operation op) {
        Outcome done = Subscribers.await(server.ledger().submit(new Command("nchf-setup-" + SETUP.incrementAndGet(), op)));
        assertThat(done.accepted()).as(done.toString()).isTrue();
    }

    long openReservations() {
        return Subscribers.await(server.ledger().query(LedgerView::openReservationCount));
    }

    // ------------------------------------------------------------------ HTTP

    /**
     * POSTs a conformant request and checks both bodies against the schemas.
     *
     * @param tolerated instance locations ({@code $.nfConsumerIdentification.nFName}) where a
     *                  consumer's known deviation from the schema is accepted, each named by the caller
     */
    Reply post(String path, String body, String... tolerated) {
        return post(client, path, body, tolerated);
    }

    Reply post(HttpClient with, String path, String body, String... tolerated) {
        if (schemas != null) {
            assertThat(schemas.violations(ThreeGppSchemas.CHARGING_DATA_REQUEST, body).stream()
                    .filter(v -> Stream.of(tolerated).noneMatch(v::startsWith)).toList())
                    .as("request %s against TS 32.291 ChargingDataRequest", body).isEmpty();
        }
        return exchange(with, path, body);
    }

    /** POSTs a request that is wrong on purpose; only the answer is checked against the schemas. */
    Reply postMalformed(String path, String body) {
        return exchange(client, path, body);
    }

    private Reply exchange(HttpClient with, String path, String body) {
        Reply reply;
        try {
            HttpResponse<String> r = with.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort()
                            + "/" + path)).header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            reply = new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""),
                    r.headers().firstValue("Location").orElse(null),
                    r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body()), r.body(), r.version());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        checkAnswer(reply);
        return reply;
    }

    private void checkAnswer(Reply reply) {
        if (reply.status() == 204) {
            assertThat(reply.raw()).as("a 204 has no body").isEmpty();
            return;
        }
        if (schemas == null) {
            return;
        }
        if (reply.contentType().startsWith("application/problem+json")) {
            schemas.assertValid(ThreeGppSchemas.PROBLEM_DETAILS, reply.raw());
        } else if (reply.status() / 100 == 2) {
            assertThat(reply.contentType()).startsWith("application/json");
            schemas.assertValid(ThreeGppSchemas.CHARGING_DATA_RESPONSE, reply.raw());
        } else {
            throw new AssertionError("an Nchf error must be application/problem+json, was " + reply.contentType()
                    + " " + reply.status() + ": " + reply.raw());
        }
    }

    /** The account's BYTES balance as the provisioning API shows it ({@code total}, {@code reserved}). */
    JsonNode bytes(String account) {
        for (JsonNode balance : account(account).path("balances")) {
            if (balance.path("unit").asText().equals("BYTES")) {
                return balance;
            }
        }
        throw new AssertionError(account + " has no BYTES balance: " + account(account));
    }

    /** The account's data bucket that pays for {@code ratingGroup} ({@code amount}, {@code reserved}). */
    JsonNode bucketFor(String account, long ratingGroup) {
        for (JsonNode bucket : account(account).path("buckets")) {
            if (!bucket.path("main").asBoolean()) {
                for (JsonNode rg : bucket.path("ratingGroups")) {
                    if (rg.asLong() == ratingGroup) {
                        return bucket;
                    }
                }
            }
        }
        throw new AssertionError(account + " has no bucket for rating group " + ratingGroup + ": " + account(account));
    }

    JsonNode account(String account) {
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + server.httpPort() + "/v1/accounts/" + account)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            return JSON.readTree(r.body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String refOf(Reply created) {
        assertThat(created.location()).contains("/" + ROOT + "/");
        return created.location().substring(created.location().lastIndexOf('/') + 1);
    }

    /** Stops the server (so every record is on disk) and reads all usage records back. */
    List<UsageRecord> records() throws Exception {
        close();
        List<UsageRecord> all = new ArrayList<>();
        List<RecordReader.Skipped> skipped = new ArrayList<>();
        try (Stream<UsageRecord> stream = RecordReader.of(dir.resolve("data").resolve("records"), skipped::add)
                .query(RecordReader.Filter.ALL)) {
            stream.forEach(all::add);
        }
        assertThat(skipped).isEmpty();
        return all;
    }
}
