package io.credence.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.credence.journal.JournalConfig;
import io.credence.ledger.LedgerLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The provisioning API over real HTTP on loopback, against a real durable ledger. */
class ProvisioningApiTest {
    @TempDir
    Path dir;
    CredenceServer server;
    Http http;

    @BeforeEach
    void start() throws Exception {
        ServerConfig config = new ServerConfig(dir.resolve("data"), "127.0.0.1", 0, "EUR", 16, 64,
                JournalConfig.DEFAULTS, LedgerLimits.DEFAULTS, null);
        server = CredenceServer.start(config, fatal -> { throw new AssertionError("journal failure", fatal); });
        http = new Http(server.httpPort());
        assertThat(http.post("v1/accounts", """
                {"requestId":"a1","accountId":"alice","kind":"subscriber","creditLimits":{"MONEY":500}}""").status())
                .isEqualTo(201);
        assertThat(http.post("v1/accounts", """
                {"requestId":"a2","accountId":"operator","kind":"OPERATOR"}""").status()).isEqualTo(201);
        assertThat(http.post("v1/accounts/alice/topups", """
                {"requestId":"t1","unit":"MONEY","amount":2000}""").status()).isEqualTo(201);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void aSubscriberGetsADataPackReservesUsesPartAndSeesItInBalancesAndTransfers() {
        Http.Reply bucket = http.post("v1/accounts/alice/buckets", """
                {"requestId":"b1","unit":"BYTES","amount":1000000,"validUntil":"2999-01-01T00:00:00Z",
                 "priority":5,"ratingGroups":[10]}""");
        assertThat(bucket.status()).isEqualTo(201);

        Http.Reply reserved = http.post("v1/reservations", """
                {"requestId":"r1","accountId":"alice","counterpartyId":"operator","unit":"BYTES",
                 "amount":400000,"ratingGroup":10,"ttlSeconds":60}""");
        assertThat(reserved.status()).isEqualTo(201);
        long reservationId = reserved.body().path("reservationId").asLong();
        assertThat(http.get("v1/reservations/" + reservationId).body().path("status").asText()).isEqualTo("OPEN");

        Http.Reply committed = http.post("v1/reservations/" + reservationId + "/commit", """
                {"requestId":"c1","amount":150000}""");
        assertThat(committed.status()).isEqualTo(200);
        assertThat(committed.body().path("released").asLong()).isEqualTo(250000);

        JsonNode account = http.get("v1/accounts/alice").body();
        JsonNode dataPack = account.path("buckets").get(0);
        assertThat(dataPack.path("amount").asLong()).isEqualTo(850000);
        assertThat(dataPack.path("reserved").asLong()).isZero();
        assertThat(dataPack.path("validUntil").asText()).isEqualTo("2999-01-01T00:00:00Z");
        assertThat(account.path("balances").findValuesAsText("unit")).containsExactly("MONEY", "BYTES");

        JsonNode transfers = http.get("v1/accounts/alice/transfers?limit=2").body();
        assertThat(transfers.path("transfers").findValuesAsText("kind")).containsExactly("COMMIT", "TOP_UP");
        assertThat(transfers.path("nextBefore").asLong()).isEqualTo(2);
        assertThat(http.get("v1/accounts/alice/transfers?before=2").body().path("transfers").findValuesAsText("requestId"))
                .containsExactly("t1");
        assertThat(http.get("v1/reservations/" + reservationId).body().path("status").asText()).isEqualTo("COMMITTED");
    }

    @Test
    void aRetriedRequestGetsTheFirstAnswerAndTheSameIdWithOtherContentIsRefused() {
        Http.Reply first = http.post("v1/accounts/alice/topups", """
                {"requestId":"retry-1","unit":"MONEY","amount":100}""");
        Http.Reply again = http.post("v1/accounts/alice/topups", """
                {"requestId":"retry-1","unit":"MONEY","amount":100}""");
        assertThat(again.raw()).isEqualTo(first.raw());
        assertThat(moneyTotal()).isEqualTo(2100);

        Http.Reply different = http.post("v1/accounts/alice/topups", """
                {"requestId":"retry-1","unit":"MONEY","amount":999}""");
        assertThat(different.status()).isEqualTo(409);
        assertThat(different.body().path("field").asText()).isEqualTo("requestId");
        assertThat(moneyTotal()).isEqualTo(2100);
    }

    @Test
    void aRefusedRequestStaysRefusedOnRetryEvenAfterTheBalanceWouldAllowIt() {
        String reserve = """
                {"requestId":"big","accountId":"alice","counterpartyId":"operator","unit":"MONEY","amount":3000,"ttlSeconds":60}""";
        Http.Reply refused = http.post("v1/reservations", reserve);
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.body().path("type").asText()).isEqualTo("urn:credence:problem:insufficient-balance");

        http.post("v1/accounts/alice/topups", """
                {"requestId":"t2","unit":"MONEY","amount":5000}""");
        assertThat(http.post("v1/reservations", reserve).raw()).isEqualTo(refused.raw());
    }

    @Test
    void overdraftAboveAReservationIsExplicitAndWithinTheCreditLimit() {
        long id = http.post("v1/reservations", """
                {"requestId":"r","accountId":"alice","counterpartyId":"operator","unit":"MONEY","amount":2000,"ttlSeconds":60}""")
                .body().path("reservationId").asLong();
        Http.Reply withoutFlag = http.post("v1/reservations/" + id + "/commit", """
                {"requestId":"c-no","amount":2300}""");
        assertThat(withoutFlag.status()).isEqualTo(422);
        assertThat(withoutFlag.body().path("type").asText()).endsWith("commit-exceeds-reservation");

        Http.Reply beyondLimit = http.post("v1/reservations/" + id + "/commit", """
                {"requestId":"c-big","amount":2600,"overdraft":true}""");
        assertThat(beyondLimit.body().path("type").asText()).endsWith("credit-limit-exceeded");

        Http.Reply ok = http.post("v1/reservations/" + id + "/commit", """
                {"requestId":"c-ok","amount":2300,"overdraft":true}""");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body().path("overdraft").asLong()).isEqualTo(300);
        assertThat(moneyTotal()).isEqualTo(-300);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            malformed JSON            | v1/accounts/alice/topups | {"unit":"MONEY","amount":      | 400 | malformed-json   |
            not an object             | v1/accounts/alice/topups | [1,2]                          | 400 | malformed-json   |
            negative amount           | v1/accounts/alice/topups | {"unit":"MONEY","amount":-5}   | 400 | invalid-field    | amount
            zero amount               | v1/accounts/alice/topups | {"unit":"MONEY","amount":0}    | 400 | invalid-field    | amount
            overflowing amount        | v1/accounts/alice/topups | {"unit":"MONEY","amount":9223372036854775808} | 400 | invalid-field | amount
            fractional amount         | v1/accounts/alice/topups | {"unit":"MONEY","amount":1.5}  | 400 | invalid-field    | amount
            amount as text            | v1/accounts/alice/topups | {"unit":"MONEY","amount":"5"}  | 400 | invalid-field    | amount
            unknown unit              | v1/accounts/alice/topups | {"unit":"GOLD","amount":5}     | 400 | invalid-field    | unit
            missing unit              | v1/accounts/alice/topups | {"amount":5}                   | 400 | invalid-field    | unit
            unknown field             | v1/accounts/alice/topups | {"unit":"MONEY","amount":5,"amuont":1} | 400 | invalid-field | amuont
            duplicate field           | v1/accounts/alice/topups | {"unit":"MONEY","amount":5,"amount":6} | 400 | malformed-json |
            request id too long       | v1/accounts/alice/topups | {"requestId":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx","unit":"MONEY","amount":5} | 400 | invalid-field | requestId
            account id too long       | v1/accounts              | {"accountId":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","kind":"SUBSCRIBER"} | 400 | invalid-field | accountId
            account id with a space   | v1/accounts              | {"accountId":"bad id","kind":"SUBSCRIBER"} | 400 | invalid-field | accountId
            unknown kind              | v1/accounts              | {"accountId":"bob","kind":"ROBOT"} | 400 | invalid-field | kind
            negative credit limit     | v1/accounts              | {"accountId":"bob","kind":"SUBSCRIBER","creditLimits":{"MONEY":-1}} | 400 | invalid-field | creditLimits.MONEY
            path id too long          | v1/accounts/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/topups | {"unit":"MONEY","amount":5} | 400 | invalid-field | accountId
            bucket ends before start  | v1/accounts/alice/buckets | {"unit":"BYTES","amount":5,"validFrom":"2030-01-01T00:00:00Z","validUntil":"2029-01-01T00:00:00Z"} | 400 | invalid-field | validUntil
            bad instant               | v1/accounts/alice/buckets | {"unit":"BYTES","amount":5,"validUntil":"tomorrow"} | 400 | invalid-field | validUntil
            rating group too large    | v1/accounts/alice/buckets | {"unit":"BYTES","amount":5,"ratingGroups":[4294967296]} | 400 | invalid-field | ratingGroups[0]
            reservation without ttl   | v1/reservations          | {"accountId":"alice","unit":"MONEY","amount":5} | 400 | invalid-field | ttlSeconds
            reservation id not number | v1/reservations/abc/commit | {"amount":5}                 | 400 | invalid-field    | reservationId
            transfer to itself        | v1/transfers             | {"from":"alice","to":"alice","unit":"MONEY","amount":5} | 400 | invalid-field | to
            unknown account           | v1/accounts/nobody/topups | {"unit":"MONEY","amount":5}   | 404 | unknown-account  | accountId
            unknown reservation       | v1/reservations/999/commit | {"amount":5}                 | 404 | unknown-reservation | reservationId
            top-up from a subscriber  | v1/accounts/operator/topups | {"unit":"MONEY","amount":5,"source":"alice"} | 422 | not-a-system-account | source
            no such path              | v1/nothing               | {}                             | 404 | not-found        |
            """)
    void badInputGetsAPreciseProblemAndChangesNothing(String name, String path, String body, int status, String type,
                                                     String field) {
        JsonNode before = http.get("v1/accounts/alice").body();
        long transfersBefore = http.get("v1/ledger").body().path("lastTransferSeq").asLong();

        Http.Reply reply = http.post(path, body);

        assertThat(reply.status()).as(reply.raw()).isEqualTo(status);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.body().path("type").asText()).isEqualTo("urn:credence:problem:" + type);
        assertThat(reply.body().path("detail").asText()).isNotBlank();
        if (field != null) {
            assertThat(reply.body().path("field").asText()).isEqualTo(field);
        }
        assertThat(http.get("v1/accounts/alice").body().path("buckets")).isEqualTo(before.path("buckets"));
        assertThat(http.get("v1/ledger").body().path("lastTransferSeq").asLong()).isEqualTo(transfersBefore);
    }

    @Test
    void wrongMethodsAndOversizedBodiesAreRefused() {
        assertThat(http.patch("v1/reservations/1/commit", "{}").status()).isEqualTo(405);
        Http.Reply huge = http.postExpectingContinue("v1/accounts/alice/topups", "{\"requestId\":\"" + "x".repeat(70_000) + "\"}");
        assertThat(huge.status()).isEqualTo(413);
    }

    @Test
    void statusChangesAreEnforced() {
        assertThat(http.patch("v1/accounts/alice", """
                {"requestId":"s1","status":"SUSPENDED"}""").status()).isEqualTo(200);
        Http.Reply refused = http.post("v1/reservations", """
                {"requestId":"r-s","accountId":"alice","unit":"MONEY","amount":5,"ttlSeconds":60}""");
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.body().path("type").asText()).endsWith("account-not-active");
        assertThat(http.patch("v1/accounts/alice", "{}").status()).isEqualTo(400);
    }

    private long moneyTotal() {
        for (JsonNode balance : http.get("v1/accounts/alice").body().path("balances")) {
            if (balance.path("unit").asText().equals("MONEY")) {
                return balance.path("total").asLong();
            }
        }
        throw new AssertionError("no MONEY balance");
    }
}
