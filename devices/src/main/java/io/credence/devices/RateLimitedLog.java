package io.credence.devices;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A warning that a misbehaving client could repeat thousands of times a second (a device
 * reporting past its grant, a base station metering past a share's limit): at most one line per
 * interval, the next one saying how many were left out. The metrics count every occurrence; the
 * log shows that it happens and an example, without flooding.
 */
final class RateLimitedLog {
    private final System.Logger log;
    private final long intervalMillis;
    private final LongSupplier clockMillis;
    private final AtomicLong nextLineMillis = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();

    RateLimitedLog(System.Logger log, long intervalMillis, LongSupplier clockMillis) {
        this.log = log;
        this.intervalMillis = intervalMillis;
        this.clockMillis = clockMillis;
    }

    /** Logs {@code message} as a warning unless a line went out less than the interval ago; true when it did. */
    boolean warn(String message) {
        long now = clockMillis.getAsLong();
        long next = nextLineMillis.get();
        if (now < next || !nextLineMillis.compareAndSet(next, now + intervalMillis)) {
            suppressed.incrementAndGet();
            return false;
        }
        long left = suppressed.getAndSet(0);
        log.log(System.Logger.Level.WARNING, left == 0 ? message
                : message + " (" + left + " more like it in the last " + intervalMillis / 1000 + " s not logged)");
        return true;
    }
}
