package io.credence.ledger;

/**
 * An open reservation: what it holds, and in which buckets. The holds are taken in the
 * account's consumption order, so a commit consumes the same buckets first.
 */
final class Reservation {
    final long id;
    final Account account;
    final Account counterparty;
    final Unit unit;
    final long amount;
    final ServiceRef service;
    final long expiresAtMillis;
    final Bucket[] holdBuckets;
    final long[] holdAmounts;
    /** What the hold is for (see {@link Operation.Reserve#tag()}), or null. */
    final String tag;

    Reservation(long id, Account account, Account counterparty, Unit unit, long amount, ServiceRef service,
                long expiresAtMillis, Bucket[] holdBuckets, long[] holdAmounts, String tag) {
        this.id = id;
        this.account = account;
        this.counterparty = counterparty;
        this.unit = unit;
        this.amount = amount;
        this.service = service;
        this.expiresAtMillis = expiresAtMillis;
        this.holdBuckets = holdBuckets;
        this.holdAmounts = holdAmounts;
        this.tag = tag;
    }

    ReservationView view() {
        return new ReservationView(id, ReservationStatus.OPEN, account.id, counterparty.id, unit, amount, service,
                expiresAtMillis, 0);
    }
}
