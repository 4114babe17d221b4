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

import java.net.http.HttpRequest;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Subscriber identities over the provisioning API: bind, look up, list, unbind, and survive a restart. */
class IdentityApiTest {
    static final String SIP = "sip:+491701234567@ims.example.com;user=phone";
    /** {@link #SIP} with every character a path would otherwise treat specially percent-encoded. */
    static final String SIP_ENCODED = "sip%3A%2B491701234567%40ims.example.com%3Buser%3Dphone";

    @TempDir
    Path dir;
    CredenceServer server;
    Http http;

    @BeforeEach
    void start() throws Exception {
        startServer();
        assertThat(http.post("v1/accounts", """
                {"requestId":"a1","accountId":"alice","kind":"SUBSCRIBER"}""").status()).isEqualTo(201);
        assertThat(http.post("v1/accounts", """
                {"requestId":"a2","accountId":"bob","kind":"SUBSCRIBER"}""").status()).isEqualTo(201);
    }

    private void startServer() throws Exception {
        ServerConfig config = new ServerConfig(dir.resolve("data"), "127.0.0.1", 0, "EUR", 16, 64,
                JournalConfig.DEFAULTS, LedgerLimits.DEFAULTS, null);
        server = CredenceServer.start(config, fatal -> { throw new AssertionError("journal failure", fatal); });
        http = new Http(server.httpPort());
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void aSubscribersNumberSimAndSipUriLeadToItsAccount() {
        Http.Reply bound = http.post("v1/accounts/alice/identities", """
                {"requestId":"i1","type":"E164","value":"491701234567"}""");
        assertThat(bound.status()).as(bound.raw()).isEqualTo(201);
        assertThat(bound.raw()).isEqualTo("""
                {"requestId":"i1","type":"E164","value":"491701234567","accountId":"alice"}""");
        assertThat(http.post("v1/accounts/alice/identities", """
                {"requestId":"i2","type":"imsi","value":"262011234567890"}""").status()).isEqualTo(201);
        Http.Reply sip = http.post("v1/accounts/alice/identities", """
                {"requestId":"i3","type":"SIP_URI","value":"%s"}""".formatted(SIP));
        assertThat(sip.status()).as(sip.raw()).isEqualTo(201);
        assertThat(sip.body().path("value").asText()).isEqualTo(SIP);

        Http.Reply found = http.get("v1/identities/E164/491701234567");
        assertThat(found.status()).isEqualTo(200);
        assertThat(found.raw()).isEqualTo("""
                {"type":"E164","value":"491701234567","accountId":"alice"}""");
        assertThat(http.get("v1/identities/imsi/262011234567890").body().path("accountId").asText()).isEqualTo("alice");
        Http.Reply bySip = http.get("v1/identities/SIP_URI/" + SIP_ENCODED);
        assertThat(bySip.status()).as(bySip.raw()).isEqualTo(200);
        assertThat(bySip.body().path("value").asText()).as("'+' is not a space, ';user=phone' is kept").isEqualTo(SIP);
        assertThat(http.get("v1/identities/SIP_URI/" + SIP).body().path("accountId").asText())
                .as("the same URI unencoded: ':' '@' '+' ';' '=' are allowed in a path segment").isEqualTo("alice");

        JsonNode account = http.get("v1/accounts/alice").body();
        assertThat(account.path("identities").toString()).isEqualTo("""
                [{"type":"E164","value":"491701234567"},{"type":"IMSI","value":"262011234567890"},\
                {"type":"SIP_URI","value":"%s"}]""".formatted(SIP));
        assertThat(account.path("status").asText()).as("the existing fields stay").isEqualTo("ACTIVE");
        assertThat(http.get("v1/accounts/bob").body().path("identities").isEmpty()).isTrue();
        assertThat(http.get("v1/ledger").body().path("identities").asInt()).isEqualTo(3);
    }

    @Test
    void anIdentityBoundElsewhereIsAConflictNamingTheValueAndChangesNothing() {
        http.post("v1/accounts/alice/identities", """
                {"requestId":"i1","type":"E164","value":"491701234567"}""");

        Http.Reply taken = http.post("v1/accounts/bob/identities", """
                {"requestId":"i2","type":"E164","value":"491701234567"}""");

        assertThat(taken.status()).isEqualTo(409);
        assertThat(taken.contentType()).startsWith("application/problem+json");
        assertThat(taken.body().path("type").asText()).isEqualTo("urn:credence:problem:identity-taken");
        assertThat(taken.body().path("field").asText()).isEqualTo("value");
        assertThat(taken.body().path("detail").asText()).contains("alice");
        assertThat(http.get("v1/identities/E164/491701234567").body().path("accountId").asText()).isEqualTo("alice");
        assertThat(http.get("v1/accounts/bob").body().path("identities").isEmpty()).isTrue();

        Http.Reply again = http.post("v1/accounts/alice/identities", """
                {"requestId":"i3","type":"E164","value":"491701234567"}""");
        assertThat(again.status()).as("binding to the same account again is fine").isEqualTo(201);
        assertThat(http.get("v1/accounts/alice").body().path("identities").size()).isEqualTo(1);
    }

    @Test
    void unknownAndClosedAccountsTakeNoIdentities() {
        Http.Reply unknown = http.post("v1/accounts/nobody/identities", """
                {"requestId":"i1","type":"E164","value":"491701234567"}""");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body().path("type").asText()).isEqualTo("urn:credence:problem:unknown-account");

        http.patch("v1/accounts/bob", """
                {"requestId":"close","status":"CLOSED"}""");
        Http.Reply closed = http.post("v1/accounts/bob/identities", """
                {"requestId":"i2","type":"E164","value":"491701234567"}""");
        assertThat(closed.status()).isEqualTo(409);
        assertThat(closed.body().path("type").asText()).isEqualTo("urn:credence:problem:account-not-active");
        assertThat(http.get("v1/identities/E164/491701234567").status()).isEqualTo(404);
        assertThat(http.get("v1/ledger").body().path("identities").asInt()).isZero();
    }

    @Test
    void unbindingFreesTheIdentityAndARetryWithTheSameKeyGetsTheFirstAnswer() {
        http.post("v1/accounts/alice/identities", """
                {"requestId":"i1","type":"SIP_URI","value":"%s"}""".formatted(SIP));

        Http.Reply unbound = http.delete("v1/identities/SIP_URI/" + SIP_ENCODED, "unbind-1");
        assertThat(unbound.status()).as(unbound.raw()).isEqualTo(200);
        assertThat(unbound.raw()).isEqualTo("""
                {"requestId":"unbind-1","type":"SIP_URI","value":"%s","accountId":"alice"}""".formatted(SIP));
        assertThat(http.delete("v1/identities/SIP_URI/" + SIP_ENCODED, "unbind-1").raw()).isEqualTo(unbound.raw());

        Http.Reply gone = http.get("v1/identities/SIP_URI/" + SIP_ENCODED);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.contentType()).startsWith("application/problem+json");
        assertThat(gone.body().path("type").asText()).isEqualTo("urn:credence:problem:unknown-identity");
        assertThat(gone.body().path("field").asText()).isEqualTo("value");
        Http.Reply unknown = http.delete("v1/identities/SIP_URI/" + SIP_ENCODED);
        assertThat(unknown.status()).as("a new request (no key) for an identity no longer bound").isEqualTo(404);
        assertThat(unknown.body().path("type").asText()).isEqualTo("urn:credence:problem:unknown-identity");
        assertThat(http.get("v1/accounts/alice").body().path("identities").isEmpty()).isTrue();

        assertThat(http.post("v1/accounts/bob/identities", """
                {"requestId":"i2","type":"SIP_URI","value":"%s"}""".formatted(SIP)).status())
                .as("free for another account now").isEqualTo(201);
    }

    @Test
    void aValueWithASlashOrPercentIsReachableWhenEncoded() {
        assertThat(http.post("v1/accounts/alice/identities", """
                {"requestId":"i1","type":"PRIVATE","value":"contract/42%x"}""").status()).isEqualTo(201);

        Http.Reply found = http.get("v1/identities/PRIVATE/contract%2F42%25x");

        assertThat(found.status()).as(found.raw()).isEqualTo(200);
        assertThat(found.body().path("value").asText()).isEqualTo("contract/42%x");
        assertThat(http.get("v1/identities/PRIVATE/contract/42%25x").status()).as("an unencoded '/' is another path")
                .isEqualTo(404);
    }

    @Test
    void anEncodedSlashNeverSplitsASegmentElsewhereEither() {
        http.post("v1/accounts/alice/topups", """
                {"requestId":"t1","unit":"MONEY","amount":100}""");

        Http.Reply reply = http.post("v1/accounts/alice%2Ftopups", """
                {"requestId":"t2","unit":"MONEY","amount":100}""");

        assertThat(reply.status()).as(reply.raw()).isEqualTo(400);
        assertThat(reply.body().path("field").asText()).isEqualTo("accountId");
        assertThat(http.get("v1/accounts/alice").body().path("balances").get(0).path("total").asLong()).isEqualTo(100);
    }

    @Test
    void identitiesSurviveARestart() throws Exception {
        http.post("v1/accounts/alice/identities", """
                {"requestId":"i1","type":"E164","value":"491701234567"}""");
        http.post("v1/accounts/bob/identities", """
                {"requestId":"i2","type":"NAI","value":"bob@example.com"}""");
        JsonNode before = http.get("v1/accounts/alice").body().path("identities");

        server.close();
        startServer();

        assertThat(http.get("v1/accounts/alice").body().path("identities")).isEqualTo(before);
        assertThat(http.get("v1/identities/NAI/bob@example.com").body().path("accountId").asText()).isEqualTo("bob");
        assertThat(http.post("v1/accounts/bob/identities", """
                {"requestId":"i3","type":"E164","value":"491701234567"}""").status()).isEqualTo(409);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown type              | POST   | v1/accounts/alice/identities | {"type":"MSISDN","value":"491701234567"}  | 400 | invalid-field    | type
            missing type              | POST   | v1/accounts/alice/identities | {"value":"491701234567"}                  | 400 | invalid-field    | type
            missing value             | POST   | v1/accounts/alice/identities | {"type":"E164"}                           | 400 | invalid-field    | value
            value not a string        | POST   | v1/accounts/alice/identities | {"type":"E164","value":491701234567}      | 400 | invalid-field    | value
            E.164 with a plus         | POST   | v1/accounts/alice/identities | {"type":"E164","value":"+491701234567"}   | 400 | invalid-field    | value
            E.164 too long            | POST   | v1/accounts/alice/identities | {"type":"E164","value":"4917012345678901"} | 400 | invalid-field   | value
            IMSI too short            | POST   | v1/accounts/alice/identities | {"type":"IMSI","value":"2620"}            | 400 | invalid-field    | value
            empty value               | POST   | v1/accounts/alice/identities | {"type":"NAI","value":""}                 | 400 | invalid-field    | value
            value with a space        | POST   | v1/accounts/alice/identities | {"type":"SIP_URI","value":"sip:a b@x"}    | 400 | invalid-field    | value
            value not ASCII           | POST   | v1/accounts/alice/identities | {"type":"NAI","value":"jürgen@example.com"} | 400 | invalid-field  | value
            value too long            | POST   | v1/accounts/alice/identities | {"type":"PRIVATE","value":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"} | 400 | invalid-field | value
            unknown field             | POST   | v1/accounts/alice/identities | {"type":"E164","value":"4917","acount":"x"} | 400 | invalid-field  | acount
            bad account in path       | POST   | v1/accounts/bad%20id/identities | {"type":"E164","value":"4917"}         | 400 | invalid-field    | accountId
            unknown type in path      | GET    | v1/identities/PHONE/491701234567 |                                       | 400 | invalid-field    | type
            bad value in path         | GET    | v1/identities/E164/%2B491701234567 |                                     | 400 | invalid-field    | value
            value not ASCII in path   | GET    | v1/identities/NAI/j%C3%BCrgen@example.com |                              | 400 | invalid-field    | value
            unknown identity          | GET    | v1/identities/E164/4930123456 |                                          | 404 | unknown-identity | value
            unbind bad value          | DELETE | v1/identities/IMSI/12 |                                                  | 400 | invalid-field    | value
            unbind unknown identity   | DELETE | v1/identities/E164/4930123456 |                                          | 404 | unknown-identity | value
            unbind with a body field  | DELETE | v1/identities/E164/491701234567 | {"reason":"x"}                         | 400 | invalid-field    | reason
            identity without a value  | GET    | v1/identities/E164 |                                                     | 404 | not-found        |
            list all identities       | GET    | v1/identities |                                                          | 404 | not-found        |
            wrong method              | PUT    | v1/identities/E164/491701234567 | {}                                     | 405 | method-not-allowed |
            """)
    void badInputGetsAPreciseProblemAndChangesNothing(String name, String method, String path, String body, int status,
                                                     String type, String field) {
        http.post("v1/accounts/alice/identities", """
                {"requestId":"i1","type":"E164","value":"491701234567"}""");
        String aliceBefore = http.get("v1/accounts/alice").body().path("identities").toString();
        String ledgerBefore = http.get("v1/ledger").body().path("identities").toString();

        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body);
        Http.Reply reply = http.send(HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + server.httpPort()
                + "/" + path)).header("Content-Type", "application/json").method(method, publisher));

        assertThat(reply.status()).as(reply.raw()).isEqualTo(status);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.body().path("type").asText()).isEqualTo("urn:credence:problem:" + type);
        assertThat(reply.body().path("detail").asText()).isNotBlank();
        if (field != null) {
            assertThat(reply.body().path("field").asText()).isEqualTo(field);
        }
        assertThat(http.get("v1/accounts/alice").body().path("identities").toString()).isEqualTo(aliceBefore);
        assertThat(http.get("v1/ledger").body().path("identities").toString()).isEqualTo(ledgerBefore);
        assertThat(http.get("v1/identities/E164/491701234567").body().path("accountId").asText()).isEqualTo("alice");
    }
}
