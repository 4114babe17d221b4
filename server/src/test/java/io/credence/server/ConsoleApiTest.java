package io.credence.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console's server side without a browser: sign-in and its cookie, the CSRF and origin checks,
 * the page's security headers, its assets, and the API the console added (search, adjustments
 * with reasons, sessions filters, records as CSV, network, metrics history). The browser tests
 * ({@link ConsoleBrowserTest}) drive the same through the page.
 */
class ConsoleApiTest {
    @TempDir
    Path dir;
    CredenceServer server;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeEach
    void start() throws Exception {
        server = SecuredServer.start(dir);
        assertThat(call("POST", "/v1/accounts", SecuredServer.ADMIN, null,
                "{\"accountId\":\"ann\",\"kind\":\"SUBSCRIBER\"}", Map.of()).statusCode()).isEqualTo(201);
        assertThat(call("POST", "/v1/accounts/ann/identities", SecuredServer.ADMIN, null,
                "{\"type\":\"IMSI\",\"value\":\"001010123456789\"}", Map.of()).statusCode()).isEqualTo(201);
        assertThat(call("POST", "/v1/accounts/ann/identities", SecuredServer.ADMIN, null,
                "{\"type\":\"E164\",\"value\":\"4917012345\"}", Map.of()).statusCode()).isEqualTo(201);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void signingInTradesTheKeyForAnHttpOnlySessionWhoseChangesNeedItsToken() throws Exception {
        HttpResponse<String> page = call("GET", "/console", null, null, null, Map.of());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
        assertThat(csp).contains("script-src 'self'").contains("frame-ancestors 'none'").doesNotContain("unsafe");
        assertThat(page.body()).doesNotContain("<script>").contains("src=\"/console/js/app.js\"");
        assertThat(call("GET", "/console/vendor/preact.mjs", null, null, null, Map.of()).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/console/../v1/accounts/ann", null, null, null, Map.of()).statusCode())
                .isIn(400, 404);
        assertThat(call("GET", "/console/js/nothing.js", null, null, null, Map.of()).statusCode()).isEqualTo(404);

        HttpResponse<String> wrong = call("POST", "/console/api/session", null, null, "{\"apiKey\":\"nope\"}", Map.of());
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();
        HttpResponse<String> signIn = call("POST", "/console/api/session", null, null,
                "{\"apiKey\":\"" + SecuredServer.ADMIN + "\"}", Map.of());
        assertThat(signIn.statusCode()).isEqualTo(200);
        String setCookie = signIn.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).contains("HttpOnly").contains("SameSite=Strict").contains("Path=/");
        String cookie = setCookie.substring(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
        JsonNode session = Http.JSON.readTree(signIn.body());
        assertThat(session.path("role").asText()).isEqualTo("admin");
        assertThat(session.path("name").asText()).isEqualTo("ops");
        assertThat(signIn.body()).doesNotContain(SecuredServer.ADMIN);
        String token = session.path("csrfToken").asText();

        // reads need only the cookie; changes the token too, and no foreign Origin
        assertThat(call("GET", "/v1/accounts/ann", null, cookie, null, Map.of()).statusCode()).isEqualTo(200);
        String topUp = "{\"unit\":\"MONEY\",\"amount\":5}";
        assertThat(call("POST", "/v1/accounts/ann/topups", null, cookie, topUp, Map.of()).statusCode()).isEqualTo(403);
        assertThat(call("POST", "/v1/accounts/ann/topups", null, cookie, topUp, Map.of("X-CSRF-Token", token + "x"))
                .statusCode()).isEqualTo(403);
        assertThat(call("POST", "/v1/accounts/ann/topups", null, cookie, topUp, Map.of("X-CSRF-Token", token,
                "Origin", "https://evil.example")).statusCode()).isEqualTo(403);
        assertThat(balance("MONEY")).isZero();
        assertThat(call("POST", "/v1/accounts/ann/topups", null, cookie, topUp, Map.of("X-CSRF-Token", token,
                "Origin", "http://127.0.0.1:" + server.httpPort())).statusCode()).isEqualTo(201);
        assertThat(balance("MONEY")).isEqualTo(5);

        // a read-only key's session may read and change nothing, token or not
        HttpResponse<String> readOnly = call("POST", "/console/api/session", null, null,
                "{\"apiKey\":\"" + SecuredServer.READ_ONLY + "\"}", Map.of());
        String roCookie = readOnly.headers().firstValue("Set-Cookie").orElseThrow().split("[=;]")[1];
        String roToken = Http.JSON.readTree(readOnly.body()).path("csrfToken").asText();
        assertThat(call("GET", "/v1/accounts/ann", null, roCookie, null, Map.of()).statusCode()).isEqualTo(200);
        assertThat(call("POST", "/v1/accounts/ann/topups", null, roCookie, topUp, Map.of("X-CSRF-Token", roToken))
                .statusCode()).isEqualTo(403);
        // a quote prices and changes nothing: a read-only key may ask for one, as the page's tester does
        assertThat(call("POST", "/v1/catalog/quote", null, roCookie, "{\"service\":\"voice\",\"units\":30}",
                Map.of("X-CSRF-Token", roToken)).statusCode()).isEqualTo(200);
        assertThat(call("POST", "/v1/catalog/check", SecuredServer.READ_ONLY, null, "{}", Map.of()).statusCode())
                .isEqualTo(403);

        // signing out ends the session
        assertThat(call("DELETE", "/console/api/session", null, cookie, null, Map.of("X-CSRF-Token", token))
                .statusCode()).isEqualTo(200);
        assertThat(call("GET", "/v1/accounts/ann", null, cookie, null, Map.of()).statusCode()).isEqualTo(401);
        assertThat(Http.JSON.readTree(call("GET", "/console/api/session", null, cookie, null, Map.of()).body())
                .path("signedIn").asBoolean()).isFalse();
    }

    @Test
    void aSubscriberIsFoundByAnyOfItsNamesAndAnAdjustmentKeepsItsReason() throws Exception {
        for (String term : List.of("ann", "001010123456789", "4917012345", "+4917012345")) {
            JsonNode found = json(call("GET", "/v1/accounts?q=" + java.net.URLEncoder.encode(term, "UTF-8"),
                    SecuredServer.READ_ONLY, null, null, Map.of()));
            assertThat(found.path("matches")).as(term).hasSize(1);
            assertThat(found.path("matches").get(0).path("accountId").asText()).isEqualTo("ann");
        }
        assertThat(json(call("GET", "/v1/accounts?q=nobody", SecuredServer.ADMIN, null, null, Map.of()))
                .path("matches")).isEmpty();
        assertThat(call("GET", "/v1/accounts", SecuredServer.ADMIN, null, null, Map.of()).body()).contains("\"q\"");

        HttpResponse<String> zero = call("POST", "/v1/accounts/ann/adjustments", SecuredServer.ADMIN, null,
                "{\"unit\":\"MONEY\",\"amount\":0,\"reason\":\"x\"}", Map.of());
        assertThat(zero.statusCode()).isEqualTo(400);
        assertThat(zero.body()).contains("\"field\":\"amount\"");
        assertThat(call("POST", "/v1/accounts/ann/adjustments", SecuredServer.ADMIN, null,
                "{\"unit\":\"MONEY\",\"amount\":10}", Map.of()).body()).contains("\"field\":\"reason\"");
        // a debit the balance cannot cover is refused, and recorded as not applied
        HttpResponse<String> overdraw = call("POST", "/v1/accounts/ann/adjustments", SecuredServer.ADMIN, null,
                "{\"requestId\":\"adj-0\",\"unit\":\"MONEY\",\"amount\":-10,\"reason\":\"too much\"}", Map.of());
        assertThat(overdraw.statusCode()).isEqualTo(422);
        HttpResponse<String> credit = call("POST", "/v1/accounts/ann/adjustments", SecuredServer.ADMIN, null,
                "{\"requestId\":\"adj-1\",\"unit\":\"MONEY\",\"amount\":300,\"reason\":\"outage credit INC-42\"}", Map.of());
        assertThat(credit.statusCode()).isEqualTo(201);
        // a retry is the first answer, and keeps the first reason
        assertThat(call("POST", "/v1/accounts/ann/adjustments", SecuredServer.ADMIN, null,
                "{\"requestId\":\"adj-1\",\"unit\":\"MONEY\",\"amount\":300,\"reason\":\"outage credit INC-42\"}", Map.of())
                .body()).isEqualTo(credit.body());
        assertThat(call("POST", "/v1/accounts/ann/adjustments", SecuredServer.ADMIN, null,
                "{\"requestId\":\"adj-2\",\"unit\":\"MONEY\",\"amount\":-50,\"reason\":\"fee\"}", Map.of())
                .statusCode()).isEqualTo(201);
        assertThat(balance("MONEY")).isEqualTo(250);
        JsonNode adjustments = json(call("GET", "/v1/accounts/ann/adjustments", SecuredServer.READ_ONLY, null, null,
                Map.of())).path("adjustments");
        assertThat(adjustments).hasSize(3);
        assertThat(adjustments.get(0).path("reason").asText()).isEqualTo("fee");
        assertThat(adjustments.get(0).path("amount").asLong()).isEqualTo(-50);
        assertThat(adjustments.get(1).path("reason").asText()).isEqualTo("outage credit INC-42");
        assertThat(adjustments.get(1).path("applied").asBoolean()).isTrue();
        assertThat(adjustments.get(1).path("by").asText()).isEqualTo("ops");
        assertThat(adjustments.get(2).path("applied").asBoolean()).isFalse();
        // the ledger is asked by request id: an adjustment is still known as applied after a thousand
        // newer transfers of the account (more than a transfers page holds)
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> topUps = new java.util.ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            topUps.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort()
                            + "/v1/accounts/ann/topups")).header("Authorization", "Bearer " + SecuredServer.ADMIN)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"unit\":\"BYTES\",\"amount\":1}")).build(), HttpResponse.BodyHandlers.ofString()));
            if (topUps.size() % 50 == 0) {
                java.util.concurrent.CompletableFuture.allOf(topUps.toArray(java.util.concurrent.CompletableFuture[]::new))
                        .join();
            }
        }
        java.util.concurrent.CompletableFuture.allOf(topUps.toArray(java.util.concurrent.CompletableFuture[]::new)).join();
        assertThat(topUps).allMatch(t -> t.join().statusCode() == 201);
        JsonNode later = json(call("GET", "/v1/accounts/ann/adjustments", SecuredServer.ADMIN, null, null, Map.of()))
                .path("adjustments");
        assertThat(later.get(1).path("applied").asBoolean()).isTrue();
        assertThat(later.get(1).path("transferSeq").asLong()).isEqualTo(adjustments.get(1).path("transferSeq").asLong());
        assertThat(later.get(2).path("applied").isBoolean()).isTrue();
        assertThat(later.get(2).path("applied").asBoolean()).isFalse();

        // the reasons are on disk, and read again after a restart
        assertThat(Files.readString(dir.resolve("data/audit/adjustments.jsonl"))).contains("outage credit INC-42");
        server.close();
        server = SecuredServer.start(dir);
        assertThat(json(call("GET", "/v1/accounts/ann/adjustments", SecuredServer.ADMIN, null, null, Map.of()))
                .path("adjustments")).hasSize(3);
    }

    @Test
    void recordsExportAsCsvAndTheNetworkAndHistoryViewsAnswer() throws Exception {
        HttpResponse<String> csv = call("GET", "/v1/records?account=ann&format=csv", SecuredServer.READ_ONLY, null,
                null, Map.of());
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
        assertThat(csv.headers().firstValue("Content-Disposition").orElse("")).contains("attachment");
        assertThat(call("GET", "/v1/records?format=xml", SecuredServer.ADMIN, null, null, Map.of()).body())
                .contains("\"field\":\"format\"");

        JsonNode network = json(call("GET", "/v1/network", SecuredServer.READ_ONLY, null, null, Map.of()));
        assertThat(network.path("diameter").path("listening").asBoolean()).isTrue();
        assertThat(network.path("nchf").path("consumers").isArray()).isTrue();
        assertThat(call("GET", "/v1/network", null, null, null, Map.of()).statusCode()).isEqualTo(401);
        JsonNode history = json(call("GET", "/v1/metrics/history", SecuredServer.READ_ONLY, null, null, Map.of()));
        assertThat(history.path("intervalSeconds").asInt()).isEqualTo(5);
        assertThat(history.path("points").isArray()).isTrue();
        assertThat(call("POST", "/v1/metrics/history", SecuredServer.ADMIN, null, "{}", Map.of()).statusCode())
                .isEqualTo(405);
        assertThat(json(call("GET", "/v1/sessions?account=ann&minAgeSeconds=60", SecuredServer.ADMIN, null, null,
                Map.of())).path("sessions")).isEmpty();
        assertThat(json(call("GET", "/v1/sessions?id=nope", SecuredServer.ADMIN, null, null, Map.of()))
                .path("sessions")).isEmpty();
    }

    @Test
    void csvFieldsAreQuotedAndFormulasDisarmed() {
        String csv = io.credence.http.RecordsCsv.of(List.<Map<String, Object>>of(
                new java.util.TreeMap<>(Map.<String, Object>of("a", "x,y", "b", "=cmd()")),
                new java.util.TreeMap<>(Map.<String, Object>of("a", "say \"hi\"", "c", -5))));
        assertThat(csv.split("\r\n")).containsExactly("a,b,c", "\"x,y\",'=cmd(),", "\"say \"\"hi\"\"\",,-5");
    }

    private long balance(String unit) throws Exception {
        for (JsonNode b : json(call("GET", "/v1/accounts/ann", SecuredServer.ADMIN, null, null, Map.of()))
                .path("balances")) {
            if (b.path("unit").asText().equals(unit)) {
                return b.path("total").asLong();
            }
        }
        return 0;
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
        return Http.JSON.readTree(response.body());
    }

    private HttpResponse<String> call(String method, String path, String key, String cookie, String body,
                                      Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
                .timeout(Duration.ofSeconds(10)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        if (cookie != null) {
            request.header("Cookie", "credence_console=" + cookie);
        }
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
