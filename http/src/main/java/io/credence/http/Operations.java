package io.credence.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.credence.journal.DurableLedger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What operators and their tools read, answered before the API routes: {@code /health}
 * (status, queue depth, recovery and readiness), {@code /health/live}, {@code /health/ready}
 * (503 when not ready), {@code /metrics} and {@code /openapi.json}. All GET, none needs a key.
 */
public final class Operations extends Handler.Wrapper {
    private final DurableLedger ledger;
    private final Readiness readiness;
    private final Metrics metrics;
    private final byte[] openApi = RouteTemplates.document();

    public Operations(DurableLedger ledger, Readiness readiness, Metrics metrics, Handler next) {
        super(next);
        this.ledger = ledger;
        this.readiness = readiness;
        this.metrics = metrics;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getPath();
        boolean ours = switch (path) {
            case "/health", "/health/live", "/health/ready", "/metrics", "/openapi.json" -> true;
            default -> false;
        };
        if (!ours) {
            return super.handle(request, response, callback);
        }
        if (!request.getMethod().equals("GET") && !request.getMethod().equals("HEAD")) {
            RequestBodies.drained(request);
            send(response, callback, 405, Problem.CONTENT_TYPE,
                    json(Problem.of(405, "method-not-allowed", "allowed: GET").body()));
            return true;
        }
        switch (path) {
            case "/health/live" -> send(response, callback, 200, "application/json", json(Map.of("status", "UP")));
            case "/health/ready" -> {
                Readiness.Report report = readiness.check();
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("status", report.ready() ? "READY" : "NOT_READY");
                body.putAll(report.checks());
                send(response, callback, report.ready() ? 200 : 503, "application/json", json(body));
            }
            case "/health" -> {
                Readiness.Report report = readiness.check();
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("status", "UP");
                body.put("queueDepth", ledger.queueDepth());
                body.put("recovery", ledger.recovery().describe());
                body.put("ready", report.ready());
                body.put("readiness", report.checks());
                send(response, callback, 200, "application/json", json(body));
            }
            case "/metrics" -> send(response, callback, 200, Metrics.CONTENT_TYPE,
                    metrics.scrape().getBytes(StandardCharsets.UTF_8));
            default -> send(response, callback, 200, "application/json", openApi);
        }
        return true;
    }

    private static byte[] json(Object body) {
        try {
            return JsonBody.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException("maps of plain values always serialise", impossible);
        }
    }

    private static void send(Response response, Callback callback, int status, String contentType, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
