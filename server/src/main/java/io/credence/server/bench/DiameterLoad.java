package io.credence.server.bench;

import io.credence.diameter.cc.CcrBuilder;
import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.transport.DiameterClient;
import io.credence.ledger.Unit;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The open-loop load of {@code credence bench diameter}: whole credit-control sessions over
 * connections that are already open.
 *
 * <p>Sends are <em>slots</em> on a fixed schedule, one every 1/rate seconds, whatever the answers
 * do. A due slot goes to a session that is free (its previous answer has arrived); the session
 * sends its next request (I, then the updates, then T, then a new session begins). Latency is
 * counted from the slot's due time, not from when the request left, so a server stall delays
 * every slot due during it instead of silently delaying the schedule (no coordinated omission).
 *
 * <p>Bounded: at most {@code sessions} requests are in flight (one per session) and at most
 * {@code sessions} due slots wait for a free session; a slot due when that backlog is full is
 * counted as <em>missed</em> and never sent. A server slower than the rate therefore shows as
 * missed sends and long latencies, not as a growing queue in the generator.
 *
 * <pre>
 *   time ──┬── warm-up ──┬──────── measured ────────┬── drain ──▶
 *        start      measureFrom                    end
 *   slots due in each phase are counted in it; latencies only in "measured";
 *   the drain sends CCR-T, unscheduled, to every session the end caught half-way
 * </pre>
 *
 * <p>Threads: one pacer thread takes due slots and sends; answers arrive on each connection's
 * event loop. One lock guards the free sessions, the backlog and the counters; a session is
 * touched only by whoever took it from the free queue, until it goes back.
 */
final class DiameterLoad {
    /** Result-Code counted for a request that got no answer (timeout or lost connection). */
    static final long NO_ANSWER = Counts.NO_ANSWER;
    private static final long DRAIN_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final LoadPlan plan;
    private final List<DiameterClient> connections;
    private final long requestTimeoutNanos;
    private final String runId;
    private final AtomicInteger endToEnd = new AtomicInteger();
    private long nextSession; // guarded by lock

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition allAnswered = lock.newCondition();
    // guarded by lock
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
    // the pacer's (the thread of run()): CPU time of the process at the start and end of the measured window
    private long cpuAtMeasureFromNanos = -1;
    private long cpuAtEndNanos = -1;

    /** One session slot: the session it is running now and where that session stands. */
    private static final class Session {
        final DiameterClient connection;
        final String originHost;
        String sessionId;
        String msisdn;
        /** CC-Request-Number of the next request: 0 is the I, 1..updates the U, updates + 1 the T. */
        int nextNumber;

        Session(DiameterClient connection, String originHost) {
            this.connection = connection;
            this.originHost = originHost;
        }
    }

    DiameterLoad(LoadPlan plan, List<DiameterClient> connections, long requestTimeoutNanos, String runId) {
        if (connections.size() != plan.originHosts().size()) {
            throw new IllegalArgumentException("one connection per Origin-Host required");
        }
        this.plan = plan;
        this.connections = List.copyOf(connections);
        this.requestTimeoutNanos = requestTimeoutNanos;
        this.runId = runId;
        this.free = new ArrayDeque<>(plan.sessions());
        this.backlog = new long[plan.sessions()];
        for (int i = 0; i < plan.sessions(); i++) {
            int c = i % connections.size();
            Session s = new Session(connections.get(c), plan.originHosts().get(c));
            begin(s);
            free.add(s);
        }
    }

    /** Runs warm-up, measurement and drain; returns when every request sent has its answer or timed out. */
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
        String lost = pace(start, measureFrom, end);
        int unanswered = drain();
        lock.lock();
        try {
            LoadReport.Protocol p = LoadReport.Protocol.DIAMETER;
            return new LoadReport(p, plan, warmup.result(p), measured.result(p), drain.result(p),
                    plan.durationNanos() / 1e9, cpuAtMeasureFromNanos < 0 || cpuAtEndNanos < 0 ? -1
                            : (cpuAtEndNanos - cpuAtMeasureFromNanos) / 1e9, unanswered, lost);
        } finally {
            lock.unlock();
        }
    }

    /** Issues slots until {@code end}; returns why it stopped early, or null. */
    private String pace(long start, long measureFrom, long end) {
        for (long slot = 0; ; slot++) {
            long due = start + slot * 1_000_000_000L / plan.ratePerSecond();
            if (due >= end) {
                waitUntil(end); // so that what the drain sends falls after the measured window
                cpuAtEndNanos = processCpuNanos();
                return null;
            }
            waitUntil(due);
            if (due >= measureFrom && cpuAtMeasureFromNanos < 0) {
                cpuAtMeasureFromNanos = processCpuNanos();
            }
            for (DiameterClient c : connections) {
                if (!c.isConnected()) {
                    return "the connection was closed by the server after "
                            + String.format("%.1f s", (System.nanoTime() - start) / 1e9);
                }
            }
            Session session = dispatch(due);
            if (session != null) {
                send(session, due);
            }
        }
    }

    /** CPU time of the whole process: the generator shares the machine with the server it measures. */
    private static long processCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }

    /**
     * Parks until {@code dueNanos}. The timer overshoots by tens of microseconds, so requests leave
     * in small bursts; spinning instead would take a core from the server on a small machine.
     * Latency is counted from the due time either way.
     */
    private static void waitUntil(long dueNanos) {
        long left;
        while ((left = dueNanos - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }

    /** The session that takes a due slot, or null when none is free (the slot waits or is missed). */
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

    /** A request about to leave, with what its answer will be counted against. */
    private record Outgoing(Session session, int type, long usedOctets, long dueNanos, DiameterMessage request) {}

    private Outgoing prepare(Session s, long dueNanos) {
        int number = s.nextNumber;
        int type = number == 0 ? Codes.INITIAL_REQUEST
                : number <= plan.updates() ? Codes.UPDATE_REQUEST : Codes.TERMINATION_REQUEST;
        CcrBuilder ccr = CcrBuilder.request(s.sessionId, s.originHost, plan.originRealm(), plan.destinationRealm(),
                type, number).msisdn(s.msisdn);
        long used = type == Codes.INITIAL_REQUEST ? 0 : LoadPlan.USED_OCTETS;
        switch (type) {
            case Codes.INITIAL_REQUEST -> ccr.mscc(LoadPlan.RATING_GROUP, Unit.BYTES, LoadPlan.REQUESTED_OCTETS, null);
            case Codes.UPDATE_REQUEST -> ccr.mscc(LoadPlan.RATING_GROUP, Unit.BYTES, LoadPlan.REQUESTED_OCTETS, used);
            default -> ccr.mscc(LoadPlan.RATING_GROUP, Unit.BYTES, null, used);
        }
        return new Outgoing(s, type, used, dueNanos, ccr.build(endToEnd.incrementAndGet() & 0xFFFF_FFFFL));
    }

    private void send(Session s, long dueNanos) {
        Outgoing out = prepare(s, dueNanos);
        s.connection.send(out.request()).whenComplete((answer, failure) -> answered(out, answer));
    }

    private static long resultCode(DiameterMessage answer) {
        return answer.find(Codes.RESULT_CODE, 0).map(Avp::unsigned32).orElse(0L);
    }

    /** On a connection's event loop (or at once, for a request that could not be sent); {@code answer} null: none. */
    private void answered(Outgoing out, DiameterMessage answer) {
        long latencyMicros = (System.nanoTime() - out.dueNanos()) / 1000;
        Session s = out.session();
        int type = out.type();
        long used = out.usedOctets();
        long dueNanos = out.dueNanos();
        long resultCode = answer == null ? NO_ANSWER : resultCode(answer);
        boolean success = resultCode == Codes.DIAMETER_SUCCESS;
        boolean completed = type == Codes.TERMINATION_REQUEST && success;
        long nextDue = -1;
        boolean terminateNow = false;
        lock.lock();
        try {
            Counts counts = countsOf(dueNanos);
            counts.byCode.merge(resultCode, 1L, Long::sum);
            counts.sessionsCompleted += completed ? 1 : 0;
            counts.usedOctets += success ? used : 0;
            counts.updatesSucceeded += success && type == Codes.UPDATE_REQUEST ? 1 : 0;
            if (counts == measured) {
                measured.recordLatency(latencyMicros);
            }
            inFlight--;
            advance(s, type, success);
            if (draining) {
                if (s.nextNumber > 0) {
                    terminateNow = true;
                    inFlight++;
                    drain.sent++;
                }
            } else if (backlogSize > 0 && resultCode != NO_ANSWER) {
                // a failed send completes at once, on this thread: taking the backlog here could recurse
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

    /**
     * The session's next step. A failed or unanswered I ends it (the server opened nothing, or
     * will expire what it opened); a failed U goes on to the T, which returns what the grant
     * holds; after the T, answered or not, a new session begins.
     */
    private void advance(Session s, int type, boolean success) {
        if (type == Codes.TERMINATION_REQUEST || (type == Codes.INITIAL_REQUEST && !success)) {
            begin(s);
        } else if (!success) {
            s.nextNumber = plan.updates() + 1;
        } else {
            s.nextNumber++;
        }
    }

    /** A new session in this slot; called under the lock or before the run. */
    private void begin(Session s) {
        long n = nextSession++;
        s.sessionId = s.originHost + ";" + runId + ";" + n;
        s.msisdn = plan.msisdn((int) (n % plan.subscribers()));
        s.nextNumber = 0;
    }

    /** Drain requests are due when sent; never earlier than the end, so they are counted as drain. */
    private long drainDue() {
        return Math.max(System.nanoTime(), endNanos);
    }

    private Counts countsOf(long dueNanos) {
        return dueNanos < measureFromNanos ? warmup : dueNanos < endNanos ? measured : drain;
    }

    /**
     * After the schedule: due slots still waiting are missed; every session the end caught
     * half-way is terminated, so no reservation is left holding balance; waits for the answers.
     *
     * @return requests still unanswered when the wait gave up
     */
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
        long deadline = System.nanoTime() + requestTimeoutNanos + DRAIN_GRACE_NANOS;
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
