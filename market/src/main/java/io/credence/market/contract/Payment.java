package io.credence.market.contract;

import java.util.Objects;

/**
 * How a contract's fee is paid. The fee is always stated in money minor units; with
 * {@link Units} the settlement converts it into the buyer's units at the operator's rate, which
 * is the integrator's business, not the contract's.
 */
public sealed interface Payment {
    Money MONEY = new Money();

    /** Wire code, written before the unit kind (if any). */
    int code();

    /** Paid in money. */
    record Money() implements Payment {
        public static final int CODE = 1;

        @Override
        public int code() {
            return CODE;
        }
    }

    /** Paid in non-money units of {@code unitKind}. */
    record Units(UnitKind unitKind) implements Payment {
        public static final int CODE = 2;

        public Units {
            Objects.requireNonNull(unitKind, "unitKind");
        }

        @Override
        public int code() {
            return CODE;
        }
    }
}
