package io.credence.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.credence.diameter.cc.CcrBuilder;
import io.credence.diameter.cc.CreditControlConfig;
import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Avps;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.peer.LocalIdentity;
import io.credence.diameter.transport.DiameterClient;
import io.credence.diameter.transport.TransportConfig;
import io.credence.journal.JournalConfig;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Unit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operations view of live Diameter sessions over HTTP: list and inspect them, force a
 * re-authorisation (RAR) or an abort (ASR), and a top-up that makes the account's sessions ask
 * again at once. A real server with both listeners, a real Diameter client acting as the gateway.
 */
class DiameterSessionApiTest {
    private static final LocalIdentity PGW = new LocalIdentity("pgw.api.test", "operator.test",
            List.of(new byte[] {127, 0, 0, 1}), 10415, "api-pgw", 1);
    private static final LocalIdentity OCS = new LocalIdentity("ocs.api.test", "credence.test",
            List.of(new byte[] {127, 0, 0, 1}), 0, "credence", 1);

    @TempDir
    Path dir;
    CredenceServer server;
    Http http;
    DiameterClient pgw;
    final List<DiameterMessage> serverRequests = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        DiameterSettings diameter = new DiameterSettings(TransportConfig.defaults("127.0.0.1", 0), OCS,
                Set.of(PGW.originHost()), CreditControlConfig.defaults());
        server = CredenceServer.start(new ServerConfig(dir.resolve("data"), "127.0.0.1", 0, "EUR", 16, 64,
                JournalConfig.DEFAULTS, LedgerLimits.DEFAULTS, diameter), fatal -> { throw new AssertionError(fatal); });
        http = new Http(server.httpPort());
        assertThat(http.post("v1/accounts", "{\"requestId\":\"a\",\"accountId\":\"bob\",\"kind\":\"SUBSCRIBER\"}")
                .status()).isEqualTo(201);
        assertThat(http.post("v1/accounts/bob/topups", "{\"requestId\":\"t\",\"unit\":\"BYTES\",\"amount\":3000}")
                .status()).isEqualTo(201);
        assertThat(http.post("v1/accounts/bob/identities", "{\"requestId\":\"i\",\"type\":\"E164\",\"value\":\"4930123\"}")
                .status()).isEqualTo(201);
        pgw = DiameterClient.connect("127.0.0.1", server.diameterPort(), PGW, DiameterClient.Options.defaults(),
                request -> {
                    serverRequests.add(request);
                    return request.answer(List.of(request.find(Codes.SESSION_ID, 0).orElseThrow(),
                            Avps.unsigned32(Codes.RESULT_CODE, 0, true, Codes.DIAMETER_SUCCESS),
                            Avps.utf8(Codes.ORIGIN_HOST, 0, true, PGW.originHost()),
                            Avps.utf8(Codes.ORIGIN_REALM, 0, true, PGW.originRealm())));
                });
    }

    @AfterEach
    void stop() throws Exception {
        pgw.close();
        server.close();
    }

    private DiameterMessage ccr(CcrBuilder builder) throws Exception {
        return pgw.send(builder.build(1)).get(10, TimeUnit.SECONDS);
    }

    private static String path(String sessionId) {
        return "v1/sessions/" + URLEncoder.encode(sessionId, StandardCharsets.UTF_8);
    }

    @Test
    void sessionsAreListedInspectedReauthorisedAfterATopUpAndAborted() throws Exception {
        String sid = "pgw.api.test;1;42";
        DiameterMessage cca = ccr(CcrBuilder.request(sid, PGW.originHost(), PGW.originRealm(), OCS.originRealm(),
                Codes.INITIAL_REQUEST, 0).msisdn("4930123").mscc(10, Unit.BYTES, 5_000L, null));
        assertThat(cca.find(Codes.RESULT_CODE, 0).map(Avp::unsigned32)).contains(Codes.DIAMETER_SUCCESS);

        JsonNode list = http.get("v1/sessions").body().path("sessions");
        assertThat(list).hasSize(1);
        assertThat(list.get(0).path("sessionId").asText()).isEqualTo(sid);
        JsonNode one = http.get(path(sid)).body();
        assertThat(one.path("accountId").asText()).isEqualTo("bob");
        assertThat(one.path("grants").get(0).path("amount").asLong()).isEqualTo(3000); // all there was, with FUI
        assertThat(one.path("grants").get(0).path("ratingGroup").asLong()).isEqualTo(10);

        // a top-up: the gateway is asked to re-request now (RAR), without anyone calling reauth
        assertThat(http.post("v1/accounts/bob/topups", "{\"requestId\":\"t2\",\"unit\":\"BYTES\",\"amount\":100000}")
                .status()).isEqualTo(201);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (serverRequests.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(serverRequests).extracting(DiameterMessage::commandCode).containsExactly(Codes.RE_AUTH);

        Http.Reply reauth = http.post(path(sid) + "/reauth", "{}");
        assertThat(reauth.status()).isEqualTo(200);
        assertThat(reauth.body().path("resultCode").asLong()).isEqualTo(Codes.DIAMETER_SUCCESS);
        Http.Reply abort = http.post(path(sid) + "/abort", "{}");
        assertThat(abort.status()).isEqualTo(200);
        assertThat(serverRequests).extracting(DiameterMessage::commandCode)
                .containsExactly(Codes.RE_AUTH, Codes.RE_AUTH, Codes.ABORT_SESSION);
    }

    @Test
    void aSuspendedAccountsSessionsAreAskedToEnd() throws Exception {
        String sid = "pgw.api.test;3;7";
        ccr(CcrBuilder.request(sid, PGW.originHost(), PGW.originRealm(), OCS.originRealm(), Codes.INITIAL_REQUEST, 0)
                .msisdn("4930123").mscc(10, Unit.BYTES, 100L, null));
        assertThat(http.patch("v1/accounts/bob", "{\"requestId\":\"s\",\"status\":\"SUSPENDED\"}").status())
                .isEqualTo(200);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (serverRequests.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(serverRequests).extracting(DiameterMessage::commandCode).containsExactly(Codes.ABORT_SESSION);
        assertThat(serverRequests.getFirst().find(Codes.SESSION_ID, 0).map(Avp::utf8)).contains(sid);
        // a status change that is no suspension asks nothing
        assertThat(http.patch("v1/accounts/bob", "{\"requestId\":\"s2\",\"status\":\"ACTIVE\"}").status())
                .isEqualTo(200);
        Thread.sleep(300);
        assertThat(serverRequests).hasSize(1);
    }

    @Test
    void unknownSessionsAndUnreachablePeersAreProblems() throws Exception {
        Http.Reply unknown = http.get(path("nobody;1"));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body().path("type").asText()).isEqualTo("urn:credence:problem:unknown-session");
        assertThat(http.post(path("nobody;1") + "/abort", "{}").status()).isEqualTo(404);

        String sid = "pgw.api.test;2;1";
        ccr(CcrBuilder.request(sid, PGW.originHost(), PGW.originRealm(), OCS.originRealm(), Codes.INITIAL_REQUEST, 0)
                .msisdn("4930123").mscc(10, Unit.BYTES, 100L, null));
        pgw.close();
        Http.Reply gone = http.post(path(sid) + "/reauth", "{}");
        assertThat(gone.status()).isEqualTo(502);
        assertThat(gone.body().path("field").asText()).isEqualTo("sessionId");
    }
}
