package io.credence.ledger;

/**
 * The shape of a new bucket: when it may be used ({@code validFromMillis} inclusive,
 * {@code validUntilMillis} exclusive, epoch milliseconds), its consumption priority (higher is
 * used first) and the services it pays for.
 */
public record BucketSpec(long validFromMillis, long validUntilMillis, int priority, ServiceFilter services) {
    public static final long FOREVER = Long.MAX_VALUE;

    public BucketSpec {
        if (validFromMillis < 0) {
            throw new IllegalArgumentException("validFromMillis must be >= 0");
        }
        if (validUntilMillis <= validFromMillis) {
            throw new IllegalArgumentException("validUntilMillis must be after validFromMillis");
        }
        if (priority == Integer.MIN_VALUE) {
            throw new IllegalArgumentException("priority Integer.MIN_VALUE is kept for main balances");
        }
        if (services == null) {
            throw new IllegalArgumentException("services must not be null");
        }
    }

    public static BucketSpec unlimited(int priority, ServiceFilter services) {
        return new BucketSpec(0, FOREVER, priority, services);
    }
}
