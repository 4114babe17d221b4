package io.credence.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP side of catalog uploads, over a real server with a catalog control that records what it
 * is given: {@code POST /v1/catalog/check} and {@code PUT /v1/catalog} pass the body as sent (up to
 * the engine's bound on a catalog, beyond the API's 64 KiB), answer a check with {@code valid} and a
 * refusal with {@code line} and {@code column}; a wrong method, media type or size never reaches the
 * control.
 */
class CatalogUploadApiTest {
    private final List<String> calls = new ArrayList<>();
    private final List<byte[]> bodies = new ArrayList<>();
    /** What the control answers next. */
    private CatalogControl.Reload next;
    private HttpServer server;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final CatalogControl control = new CatalogControl() {
        public Optional<Map<String, Object>> current() {
            return Optional.of(Map.of("version", "v1"));
        }

        public Reload reload() {
            calls.add("reload");
            return next;
        }

        @Override
        public Reload check(byte[] source) {
            calls.add("check");
            bodies.add(source);
            return next;
        }

        @Override
        public Reload apply(byte[] source) {
            calls.add("apply");
            bodies.add(source);
            return next;
        }
    };

    @BeforeEach
    void start() throws Exception {
        // the API as the server stacks it: every answer waits for the rest of its body (DrainingBodies)
        server = HttpServer.start("127.0.0.1", 0, new DrainingBodies(new ProvisioningApi(null, "EUR", LiveSessions.NONE,
                control)), 8, 16);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void aCheckAnswersValidWithTheSummaryAndPassesTheBodyAsSent() throws Exception {
        next = new CatalogControl.Reload.Loaded(summary("v2"));
        String text = "{\n  \"version\": \"v2\"\n}\n";
        HttpResponse<String> checked = send("POST", "/v1/catalog/check", "application/json", text);
        assertThat(checked.statusCode()).isEqualTo(200);
        JsonNode body = JsonBody.MAPPER.readTree(checked.body());
        assertThat(body.path("valid").asBoolean()).isTrue();
        assertThat(body.path("version").asText()).isEqualTo("v2");
        assertThat(body.path("rules").asInt()).isEqualTo(7);
        assertThat(body.fieldNames().next()).isEqualTo("valid");
        assertThat(calls).containsExactly("check");
        assertThat(new String(bodies.get(0), StandardCharsets.UTF_8)).isEqualTo(text);
    }

    @Test
    void anApplyAnswersAsAReloadDoes() throws Exception {
        next = new CatalogControl.Reload.Loaded(summary("v3"));
        HttpResponse<String> applied = send("PUT", "/v1/catalog", "application/json; charset=utf-8", "{}");
        assertThat(applied.statusCode()).isEqualTo(200);
        JsonNode body = JsonBody.MAPPER.readTree(applied.body());
        assertThat(body.path("version").asText()).isEqualTo("v3");
        assertThat(body.has("valid")).isFalse();
        assertThat(calls).containsExactly("apply");
        assertThat(new String(bodies.get(0), StandardCharsets.UTF_8)).isEqualTo("{}");
        // GET /v1/catalog still answers the catalog in force
        assertThat(send("GET", "/v1/catalog", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void aRefusalPointsAtTheLineAndColumnWhenItHasThem() throws Exception {
        for (String[] route : new String[][] {{"POST", "/v1/catalog/check"}, {"PUT", "/v1/catalog"},
                {"POST", "/v1/catalog/reload"}}) {
            next = new CatalogControl.Reload.Refused("uploaded catalog, line 7, column 12: was expecting a colon", 7, 12);
            JsonNode both = refused(send(route[0], route[1], "application/json", "{"));
            assertThat(both.path("detail").asText()).isEqualTo("uploaded catalog, line 7, column 12: was expecting a colon");
            assertThat(both.path("line").asInt()).as(route[1]).isEqualTo(7);
            assertThat(both.path("column").asInt()).as(route[1]).isEqualTo(12);

            next = new CatalogControl.Reload.Refused("uploaded catalog, line 52: no tariff smz", 52, 0);
            JsonNode lineOnly = refused(send(route[0], route[1], "application/json", "{"));
            assertThat(lineOnly.path("line").asInt()).isEqualTo(52);
            assertThat(lineOnly.has("column")).isFalse();

            next = new CatalogControl.Reload.Refused("uploaded catalog: the engine refused it: busy");
            JsonNode nowhere = refused(send(route[0], route[1], "application/json", "{"));
            assertThat(nowhere.has("line")).isFalse();
            assertThat(nowhere.has("column")).isFalse();
        }
    }

    @Test
    void wrongMethodsMediaTypesAndSizesNeverReachTheControl() throws Exception {
        next = new CatalogControl.Reload.Loaded(summary("v4"));
        assertThat(send("DELETE", "/v1/catalog", null, null).statusCode()).isEqualTo(405);
        assertThat(send("POST", "/v1/catalog", "application/json", "{}").statusCode()).isEqualTo(405);
        assertThat(send("GET", "/v1/catalog/check", null, null).statusCode()).isEqualTo(405);
        assertThat(send("PUT", "/v1/catalog/check", "application/json", "{}").statusCode()).isEqualTo(405);

        HttpResponse<String> text = send("PUT", "/v1/catalog", "text/plain", "{}");
        assertThat(text.statusCode()).isEqualTo(415);
        assertThat(JsonBody.MAPPER.readTree(text.body()).path("type").asText())
                .isEqualTo("urn:credence:problem:unsupported-media-type");

        String over = " ".repeat(CatalogApi.CATALOG_BYTES_MAX + 1);
        for (String[] route : new String[][] {{"POST", "/v1/catalog/check"}, {"PUT", "/v1/catalog"}}) {
            // declared with Expect: 100-continue, declared and sent at once (as a browser does), and
            // chunked (no length declared): the client reads the 413 in each case
            for (HttpRequest request : List.of(
                    HttpRequest.newBuilder(uri(route[1])).header("Content-Type", "application/json").expectContinue(true)
                            .method(route[0], HttpRequest.BodyPublishers.ofString(over)).build(),
                    HttpRequest.newBuilder(uri(route[1])).header("Content-Type", "application/json")
                            .method(route[0], HttpRequest.BodyPublishers.ofString(over)).build(),
                    HttpRequest.newBuilder(uri(route[1])).header("Content-Type", "application/json")
                            .method(route[0], HttpRequest.BodyPublishers.ofInputStream(
                                    () -> new java.io.ByteArrayInputStream(over.getBytes(StandardCharsets.UTF_8))))
                            .build())) {
                HttpResponse<String> tooLarge = client.send(request, HttpResponse.BodyHandlers.ofString());
                assertThat(tooLarge.statusCode()).as(request.toString()).isEqualTo(413);
                assertThat(JsonBody.MAPPER.readTree(tooLarge.body()).path("type").asText())
                        .isEqualTo("urn:credence:problem:too-large");
            }
        }
        assertThat(calls).isEmpty();

        // the largest catalog the engine takes is read whole: more than the API's other bodies
        String largest = "{}" + " ".repeat(CatalogApi.CATALOG_BYTES_MAX - 2);
        assertThat(CatalogApi.CATALOG_BYTES_MAX).isGreaterThan(RequestInputs.BODY_BYTES_MAX);
        assertThat(send("POST", "/v1/catalog/check", "application/json", largest).statusCode()).isEqualTo(200);
        assertThat(bodies.get(0)).hasSize(CatalogApi.CATALOG_BYTES_MAX);
        // and without a content type, as for the API's other bodies
        assertThat(send("PUT", "/v1/catalog", null, "{}").statusCode()).isEqualTo(200);
        assertThat(calls).containsExactly("check", "apply");
    }

    @Test
    void aTooLargeUploadIsReadAndAnsweredSoTheConnectionStaysUsable() throws Exception {
        // A client that sends the whole body before reading (a browser) must read the 413, not a
        // reset: the server reads what is left of it (up to a bound) and keeps the connection.
        byte[] over = " ".repeat(CatalogApi.CATALOG_BYTES_MAX + 1).getBytes(StandardCharsets.US_ASCII);
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            java.io.OutputStream out = socket.getOutputStream();
            java.io.InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
            Thread writer = Thread.ofPlatform().daemon().start(() -> {
                try {
                    out.write(("PUT /v1/catalog HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + over.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(over);
                    out.flush();
                } catch (java.io.IOException closed) {
                    // the assertions below say what went wrong
                }
            });
            String first = rawResponse(in);
            writer.join(10_000);
            assertThat(writer.isAlive()).as("the server read the whole body").isFalse();
            assertThat(first).startsWith("HTTP/1.1 413").contains("too-large").doesNotContainIgnoringCase("connection: close");
            // the same connection answers the next request
            out.write("GET /v1/catalog HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(rawResponse(in)).startsWith("HTTP/1.1 200").contains("\"version\":\"v1\"");
        }
        assertThat(calls).isEmpty();
    }

    /** One HTTP/1.1 response with a Content-Length, as text. */
    private static String rawResponse(java.io.InputStream in) throws java.io.IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new java.io.EOFException("connection closed after: " + head);
            }
            head.append((char) b);
        }
        java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
        int bodyLength = length.find() ? Integer.parseInt(length.group(1)) : 0;
        return head + new String(in.readNBytes(bodyLength), StandardCharsets.UTF_8);
    }

    @Test
    void withoutACatalogUploadsAreRefused() throws Exception {
        server.close();
        server = HttpServer.start("127.0.0.1", 0, new DrainingBodies(new ProvisioningApi(null, "EUR", LiveSessions.NONE,
                CatalogControl.NONE)), 8, 16);
        for (String[] route : new String[][] {{"POST", "/v1/catalog/check"}, {"PUT", "/v1/catalog"}}) {
            JsonNode problem = refused(send(route[0], route[1], "application/json", "{}"));
            assertThat(problem.path("detail").asText()).contains("without a catalog");
        }
        // and a control that does not know uploads refuses them too
        CatalogControl old = new CatalogControl() {
            public Optional<Map<String, Object>> current() {
                return Optional.empty();
            }

            public Reload reload() {
                return new Reload.Refused("no");
            }
        };
        assertThat(old.check(new byte[] {'{', '}'})).isInstanceOf(CatalogControl.Reload.Refused.class);
        assertThat(old.apply(new byte[] {'{', '}'})).isInstanceOf(CatalogControl.Reload.Refused.class);
    }

    private static Map<String, Object> summary(String version) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("version", version);
        summary.put("tariffs", 4);
        summary.put("rules", 7);
        return summary;
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private HttpResponse<String> send(String method, String path, String contentType, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode refused(HttpResponse<String> reply) throws Exception {
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(422);
        assertThat(reply.headers().firstValue("Content-Type").orElse("")).startsWith(Problem.CONTENT_TYPE);
        JsonNode problem = JsonBody.MAPPER.readTree(reply.body());
        assertThat(problem.path("type").asText()).isEqualTo("urn:credence:problem:catalog-refused");
        assertThat(problem.path("field").asText()).isEqualTo("catalog");
        return problem;
    }
}
