package io.credence.market.contract;

/**
 * What a relay provides.
 * Wire codes are fixed: new constants are appended, never renumbered.
 */
public enum ResourceType implements WireCode {
    /** A bandwidth in kbit/s, held for the period. */
    BANDWIDTH_KBPS(1),
    /** A volume of data in bytes, usable within the period. */
    DATA_BYTES(2);

    private final int code;

    ResourceType(int code) {
        this.code = code;
    }

    @Override
    public int code() {
        return code;
    }
}
