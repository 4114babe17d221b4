package io.credence.ledger;

/**
 * One double-entry movement: {@code amount} of {@code unit} left {@code fromAccountId} and
 * arrived at {@code toAccountId}. {@code overdraft} is the part of a commit above its reservation;
 * {@code reservationId} and {@code bucketId} are 0 when not applicable.
 */
public record TransferRecord(long seq, TransferKind kind, String fromAccountId, String toAccountId, Unit unit,
                             long amount, long overdraft, long reservationId, long bucketId, long atMillis,
                             String requestId) {}
