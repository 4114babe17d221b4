package io.credence.ledger;

/**
 * A bucket as seen from outside. {@code available} is what a new reservation could take now
 * (for the main balance, including the credit limit; 0 when the bucket is not yet or no longer valid).
 */
public record BucketView(long bucketId, Unit unit, long amount, long reserved, long available,
                         long validFromMillis, long validUntilMillis, int priority, ServiceFilter services,
                         boolean main) {}
