package io.credence.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the operator console shows of the server as a whole, read-only, answered before the API:
 * <pre>
 * GET /v1/network           Diameter peers (connected, watchdog, in flight), Nchf consumers, devices
 * GET /v1/metrics/history   the last hour of the server's own metrics, sampled (see MetricsHistory)
 * </pre>
 * Both are {@code /v1} reads, so the keys that may read {@code /v1} may read them.
 */
public final class OperatorViews extends Handler.Wrapper {
    private final Supplier<Map<String, Object>> network;
    private final Supplier<Object> history;

    public OperatorViews(Supplier<Map<String, Object>> network, Supplier<Object> history, Handler next) {
        super(next);
        this.network = network;
        this.history = history;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getPath();
        Supplier<?> view = switch (path) {
            case "/v1/network" -> network;
            case "/v1/metrics/history" -> history;
            default -> null;
        };
        if (view == null) {
            return super.handle(request, response, callback);
        }
        RequestBodies.drained(request);
        if (!request.getMethod().equals("GET") && !request.getMethod().equals("HEAD")) {
            send(response, callback, 405, Problem.CONTENT_TYPE, Problem.of(405, "method-not-allowed", "allowed: GET").body());
            return true;
        }
        Object body;
        try {
            body = view.get();
        } catch (IllegalStateException unavailable) { // the engine did not answer in time
            send(response, callback, 503, Problem.CONTENT_TYPE, Problem.of(503, "busy", unavailable.getMessage()).body());
            return true;
        }
        send(response, callback, 200, "application/json", body);
        return true;
    }

    private static void send(Response response, Callback callback, int status, String type, Object body) {
        byte[] bytes;
        try {
            bytes = JsonBody.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException("maps of plain values always serialise", impossible);
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        if (status == 503) {
            response.getHeaders().put("Retry-After", "1");
        }
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }
}
