package io.credence.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What Jetty answers for a handler that throws (500) or a request no handler takes (404) is a
 * problem document that names the request, not the exception.
 */
class ProblemErrorsTest {
    @Test
    void aFailingOrMissingHandlerAnswersProblemJson() throws Exception {
        Handler handler = new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                if (request.getHttpURI().getPath().equals("/fails")) {
                    throw new IllegalStateException("secret internal state");
                }
                return false; // nobody takes it: Jetty answers 404
            }
        };
        try (HttpServer server = HttpServer.start("127.0.0.1", 0, handler, 8, 16)) {
            HttpClient client = HttpClient.newHttpClient();
            for (String method : new String[] {"GET", "POST", "DELETE"}) {
                HttpResponse<String> failed = send(client, server, method, "/fails");
                assertThat(failed.statusCode()).isEqualTo(500);
                JsonNode problem = problem(failed);
                assertThat(problem.path("type").asText()).isEqualTo("urn:credence:problem:internal-error");
                assertThat(problem.path("detail").asText()).contains(method + " /fails").doesNotContain("secret");

                HttpResponse<String> missing = send(client, server, method, "/nothing/here");
                assertThat(missing.statusCode()).isEqualTo(404);
                assertThat(problem(missing).path("detail").asText()).isEqualTo("no resource at /nothing/here");
            }
            HttpResponse<String> head = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                    + "/fails")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(head.statusCode()).isEqualTo(500);
            assertThat(head.body()).isEmpty();
        }
    }

    private static HttpResponse<String> send(HttpClient client, HttpServer server, String method, String path)
            throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode problem(HttpResponse<String> reply) throws Exception {
        assertThat(reply.headers().firstValue("Content-Type")).contains(Problem.CONTENT_TYPE);
        JsonNode body = JsonBody.MAPPER.readTree(reply.body());
        assertThat(body.path("status").asInt()).isEqualTo(reply.statusCode());
        assertThat(body.path("title").asText()).isNotBlank();
        return body;
    }
}
