package io.credence.devices;

/** The ledger cannot take work now (busy, stopped, too slow): nothing was acknowledged; the edge answers 503. */
public final class LedgerUnavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean busy;

    LedgerUnavailable(String message, boolean busy) {
        super(message);
        this.busy = busy;
    }

    /** True for back-pressure (retry shortly), false for a writer that stopped or failed. */
    public boolean busy() {
        return busy;
    }
}
