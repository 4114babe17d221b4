package io.credence.market.contract;

/**
 * Bytes that are not the canonical encoding of an entry: truncated, trailing bytes, an unknown
 * tag or code, an over-long field, text that is not strict UTF-8, or values a record refuses.
 * The message names the field and what was wrong, so the edge can answer it as it is.
 */
public final class CanonicalFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CanonicalFormatException(String message) {
        // No stack trace: this is an answer to bad input, not a bug to debug.
        super(message, null, false, false);
    }
}
