package io.credence.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every error the HTTP port sends is application/problem+json with the status and a detail saying
 * what is wrong, also those Jetty makes before any handler runs: a header block or request line
 * over the limit (431, 414), bad percent-encoding, {@code %00}, {@code //}, an encoded dot segment,
 * a missing Host, an unknown HTTP version. Sent as raw HTTP/1.1 bytes, and with the JDK client
 * over HTTP/1.1 and h2c where it can send them.
 */
class ProblemErrorsTest {
    @TempDir
    Path dir;
    CredenceServer server;

    @BeforeEach
    void start() throws Exception {
        server = SecuredServer.start(dir);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    record Raw(int status, Map<String, String> headers, String body) {
        JsonNode json() throws IOException {
            return Http.JSON.readTree(body);
        }
    }

    @Test
    void whatJettyRefusesBeforeAnyHandlerIsAProblemDocumentOnTheWire() throws Exception {
        String big = "a".repeat(20_000);
        Map<String, Object[]> cases = new LinkedHashMap<>();
        cases.put("GET /v1/ledger HTTP/1.1\r\nHost: h\r\nX-Padding: " + big + "\r\n\r\n",
                new Object[] {431, "header-fields-too-large", "8192 bytes"});
        cases.put("GET /v1/accounts/" + big + " HTTP/1.1\r\nHost: h\r\n\r\n", new Object[] {414, "uri-too-long", "8192 bytes"});
        cases.put("GET /v1/accounts/%zz HTTP/1.1\r\nHost: h\r\n\r\n", new Object[] {400, "malformed-path", "'%' not followed"});
        cases.put("GET /v1/accounts/%00 HTTP/1.1\r\nHost: h\r\n\r\n", new Object[] {400, "malformed-path", "%00"});
        cases.put("GET /v1//accounts HTTP/1.1\r\nHost: h\r\n\r\n", new Object[] {400, "malformed-path", "empty segment ('//')"});
        cases.put("GET /v1/accounts/%2E%2E HTTP/1.1\r\nHost: h\r\n\r\n", new Object[] {400, "malformed-path", "(%2E)"});
        cases.put("GET /v1/../../etc HTTP/1.1\r\nHost: h\r\n\r\n", new Object[] {400, "malformed-path", "climb above the root"});
        cases.put("GET /v1/accounts/%C0%AF HTTP/1.1\r\nHost: h\r\n\r\n", new Object[] {400, "malformed-path", "not UTF-8"});
        cases.put("GET /v1/accounts/a\\b HTTP/1.1\r\nHost: h\r\n\r\n", new Object[] {400, "malformed-path", "backslash"});
        cases.put("GET /v1/ledger HTTP/1.1\r\n\r\n", new Object[] {400, "malformed-request", "no Host header"});
        cases.put("GET /v1/ledger HTTP/1.1\r\nHost: h\r\nHost: i\r\n\r\n", new Object[] {400, "malformed-request", "more than one Host"});
        cases.put("GET /v1/ledger HTTP/1.1\r\nHost: h\r\nBad Header: x\r\n\r\n", new Object[] {400, "malformed-request", "SPACE"});
        cases.put("POST /v1/accounts HTTP/1.1\r\nHost: h\r\nContent-Length: lots\r\n\r\n",
                new Object[] {400, "malformed-request", "Content-Length header is not"});
        cases.put("GET /v1/ledger HTTP/9.9\r\nHost: h\r\n\r\n", new Object[] {505, "http-version-not-supported", "HTTP/1.1"});
        cases.put("nonsense\r\n\r\n", new Object[] {400, "malformed-request", "no URI"});
        cases.put("CONNECT elsewhere:443 HTTP/1.1\r\nHost: h\r\n\r\n", new Object[] {400, "malformed-request", "another host"});
        for (Map.Entry<String, Object[]> c : cases.entrySet()) {
            String request = c.getKey();
            String line = request.substring(0, Math.min(60, request.indexOf('\r')));
            Raw raw = raw(request);
            assertThat(raw.status()).as(line + " -> " + raw).isEqualTo(c.getValue()[0]);
            problem(line, raw.headers().get("content-type"), raw.json(), (int) c.getValue()[0], (String) c.getValue()[1],
                    (String) c.getValue()[2]);
        }
    }

    @Test
    void theJdkClientGetsProblemDocumentsOverHttp1AndH2c() throws Exception {
        for (HttpClient.Version version : List.of(HttpClient.Version.HTTP_1_1, HttpClient.Version.HTTP_2)) {
            HttpClient client = HttpClient.newBuilder().version(version).connectTimeout(Duration.ofSeconds(2)).build();
            URI base = URI.create("http://127.0.0.1:" + server.httpPort());
            // h2c is reached by an HTTP/1.1 upgrade: the first request makes the connection HTTP/2
            HttpResponse<String> first = client.send(HttpRequest.newBuilder(base.resolve("/health/live")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(first.version()).isEqualTo(version);
            Map<HttpRequest, Object[]> cases = new LinkedHashMap<>();
            if (version == HttpClient.Version.HTTP_1_1) {
                // over HTTP/2 a header block past SETTINGS_MAX_HEADER_LIST_SIZE (the path included) is a
                // connection error (GOAWAY): there is no answer to give a body, and the JDK client then
                // retries on a new connection, as HTTP/1.1
                cases.put(get(base, "/v1/ledger").header("X-Padding", "a".repeat(20_000)).build(),
                        new Object[] {431, "header-fields-too-large"});
                cases.put(get(base, "/v1/accounts/" + "a".repeat(20_000)).build(), new Object[] {414, "uri-too-long"});
            }
            cases.put(get(base, "/v1/accounts/%00").build(), new Object[] {400, "malformed-path"});
            cases.put(get(base, "/v1//accounts").build(), new Object[] {400, "malformed-path"});
            cases.put(get(base, "/v1/accounts/%2E%2E").build(), new Object[] {400, "malformed-path"});
            cases.put(get(base, "/v1/accounts/%C0%AF").build(), new Object[] {400, "malformed-path"});
            for (Map.Entry<HttpRequest, Object[]> c : cases.entrySet()) {
                HttpResponse<String> reply = client.send(c.getKey(), HttpResponse.BodyHandlers.ofString());
                String what = version + " " + c.getKey().uri().getRawPath().substring(0, Math.min(40,
                        c.getKey().uri().getRawPath().length()));
                assertThat(reply.statusCode()).as(what + " -> " + reply.body()).isEqualTo(c.getValue()[0]);
                String type = (String) c.getValue()[1];
                problem(what, reply.headers().firstValue("Content-Type").orElse(""), Http.JSON.readTree(reply.body()),
                        reply.statusCode(), type, "");
                assertThat(reply.version()).as(what).isEqualTo(version);
            }
        }
    }

    private static HttpRequest.Builder get(URI base, String rawPath) {
        return HttpRequest.newBuilder(URI.create(base + rawPath)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + SecuredServer.ADMIN);
    }

    private static void problem(String what, String contentType, JsonNode body, int status, String type, String detail) {
        assertThat(contentType).as(what).startsWith("application/problem+json");
        assertThat(body.path("status").asInt()).as(what + ": " + body).isEqualTo(status);
        assertThat(body.path("type").asText()).as(what + ": " + body).isEqualTo("urn:credence:problem:" + type);
        assertThat(body.path("title").asText()).as(what).isNotBlank();
        assertThat(body.path("detail").asText()).as(what + ": " + body).contains(detail).doesNotContain("<html");
    }

    /** One request on its own connection, as bytes; the answer read until the server closes or it is complete. */
    private Raw raw(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.httpPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            String[] lines = head.split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).strip().toLowerCase(), lines[i].substring(colon + 1).strip());
            }
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            return new Raw(status, headers, new String(in.readNBytes(length), StandardCharsets.UTF_8));
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the answer's head: " + head);
            }
            head.append((char) b);
        }
        return head.substring(0, head.length() - 4);
    }
}
