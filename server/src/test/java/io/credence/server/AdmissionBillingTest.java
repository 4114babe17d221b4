package io.credence.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.credence.journal.JournalConfig;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Unit;
import io.credence.records.UsageRecord;
import io.credence.records.file.RecordReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Billing effective service over real loopback HTTP: an admission with an account holds a BYTES
 * reservation, and its release commits only what was delivered in active time.
 */
class AdmissionBillingTest {
    private static final long VOLUME = 4_000_000;

    @TempDir
    Path dir;

    private CredenceServer server;
    private Http http;

    @BeforeEach
    void start() throws Exception {
        ServerConfig config = new ServerConfig(dir.resolve("data"), "127.0.0.1", 0, "EUR", 16, 64,
                JournalConfig.DEFAULTS, LedgerLimits.DEFAULTS, null);
        server = CredenceServer.start(config, fatal -> { throw new AssertionError("journal failure", fatal); },
                () -> AdmissionApiTest.policy(100_000, 10_000_000, 10), Duration.ofHours(1));
        http = new Http(server.httpPort());
        assertThat(http.post("v1/accounts", """
                {"requestId":"a1","accountId":"alice","kind":"subscriber"}""").status()).isEqualTo(201);
        assertThat(http.post("v1/accounts/alice/topups", """
                {"requestId":"t1","unit":"BYTES","amount":5000000}""").status()).isEqualTo(201);
        assertThat(http.post("v1/accounts", """
                {"requestId":"a2","accountId":"bob","kind":"subscriber"}""").status()).isEqualTo(201);
        assertThat(http.post("v1/accounts/bob/topups", """
                {"requestId":"t2","unit":"BYTES","amount":1000}""").status()).isEqualTo(201);
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static String video(String id, String account) {
        return """
                {"admissionId": "%s", "layer": "service", "ttlSeconds": 600, "accountId": "%s",
                 "parameters": {"dataVolumeBytes": %d}}""".formatted(id, account, VOLUME);
    }

    private JsonNode bytes(String account) {
        for (JsonNode balance : http.get("v1/accounts/" + account).body().path("balances")) {
            if (balance.path("unit").asText().equals("BYTES")) {
                return balance;
            }
        }
        throw new AssertionError(account + " has no BYTES balance");
    }

    private long serviceVolumeUsed() {
        return http.get("v1/admissions/pools").body().at("/layers/service/dataVolumeBytes/used").asLong();
    }

    @Test
    void aBilledAdmissionChargesOnlyTheBytesDeliveredAndOnlyOnce() throws Exception {
        Http.Reply admitted = http.post("v1/admissions", video("vod-1", "alice"));
        assertThat(admitted.status()).isEqualTo(201);
        long reservationId = admitted.body().path("reservationId").asLong();
        assertThat(reservationId).isPositive();
        assertThat(admitted.body().path("accountId").asText()).isEqualTo("alice");
        assertThat(bytes("alice").path("reserved").asLong()).isEqualTo(VOLUME);
        // a retried POST is the same admission with the same reservation, not a second hold
        assertThat(http.post("v1/admissions", video("vod-1", "alice")).raw()).isEqualTo(admitted.raw());
        assertThat(bytes("alice").path("reserved").asLong()).isEqualTo(VOLUME);

        // 3 MB metered, 30% of it dropped by the network; 60 of 100 seconds had traffic in flight
        String usage = """
                {"requestId": "vod-1-end", "usage": {"bytesMetered": 3000000, "bytesDropped": 900000,
                 "activeSeconds": 60, "wallSeconds": 100}}""";
        Http.Reply ended = http.deleteWithBody("v1/admissions/vod-1", usage);
        assertThat(ended.status()).as(ended.raw()).isEqualTo(200);
        assertThat(ended.body().at("/usage/raw/bytes").asLong()).isEqualTo(3_000_000);
        assertThat(ended.body().at("/usage/raw/seconds").asLong()).isEqualTo(100);
        assertThat(ended.body().at("/usage/effective/bytes").asLong()).isEqualTo(2_100_000);
        assertThat(ended.body().at("/usage/effective/seconds").asLong()).isEqualTo(60);
        assertThat(ended.body().at("/usage/effective/throughputBytesPerSecond").asLong()).isEqualTo(35_000);
        assertThat(ended.body().path("committed").asLong()).isEqualTo(2_100_000);
        assertThat(ended.body().path("reservationReleased").asLong()).isEqualTo(VOLUME - 2_100_000);
        assertThat(ended.body().at("/released/draws/dataVolumeBytes").asLong()).isEqualTo(VOLUME);
        assertThat(bytes("alice").path("total").asLong()).isEqualTo(5_000_000 - 2_100_000);
        assertThat(bytes("alice").path("reserved").asLong()).isZero();
        assertThat(serviceVolumeUsed()).isZero();

        // the answer was lost: the retry gets the first answer and charges nothing more
        Http.Reply retried = http.deleteWithBody("v1/admissions/vod-1", usage);
        assertThat(retried.status()).isEqualTo(200);
        assertThat(retried.raw()).isEqualTo(ended.raw());
        assertThat(bytes("alice").path("total").asLong()).isEqualTo(5_000_000 - 2_100_000);
        // a different request id names a different release, and there is no admission left to release
        assertThat(http.deleteWithBody("v1/admissions/vod-1", usage.replace("vod-1-end", "other")).status())
                .isEqualTo(404);

        server.close();
        List<UsageRecord> records = new ArrayList<>();
        List<RecordReader.Skipped> skipped = new ArrayList<>();
        try (Stream<UsageRecord> all = RecordReader.of(dir.resolve("data").resolve("records"), skipped::add)
                .query(RecordReader.Filter.ALL)) {
            all.forEach(records::add);
        }
        server = null;
        assertThat(skipped).isEmpty();
        assertThat(records).singleElement().satisfies(r -> {
            assertThat(r.recordId()).isEqualTo("vod-1-end");
            assertThat(r.requestIds()).containsExactly("vod-1-end");
            assertThat(r.origin()).isEqualTo("http");
            assertThat(r.sessionId()).isEqualTo("vod-1");
            assertThat(r.service()).isEqualTo("admission:service");
            assertThat(r.accountId()).isEqualTo("alice");
            assertThat(r.unit()).isEqualTo(Unit.BYTES);
            assertThat(r.rawUnits()).isEqualTo(3_000_000);
            assertThat(r.effectiveUnits()).isEqualTo(2_100_000);
            assertThat(r.decision()).isEqualTo(UsageRecord.UNRATED);
            assertThat(r.price()).isZero();
            assertThat(r.balances()).containsExactly(new UsageRecord.BalanceChange("alice", Unit.BYTES, -2_100_000));
        });
    }

    @Test
    void badUsageIsRefusedNamingTheFigureAndChangesNothing() {
        assertThat(http.post("v1/admissions", video("vod-2", "alice")).status()).isEqualTo(201);
        String[][] cases = {
                {"\"bytesMetered\": -1, \"bytesDropped\": 0, \"activeSeconds\": 1, \"wallSeconds\": 1", "usage.bytesMetered"},
                {"\"bytesMetered\": 10, \"bytesDropped\": 11, \"activeSeconds\": 1, \"wallSeconds\": 1", "usage.bytesDropped"},
                {"\"bytesMetered\": 10, \"bytesDropped\": 0, \"activeSeconds\": 5, \"wallSeconds\": 4", "usage.activeSeconds"},
                {"\"bytesMetered\": 10, \"bytesDropped\": 0, \"activeSeconds\": 0, \"wallSeconds\": 4", "usage.activeSeconds"},
                {"\"bytesMetered\": 10, \"bytesDropped\": 0, \"activeSeconds\": 1", "usage.wallSeconds"},
        };
        for (String[] c : cases) {
            Http.Reply bad = http.deleteWithBody("v1/admissions/vod-2", "{\"usage\": {" + c[0] + "}}");
            assertThat(bad.status()).as(c[0]).isEqualTo(400);
            assertThat(bad.body().path("field").asText()).as(c[0]).isEqualTo(c[1]);
        }
        assertThat(bytes("alice").path("total").asLong()).isEqualTo(5_000_000);
        assertThat(bytes("alice").path("reserved").asLong()).isEqualTo(VOLUME);
        assertThat(serviceVolumeUsed()).isEqualTo(VOLUME);

        // a plain DELETE still ends it as before, and gives the whole reservation back
        Http.Reply released = http.delete("v1/admissions/vod-2");
        assertThat(released.status()).isEqualTo(200);
        assertThat(released.body().path("reservationReleased").asLong()).isEqualTo(VOLUME);
        assertThat(bytes("alice").path("reserved").asLong()).isZero();
        assertThat(bytes("alice").path("total").asLong()).isEqualTo(5_000_000);
        assertThat(serviceVolumeUsed()).isZero();
    }

    @Test
    void anAccountThatCannotHoldTheReservationIsNotAdmitted() {
        JsonNode poolsBefore = http.get("v1/admissions/pools").body();
        Http.Reply refused = http.post("v1/admissions", video("vod-3", "bob"));
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.body().path("type").asText()).endsWith("insufficient-balance");
        assertThat(refused.body().path("field").asText()).isEqualTo("amount");
        assertThat(http.get("v1/admissions/pools").body()).isEqualTo(poolsBefore);
        assertThat(bytes("bob").path("reserved").asLong()).isZero();
        assertThat(http.delete("v1/admissions/vod-3").status()).isEqualTo(404);

        Http.Reply unknown = http.post("v1/admissions", video("vod-4", "nobody"));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body().path("type").asText()).endsWith("unknown-account");
        assertThat(http.get("v1/admissions/pools").body()).isEqualTo(poolsBefore);
    }

    @Test
    void anAdmissionWithoutAnAccountIsReleasedAsBeforeWhateverTheUsage() {
        Http.Reply admitted = http.post("v1/admissions", """
                {"admissionId": "free-1", "layer": "service", "ttlSeconds": 60, "parameters": {"dataVolumeBytes": 1000}}""");
        assertThat(admitted.status()).isEqualTo(201);
        assertThat(admitted.body().has("reservationId")).isFalse();
        Http.Reply released = http.deleteWithBody("v1/admissions/free-1", """
                {"usage": {"bytesMetered": 1000, "bytesDropped": 0, "activeSeconds": 1, "wallSeconds": 1}}""");
        assertThat(released.status()).isEqualTo(200);
        assertThat(released.body().has("committed")).isFalse();
        assertThat(bytes("alice").path("total").asLong()).isEqualTo(5_000_000);
    }

    /** As on the Diameter path: more than reserved is charged within the credit limit, and past it only the reservation. */
    @Test
    void deliveryBeyondTheReservationOverdrawsWithinTheCreditLimitOnly() {
        assertThat(http.post("v1/accounts", """
                {"requestId":"a3","accountId":"carol","kind":"subscriber","creditLimits":{"BYTES":100000}}""").status())
                .isEqualTo(201);
        assertThat(http.post("v1/accounts/carol/topups", """
                {"requestId":"t3","unit":"BYTES","amount":4000000}""").status()).isEqualTo(201);
        assertThat(http.post("v1/admissions", video("vod-5", "carol")).status()).isEqualTo(201);
        Http.Reply over = http.deleteWithBody("v1/admissions/vod-5", """
                {"usage": {"bytesMetered": 4050000, "bytesDropped": 0, "activeSeconds": 90, "wallSeconds": 90}}""");
        assertThat(over.status()).as(over.raw()).isEqualTo(200);
        assertThat(over.body().path("committed").asLong()).isEqualTo(4_050_000);
        assertThat(over.body().path("overdraft").asLong()).isEqualTo(50_000);
        assertThat(bytes("carol").path("total").asLong()).isEqualTo(-50_000);

        assertThat(http.post("v1/admissions", video("vod-6", "alice")).status()).isEqualTo(201);
        Http.Reply capped = http.deleteWithBody("v1/admissions/vod-6", """
                {"requestId": "vod-6-end", "usage": {"bytesMetered": 6000000, "bytesDropped": 0,
                 "activeSeconds": 90, "wallSeconds": 90}}""");
        assertThat(capped.status()).as(capped.raw()).isEqualTo(200);
        assertThat(capped.body().at("/usage/effective/bytes").asLong()).isEqualTo(6_000_000);
        assertThat(capped.body().path("committed").asLong()).isEqualTo(VOLUME);
        assertThat(bytes("alice").path("total").asLong()).isEqualTo(5_000_000 - VOLUME);
        assertThat(bytes("alice").path("reserved").asLong()).isZero();
    }
}
