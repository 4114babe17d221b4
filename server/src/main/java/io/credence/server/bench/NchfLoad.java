package io.credence.server.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The open-loop load of {@code credence bench nchf}: whole Nchf converged-charging sessions
 * (create, {@code updates} updates, release) over HTTP/2 clients whose connections are already
 * upgraded. The schedule, the bounded backlog, missed sends, latency from the due time and the
 * drain are those of {@link DiameterLoad}; only the requests differ.
 *
 * <p>A create's {@code ChargingDataRef} (the last segment of its {@code Location}) names the
 * session's later requests; each request carries the next {@code invocationSequenceNumber}. The
 * server derives the ref from the create body, so every create body is made unique by the run
 * ({@code nFName}) and the session number ({@code chargingId}).
 *
 * <p>Answers are counted by a code {@code status * 1000 + cause}, where cause 0 is none and
 * otherwise the 3GPP {@code cause} of the problem body, numbered in order of first appearance;
 * success is a 2xx without a cause (a create without {@code Location} counts as cause
 * {@code NO_LOCATION}).
 */
final class NchfLoad {
    static final String ROOT = "nchf-convergedcharging/v3/chargingdata";
    private static final long DRAIN_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CREATE = 0;
    private static final int UPDATE = 1;
    private static final int RELEASE = 2;

    private final LoadPlan plan;
    private final List<HttpClient> clients;
    private final URI base;
    private final Duration requestTimeout;
    private final String nfName;
    private final String timeStamp = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    private final AtomicLong overHttp1 = new AtomicLong();
    private volatile String lost;
    private volatile String firstFailure;
    private long nextSession; // guarded by lock

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition allAnswered = lock.newCondition();
    // guarded by lock
    private final List<String> causes = new ArrayList<>(List.of(""));
    private final ArrayDeque<Session> free;
    private final long[] backlog;
    private int backlogHead;
    private int backlogSize;
    private int inFlight;
    private boolean draining;
    private final Counts warmup = new Counts();
    private final Counts measured = new Counts();
    private final Counts drain = new Counts();
    private long measureFromNanos = Long.MAX_VALUE;
    private long endNanos = Long.MAX_VALUE;
    private long cpuAtMeasureFromNanos = -1;
    private long cpuAtEndNanos = -1;

    /** One session slot: the session it runs now and where that session stands. */
    private static final class Session {
        final HttpClient client;
        long number;
        String msisdn;
        String ref;
        /** invocationSequenceNumber of the next request: 0 the create, 1..updates the updates, updates + 1 the release. */
        int nextNumber;

        Session(HttpClient client) {
            this.client = client;
        }
    }

    /**
     * @param base   the server's URL ending in '/'
     * @param runId  makes this run's create bodies (and so its ChargingDataRefs) differ from other runs'
     */
    NchfLoad(LoadPlan plan, List<HttpClient> clients, URI base, Duration requestTimeout, String runId) {
        this.plan = plan;
        this.clients = List.copyOf(clients);
        this.base = base;
        this.requestTimeout = requestTimeout;
        this.nfName = "credence-bench-" + runId;
        this.free = new ArrayDeque<>(plan.sessions());
        this.backlog = new long[plan.sessions()];
        for (int i = 0; i < plan.sessions(); i++) {
            Session s = new Session(clients.get(i % clients.size()));
            begin(s);
            free.add(s);
        }
    }

    /** The first request that failed without an answer, or null. */
    String firstFailure() {
        return firstFailure;
    }

    /** Answers that came over HTTP/1.1, not HTTP/2 (should be 0). */
    long overHttp1() {
        return overHttp1.get();
    }

    LoadReport.Protocol protocol() {
        List<String> names;
        lock.lock();
        try {
            names = List.copyOf(causes);
        } finally {
            lock.unlock();
        }
        return new LoadReport.Protocol("nchf", "request", "update", "release", "HTTP status and cause", "2xx",
                code -> code >= 200_000 && code < 300_000 && code % 1000 == 0,
                code -> code / 1000 + (code % 1000 == 0 ? "" : " " + names.get((int) (code % 1000))));
    }

    LoadReport run() {
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
        long measureFrom = start + plan.warmupNanos();
        long end = measureFrom + plan.durationNanos();
        lock.lock();
        try {
            measureFromNanos = measureFrom;
            endNanos = end;
        } finally {
            lock.unlock();
        }
        String stopped = pace(start, measureFrom, end);
        int unanswered = drain();
        LoadReport.Protocol p = protocol();
        lock.lock();
        try {
            return new LoadReport(p, plan, warmup.result(p), measured.result(p), drain.result(p),
                    plan.durationNanos() / 1e9, cpuAtMeasureFromNanos < 0 || cpuAtEndNanos < 0 ? -1
                            : (cpuAtEndNanos - cpuAtMeasureFromNanos) / 1e9, unanswered, stopped);
        } finally {
            lock.unlock();
        }
    }

    private String pace(long start, long measureFrom, long end) {
        for (long slot = 0; ; slot++) {
            long due = start + slot * 1_000_000_000L / plan.ratePerSecond();
            if (due >= end) {
                waitUntil(end);
                cpuAtEndNanos = processCpuNanos();
                return null;
            }
            waitUntil(due);
            if (due >= measureFrom && cpuAtMeasureFromNanos < 0) {
                cpuAtMeasureFromNanos = processCpuNanos();
            }
            if (lost != null) {
                return lost + " after " + String.format("%.1f s", (System.nanoTime() - start) / 1e9);
            }
            Session session = dispatch(due);
            if (session != null) {
                send(session, due);
            }
        }
    }

    private static long processCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    private static void waitUntil(long dueNanos) {
        long left;
        while ((left = dueNanos - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }

    private Session dispatch(long due) {
        lock.lock();
        try {
            Session session = free.poll();
            if (session != null) {
                inFlight++;
                countsOf(due).sent++;
            } else if (backlogSize < backlog.length) {
                backlog[(backlogHead + backlogSize++) % backlog.length] = due;
            } else {
                countsOf(due).missed++;
            }
            return session;
        } finally {
            lock.unlock();
        }
    }

    private int typeOf(int number) {
        return number == 0 ? CREATE : number <= plan.updates() ? UPDATE : RELEASE;
    }

    /** The JSON body of a session's next request (TS 32.291 ChargingDataRequest, as an SMF sends it). */
    private String body(Session s, int type) {
        StringBuilder b = new StringBuilder(400).append("{\"subscriberIdentifier\":\"msisdn-").append(s.msisdn)
                .append("\",\"nfConsumerIdentification\":{\"nodeFunctionality\":\"SMF\",\"nFName\":\"").append(nfName)
                .append("\"},\"invocationTimeStamp\":\"").append(timeStamp)
                .append("\",\"invocationSequenceNumber\":").append(s.nextNumber)
                .append(",\"pDUSessionChargingInformation\":{\"chargingId\":").append(s.number)
                .append("},\"multipleUnitUsage\":[{\"ratingGroup\":").append(LoadPlan.RATING_GROUP);
        if (type != RELEASE) {
            b.append(",\"requestedUnit\":{\"totalVolume\":").append(LoadPlan.REQUESTED_OCTETS).append('}');
        }
        if (type != CREATE) {
            b.append(",\"usedUnitContainer\":[{\"totalVolume\":").append(LoadPlan.USED_OCTETS)
                    .append(",\"localSequenceNumber\":").append(s.nextNumber).append("}]");
        }
        return b.append("}]}").toString();
    }

    private void send(Session s, long dueNanos) {
        int type = typeOf(s.nextNumber);
        String path = switch (type) {
            case CREATE -> ROOT;
            case UPDATE -> ROOT + "/" + s.ref + "/update";
            default -> ROOT + "/" + s.ref + "/release";
        };
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(s, type))).build();
        try {
            s.client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                    .whenComplete((response, failure) -> answered(s, type, dueNanos, response, failure));
        } catch (RuntimeException refused) { // e.g. the client was shut down
            answered(s, type, dueNanos, null, refused);
        }
    }

    /** On an HttpClient thread (or at once, for a request that could not be sent). */
    private void answered(Session s, int type, long dueNanos, HttpResponse<byte[]> response, Throwable failure) {
        long latencyMicros = (System.nanoTime() - dueNanos) / 1000;
        int status = response == null ? -1 : response.statusCode();
        String cause = response == null ? null : cause(response, type);
        String ref = null;
        if (response != null && type == CREATE && status == 201) {
            ref = response.headers().firstValue("Location").map(l -> l.substring(l.lastIndexOf('/') + 1))
                    .filter(r -> !r.isEmpty()).orElse(null);
            cause = ref == null ? "NO_LOCATION" : cause;
        }
        if (response != null && response.version() != HttpClient.Version.HTTP_2) {
            overHttp1.incrementAndGet();
        }
        if (failure != null && firstFailure == null) {
            firstFailure = String.valueOf(unwrap(failure));
        }
        if (failure != null && unwrap(failure) instanceof ConnectException) {
            lost = "cannot connect to " + base;
        }
        boolean success = status >= 200 && status < 300 && cause == null;
        long nextDue = -1;
        boolean terminateNow = false;
        lock.lock();
        try {
            long code = response == null ? Counts.NO_ANSWER : status * 1000L + causeIndex(cause);
            Counts counts = countsOf(dueNanos);
            counts.byCode.merge(code, 1L, Long::sum);
            counts.sessionsCompleted += type == RELEASE && success ? 1 : 0;
            counts.usedOctets += success && type != CREATE ? LoadPlan.USED_OCTETS : 0;
            counts.updatesSucceeded += success && type == UPDATE ? 1 : 0;
            if (counts == measured) {
                measured.recordLatency(latencyMicros);
            }
            inFlight--;
            if (success && type == CREATE) {
                s.ref = ref;
            }
            advance(s, type, success);
            if (draining) {
                if (s.nextNumber > 0) {
                    terminateNow = true;
                    inFlight++;
                    drain.sent++;
                } else {
                    free.add(s);
                }
            } else if (backlogSize > 0 && response != null) {
                nextDue = backlog[backlogHead];
                backlogHead = (backlogHead + 1) % backlog.length;
                backlogSize--;
                inFlight++;
                countsOf(nextDue).sent++;
            } else {
                free.add(s);
            }
            if (inFlight == 0) {
                allAnswered.signalAll();
            }
        } finally {
            lock.unlock();
        }
        if (terminateNow) {
            s.nextNumber = plan.updates() + 1;
            send(s, drainDue());
        } else if (nextDue >= 0) {
            send(s, nextDue);
        }
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    /** The problem's cause, "-" for an error without one; null for a success (whose body is not read). */
    private static String cause(HttpResponse<byte[]> response, int type) {
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return null;
        }
        try {
            JsonNode cause = JSON.readTree(response.body()).path("cause");
            return cause.isTextual() ? cause.asText() : "-";
        } catch (IOException | RuntimeException notJson) {
            return "-";
        }
    }

    /** Under the lock. */
    private int causeIndex(String cause) {
        if (cause == null) {
            return 0;
        }
        int i = causes.indexOf(cause);
        if (i < 0) {
            if (causes.size() == 999) {
                return causeIndex("OTHER");
            }
            causes.add(cause);
            i = causes.size() - 1;
        }
        return i;
    }

    /**
     * As {@link DiameterLoad}: a failed or unanswered create ends the session, a failed update
     * goes on to the release, after the release a new session begins.
     */
    private void advance(Session s, int type, boolean success) {
        if (type == RELEASE || (type == CREATE && !success)) {
            begin(s);
        } else if (!success) {
            s.nextNumber = plan.updates() + 1;
        } else {
            s.nextNumber++;
        }
    }

    private void begin(Session s) {
        long n = nextSession++;
        s.number = n;
        s.msisdn = plan.msisdn((int) (n % plan.subscribers()));
        s.ref = null;
        s.nextNumber = 0;
    }

    private long drainDue() {
        return Math.max(System.nanoTime(), endNanos);
    }

    private Counts countsOf(long dueNanos) {
        return dueNanos < measureFromNanos ? warmup : dueNanos < endNanos ? measured : drain;
    }

    private int drain() {
        List<Session> halfWay = new ArrayList<>();
        lock.lock();
        try {
            draining = true;
            for (; backlogSize > 0; backlogSize--) {
                countsOf(backlog[backlogHead]).missed++;
                backlogHead = (backlogHead + 1) % backlog.length;
            }
            for (int n = free.size(); n > 0; n--) {
                Session s = free.poll();
                if (s.nextNumber > 0) {
                    halfWay.add(s);
                } else {
                    free.add(s);
                }
            }
            inFlight += halfWay.size();
            drain.sent += halfWay.size();
        } finally {
            lock.unlock();
        }
        for (Session s : halfWay) {
            s.nextNumber = plan.updates() + 1;
            send(s, drainDue());
        }
        long deadline = System.nanoTime() + requestTimeout.toNanos() + DRAIN_GRACE_NANOS;
        lock.lock();
        try {
            long left;
            while (inFlight > 0 && (left = deadline - System.nanoTime()) > 0) {
                allAnswered.awaitNanos(left);
            }
            return inFlight;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return inFlight;
        } finally {
            lock.unlock();
        }
    }
}
