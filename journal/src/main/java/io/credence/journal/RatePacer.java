package io.credence.journal;

import java.io.InterruptedIOException;

/**
 * Holds a reader to an average rate: after each read it sleeps until the bytes read so far are
 * no more than {@code bytesPerSecond} times the time since it started. Reads stay whole (up to the
 * scanner's 2 MiB window), so the disk sees a few large reads a second rather than a stream of
 * small ones; the sleeps between them leave it to the writer.
 */
final class RatePacer implements SegmentScanner.ReadPacer {
    private final long bytesPerSecond;
    private final long startedNanos = System.nanoTime();
    private long bytes;

    /** @param bytesPerSecond the average rate; {@link Long#MAX_VALUE} for no bound */
    RatePacer(long bytesPerSecond) {
        if (bytesPerSecond < 1) {
            throw new IllegalArgumentException("bytesPerSecond must be >= 1, was " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
    }

    @Override
    public void read(int n) throws InterruptedIOException {
        if (bytesPerSecond == Long.MAX_VALUE) {
            return;
        }
        bytes += n;
        // a double: bytes * 1e9 overflows a long past 9 GB
        long dueNanos = (long) (bytes * 1e9 / bytesPerSecond);
        long aheadNanos = dueNanos - (System.nanoTime() - startedNanos);
        if (aheadNanos <= 0) {
            return;
        }
        try {
            Thread.sleep(aheadNanos / 1_000_000, (int) (aheadNanos % 1_000_000));
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
            InterruptedIOException stopped = new InterruptedIOException("journal verification stopped");
            stopped.initCause(stopping);
            throw stopped;
        }
    }
}
