package io.credence.ledger;

/** Why value moved between two accounts. */
public enum TransferKind {
    /** From a system account into a subscriber's main balance or a new bucket. */
    TOP_UP,
    /** A direct transfer between two accounts. */
    TRANSFER,
    /** Settlement of a reservation (possibly with an explicit overdraft above it). */
    COMMIT,
    /** The remainder of an expired bucket returned to the system account that issued value. */
    BUCKET_EXPIRY
}
