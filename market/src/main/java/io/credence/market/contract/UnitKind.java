package io.credence.market.contract;

/**
 * The non-money units a fee may be paid in.
 * Wire codes are fixed: new constants are appended, never renumbered.
 */
public enum UnitKind implements WireCode {
    /** Operator bonus credit. */
    BONUS_CREDIT(1),
    /** Free call minutes. */
    FREE_MINUTES(2),
    /** A data pack. */
    DATA_PACK(3);

    private final int code;

    UnitKind(int code) {
        this.code = code;
    }

    @Override
    public int code() {
        return code;
    }
}
