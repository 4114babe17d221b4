package io.credence.server.nchf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An NRF for tests (no real one installs here): the NFManagement operations a CHF uses, served
 * over HTTP/1.1 and h2c on loopback, accepting only requests that are valid by TS 29.510 Rel-17
 * ({@link ThreeGppSchemas}: the NFProfile of an NFRegister, each PatchItem of an NFUpdate) and
 * answering as its section 5.2.2 says: 201 for a new profile and 200 for a replaced one, both
 * with the profile and the heartbeat interval this NRF imposes; 204 for a heartbeat or a
 * deregistration; 404 for an instance it does not know; 400 with ProblemDetails for a request
 * that fails the schema (and the test's {@link #violations()} then says what was wrong).
 *
 * <p>{@link #stop()} and {@link #start()} on the same port stand for an NRF restart: it forgets
 * every registration, as an NRF without persistent storage does.
 */
final class TestNrf implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "/nnrf-nfm/v1/nf-instances/";

    /** One request as it arrived. */
    record Call(String method, String path, String contentType, String body, String version, long atMillis) {}

    private final ThreeGppSchemas schemas;
    private final int heartbeatSeconds;
    private final Map<String, JsonNode> profiles = new ConcurrentHashMap<>();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private Server server;
    private int port;

    /** @param heartbeatSeconds the heartBeatTimer this NRF answers with, whatever the CHF proposed */
    TestNrf(ThreeGppSchemas schemas, int heartbeatSeconds) {
        this.schemas = schemas;
        this.heartbeatSeconds = heartbeatSeconds;
    }

    /** Starts on a free port the first time, on the same port after {@link #stop()}. */
    TestNrf start() throws Exception {
        server = new Server();
        HttpConnectionFactory http = new HttpConnectionFactory();
        ServerConnector connector = new ServerConnector(server, http,
                new HTTP2CServerConnectionFactory(http.getHttpConfiguration()));
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        connector.setReuseAddress(true);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                answer(request, response, callback);
                return true;
            }
        });
        server.start();
        port = connector.getLocalPort();
        return this;
    }

    /** Stops, forgetting every profile. */
    void stop() throws Exception {
        server.stop();
        profiles.clear();
    }

    String apiRoot() {
        return "http://127.0.0.1:" + port;
    }

    List<Call> calls() {
        return new ArrayList<>(calls);
    }

    List<Call> calls(String method) {
        return calls.stream().filter(c -> c.method().equals(method)).toList();
    }

    /** Every schema violation of every request received; empty when all were valid. */
    List<String> violations() {
        return List.copyOf(violations);
    }

    boolean knows(String instanceId) {
        return profiles.containsKey(instanceId);
    }

    private void answer(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getPath();
        String body = Content.Source.asString(request, StandardCharsets.UTF_8);
        String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        calls.add(new Call(request.getMethod(), path, contentType, body,
                request.getConnectionMetaData().getHttpVersion().asString(), System.currentTimeMillis()));
        if (!path.startsWith(PREFIX) || path.length() == PREFIX.length()) {
            problem(response, callback, 404, "no such resource: " + path);
            return;
        }
        String id = path.substring(PREFIX.length());
        switch (request.getMethod()) {
            case "PUT" -> register(id, contentType, body, response, callback);
            case "PATCH" -> update(id, contentType, body, response, callback);
            case "DELETE" -> {
                if (profiles.remove(id) == null) {
                    problem(response, callback, 404, "no NF instance " + id);
                } else {
                    response.setStatus(204);
                    callback.succeeded();
                }
            }
            default -> problem(response, callback, 405, request.getMethod() + " is not an NFManagement operation here");
        }
    }

    private void register(String id, String contentType, String body, Response response, Callback callback)
            throws Exception {
        List<String> wrong = new ArrayList<>();
        if (contentType == null || !contentType.startsWith("application/json")) {
            wrong.add("NFRegister Content-Type must be application/json, was " + contentType);
        }
        wrong.addAll(schemas.violations(ThreeGppSchemas.NF_PROFILE, body).stream().map(v -> "NFProfile " + v).toList());
        JsonNode profile = JSON.readTree(body);
        if (!id.equals(profile.path("nfInstanceId").asText())) {
            wrong.add("the path's nfInstanceID " + id + " is not the profile's " + profile.path("nfInstanceId"));
        }
        if (!wrong.isEmpty()) {
            violations.addAll(wrong);
            problem(response, callback, 400, String.join("; ", wrong));
            return;
        }
        ObjectNode stored = ((ObjectNode) profile).put("heartBeatTimer", heartbeatSeconds);
        boolean replaced = profiles.put(id, stored) != null;
        send(response, callback, replaced ? 200 : 201, "application/json", JSON.writeValueAsString(stored));
    }

    private void update(String id, String contentType, String body, Response response, Callback callback)
            throws Exception {
        List<String> wrong = new ArrayList<>();
        if (!"application/json-patch+json".equals(contentType)) {
            wrong.add("NFUpdate Content-Type must be application/json-patch+json, was " + contentType);
        }
        JsonNode patch = JSON.readTree(body);
        if (!patch.isArray() || patch.isEmpty()) {
            wrong.add("NFUpdate body must be a non-empty array of PatchItem, was " + body);
        } else {
            for (JsonNode item : patch) {
                wrong.addAll(schemas.violations(ThreeGppSchemas.PATCH_ITEM, item.toString()).stream()
                        .map(v -> "PatchItem " + v).toList());
            }
        }
        if (!wrong.isEmpty()) {
            violations.addAll(wrong);
            problem(response, callback, 400, String.join("; ", wrong));
            return;
        }
        if (!profiles.containsKey(id)) {
            problem(response, callback, 404, "no NF instance " + id);
            return;
        }
        response.setStatus(204);
        callback.succeeded();
    }

    private static void problem(Response response, Callback callback, int status, String detail) throws Exception {
        send(response, callback, status, "application/problem+json",
                JSON.writeValueAsString(Map.of("status", status, "detail", detail)));
    }

    private static void send(Response response, Callback callback, int status, String type, String body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
    }

    @Override
    public void close() throws Exception {
        if (server != null) {
            server.stop();
        }
    }
}
