package io.credence.market.log;

/**
 * Always-on assertions (they do not depend on {@code -ea}): a broken invariant is a bug in this
 * package, and carrying on would write or sign a wrong log.
 */
final class Check {
    private Check() {
    }

    /** An invariant of this package's own state. */
    static void state(boolean condition, String invariant) {
        if (!condition) {
            throw new IllegalStateException("merkle log invariant broken: " + invariant);
        }
    }

    /** A precondition a caller inside the process must meet (not for attacker input). */
    static void argument(boolean condition, String requirement) {
        if (!condition) {
            throw new IllegalArgumentException(requirement);
        }
    }
}
