package io.credence.market.contract;

/**
 * How a relay service ended; decides which rule of {@link Fees} applies.
 * Wire codes are fixed: new constants are appended, never renumbered.
 */
public enum Termination implements WireCode {
    /** Ran the whole contracted period: the contract fee. */
    COMPLETED(1),
    /** The provider stopped early: a negotiated fee, at most the contract fee. */
    PROVIDER_EARLY(2),
    /** The buyer stopped early: the fee pro rata to the time used. */
    BUYER_EARLY(3);

    private final int code;

    Termination(int code) {
        this.code = code;
    }

    @Override
    public int code() {
        return code;
    }
}
