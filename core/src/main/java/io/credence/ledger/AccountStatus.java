package io.credence.ledger;

/**
 * ACTIVE accounts may be debited and credited; SUSPENDED accounts may only be credited (top-ups,
 * commits of reservations taken before suspension still settle); CLOSED is terminal.
 */
public enum AccountStatus {
    ACTIVE,
    SUSPENDED,
    CLOSED
}
