package io.credence.market.contract;

/**
 * An enum constant's one-byte code in the canonical encoding. Explicit rather than the ordinal,
 * so reordering or inserting constants cannot silently change signed bytes: codes are only ever
 * appended.
 */
public interface WireCode {
    int code();
}
