package io.credence.ledger;

/** Life of a reservation: it is OPEN until exactly one of the three closing events happens. */
public enum ReservationStatus {
    OPEN,
    COMMITTED,
    RELEASED,
    EXPIRED
}
