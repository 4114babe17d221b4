package io.credence.ledger;

/**
 * What an amount counts. Every amount in Credence is a {@code long} in the unit's smallest step:
 * minor units of the ledger currency (cents), octets, seconds, or service-specific units.
 */
public enum Unit {
    MONEY,
    BYTES,
    SECONDS,
    SERVICE_UNITS;

    private static final Unit[] VALUES = values();

    public static Unit ofOrdinal(int ordinal) {
        if (ordinal < 0 || ordinal >= VALUES.length) {
            throw new IllegalArgumentException("no unit with ordinal " + ordinal);
        }
        return VALUES[ordinal];
    }

    public static int count() {
        return VALUES.length;
    }
}
