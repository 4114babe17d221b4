package io.credence.server.bench;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The open-loop load of {@code credence bench devices}: simulated device agents, each cycling
 * through what a real agent sends, on the schedule of {@link SessionSchedule}: a grant request,
 * {@code updates} usage reports, and a final report that returns the grant.
 *
 * <p>Sessions are the concurrency (requests in flight), agents the SIMs: a session takes an idle
 * agent for one cycle and hands it back, so an agent's reports are never in flight twice and
 * always carry increasing sequence numbers, as a real agent's do.
 */
final class DeviceLoad extends SessionSchedule<DeviceLoad.Session> {
    /** Bytes each report carries; a grant asks for enough that no report runs past it. */
    static final long REPORT_BYTES = 1_000;
    static final long GRANT_BYTES = 1_000_000_000;

    /** A provisioned SIM: its token and the next sequence number its reports carry. */
    static final class Agent {
        final String simId;
        final String token;
        long nextSeq;

        Agent(String simId, String token, long nextSeq) {
            this.simId = simId;
            this.token = token;
            this.nextSeq = nextSeq;
        }
    }

    static final class Session extends SessionSchedule.Slot {
        final HttpClient client;
        Agent agent;

        Session(HttpClient client) {
            this.client = client;
        }
    }

    private final URI base;
    private final String deviceKey;
    private final Duration requestTimeout;
    private final ConcurrentLinkedQueue<Agent> idle;
    private volatile String lost;
    private volatile String firstFailure;
    /** Reports per update request: 1 sends {seq, bytes}, more send {reports: [...]} (an agent back online). */
    private final int batch;

    DeviceLoad(LoadPlan plan, List<HttpClient> clients, URI base, String deviceKey, Duration requestTimeout,
               List<Agent> agents, int batch) {
        super(plan, requestTimeout.toNanos());
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, was " + batch);
        }
        this.batch = batch;
        if (agents.size() < plan.sessions()) {
            throw new IllegalArgumentException("need at least as many agents as sessions");
        }
        this.base = base;
        this.deviceKey = deviceKey;
        this.requestTimeout = requestTimeout;
        this.idle = new ConcurrentLinkedQueue<>(agents);
        List<Session> slots = new ArrayList<>();
        for (int i = 0; i < plan.sessions(); i++) {
            slots.add(new Session(clients.get(i % clients.size())));
        }
        start(slots);
    }

    String firstFailure() {
        return firstFailure;
    }

    @Override
    void begin(Session s) {
        if (s.agent != null) {
            idle.add(s.agent);
        }
        s.agent = idle.poll(); // never null: there are at least as many agents as sessions
        s.nextNumber = 0;
    }

    @Override
    void send(Session s, long dueNanos) {
        Step step = stepOf(s.nextNumber);
        Agent a = s.agent;
        String path = "v1/devices/" + a.simId + (step == Step.FIRST ? "/grants" : "/reports");
        String body = switch (step) {
            case FIRST -> "{\"bytes\":" + GRANT_BYTES + "}";
            case UPDATE -> batch == 1 ? "{\"seq\":" + a.nextSeq++ + ",\"bytes\":" + REPORT_BYTES + "}" : batchOf(a);
            case LAST -> "{\"seq\":" + a.nextSeq++ + ",\"bytes\":" + REPORT_BYTES + ",\"final\":true}";
        };
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(requestTimeout)
                .header("Content-Type", "application/json").header("Credence-Device-Token", a.token)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (deviceKey != null) {
            request.header("Authorization", "Bearer " + deviceKey);
        }
        try {
            s.client.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding())
                    .whenComplete((response, failure) -> answered(s, step, dueNanos, response, failure));
        } catch (RuntimeException refused) {
            answered(s, step, dueNanos, null, refused);
        }
    }

    private void answered(Session s, Step step, long dueNanos, HttpResponse<Void> response, Throwable failure) {
        if (failure != null) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (firstFailure == null) {
                firstFailure = String.valueOf(cause);
            }
            if (cause instanceof ConnectException) {
                lost = "cannot connect to " + base;
            }
        }
        long code = response == null ? Counts.NO_ANSWER : response.statusCode();
        long bytes = switch (step) {
            case FIRST -> 0;
            case UPDATE -> REPORT_BYTES * batch;
            case LAST -> REPORT_BYTES;
        };
        answered(s, step, dueNanos, bytes, new Answer(code, code == 200));
    }

    private String batchOf(Agent a) {
        StringBuilder body = new StringBuilder(batch * 32 + 16).append("{\"reports\":[");
        for (int i = 0; i < batch; i++) {
            body.append(i == 0 ? "" : ",").append("{\"seq\":").append(a.nextSeq++).append(",\"bytes\":")
                    .append(REPORT_BYTES).append('}');
        }
        return body.append("]}").toString();
    }

    @Override
    String stopReason() {
        return lost;
    }

    @Override
    LoadReport.Protocol protocol() {
        return new LoadReport.Protocol("devices", "request", "report", "final report", "HTTP status", "200",
                code -> code == 200, Long::toString);
    }
}
