package io.credence.server.nchf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToIntFunction;

/**
 * A consumer's notification listener (an SMF's {@code nsmf-callback}) for tests: a real HTTP
 * server on loopback (HTTP/1.1 and h2c) that checks each body against TS 32.291
 * ChargingNotifyRequest, records it, and answers with the status the test chooses per request.
 */
final class TestConsumer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A notification as it arrived. */
    record Notification(String path, JsonNode body, String version, long atMillis) {
        String type() {
            return body.path("notificationType").asText();
        }

        List<Long> ratingGroups() {
            List<Long> groups = new ArrayList<>();
            body.path("reauthorizationDetails").forEach(d -> groups.add(d.path("ratingGroup").asLong()));
            return groups;
        }
    }

    private final ThreeGppSchemas schemas;
    private final List<Notification> received = new CopyOnWriteArrayList<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private volatile ToIntFunction<Notification> answer = n -> 204;
    private final Server server = new Server();
    private int port;

    TestConsumer(ThreeGppSchemas schemas) {
        this.schemas = schemas;
    }

    TestConsumer start() throws Exception {
        HttpConnectionFactory http = new HttpConnectionFactory();
        ServerConnector connector = new ServerConnector(server, http,
                new HTTP2CServerConnectionFactory(http.getHttpConfiguration()));
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String body = Content.Source.asString(request, StandardCharsets.UTF_8);
                violations.addAll(schemas.violations(ThreeGppSchemas.CHARGING_NOTIFY_REQUEST, body));
                String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
                if (!"POST".equals(request.getMethod()) || type == null || !type.startsWith("application/json")) {
                    violations.add(request.getMethod() + " with Content-Type " + type);
                }
                Notification n = new Notification(request.getHttpURI().getPath(), JSON.readTree(body),
                        request.getConnectionMetaData().getHttpVersion().asString(), System.currentTimeMillis());
                received.add(n);
                int status = answer.applyAsInt(n);
                response.setStatus(status);
                callback.succeeded();
                return true;
            }
        });
        server.start();
        port = connector.getLocalPort();
        return this;
    }

    /** The notifyUri a consumer with this listener sends in its create. */
    String notifyUri(String context) {
        return "http://127.0.0.1:" + port + "/nsmf-callback/notify_" + context;
    }

    void answer(ToIntFunction<Notification> answer) {
        this.answer = answer;
    }

    List<Notification> received() {
        return List.copyOf(received);
    }

    List<Notification> received(String context) {
        return received.stream().filter(n -> n.path().endsWith("notify_" + context)).toList();
    }

    List<String> violations() {
        return List.copyOf(violations);
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
