package io.credence.ledger;

/**
 * Every table the ledger keeps has a bound. Passing one is a {@link Rejection.LimitExceeded}
 * answer, never growth.
 *
 * @param accountsMax              accounts, system accounts included
 * @param bucketsPerAccountMax     buckets on one account, main balances included
 * @param reservationsMax          open reservations in the whole ledger
 * @param reservationTtlMaxMillis  how far ahead a reservation may expire
 * @param requestIdsMax            remembered request ids (the idempotency table)
 * @param requestIdRetentionMillis how long a request id is remembered; a retry later than this
 *                                 is a new request
 * @param transfersRetainedMax     transfers kept for listing (older ones live only in the journal)
 */
public record LedgerLimits(int accountsMax, int bucketsPerAccountMax, int reservationsMax,
                           long reservationTtlMaxMillis, int requestIdsMax, long requestIdRetentionMillis,
                           int transfersRetainedMax) {

    public static final LedgerLimits DEFAULTS = new LedgerLimits(
            2_000_000, 32, 1_000_000, 24 * 3600_000L, 2_000_000, 15 * 60_000L, 200_000);

    public LedgerLimits {
        requireAtLeast(accountsMax, 1, "accountsMax");
        requireAtLeast(bucketsPerAccountMax, Unit.count() + 1, "bucketsPerAccountMax");
        requireAtLeast(reservationsMax, 1, "reservationsMax");
        requireAtLeast(reservationTtlMaxMillis, 1, "reservationTtlMaxMillis");
        requireAtLeast(requestIdsMax, 1, "requestIdsMax");
        requireAtLeast(requestIdRetentionMillis, 1, "requestIdRetentionMillis");
        requireAtLeast(transfersRetainedMax, 1, "transfersRetainedMax");
    }

    private static void requireAtLeast(long value, long min, String name) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + ", was " + value);
        }
    }
}
