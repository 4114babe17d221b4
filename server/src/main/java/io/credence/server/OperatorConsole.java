package io.credence.server;

import io.credence.charging.ChargingEngine;
import io.credence.devices.DeviceQuota;
import io.credence.diameter.transport.DiameterServer;
import io.credence.diameter.transport.Peer;
import io.credence.http.AdjustmentLog;
import io.credence.http.Metrics;
import io.credence.http.MetricsHistory;
import io.credence.http.OperatorViews;
import io.credence.http.console.ConsoleSessions;
import io.credence.journal.EngineGate;
import org.eclipse.jetty.server.Handler;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What the operator console needs of the server beyond the API: its signed-in browsers, the
 * adjustment reasons ({@code DATA/audit/adjustments.jsonl}), the last hour of metrics (a point
 * each {@link #SAMPLE_INTERVAL}), and the network view ({@code GET /v1/network}).
 */
final class OperatorConsole implements AutoCloseable {
    static final Duration SAMPLE_INTERVAL = Duration.ofSeconds(5);
    static final int SAMPLES = 720; // one hour
    /** The Nchf sessions the network view groups by consumer, at most: the view stays cheap on the engine's thread. */
    private static final int NCHF_SESSIONS_SCANNED_MAX = 100_000;
    private static final long ENGINE_QUERY_SECONDS = 2;

    private final ConsoleSessions sessions = new ConsoleSessions();
    private final AdjustmentLog adjustments;
    private final MetricsHistory history;

    private OperatorConsole(AdjustmentLog adjustments, MetricsHistory history) {
        this.adjustments = adjustments;
        this.history = history;
    }

    static OperatorConsole open(Path dataDir, Metrics metrics) throws IOException {
        AdjustmentLog adjustments = AdjustmentLog.open(dataDir.resolve("audit").resolve("adjustments.jsonl"));
        return new OperatorConsole(adjustments, MetricsHistory.start(metrics, SAMPLE_INTERVAL, SAMPLES));
    }

    ConsoleSessions sessions() {
        return sessions;
    }

    AdjustmentLog adjustments() {
        return adjustments;
    }

    /** The API with the console's read-only views in front. */
    Handler views(Handler api, EngineGate engine, Supplier<DiameterServer> diameter, DeviceQuota devices) {
        return new OperatorViews(() -> network(engine, diameter.get(), devices), () -> history.view(SAMPLES), api);
    }

    private static Map<String, Object> network(EngineGate engine, DiameterServer diameter, DeviceQuota devices) {
        Map<String, Object> body = new LinkedHashMap<>();
        List<Map<String, Object>> peers = new ArrayList<>();
        if (diameter != null) {
            for (Peer.PeerStatus peer : diameter.peers().statuses()) {
                Map<String, Object> view = new LinkedHashMap<>();
                view.put("originHost", peer.originHost());
                view.put("originRealm", peer.originRealm());
                view.put("address", peer.remoteAddress());
                view.put("state", peer.open() ? "OPEN" : "CLOSING");
                view.put("connectedAt", Instant.ofEpochMilli(peer.connectedAtMillis()).toString());
                view.put("lastReceivedAt", Instant.ofEpochMilli(peer.lastReceivedMillis()).toString());
                view.put("watchdog", peer.watchdog());
                view.put("requestsReceived", peer.requestsReceived());
                view.put("answersSent", peer.answersSent());
                view.put("inFlight", peer.inFlight());
                peers.add(view);
            }
        }
        body.put("diameter", Map.of("listening", diameter != null, "peers", peers));
        // an Nchf consumer is known by the host its notifications go to (the create's notifyUri)
        Map<String, Long> consumers = await(engine.ask(view -> {
            Map<String, Long> byHost = new TreeMap<>();
            for (ChargingEngine.SessionView s : view.sessionsStartingWith("nchf;", NCHF_SESSIONS_SCANNED_MAX)) {
                String host = s.origin().peerHost() == null || s.origin().peerHost().isEmpty() ? "(no notifyUri)"
                        : s.origin().peerHost();
                byHost.merge(host, 1L, Long::sum);
            }
            return byHost;
        }));
        List<Map<String, Object>> nchf = new ArrayList<>();
        consumers.forEach((host, count) -> nchf.add(Map.of("consumer", host, "sessions", count)));
        body.put("nchf", Map.of("consumers", nchf));
        if (devices != null) {
            body.put("devices", Map.of("sims", devices.simCount(), "reportsOverGrant", devices.reportsOverGrant(),
                    "bytesOverGrant", devices.bytesOverGrant()));
        }
        return body;
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> answer) {
        try {
            return answer.get(ENGINE_QUERY_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the engine did not answer in time", e);
        }
    }

    @Override
    public void close() throws IOException {
        history.close();
        adjustments.close();
    }
}
