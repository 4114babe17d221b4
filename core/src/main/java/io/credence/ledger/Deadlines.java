package io.credence.ledger;

import java.util.Comparator;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * When open reservations and limited buckets expire, earliest first, so that advancing time
 * touches only what is due. A reservation closed before its deadline leaves its entry behind
 * (removing it from a heap would cost a linear search per commit); the entry is recognised as
 * stale when it comes due, and the queue is compacted once stale entries are the majority.
 */
final class Deadlines {
    /** A reservation's deadline when {@code bucketAccount} is null, else a bucket's on that account. */
    record Deadline(long atMillis, long id, Account bucketAccount) {
        /** Time, then reservations before buckets, then id; written out because it runs log(n) times per reserve. */
        static final Comparator<Deadline> ORDER = (a, b) -> {
            if (a.atMillis != b.atMillis) {
                return Long.compare(a.atMillis, b.atMillis);
            }
            boolean aBucket = a.bucketAccount != null;
            boolean bBucket = b.bucketAccount != null;
            if (aBucket != bBucket) {
                return aBucket ? 1 : -1;
            }
            return Long.compare(a.id, b.id);
        };
    }

    private static final int STALE_DEADLINES_COMPACT_MIN = 4096;

    private final PriorityQueue<Deadline> queue = new PriorityQueue<>(Deadline.ORDER);
    private int staleCount;

    void addReservation(Reservation r) {
        queue.add(new Deadline(r.expiresAtMillis, r.id, null));
    }

    void addBucket(Account account, Bucket bucket) {
        queue.add(new Deadline(bucket.validUntilMillis, bucket.id, account));
    }

    /** The earliest deadline at or before {@code targetMillis}, taken off the queue; null when none is due. */
    Deadline pollDueBy(long targetMillis) {
        if (queue.isEmpty() || queue.peek().atMillis() > targetMillis) {
            return null;
        }
        return queue.poll();
    }

    /** A reservation closed before its deadline: its entry is now stale. */
    void reservationClosedEarly() {
        staleCount++;
    }

    /** A stale entry came due and was dropped. */
    void staleEntryPassed() {
        staleCount = Math.max(0, staleCount - 1);
    }

    /**
     * Drops the stale reservation entries once they outnumber the live ones. Never inside a linked
     * chain: a reservation closed there may be reopened by the rollback, and would lose its deadline.
     */
    void compactIfMostlyStale(Map<Long, Reservation> open) {
        if (staleCount > STALE_DEADLINES_COMPACT_MIN && staleCount * 2 > queue.size()) {
            queue.removeIf(d -> d.bucketAccount() == null && !open.containsKey(d.id()));
            staleCount = 0;
        }
    }

    /** Rebuilds the queue from the state alone (after a snapshot is read): no entry is stale then. */
    void restore(Map<Long, Reservation> open, Map<String, Account> accounts) {
        queue.clear();
        staleCount = 0;
        for (Reservation r : open.values()) {
            addReservation(r);
        }
        for (Account account : accounts.values()) {
            for (Bucket b : account.buckets) {
                if (b.validUntilMillis != BucketSpec.FOREVER) {
                    addBucket(account, b);
                }
            }
        }
    }
}
