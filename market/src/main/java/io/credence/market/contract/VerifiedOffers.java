package io.credence.market.contract;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Offer signatures their holder has verified itself. Many contracts are made from one offer, and
 * a validator (or the market's own check) would otherwise verify the same offer signature once per
 * contract. What is remembered is the exact triple entry hash, key, signature: any other offer,
 * key or signature bytes is verified afresh, so the memo can only save work, never vouch for
 * something unchecked. Bounded, least recently used forgotten first; safe for concurrent use.
 */
public final class VerifiedOffers {
    /** Enough for every live offer a busy market has at once; a forgotten one is verified again. */
    public static final int CAPACITY_DEFAULT = 4_096;

    private final int capacity;
    private final Map<ByteBuffer, Boolean> verified;

    public VerifiedOffers(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
        this.verified = new LinkedHashMap<>(16, 0.75f, true);
    }

    /** Whether {@code signature} over the offer with {@code offerHash} verifies: remembered, or checked now. */
    boolean verifies(byte[] offerHash, byte[] offerBytes, Signature signature) {
        ByteBuffer key = ByteBuffer.allocate(offerHash.length + Ed25519.PUBLIC_KEY_BYTES + Ed25519.SIGNATURE_BYTES)
                .put(offerHash).put(signature.publicKey()).put(signature.signature()).flip();
        synchronized (verified) {
            if (verified.get(key) != null) {
                return true;
            }
        }
        if (!signature.verifies(offerBytes)) {
            return false; // a bad signature is not remembered: it costs its sender the work each time
        }
        synchronized (verified) {
            verified.put(key, Boolean.TRUE);
            if (verified.size() > capacity) {
                var eldest = verified.keySet().iterator();
                eldest.next();
                eldest.remove();
            }
        }
        return true;
    }

    int size() {
        synchronized (verified) {
            return verified.size();
        }
    }
}
