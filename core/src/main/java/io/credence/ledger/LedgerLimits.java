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
 * @param identitiesMax            subscriber identities bound, over all accounts
 */
public record LedgerLimits(int accountsMax, int bucketsPerAccountMax, int reservationsMax,
                           long reservationTtlMaxMillis, int requestIdsMax, long requestIdRetentionMillis,
                           int transfersRetainedMax, int identitiesMax) {

    /**
     * Identities per account when not given: a subscriber typically has an MSISDN, an IMSI, a SIP
     * URI and an NAI, and a shared (family, fleet) account borrows the room of the others.
     */
    public static final int IDENTITIES_PER_ACCOUNT_DEFAULT = 4;

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
        requireAtLeast(identitiesMax, 1, "identitiesMax");
    }

    /** Limits with {@link #IDENTITIES_PER_ACCOUNT_DEFAULT} identities per account allowed. */
    public LedgerLimits(int accountsMax, int bucketsPerAccountMax, int reservationsMax, long reservationTtlMaxMillis,
                        int requestIdsMax, long requestIdRetentionMillis, int transfersRetainedMax) {
        this(accountsMax, bucketsPerAccountMax, reservationsMax, reservationTtlMaxMillis, requestIdsMax,
                requestIdRetentionMillis, transfersRetainedMax,
                (int) Math.min(Integer.MAX_VALUE, (long) IDENTITIES_PER_ACCOUNT_DEFAULT * accountsMax));
    }

    private static void requireAtLeast(long value, long min, String name) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + ", was " + value);
        }
    }
}
