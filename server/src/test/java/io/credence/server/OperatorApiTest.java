package io.credence.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.credence.diameter.cc.CreditControlConfig;
import io.credence.diameter.peer.LocalIdentity;
import io.credence.diameter.transport.TransportConfig;
import io.credence.journal.JournalConfig;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Unit;
import io.credence.records.UsageRecord;
import io.credence.records.file.RecordWriter;
import io.credence.records.file.RecordWriterConfig;
import io.credence.server.catalog.CatalogFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.time.Duration;
import java.time.Instant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an operator does without touching files: refunds, package purchases from the catalog and
 * usage-record queries, over real HTTP on loopback against a real durable ledger and the example
 * catalog.
 */
class OperatorApiTest {
    static final Path EXAMPLE_CATALOG = Path.of(System.getProperty("basedir", ".")).resolve("../examples/catalog.json");

    @TempDir
    Path dir;
    CredenceServer server;
    Http http;

    @BeforeEach
    void start() throws Exception {
        writeRecords(dir.resolve("data").resolve("records"));
        LocalIdentity ocs = new LocalIdentity("ocs.operator.test", "credence.test", List.of(new byte[] {127, 0, 0, 1}),
                0, "credence", 1);
        DiameterSettings diameter = new DiameterSettings(TransportConfig.defaults("127.0.0.1", 0), ocs, Set.of(),
                CreditControlConfig.defaults(), CatalogFile.read(EXAMPLE_CATALOG), EXAMPLE_CATALOG);
        server = CredenceServer.start(new ServerConfig(dir.resolve("data"), "127.0.0.1", 0, "EUR", 16, 64,
                JournalConfig.DEFAULTS, LedgerLimits.DEFAULTS, diameter), fatal -> { throw new AssertionError(fatal); });
        http = new Http(server.httpPort());
        created(http.post("v1/accounts", """
                {"requestId":"a1","accountId":"alice","kind":"SUBSCRIBER"}"""));
        created(http.post("v1/accounts", """
                {"requestId":"a2","accountId":"bob","kind":"SUBSCRIBER"}"""));
        created(http.post("v1/accounts", """
                {"requestId":"a3","accountId":"operator","kind":"OPERATOR"}"""));
        created(http.post("v1/accounts/alice/topups", """
                {"requestId":"t1","unit":"MONEY","amount":2000}"""));
        created(http.post("v1/accounts/bob/topups", """
                {"requestId":"t2","unit":"MONEY","amount":100}"""));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    // ---------------------------------------------------------------- refunds

    @Test
    void aRefundFromTheSystemIsATopUpThatKeepsTheReasonAndARetryGetsTheFirstAnswer() {
        Http.Reply refund = http.post("v1/accounts/alice/refunds", """
                {"requestId":"rf1","unit":"MONEY","amount":250,"reason":"dropped call 2026-11-24"}""");
        assertThat(refund.status()).as(refund.raw()).isEqualTo(201);
        assertThat(refund.body().path("transferKind").asText()).isEqualTo("TOP_UP");
        assertThat(refund.body().path("reason").asText()).isEqualTo("dropped call 2026-11-24");
        assertThat(refund.body().path("source").asText()).isEqualTo("system");
        assertThat(money("alice")).isEqualTo(2250);

        Http.Reply again = http.post("v1/accounts/alice/refunds", """
                {"requestId":"rf1","unit":"MONEY","amount":250,"reason":"dropped call 2026-11-24"}""");
        assertThat(again.raw()).isEqualTo(refund.raw());
        assertThat(money("alice")).isEqualTo(2250);

        JsonNode latest = http.get("v1/accounts/alice/transfers?limit=1").body().path("transfers").get(0);
        assertThat(latest.path("requestId").asText()).isEqualTo("rf1");
        assertThat(latest.path("kind").asText()).isEqualTo("TOP_UP");
        assertThat(latest.path("amount").asLong()).isEqualTo(250);
    }

    @Test
    void aRefundFromTheOperatorIsATransferAndIsRefusedWhileTheOperatorHasTooLittle() {
        Http.Reply refused = http.post("v1/accounts/alice/refunds", """
                {"requestId":"rf2","unit":"MONEY","amount":300,"reason":"goodwill","source":"operator"}""");
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body().path("type").asText()).isEqualTo("urn:credence:problem:insufficient-balance");
        assertThat(money("alice")).isEqualTo(2000);

        created(http.post("v1/accounts/operator/topups", """
                {"requestId":"t3","unit":"MONEY","amount":1000}"""));
        Http.Reply refund = http.post("v1/accounts/alice/refunds", """
                {"requestId":"rf3","unit":"MONEY","amount":300,"reason":"goodwill","source":"operator"}""");
        assertThat(refund.status()).as(refund.raw()).isEqualTo(201);
        assertThat(refund.body().path("transferKind").asText()).isEqualTo("TRANSFER");
        assertThat(money("alice")).isEqualTo(2300);
        assertThat(money("operator")).isEqualTo(700);
    }

    @Test
    void aBadRefundNamesTheFieldAndChangesNothing() {
        assertBadField("v1/accounts/alice/refunds", """
                {"requestId":"x1","unit":"MONEY","amount":10}""", 400, "reason");
        assertBadField("v1/accounts/alice/refunds", """
                {"requestId":"x2","unit":"MONEY","amount":10,"reason":"  "}""", 400, "reason");
        assertBadField("v1/accounts/alice/refunds", """
                {"requestId":"x3","unit":"MONEY","amount":0,"reason":"r"}""", 400, "amount");
        assertBadField("v1/accounts/alice/refunds", """
                {"requestId":"x4","unit":"EUROS","amount":10,"reason":"r"}""", 400, "unit");
        assertBadField("v1/accounts/alice/refunds", """
                {"requestId":"x5","unit":"MONEY","amount":10,"reason":"r","source":"nobody"}""", 404, "source");
        assertBadField("v1/accounts/alice/refunds", """
                {"requestId":"x6","unit":"MONEY","amount":10,"reason":"r","source":"alice"}""", 400, "source");
        assertBadField("v1/accounts/nobody/refunds", """
                {"requestId":"x7","unit":"MONEY","amount":10,"reason":"r"}""", 404, "accountId");
        assertThat(money("alice")).isEqualTo(2000);
        assertThat(http.get("v1/accounts/alice/transfers").body().path("transfers").size()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- packages

    @Test
    void theCatalogsPackagesAreListed() {
        Http.Reply list = http.get("v1/catalog/packages");
        assertThat(list.status()).isEqualTo(200);
        JsonNode packages = list.body().path("packages");
        assertThat(packages.findValuesAsText("name")).containsExactly("data-10gb", "voice-300");
        JsonNode data = packages.get(0);
        assertThat(data.path("price").asLong()).isEqualTo(999);
        assertThat(data.path("currency").asText()).isEqualTo("EUR");
        JsonNode bucket = data.path("buckets").get(0);
        assertThat(bucket.path("unit").asText()).isEqualTo("BYTES");
        assertThat(bucket.path("amount").asLong()).isEqualTo(10_000_000_000L);
        assertThat(bucket.path("validityDays").asInt()).isEqualTo(30);
        assertThat(bucket.path("ratingGroups").toString()).isEqualTo("[10,11,20]");
        assertThat(packages.get(1).path("buckets").get(0).path("amount").asLong()).isEqualTo(18_000);
        assertThat(http.get("v1/catalog").body().path("packages").asInt()).isEqualTo(2);
    }

    @Test
    void buyingAPackagePaysItsPriceAndCreatesItsBucketsAndARetryGetsTheFirstAnswer() {
        Http.Reply bought = http.post("v1/accounts/alice/packages", """
                {"requestId":"p1","package":"data-10gb"}""");
        assertThat(bought.status()).as(bought.raw()).isEqualTo(201);
        assertThat(bought.body().path("package").asText()).isEqualTo("data-10gb");
        assertThat(bought.body().path("price").asLong()).isEqualTo(999);
        assertThat(bought.body().path("buckets").get(0).path("amount").asLong()).isEqualTo(10_000_000_000L);
        assertThat(money("alice")).isEqualTo(1001);

        JsonNode buckets = http.get("v1/accounts/alice").body().path("buckets");
        List<JsonNode> dataBuckets = new ArrayList<>();
        buckets.forEach(b -> {
            if (!b.path("main").asBoolean()) {
                dataBuckets.add(b);
            }
        });
        assertThat(dataBuckets).hasSize(1);
        JsonNode data = dataBuckets.get(0);
        assertThat(data.path("unit").asText()).isEqualTo("BYTES");
        assertThat(data.path("amount").asLong()).isEqualTo(10_000_000_000L);
        assertThat(data.path("priority").asInt()).isEqualTo(10);
        assertThat(data.path("ratingGroups").toString()).isEqualTo("[10,11,20]");
        assertThat(data.path("bucketId").asLong()).isEqualTo(bought.body().path("buckets").get(0).path("bucketId").asLong());
        assertThat(Duration.between(Instant.parse(data.path("validFrom").asText()),
                Instant.parse(data.path("validUntil").asText()))).isEqualTo(Duration.ofDays(30));

        Http.Reply again = http.post("v1/accounts/alice/packages", """
                {"requestId":"p1","package":"data-10gb"}""");
        assertThat(again.raw()).isEqualTo(bought.raw());
        assertThat(money("alice")).isEqualTo(1001);
        assertThat(nonMainBuckets("alice")).isEqualTo(1);

        Http.Reply otherPackageSameId = http.post("v1/accounts/alice/packages", """
                {"requestId":"p1","package":"voice-300"}""");
        assertThat(otherPackageSameId.status()).isEqualTo(409);
        assertThat(otherPackageSameId.body().path("field").asText()).isEqualTo("requestId");
        assertThat(money("alice")).isEqualTo(1001);
    }

    @Test
    void aPackageTheSubscriberCannotPayForIsRefusedAndCreatesNoBucket() {
        Http.Reply refused = http.post("v1/accounts/bob/packages", """
                {"requestId":"p2","package":"voice-300"}""");
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body().path("type").asText()).isEqualTo("urn:credence:problem:insufficient-balance");
        assertThat(money("bob")).isEqualTo(100);
        assertThat(nonMainBuckets("bob")).isZero();
        assertThat(http.get("v1/accounts/bob/transfers").body().path("transfers").size()).isEqualTo(1);

        created(http.post("v1/accounts/bob/topups", """
                {"requestId":"t4","unit":"MONEY","amount":1000}"""));
        Http.Reply retried = http.post("v1/accounts/bob/packages", """
                {"requestId":"p2","package":"voice-300"}""");
        assertThat(retried.raw()).isEqualTo(refused.raw());
        assertThat(nonMainBuckets("bob")).isZero();

        Http.Reply bought = http.post("v1/accounts/bob/packages", """
                {"requestId":"p3","package":"voice-300"}""");
        assertThat(bought.status()).as(bought.raw()).isEqualTo(201);
        assertThat(money("bob")).isEqualTo(601);
        assertThat(nonMainBuckets("bob")).isEqualTo(1);
    }

    @Test
    void anUnknownOrMissingPackageIsNamed() {
        assertBadField("v1/accounts/alice/packages", """
                {"requestId":"p4","package":"data-1tb"}""", 404, "package");
        assertBadField("v1/accounts/alice/packages", """
                {"requestId":"p5"}""", 400, "package");
        assertBadField("v1/accounts/alice/packages", """
                {"requestId":"p6","package":"data-10gb","price":0}""", 400, "price");
        assertBadField("v1/accounts/nobody/packages", """
                {"requestId":"p7","package":"data-10gb"}""", 404, "accountId");
        assertThat(money("alice")).isEqualTo(2000);
        assertThat(nonMainBuckets("alice")).isZero();
    }

    // ---------------------------------------------------------------- usage records

    @Test
    void recordsAreFilteredByAccountSessionServiceAndTimeOldestFirst() {
        assertThat(recordIds("")).containsExactly("r1", "r2", "r3", "r4");
        assertThat(recordIds("?account=alice")).containsExactly("r1", "r3", "r4");
        assertThat(recordIds("?account=alice&session=s1")).containsExactly("r1", "r4");
        assertThat(recordIds("?service=voice")).containsExactly("r3");
        assertThat(recordIds("?from=2026-11-24T11:00:00Z&to=2026-11-24T13:00:00Z")).containsExactly("r2", "r3");
        assertThat(recordIds("?from=2026-11-24T12:00:00%2B01:00")).containsExactly("r2", "r3", "r4");
        assertThat(recordIds("?limit=2")).containsExactly("r1", "r2");
        assertThat(recordIds("?account=carol")).isEmpty();

        JsonNode first = http.get("v1/records?limit=1").body().path("records").get(0);
        assertThat(first.path("accountId").asText()).isEqualTo("alice");
        assertThat(first.path("sessionId").asText()).isEqualTo("s1");
    }

    @Test
    void badRecordQueryParametersAreNamed() {
        assertBadQuery("?from=yesterday", "from");
        assertBadQuery("?to=2026-11-24T10:00:00", "to");
        assertBadQuery("?from=2026-11-24T12:00:00Z&to=2026-11-24T11:00:00Z", "to");
        assertBadQuery("?limit=0", "limit");
        assertBadQuery("?limit=10001", "limit");
        assertBadQuery("?account=a%20b", "account");
        assertThat(recordIds("?limit=10000")).hasSize(4);
    }

    // ---------------------------------------------------------------- access

    @Test
    void readOnlyKeysReadPackagesAndRecordsButOnlyAdminsRefundOrSell() throws Exception {
        try (CredenceServer secured = SecuredServer.start(Files.createDirectories(dir.resolve("secured")))) {
            SecuredServer.Client client = new SecuredServer.Client(secured.httpPort());
            for (String key : List.of(SecuredServer.READ_ONLY, SecuredServer.ADMIN)) {
                assertThat(client.call("GET", "/v1/catalog/packages", key, null).status()).isEqualTo(200);
                assertThat(client.call("GET", "/v1/records?limit=5", key, null).status()).isEqualTo(200);
            }
            created(client, "/v1/accounts", """
                    {"requestId":"s1","accountId":"carol","kind":"SUBSCRIBER"}""");
            String refund = """
                    {"requestId":"s2","unit":"MONEY","amount":5,"reason":"test"}""";
            String buy = """
                    {"requestId":"s3","package":"data-10gb"}""";
            for (String key : List.of(SecuredServer.READ_ONLY, SecuredServer.NETWORK_FUNCTION, SecuredServer.DEVICE)) {
                assertThat(client.call("POST", "/v1/accounts/carol/refunds", key, refund).status()).isEqualTo(403);
                assertThat(client.call("POST", "/v1/accounts/carol/packages", key, buy).status()).isEqualTo(403);
            }
            assertThat(client.call("POST", "/v1/accounts/carol/refunds", null, refund).status()).isEqualTo(401);
            assertThat(client.call("GET", "/v1/accounts/carol", SecuredServer.ADMIN, null).raw()).doesNotContain("\"MONEY\"");
            created(client, "/v1/accounts/carol/refunds", refund);
            // carol has 5 of money, the package costs 999: refused, nothing bought
            assertThat(client.call("POST", "/v1/accounts/carol/packages", SecuredServer.ADMIN, buy).status()).isEqualTo(422);
        }
    }

    private static void created(SecuredServer.Client client, String path, String body) {
        SecuredServer.Reply reply = client.call("POST", path, SecuredServer.ADMIN, body);
        assertThat(reply.status()).as(reply.raw()).isEqualTo(201);
    }

    // ---------------------------------------------------------------- helpers

    private static void writeRecords(Path recordsDir) throws Exception {
        try (RecordWriter w = RecordWriter.open(RecordWriterConfig.defaults(recordsDir))) {
            w.accept(record("r1", "2026-11-24T10:00:00Z", "alice", "s1", "data"));
            w.accept(record("r2", "2026-11-24T11:00:00Z", "bob", "s2", "data"));
            w.accept(record("r3", "2026-11-24T12:00:00Z", "alice", "s3", "voice"));
            w.accept(record("r4", "2026-11-24T13:00:00Z", "alice", "s1", "data"));
        }
    }

    private static UsageRecord record(String id, String at, String account, String session, String service) {
        return new UsageRecord(id, Instant.parse(at).toEpochMilli(), account, "diameter", session, service, 10,
                Map.of("network", "5G"), "home", "data-eur", UsageRecord.CHARGED, Unit.BYTES, 1000, 900, 3, "EUR",
                List.of(new UsageRecord.BalanceChange(account, Unit.MONEY, -3)), List.of(id));
    }

    private List<String> recordIds(String query) {
        Http.Reply reply = http.get("v1/records" + query);
        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        return reply.body().path("records").findValuesAsText("recordId");
    }

    private void assertBadQuery(String query, String field) {
        Http.Reply reply = http.get("v1/records" + query);
        assertThat(reply.status()).as(query + " -> " + reply.raw()).isEqualTo(400);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.body().path("field").asText()).as(query).isEqualTo(field);
    }

    private void assertBadField(String path, String body, int status, String field) {
        Http.Reply reply = http.post(path, body);
        assertThat(reply.status()).as(body + " -> " + reply.raw()).isEqualTo(status);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.body().path("field").asText()).as(body).isEqualTo(field);
    }

    private static void created(Http.Reply reply) {
        assertThat(reply.status()).as(reply.raw()).isEqualTo(201);
    }

    private long money(String account) {
        JsonNode balances = http.get("v1/accounts/" + account).body().path("balances");
        for (JsonNode b : balances) {
            if (b.path("unit").asText().equals("MONEY")) {
                return b.path("total").asLong();
            }
        }
        return 0;
    }

    private int nonMainBuckets(String account) {
        int count = 0;
        for (JsonNode b : http.get("v1/accounts/" + account).body().path("buckets")) {
            count += b.path("main").asBoolean() ? 0 : 1;
        }
        return count;
    }
}
