package io.credence.nchf;

import io.credence.diameter.cc.CreditControlConfig;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The CC-Request-Number of every open ChargingDataRef, assigned here instead of being taken from
 * invocationSequenceNumber. Consumers do not number their requests reliably: free5GC's SMF sends
 * 0 in every create, update and release, and a CC-Request-Number repeated is a Diameter
 * retransmission, which the credit-control server answers with its first answer and charges
 * nothing. So the create is 0 and each new update or release the next number; a retry gets the
 * number of the request it repeats, so the credit-control server answers it with its first answer.
 *
 * <p>A request is a retry of the last one when its body is the same (canonically: member order,
 * spacing and retransmissionIndicator aside, see {@link CanonicalJson}) or when it says
 * {@code retransmissionIndicator: true} with the last one's invocationSequenceNumber. A number
 * repeated with another body is a new request. (An indicated retransmission with another number
 * repeats a request that never arrived, so it is new too.)
 *
 * <p>Bounded: at most {@link Limits#refsMax()} refs; past that a new one is refused (503
 * NF_CONGESTION). An entry goes {@link Limits#retentionMillis()} after its release (long enough
 * for a lost 204 to be retried), or {@link Limits#idleMillis()} after its last request when no
 * more come (its grants have lapsed by then). Each request of one ref is numbered and handed to
 * the credit-control server under the entry's lock, so they reach it in the order they were numbered.
 *
 * <p>The table lives in memory only: after a server restart it is empty (sessions will become
 * journaled state later). An update or release whose ref is not in the table is numbered from the
 * clock's seconds since the epoch, above any number used before the restart, so it can neither
 * replay an earlier answer nor meet the ledger step ids of an earlier request of the session.
 */
final class ChargingRefs {
    /** CC-Request-Number is Unsigned32. */
    static final long NUMBER_MAX = 0xFFFF_FFFFL;
    /**
     * How often table upkeep runs at most when the table is not full: it scans every entry on the
     * thread of the request that finds it due, and entries live minutes, so seconds late is fine.
     */
    private static final long SWEEP_EVERY_MILLIS = 10_000;
    /** How often a full table is swept at most: a flood of new refs must not buy a full scan each. */
    private static final long FULL_SWEEP_EVERY_MILLIS = 100;

    /**
     * @param refsMax         refs held at once (open sessions and released ones kept for retries)
     * @param retentionMillis how long a released ref is kept, for retries of the release
     * @param idleMillis      how long a ref with no requests is kept: its grants lapse by then
     */
    record Limits(int refsMax, long retentionMillis, long idleMillis) {
        Limits {
            if (refsMax < 1 || retentionMillis < 0 || idleMillis < 0) {
                throw new IllegalArgumentException("refsMax >= 1, retentionMillis and idleMillis >= 0");
            }
        }

        /**
         * The credit-control server's own bounds: as many refs as it keeps sessions, released ones
         * as long as it keeps finished sessions' answers, idle ones until a grant's validity and grace are over.
         */
        static Limits of(CreditControlConfig config) {
            return new Limits(config.sessionsMax(), config.closedRetentionSeconds() * 1000L,
                    (config.validityTimeSeconds() + (long) config.graceSeconds()) * 1000L);
        }
    }

    /** The table holds {@link Limits#refsMax()} refs, none of them due to go. */
    static final class Full extends Exception {
        private static final long serialVersionUID = 1L;

        Full(int max) {
            super("charging data table is full (" + max + " refs)", null, false, false);
        }
    }

    /** What a request is numbered: its CC-Request-Number, and whether it repeats the last request. */
    record Numbered(long number, boolean retry, boolean sequenceReused) {}

    /** One ref; every field guarded by the entry itself. */
    static final class Entry {
        final String ref;
        private long lastNumber = -1;
        private long lastSequence = -1;
        private byte[] lastDigest;
        private long expiresAt;
        private boolean released;
        private int inFlight;
        private boolean gone;

        private Entry(String ref, long expiresAt) {
            this.ref = ref;
            this.expiresAt = expiresAt;
        }

        /**
         * Numbers a request of this ref. A create's ref is the digest of its body, so a create that
         * finds its entry is the same create again: a retry while it is still the last request, and
         * refused (null) once updates followed, since its answer is no longer kept.
         *
         * @param restartBase the first number of an update or release whose ref was not in the table
         * @return null for a create that came after its session moved on
         */
        synchronized Numbered number(boolean create, byte[] digest, long sequence, boolean retransmission,
                                     long restartBase) {
            if (lastNumber >= 0 && (Arrays.equals(digest, lastDigest) || (retransmission && sequence == lastSequence))) {
                return create && lastNumber != 0 ? null : new Numbered(lastNumber, true, false);
            }
            if (create && lastNumber >= 0) {
                return null;
            }
            boolean reused = lastNumber >= 0 && sequence == lastSequence;
            long next = lastNumber < 0 ? (create ? 0 : restartBase) : lastNumber + 1;
            if (next > NUMBER_MAX) {
                throw new RequestReader.Invalid(NchfProblem.of(400, "CHARGING_FAILED", "charging data " + ref
                        + " has used every CC-Request-Number; release it and create another"));
            }
            lastNumber = next;
            lastSequence = sequence;
            lastDigest = digest;
            return new Numbered(next, false, reused);
        }

        /** The ref's session is over: kept {@code retentionMillis} more for retries, then dropped. */
        synchronized void released(long now, long retentionMillis) {
            released = true;
            expiresAt = now + retentionMillis;
        }

        /** A request was answered and the session goes on: the ref stays while its grants can be valid. */
        synchronized void touched(long now, long idleMillis) {
            if (!released) {
                expiresAt = now + idleMillis;
            }
        }

        /** The credit-control server knows no such session: nothing to keep, the next sweep drops it. */
        synchronized void unknown(long now) {
            expiresAt = now;
        }

        synchronized long lastNumber() {
            return lastNumber;
        }
    }

    private final Limits limits;
    private final LongSupplier clock;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicLong lastSweep = new AtomicLong(Long.MIN_VALUE / 2);

    /** @param clock milliseconds since the epoch */
    ChargingRefs(Limits limits, LongSupplier clock) {
        this.limits = limits;
        this.clock = clock;
    }

    Limits limits() {
        return limits;
    }

    long now() {
        return clock.getAsLong();
    }

    int size() {
        return size.get();
    }

    /** The first number of an update or release of a ref not in the table (see the class comment). */
    long restartBase() {
        return Math.min(Math.max(1, now() / 1000), NUMBER_MAX);
    }

    /**
     * The ref's entry, made when absent, marked in use until {@link #leave}: an entry in use is
     * never swept away under its request.
     */
    Entry enter(String ref) throws Full {
        long now = now();
        if (now - lastSweep.get() >= SWEEP_EVERY_MILLIS) {
            sweep(now, SWEEP_EVERY_MILLIS);
        }
        while (true) {
            Entry e = entries.get(ref);
            if (e == null) {
                e = add(ref, now);
            }
            synchronized (e) {
                if (!e.gone) {
                    e.inFlight++;
                    return e;
                }
            }
            // swept away between the look-up and the lock: look again
        }
    }

    void leave(Entry e) {
        synchronized (e) {
            e.inFlight--;
        }
    }

    private Entry add(String ref, long now) throws Full {
        if (size.incrementAndGet() > limits.refsMax()) {
            size.decrementAndGet();
            sweep(now, FULL_SWEEP_EVERY_MILLIS);
            if (size.incrementAndGet() > limits.refsMax()) {
                size.decrementAndGet();
                throw new Full(limits.refsMax());
            }
        }
        Entry fresh = new Entry(ref, now + limits.idleMillis());
        Entry raced = entries.putIfAbsent(ref, fresh);
        if (raced != null) {
            size.decrementAndGet();
            return raced;
        }
        return fresh;
    }

    /** Drops every entry that is due and not in use; runs at most once per {@code every} milliseconds. */
    private void sweep(long now, long every) {
        long last = lastSweep.get();
        if (now - last < every || !lastSweep.compareAndSet(last, now)) {
            return; // swept a moment ago, or another thread is sweeping now
        }
        for (Entry e : entries.values()) {
            synchronized (e) {
                if (e.inFlight == 0 && !e.gone && now >= e.expiresAt) {
                    e.gone = true;
                    entries.remove(e.ref, e);
                    size.decrementAndGet();
                }
            }
        }
    }
}
