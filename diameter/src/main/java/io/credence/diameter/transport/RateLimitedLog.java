package io.credence.diameter.transport;

/**
 * A log for events a peer can cause at any rate (refused requests, refused CERs, evicted
 * connections): every one is worth a line until a flood, then at most {@code linesPerSecond}
 * lines a second, and the next line that gets through says how many were left out. A
 * misbehaving peer is seen in the log without being able to fill the disk.
 */
public final class RateLimitedLog {
    private static final long SECOND_NANOS = 1_000_000_000L;

    private final System.Logger logger;
    private final int linesPerSecond;
    private long windowStartNanos = Long.MIN_VALUE;
    private int linesInWindow;
    private long suppressed;

    public RateLimitedLog(System.Logger logger, int linesPerSecond) {
        if (linesPerSecond < 1) {
            throw new IllegalArgumentException("linesPerSecond must be >= 1, was " + linesPerSecond);
        }
        this.logger = logger;
        this.linesPerSecond = linesPerSecond;
    }

    /** Logs {@code message} (a plain string, already formatted) unless this second's lines are spent. */
    public void log(System.Logger.Level level, String message) {
        long dropped;
        synchronized (this) {
            long now = System.nanoTime();
            if (windowStartNanos == Long.MIN_VALUE || now - windowStartNanos >= SECOND_NANOS) {
                windowStartNanos = now;
                linesInWindow = 0;
            }
            if (linesInWindow >= linesPerSecond) {
                suppressed++;
                return;
            }
            linesInWindow++;
            dropped = suppressed;
            suppressed = 0;
        }
        logger.log(level, dropped == 0 ? message : message + " (" + dropped + " similar lines left out before this one)");
    }

    /** How many lines were left out since the last one written (for tests and metrics). */
    public synchronized long suppressed() {
        return suppressed;
    }
}
