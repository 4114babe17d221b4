package io.credence.market.contract;

/**
 * Who buys, which decides whose terminal gets the resource (see {@link ContractRules}).
 * Wire codes are fixed: new constants are appended, never renumbered.
 */
public enum BuyerType implements WireCode {
    /** A terminal buying for itself. */
    PERSONAL(1),
    /** An operator buying for one of its subscribers' terminals. */
    OPERATOR(2);

    private final int code;

    BuyerType(int code) {
        this.code = code;
    }

    @Override
    public int code() {
        return code;
    }
}
