package io.credence.ledger;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * An account's mutable state, owned by the {@link Ledger} thread. Kept small on purpose: a
 * million accounts with two buckets each should fit in about 300 MB of heap.
 */
final class Account {
    /** Sequence streams per account: one per SIM or device reporting usage, so a handful. */
    static final int STREAMS_MAX = 16;
    private static final Bucket[] NO_BUCKETS = new Bucket[0];

    final String id;
    final AccountKind kind;
    AccountStatus status = AccountStatus.ACTIVE;
    /** Indexed by unit ordinal; null while every limit is zero. */
    private long[] creditLimits;
    /** Kept sorted in consumption order ({@link Bucket#compareForConsumption}). */
    Bucket[] buckets = NO_BUCKETS;
    /** Newest transfer touching this account, the head of its chain in the transfer log; 0 if none. */
    long lastTransferSeq;
    /**
     * Identities bound to this account, in the order they were bound; null while there are none.
     * A list, not a set: an account has a handful, and the ledger's own map answers "is it bound".
     */
    private ArrayList<SubscriberIdentity> identities;
    /**
     * Sequence streams in the order they were first advanced; null while there are none, which
     * is most accounts. A plain array, searched linearly: at most {@link #STREAMS_MAX}.
     */
    private SequenceStream[] streams;

    Account(String id, AccountKind kind) {
        this.id = id;
        this.kind = kind;
    }

    long creditLimit(Unit unit) {
        if (kind == AccountKind.SYSTEM) {
            return Long.MAX_VALUE;
        }
        return creditLimits == null ? 0 : creditLimits[unit.ordinal()];
    }

    void setCreditLimits(Map<Unit, Long> limits) {
        long[] next = new long[Unit.count()];
        boolean any = false;
        for (Map.Entry<Unit, Long> e : limits.entrySet()) {
            next[e.getKey().ordinal()] = e.getValue();
            any |= e.getValue() != 0;
        }
        creditLimits = any ? next : null;
    }

    Map<Unit, Long> creditLimitMap() {
        Map<Unit, Long> map = new EnumMap<>(Unit.class);
        if (creditLimits != null) {
            for (Unit unit : Unit.values()) {
                if (creditLimits[unit.ordinal()] != 0) {
                    map.put(unit, creditLimits[unit.ordinal()]);
                }
            }
        }
        return map;
    }

    Bucket main(Unit unit) {
        for (int i = buckets.length - 1; i >= 0; i--) {
            Bucket b = buckets[i];
            if (!b.isMain()) {
                return null;
            }
            if (b.unit == unit) {
                return b;
            }
        }
        return null;
    }

    Bucket bucket(long bucketId) {
        for (Bucket b : buckets) {
            if (b.id == bucketId) {
                return b;
            }
        }
        return null;
    }

    int nonMainBucketCount() {
        int n = 0;
        for (Bucket b : buckets) {
            n += b.isMain() ? 0 : 1;
        }
        return n;
    }

    void addBucket(Bucket bucket) {
        int at = 0;
        while (at < buckets.length && Bucket.compareForConsumption(buckets[at], bucket) < 0) {
            at++;
        }
        Bucket[] next = new Bucket[buckets.length + 1];
        System.arraycopy(buckets, 0, next, 0, at);
        next[at] = bucket;
        System.arraycopy(buckets, at, next, at + 1, buckets.length - at);
        buckets = next;
    }

    void removeBucket(Bucket bucket) {
        int at = Arrays.asList(buckets).indexOf(bucket);
        if (at < 0) {
            throw new IllegalStateException("bucket " + bucket.id + " is not on account " + id);
        }
        Bucket[] next = new Bucket[buckets.length - 1];
        System.arraycopy(buckets, 0, next, 0, at);
        System.arraycopy(buckets, at + 1, next, at, buckets.length - at - 1);
        buckets = next;
    }

    void addIdentity(SubscriberIdentity identity) {
        if (identities == null) {
            identities = new ArrayList<>(2);
        }
        identities.add(identity);
    }

    void removeIdentity(SubscriberIdentity identity) {
        if (identities == null || !identities.remove(identity)) {
            throw new IllegalStateException("identity " + identity + " is not on account " + id);
        }
        if (identities.isEmpty()) {
            identities = null;
        }
    }

    /** A copy: the list leaves the ledger thread. */
    List<SubscriberIdentity> identities() {
        return identities == null ? List.of() : List.copyOf(identities);
    }

    SequenceStream stream(String name) {
        if (streams != null) {
            for (SequenceStream s : streams) {
                if (s.name.equals(name)) {
                    return s;
                }
            }
        }
        return null;
    }

    int streamCount() {
        return streams == null ? 0 : streams.length;
    }

    /** The streams themselves, in the order they were added; for the snapshot and the invariant check. */
    List<SequenceStream> streams() {
        return streams == null ? List.of() : Arrays.asList(streams);
    }

    void addStream(SequenceStream stream) {
        if (stream(stream.name) != null) {
            throw new IllegalStateException("stream " + stream.name + " is already on account " + id);
        }
        int n = streamCount();
        SequenceStream[] next = new SequenceStream[n + 1];
        if (n > 0) {
            System.arraycopy(streams, 0, next, 0, n);
        }
        next[n] = stream;
        streams = next;
    }

    /** Takes back the newest {@link #addStream}: only a linked chain's rollback removes a stream. */
    void removeLastStream(SequenceStream stream) {
        int n = streamCount();
        if (n == 0 || streams[n - 1] != stream) {
            throw new IllegalStateException("stream " + stream.name + " is not the newest on account " + id);
        }
        streams = n == 1 ? null : Arrays.copyOf(streams, n - 1);
    }

    /** What a debit of {@code unit} for {@code service} could take now, credit limit included. */
    long available(Unit unit, ServiceRef service, long nowMillis) {
        long total = 0;
        long reserved = 0;
        boolean sawMain = false;
        for (Bucket b : buckets) {
            if (b.unit == unit) {
                total = Bucket.saturatedAdd(total, b.available(nowMillis, service, creditLimit(unit)));
                reserved += b.reserved;
                sawMain |= b.isMain();
            }
        }
        long available = sawMain ? total : Bucket.saturatedAdd(total, creditLimit(unit));
        // With a credit limit near Long.MAX_VALUE, the holds of one unit must still add up to a long.
        return Math.min(available, Long.MAX_VALUE - reserved);
    }

    long total(Unit unit) {
        long total = 0;
        for (Bucket b : buckets) {
            if (b.unit == unit) {
                total += b.amount;
            }
        }
        return total;
    }
}
