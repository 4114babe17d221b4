package io.credence.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A small client of the provisioning API, used by the CLI, the demo and the load generator. */
public final class ApiClient {
    static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    public record Reply(int status, JsonNode body) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }

        String pretty() {
            try {
                return JSON.writeValueAsString(body);
            } catch (IOException impossible) {
                return String.valueOf(body);
            }
        }

        /** "detail (field)" of a problem document, for one-line error messages. */
        public String problemLine() {
            String detail = body.path("detail").asText(body.toString());
            String field = body.path("field").asText("");
            return "HTTP " + status + ": " + detail + (field.isEmpty() ? "" : " [field " + field + "]");
        }
    }

    /** The environment variable holding the API key the CLI sends, when the server requires one. */
    public static final String API_KEY_ENVIRONMENT = "CREDENCE_API_KEY";

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Sent as a Bearer token; null for none. */
    private final String key;

    /** A client sending the key in {@value #API_KEY_ENVIRONMENT}, if set. */
    public ApiClient(URI base) {
        this(base, System.getenv(API_KEY_ENVIRONMENT));
    }

    public ApiClient(URI base, String key) {
        this.base = base;
        this.key = key == null || key.isBlank() ? null : key.strip();
    }

    public Reply get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    public Reply post(String path, Map<String, ?> body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))));
    }

    public Reply delete(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).DELETE());
    }

    /**
     * One path segment, percent-encoded so any identity value (a SIP URI with ':' and '@', a NAI,
     * a private value with '/') stays one segment: everything but RFC 3986 unreserved characters.
     */
    public static String segment(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || "-._~".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xF, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
            }
        }
        return out.toString();
    }

    private Reply send(HttpRequest.Builder request) throws IOException, InterruptedException {
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        HttpResponse<byte[]> response = http.send(request.timeout(Duration.ofSeconds(35)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        JsonNode body = response.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(response.body());
        return new Reply(response.statusCode(), body);
    }
}
