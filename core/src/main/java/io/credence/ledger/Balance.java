package io.credence.ledger;

/**
 * An account's totals for one unit. {@code total} may be negative when the account used its
 * credit limit; {@code available} counts only buckets valid now, plus the credit limit.
 */
public record Balance(Unit unit, long total, long reserved, long available, long creditLimit) {}
