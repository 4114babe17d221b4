package io.credence.market.trade;

/** The contract log cannot take the entry now: nothing was appended; the edge answers 503. */
public final class MarketUnavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MarketUnavailable(String message) {
        super(message);
    }
}
