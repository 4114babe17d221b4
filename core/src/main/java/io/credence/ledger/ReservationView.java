package io.credence.ledger;

/**
 * A reservation as seen from outside. For a closed reservation only the id, status and
 * {@code closedAtMillis} are kept, so the other fields are empty/zero.
 */
public record ReservationView(long reservationId, ReservationStatus status, String accountId, String counterpartyId,
                              Unit unit, long amount, ServiceRef service, long expiresAtMillis, long closedAtMillis) {}
