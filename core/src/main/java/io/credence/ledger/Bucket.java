package io.credence.ledger;

/**
 * A balance of one unit on an account. Owned and mutated only by the {@link Ledger} thread.
 * A main bucket (one per unit, created on first use) has no validity window, covers every
 * service, is used last, and is the only one that may go negative (down to the credit limit).
 */
final class Bucket {
    final long id;
    final Unit unit;
    final long validFromMillis;
    final long validUntilMillis;
    final int priority;
    final ServiceFilter services;
    /** Value in the bucket, reserved part included. */
    long amount;
    /** Part of {@link #amount} held by open reservations. */
    long reserved;

    Bucket(long id, Unit unit, long validFromMillis, long validUntilMillis, int priority, ServiceFilter services) {
        this.id = id;
        this.unit = unit;
        this.validFromMillis = validFromMillis;
        this.validUntilMillis = validUntilMillis;
        this.priority = priority;
        this.services = services;
    }

    static Bucket main(long id, Unit unit) {
        return new Bucket(id, unit, 0, BucketSpec.FOREVER, Integer.MIN_VALUE, ServiceFilter.ALL);
    }

    boolean isMain() {
        return priority == Integer.MIN_VALUE;
    }

    boolean validAt(long nowMillis) {
        return validFromMillis <= nowMillis && nowMillis < validUntilMillis;
    }

    boolean expiredAt(long nowMillis) {
        return nowMillis >= validUntilMillis;
    }

    /** What a new hold or debit may take now; for a main bucket the credit limit counts. */
    long available(long nowMillis, ServiceRef service, long creditLimit) {
        if (!validAt(nowMillis) || !services.covers(service)) {
            return 0;
        }
        long free = amount - reserved;
        if (isMain()) {
            free = saturatedAdd(free, creditLimit);
        }
        return Math.max(0, free);
    }

    /** Consumption order: higher priority, then earlier expiry, then older bucket; main last. */
    static int compareForConsumption(Bucket a, Bucket b) {
        if (a.priority != b.priority) {
            return Integer.compare(b.priority, a.priority);
        }
        if (a.validUntilMillis != b.validUntilMillis) {
            return Long.compare(a.validUntilMillis, b.validUntilMillis);
        }
        return Long.compare(a.id, b.id);
    }

    BucketView view(long nowMillis, long creditLimit) {
        return new BucketView(id, unit, amount, reserved, isMain() ? Math.max(0, saturatedAdd(amount - reserved, creditLimit))
                : (validAt(nowMillis) ? amount - reserved : 0), validFromMillis, validUntilMillis,
                isMain() ? 0 : priority, services, isMain());
    }

    static long saturatedAdd(long a, long b) {
        long r = a + b;
        if (((a ^ r) & (b ^ r)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return r;
    }
}
