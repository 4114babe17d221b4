package io.credence.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.credence.journal.EngineGate;
import io.credence.journal.JournalCheck;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What operators and their tools read, answered before the API routes: {@code /health}
 * (status, problems, queue depth, recovery, readiness and the journal check), {@code /health/live},
 * {@code /health/ready} (503 when not ready), {@code /metrics} and {@code /openapi.json}. All GET,
 * none needs a key.
 *
 * <p>Damage the journal check finds makes {@code /health} say DEGRADED and name it under
 * {@code problems}, but leaves {@code /health/ready} alone: the live state was recovered and
 * verified at start-up and new records go to a new segment, so the server answers correctly;
 * what is at risk is the next recovery, which is the operator's to fix (restore the file, or
 * let two more snapshots retire it), not a reason to turn traffic away.
 */
public final class Operations extends Handler.Wrapper {
    private final EngineGate ledger;
    private final Readiness readiness;
    private final Metrics metrics;
    private final JournalCheck journalCheck;
    private final byte[] openApi = RouteTemplates.document();
    private final java.util.function.Supplier<Map<String, Object>> moreHealth;

    public Operations(EngineGate ledger, Readiness readiness, Metrics metrics, Handler next) {
        this(ledger, readiness, metrics, null, next);
    }

    /** @param journalCheck the background journal check whose findings {@code /health} shows, or null for none */
    public Operations(EngineGate ledger, Readiness readiness, Metrics metrics, JournalCheck journalCheck,
                      Handler next) {
        this(ledger, readiness, metrics, journalCheck, Map::of, next);
    }

    /** @param moreHealth further sections of {@code /health} (the 5G CHF's, say), asked at each request */
    public Operations(EngineGate ledger, Readiness readiness, Metrics metrics, JournalCheck journalCheck,
                      java.util.function.Supplier<Map<String, Object>> moreHealth, Handler next) {
        super(next);
        this.moreHealth = moreHealth;
        this.ledger = ledger;
        this.readiness = readiness;
        this.metrics = metrics;
        this.journalCheck = journalCheck;
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
                List<String> problems = journalCheck == null ? List.of() : journalCheck.problems();
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("status", problems.isEmpty() ? "UP" : "DEGRADED");
                body.put("problems", problems);
                body.put("queueDepth", ledger.queueDepth());
                body.put("recovery", ledger.startReport());
                Map<String, Object> replication = ledger.replication();
                if (!replication.isEmpty()) {
                    body.put("replication", replication);
                }
                body.put("ready", report.ready());
                body.put("readiness", report.checks());
                if (journalCheck != null) {
                    body.put("journalCheck", journalCheck.describe());
                }
                body.putAll(moreHealth.get());
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
