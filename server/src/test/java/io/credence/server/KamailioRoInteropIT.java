package io.credence.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.credence.testkit.RequiresTools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.credence.server.KamailioScscf.STOP_ANSWERED;
import static io.credence.server.KamailioScscf.STOP_REFUSED;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Credence as the online charging system of a stock IMS S-CSCF, nothing here written by us but
 * the configuration: Kamailio 5.6 with ims_charging charges originating calls over Ro, SIPp places
 * and answers them, all on 127.0.0.1.
 *
 * <pre>
 *   SIPp caller ──INVITE──▶ Kamailio S-CSCF ──INVITE──▶ SIPp callee
 *                            │ ▲  ims_charging, cdp (Vendor-Specific-Application-Id {10415, 4})
 *                   CCR-I/U/T│ │CCA
 *                            ▼ │
 *                     credence serve --catalog interop/kamailio/catalog.json
 * </pre>
 *
 * <p>The S-CSCF holds the INVITE until the CCA-I, asks for more seconds (CCR-U) shortly before
 * each grant runs out, reports the seconds used in every CCR-U and in the CCR-T at BYE, and ends
 * the call itself when a grant marked final is used up. Expected balances are worked out from the
 * seconds Kamailio itself says it reported (its ims_charging debug log) and the catalog's tariff.
 * Each test is reported skipped, saying what is missing, where Kamailio, its IMS modules or SIPp
 * are not installed (the base modules the configuration loads come with Kamailio itself).
 */
@RequiresTools({"kamailio", "kamailio:ims_charging", "kamailio:ims_dialog", "kamailio:cdp", "kamailio:cdp_avp", "sipp"})
class KamailioRoInteropIT {

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;
    private ServerProcess ocs;
    private Http http;
    private KamailioScscf scscf;

    @RegisterExtension
    final TestWatcher transcriptOnFailure = KamailioScscf.transcriptOnFailure(() -> dir);

    /** The catalog's ims-voice tariff: the first 5 s as one block of 10 cents, then 3 cents a second. */
    static long price(long seconds) {
        return seconds <= 0 ? 0 : 10 + 3 * Math.max(0, seconds - 5);
    }

    @AfterEach
    void stop() throws Exception {
        if (scscf != null) {
            scscf.close();
        }
        if (ocs != null) {
            ocs.stop();
        }
    }

    @Test
    void aCallIsChargedAtTheTariffForTheSecondsTheScscfReported() throws Exception {
        startOcsAndScscf();
        subscriber("alice", 1_000);

        KamailioScscf.Call call = scscf.call("alice", "bob", Duration.ofSeconds(12));
        assertThat(call.exitCode()).as(call::transcript).isZero();

        KamailioScscf.Usage usage = scscf.awaitFinalReport();
        assertThat(scscf.log()).as("the CCR-T was answered 2001").contains(STOP_ANSWERED).doesNotContain(STOP_REFUSED);
        assertThat(usage.interims()).as("CCR-Us as each %d s grant ran low", KamailioScscf.INITIAL_UNITS).isNotEmpty();
        assertThat(usage.total()).as("seconds reported for a 12 s call: %s", usage).isBetween(11, 14);
        assertThat(money("alice")).as("1000 cents less %d s at the tariff", usage.total())
                .isEqualTo(1_000 - price(usage.total()));
        assertThat(reservedMoney("alice")).isZero();
    }

    @Test
    void aCallerWithoutCreditIsRefusedWith402() throws Exception {
        startOcsAndScscf();
        subscriber("carol", 0);

        KamailioScscf.Call call = scscf.refusedCall("carol", "bob");
        assertThat(call.exitCode()).as("the caller's scenario expects 402: %s", call.transcript()).isZero();
        assertThat(scscf.log()).as("the OCS's answer as the S-CSCF saw it")
                .contains("CCA-I: return code -1, result code 4012");
        assertThat(money("carol")).isZero();
    }

    @Test
    void theScscfEndsTheCallWhenTheFinalGrantIsUsedUp() throws Exception {
        startOcsAndScscf();
        long affordable = 10; // seconds: 25 cents buy the first block and 5 s more, nothing beyond
        subscriber("dave", price(affordable));

        KamailioScscf.Call call = scscf.callUntilCut("dave", "bob");
        assertThat(call.exitCode()).as("the caller's scenario waits for the network's BYE: %s", call.transcript())
                .isZero();
        assertThat(call.took()).as("answered, talked on the granted seconds, then cut (plus 2 s of SIPp's timewait)")
                .isBetween(Duration.ofSeconds(affordable - 1), Duration.ofSeconds(affordable + 6));
        assertThat(scscf.log()).as("ims_charging ended the call for lack of credit").contains("no more funds");

        KamailioScscf.Usage usage = scscf.awaitFinalReport();
        assertThat(scscf.log()).as("the CCR-T was answered 2001").contains(STOP_ANSWERED).doesNotContain(STOP_REFUSED);
        assertThat(money("dave")).as("%d cents less what the granted seconds of %s cost", price(affordable), usage)
                .isEqualTo(price(affordable) - price(Math.min(usage.total(), affordable)));
        assertThat(reservedMoney("dave")).isZero();
    }

    @Test
    void theCcrTAfterARefusedCcrIIsAnsweredWithSuccess() throws Exception {
        startOcsAndScscf();
        subscriber("erin", 0);

        KamailioScscf.Call call = scscf.refusedCall("erin", "bob");
        assertThat(call.exitCode()).as(call::transcript).isZero();

        // ims_charging sends a CCR-T for the failed dialog too, reporting nothing used
        KamailioScscf.Usage usage = scscf.awaitFinalReport();
        assertThat(usage.total()).isZero();
        assertThat(scscf.log()).as("the S-CSCF logged no error about the CCA-T")
                .contains(STOP_ANSWERED).doesNotContain(STOP_REFUSED);
        String metrics = metrics();
        assertThat(answers(metrics, 4012)).as("the CCR-I was refused").isEqualTo(1);
        assertThat(answers(metrics, 2001)).as("the CCR-T was answered").isEqualTo(1);
        assertThat(answers(metrics, 5002)).as("no unknown session").isZero();
    }

    /** credence serve with the test catalog, then Kamailio, whose cdp connects to it at once. */
    private void startOcsAndScscf() throws Exception {
        Path catalog = dir.resolve("catalog.json");
        try (InputStream in = getClass().getResourceAsStream("/interop/kamailio/catalog.json")) {
            Files.copy(in, catalog);
        }
        Path log = dir.resolve("server.log");
        ocs = ServerProcess.start(dir.resolve("data"), log, "--catalog", catalog.toString(),
                "--diameter-peer", KamailioScscf.HOST, "--origin-host", KamailioScscf.OCS_HOST,
                "--origin-realm", KamailioScscf.OCS_REALM);
        http = new Http(ocs.port);
        scscf = KamailioScscf.start(dir, ocs.diameterPort);
        scscf.awaitConnected(log);
    }

    private void subscriber(String user, long cents) {
        subscriber(http, user, cents);
    }

    /** An account with {@code cents} of money, known by the SIP URI the S-CSCF puts in Subscription-Id. */
    static void subscriber(Http http, String user, long cents) {
        assertThat(http.post("v1/accounts", """
                {"requestId":"a-%s","accountId":"%s","kind":"SUBSCRIBER"}""".formatted(user, user)).status())
                .isEqualTo(201);
        if (cents > 0) {
            assertThat(http.post("v1/accounts/" + user + "/topups", """
                    {"requestId":"t-%s","unit":"MONEY","amount":%d}""".formatted(user, cents)).status())
                    .isEqualTo(201);
        }
        Http.Reply bound = http.post("v1/accounts/" + user + "/identities", """
                {"requestId":"i-%s","type":"SIP_URI","value":"sip:%s@%s"}""".formatted(user, user,
                KamailioScscf.REALM));
        assertThat(bound.status()).as(bound.raw()).isEqualTo(201);
    }

    private long money(String account) {
        return moneyBalance(http, account).path("available").asLong();
    }

    private long reservedMoney(String account) {
        return moneyBalance(http, account).path("reserved").asLong();
    }

    /** The account's MONEY balance as the API shows it (available, reserved...). */
    static JsonNode moneyBalance(Http http, String account) {
        Http.Reply reply = http.get("v1/accounts/" + account);
        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        for (JsonNode balance : reply.body().path("balances")) {
            if (balance.path("unit").asText().equals("MONEY")) {
                return balance;
            }
        }
        return Http.JSON.createObjectNode(); // never topped up, never charged: nothing to show
    }

    private String metrics() throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + ocs.port + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** Credit-control answers the OCS sent with this Result-Code, by its own count. */
    private static long answers(String metrics, int resultCode) {
        Matcher m = Pattern.compile("(?m)^credence_diameter_answers_total\\{command=\"credit-control\",result_code=\""
                + resultCode + "\"} (\\S+)$").matcher(metrics);
        return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
    }
}
