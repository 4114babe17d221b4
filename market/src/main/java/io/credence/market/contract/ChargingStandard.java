package io.credence.market.contract;

/**
 * How the fee of a contract follows from its price (see {@link Fees#expected}).
 * Wire codes are fixed: new constants are appended, never renumbered.
 */
public enum ChargingStandard implements WireCode {
    /** Per 10^6 bytes of data; a started megabyte counts whole. Only for data. */
    PER_MB(1),
    /** Per minute of the contracted period; a started minute counts whole. */
    PER_MINUTE(2),
    /** The price is the fee. */
    FLAT(3);

    private final int code;

    ChargingStandard(int code) {
        this.code = code;
    }

    @Override
    public int code() {
        return code;
    }
}
