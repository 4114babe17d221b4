package io.credence.market.trade;

/**
 * The market cannot take the request now (its contract log is busy or failed, or on a node of a
 * Raft group, the market is not open here yet): nothing was appended; the edge answers 503.
 */
public final class MarketUnavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MarketUnavailable(String message) {
        super(message);
    }
}
