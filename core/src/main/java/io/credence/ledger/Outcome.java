package io.credence.ledger;

import java.util.List;

/** What the ledger answered. Every rejection is a value too (see {@link Rejection}). */
public sealed interface Outcome permits Outcome.AccountCreated, Outcome.AccountUpdated, Outcome.ToppedUp,
        Outcome.Transferred, Outcome.Reserved, Outcome.Committed, Outcome.Released, Outcome.LinkedApplied,
        Outcome.IdentityBound, Outcome.IdentityUnbound, Outcome.Advanced, Rejection {

    default boolean accepted() {
        return !(this instanceof Rejection);
    }

    record AccountCreated(String accountId) implements Outcome {}

    record AccountUpdated(String accountId, AccountStatus status) implements Outcome {}

    /** {@code bucketId} is the bucket credited (the main balance's id when no bucket was asked for). */
    record ToppedUp(long transferSeq, long bucketId) implements Outcome {}

    record Transferred(long transferSeq) implements Outcome {}

    record Reserved(long reservationId, long amount, long expiresAtMillis) implements Outcome {}

    /**
     * {@code committed} was charged ({@code overdraft} of it above the reservation), {@code released}
     * returned to the account; {@code transferSeq} is 0 when nothing was charged.
     */
    record Committed(long reservationId, long committed, long released, long overdraft, long transferSeq)
            implements Outcome {}

    record Released(long reservationId, long released) implements Outcome {}

    /** The identity is bound to {@code accountId} (also when it already was). */
    record IdentityBound(IdentityType type, String value, String accountId) implements Outcome {}

    /** The identity was bound to {@code accountId} and is now free. */
    record IdentityUnbound(IdentityType type, String value, String accountId) implements Outcome {}

    /** The stream of {@code accountId} is now at {@code seq}, and {@code total} is its running total. */
    record Advanced(String accountId, String stream, long seq, long total) implements Outcome {}

    record LinkedApplied(List<Outcome> steps) implements Outcome {
        public LinkedApplied {
            steps = List.copyOf(steps);
        }
    }
}
