package io.credence.server.bench;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The open-loop schedule the load generators share: whole charging sessions (a first request,
 * {@code updates} updates, a last request) driven by slots due at a fixed rate; the protocol
 * ({@link DiameterLoad}, {@link NchfLoad}) only builds and sends requests and reads answers.
 *
 * <p>A due slot goes to a session that is free (its previous answer has arrived), which sends its
 * next request. Latency is counted from the slot's due time, not from when the request left, so a
 * server stall delays every slot due during it instead of silently delaying the schedule (no
 * coordinated omission).
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
 *   the drain sends the last request, unscheduled, to every session the end caught half-way
 * </pre>
 *
 * <p>Threads: one pacer thread (the caller of {@link #run}) takes due slots and sends; answers
 * arrive on the protocol's threads. One lock guards the free sessions, the backlog and the
 * counters; a session is touched only by whoever took it from the free queue, until it goes back.
 *
 * @param <S> the protocol's session slot
 */
abstract class SessionSchedule<S extends SessionSchedule.Slot> {
    private static final long DRAIN_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** Where a session stands: the number of its next request. */
    static class Slot {
        /** 0 is the first request, 1..updates the updates, updates + 1 the last. */
        int nextNumber;
    }

    /** Which request of a session. */
    enum Step { FIRST, UPDATE, LAST }

    /**
     * What an answer counts as.
     *
     * @param code      the code it is counted under ({@link Counts#NO_ANSWER} when none came)
     * @param success   whether the session goes on as planned
     */
    record Answer(long code, boolean success) {
        boolean answered() {
            return code != Counts.NO_ANSWER;
        }
    }

    protected final LoadPlan plan;
    private final long requestTimeoutNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition allAnswered = lock.newCondition();
    // guarded by lock
    private final ArrayDeque<S> free;
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
    // the pacer's: CPU time of the process at the start and end of the measured window
    private long cpuAtMeasureFromNanos = -1;
    private long cpuAtEndNanos = -1;

    SessionSchedule(LoadPlan plan, long requestTimeoutNanos) {
        this.plan = plan;
        this.requestTimeoutNanos = requestTimeoutNanos;
        this.free = new ArrayDeque<>(plan.sessions());
        this.backlog = new long[plan.sessions()];
    }

    /** Adds the session slots, each beginning its first session; called once, before {@link #run}. */
    final void start(List<S> slots) {
        for (S s : slots) {
            begin(s);
            free.add(s);
        }
    }

    /** A new session in this slot. */
    abstract void begin(S s);

    /** Sends the session's next request; its answer (or its failure) must reach {@link #answered}. */
    abstract void send(S s, long dueNanos);

    /** Why the run cannot go on (the connection was lost), or null. */
    abstract String stopReason();

    /** How the report names this protocol's requests and codes; asked once the drain is over. */
    abstract LoadReport.Protocol protocol();

    final Step stepOf(int number) {
        return number == 0 ? Step.FIRST : number <= plan.updates() ? Step.UPDATE : Step.LAST;
    }

    /** Runs warm-up, measurement and drain; returns when every request sent has its answer or timed out. */
    final LoadReport run() {
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
            String reason = stopReason();
            if (reason != null) {
                return reason + " after " + String.format("%.1f s", (System.nanoTime() - start) / 1e9);
            }
            S session = dispatch(due);
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
    private S dispatch(long due) {
        lock.lock();
        try {
            S session = free.poll();
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

    /**
     * Counts an answer (or its absence) and moves the session on: it takes the oldest waiting slot,
     * goes back to the free sessions, or — while draining — sends its last request at once. Called
     * on the protocol's thread, or at once on the sender's for a request that could not be sent.
     *
     * @param usedOctets what the request reported used (counted when it succeeded)
     */
    final void answered(S s, Step step, long dueNanos, long usedOctets, Answer answer) {
        long latencyMicros = (System.nanoTime() - dueNanos) / 1000;
        long nextDue = -1;
        boolean lastNow = false;
        lock.lock();
        try {
            Counts counts = countsOf(dueNanos);
            counts.byCode.merge(answer.code(), 1L, Long::sum);
            counts.sessionsCompleted += step == Step.LAST && answer.success() ? 1 : 0;
            counts.usedOctets += answer.success() ? usedOctets : 0;
            counts.updatesSucceeded += answer.success() && step == Step.UPDATE ? 1 : 0;
            if (counts == measured) {
                measured.recordLatency(latencyMicros);
            }
            inFlight--;
            advance(s, step, answer.success());
            if (draining) {
                if (s.nextNumber > 0) {
                    lastNow = true;
                    inFlight++;
                    drain.sent++;
                } else {
                    free.add(s);
                }
            } else if (backlogSize > 0 && answer.answered()) {
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
        if (lastNow) {
            s.nextNumber = plan.updates() + 1;
            send(s, drainDue());
        } else if (nextDue >= 0) {
            send(s, nextDue);
        }
    }

    /**
     * The session's next step. A failed or unanswered first request ends it (the server opened
     * nothing, or will expire what it opened); a failed update goes on to the last request, which
     * returns what the grant holds; after the last, answered or not, a new session begins.
     */
    private void advance(S s, Step step, boolean success) {
        if (step == Step.LAST || (step == Step.FIRST && !success)) {
            begin(s);
        } else if (!success) {
            s.nextNumber = plan.updates() + 1;
        } else {
            s.nextNumber++;
        }
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
     * half-way gets its last request, so no reservation is left holding balance; waits for the
     * answers.
     *
     * @return requests still unanswered when the wait gave up
     */
    private int drain() {
        List<S> halfWay = new ArrayList<>();
        lock.lock();
        try {
            draining = true;
            for (; backlogSize > 0; backlogSize--) {
                countsOf(backlog[backlogHead]).missed++;
                backlogHead = (backlogHead + 1) % backlog.length;
            }
            for (int n = free.size(); n > 0; n--) {
                S s = free.poll();
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
        for (S s : halfWay) {
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
