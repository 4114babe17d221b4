package io.credence.ledger;

import java.util.function.Supplier;

/**
 * The always-on assertion of the ledger's invariants: a broken invariant is a programmer error,
 * so it stops the ledger rather than answering a rejection. Kept on without {@code -ea}.
 */
final class LedgerInvariants {
    private LedgerInvariants() {}

    static void check(boolean condition, String invariant) {
        if (!condition) {
            throw new IllegalStateException("ledger invariant broken: " + invariant);
        }
    }

    /** As {@link #check(boolean, String)}, describing the invariant only when it is broken (hot loops). */
    static void check(boolean condition, Supplier<String> invariant) {
        if (!condition) {
            throw new IllegalStateException("ledger invariant broken: " + invariant.get());
        }
    }
}
