package io.credence.server;

import io.credence.charging.ChargingResult;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Usage the engine could charge nobody for, counted for the metrics and told in the log (at most
 * a line every few seconds; the usage records hold each one whose subscriber is known).
 */
final class UnrecoveredUsage implements Consumer<ChargingResult.Unrecovered> {
    private static final System.Logger LOG = System.getLogger(UnrecoveredUsage.class.getName());
    private static final long LOG_EVERY_NANOS = 5_000_000_000L;

    private final AtomicLong reports = new AtomicLong();
    private final AtomicLong units = new AtomicLong();
    private long loggedAt = System.nanoTime() - LOG_EVERY_NANOS;
    private long unlogged;

    @Override
    public void accept(ChargingResult.Unrecovered u) {
        reports.incrementAndGet();
        units.addAndGet(u.amount());
        // called on the engine's writer thread only, so the log bookkeeping needs no lock
        long now = System.nanoTime();
        if (now - loggedAt < LOG_EVERY_NANOS) {
            unlogged++;
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "usage not charged: {0} {1} of {2}: {3}{4}", u.amount(), u.unit(),
                u.accountId() == null ? "an unknown subscriber" : u.accountId(), u.reason(),
                unlogged == 0 ? "" : " (" + unlogged + " more since the last such line)");
        loggedAt = now;
        unlogged = 0;
    }

    long reports() {
        return reports.get();
    }

    long units() {
        return units.get();
    }
}
