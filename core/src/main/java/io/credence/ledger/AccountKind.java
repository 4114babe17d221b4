package io.credence.ledger;

/** Who holds an account. System accounts issue value (top-ups) and may go negative without limit. */
public enum AccountKind {
    SUBSCRIBER,
    OPERATOR,
    PROVIDER,
    SYSTEM
}
