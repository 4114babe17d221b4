package io.credence.server.bench;

import org.HdrHistogram.Histogram;

import java.util.TreeMap;

/**
 * What happened to the slots due in one phase of a load run, while it runs; guarded by the
 * load's lock. Answers are counted by a code: the Result-Code for Diameter, status and cause
 * for Nchf (see {@link LoadReport.Protocol}).
 */
final class Counts {
    /** Latencies are recorded in microseconds up to an hour, to 3 significant digits. */
    static final long LATENCY_MAX_MICROS = 3_600_000_000L;
    /** Code counted for a request that got no answer (timeout or lost connection). */
    static final long NO_ANSWER = -1;

    long sent;
    long missed;
    long sessionsCompleted;
    long usedOctets;
    /** Update requests (CCR-U, Nchf update) answered with success. */
    long updatesSucceeded;
    final TreeMap<Long, Long> byCode = new TreeMap<>();
    final Histogram latencyMicros = new Histogram(LATENCY_MAX_MICROS, 3);

    void recordLatency(long micros) {
        latencyMicros.recordValue(Math.min(Math.max(micros, 0), LATENCY_MAX_MICROS));
    }

    LoadReport.Phase result(LoadReport.Protocol protocol) {
        long answered = 0;
        long succeeded = 0;
        for (var e : byCode.entrySet()) {
            answered += e.getKey() == NO_ANSWER ? 0 : e.getValue();
            succeeded += protocol.success().test(e.getKey()) ? e.getValue() : 0;
        }
        return new LoadReport.Phase(sent, answered, succeeded, missed, sessionsCompleted, updatesSucceeded, usedOctets,
                new TreeMap<>(byCode), latencyMicros.copy());
    }
}
