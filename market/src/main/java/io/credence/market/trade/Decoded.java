package io.credence.market.trade;

import io.credence.market.contract.CanonicalFormatException;
import io.credence.market.contract.Entry;
import io.credence.market.contract.Signed;

/** A signed entry read from a request, or why it could not be read (the refusal's detail). */
record Decoded<E extends Entry>(Signed<E> signed, String problem) {

    static <E extends Entry> Decoded<E> of(byte[] bytes, Class<E> type, String what) {
        try {
            return new Decoded<>(Signed.decode(bytes, type), null);
        } catch (CanonicalFormatException | ClassCastException | IllegalArgumentException bad) {
            return new Decoded<>(null, "not a signed " + what + ": " + bad.getMessage());
        }
    }
}
