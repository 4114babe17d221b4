package io.credence.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A test client for the provisioning API: raw strings in, status and parsed JSON out. */
final class Http {
    static final ObjectMapper JSON = new ObjectMapper();

    record Reply(int status, String contentType, JsonNode body, String raw) {}

    private final URI base;
    private final HttpClient client;
    private final Duration requestTimeout;

    Http(int port) {
        this(port, Duration.ofSeconds(20));
    }

    /** A client that gives up on an answer after {@code requestTimeout} (a cut-off node's answer may never come). */
    Http(int port, Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
        this.base = URI.create("http://127.0.0.1:" + port + "/");
        // HTTP/1.1: these tests are about the API, and the JDK client fails requests past an HTTP/2
        // connection's stream limit instead of queueing them (the Nchf tests cover HTTP/2)
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2))
                .build();
    }

    Reply get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    Reply post(String path, String json) {
        return send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /**
     * A POST that waits for "100 Continue" before sending its body, as a well-behaved client of
     * large uploads does: a server that refuses the declared length answers before any byte of
     * the body travels, instead of resetting a connection still being written to.
     */
    Reply postExpectingContinue(String path, String json) {
        return send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .expectContinue(true).POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    Reply patch(String path, String json) {
        return send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json)));
    }

    Reply delete(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).DELETE());
    }

    Reply delete(String path, String idempotencyKey) {
        return send(HttpRequest.newBuilder(base.resolve(path)).header("Idempotency-Key", idempotencyKey).DELETE());
    }

    Reply deleteWithBody(String path, String json) {
        return send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .method("DELETE", HttpRequest.BodyPublishers.ofString(json)));
    }

    /** Throws IOException-wrapped failures so crash tests can tell "no answer" from an answer. */
    Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = client.send(request.timeout(requestTimeout).build(),
                    HttpResponse.BodyHandlers.ofString());
            String raw = response.body();
            JsonNode body = raw.isEmpty() ? JSON.createObjectNode() : JSON.readTree(raw);
            return new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), body, raw);
        } catch (IOException failed) {
            throw new UncheckedIOException(failed);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }
}
