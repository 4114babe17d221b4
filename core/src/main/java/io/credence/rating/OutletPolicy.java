package io.credence.rating;

/**
 * Whether a call may be routed out through an outlet (an outgoing trunk) given the caller's
 * available resource: NO_CHECK routes whatever the balance, CHECK only when what the caller has
 * available exceeds {@code threshold} (in the unit of the service's tariff, or money).
 */
public sealed interface OutletPolicy {
    record NoCheck() implements OutletPolicy {}

    record Check(long threshold) implements OutletPolicy {
        public Check {
            if (threshold < 0) {
                throw new IllegalArgumentException("threshold must be >= 0");
            }
        }
    }

    /** Whether a caller with {@code available} may be routed out. */
    default boolean allows(long available) {
        return switch (this) {
            case NoCheck n -> true;
            case Check c -> available > c.threshold();
        };
    }
}
