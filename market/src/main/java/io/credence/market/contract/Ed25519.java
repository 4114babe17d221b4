package io.credence.market.contract;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * Ed25519 (RFC 8032, pure, no context) on raw 32-byte keys, through BouncyCastle's low-level
 * implementation: no JCA provider lookup, no ASN.1 key wrapping, no per-call object graph, which
 * is what makes it the fast path.
 *
 * <p>Counts every signature made and every signature checked, process-wide, so a benchmark can
 * report the signature work per contract (two party signatures, N validator co-signatures, and
 * every check along the way).
 */
public final class Ed25519 {
    public static final int SEED_BYTES = org.bouncycastle.math.ec.rfc8032.Ed25519.SECRET_KEY_SIZE;
    public static final int PUBLIC_KEY_BYTES = org.bouncycastle.math.ec.rfc8032.Ed25519.PUBLIC_KEY_SIZE;
    public static final int SIGNATURE_BYTES = org.bouncycastle.math.ec.rfc8032.Ed25519.SIGNATURE_SIZE;

    private static final LongAdder SIGNS = new LongAdder();
    private static final LongAdder VERIFIES = new LongAdder();

    private Ed25519() {}

    /** A new key pair from {@code random}'s next 32 bytes. */
    public static KeyPair generate(SecureRandom random) {
        Objects.requireNonNull(random, "random");
        byte[] seed = new byte[SEED_BYTES];
        org.bouncycastle.math.ec.rfc8032.Ed25519.generatePrivateKey(random, seed);
        return new KeyPair(seed);
    }

    /** The key pair whose RFC 8032 secret key is {@code seed} (32 bytes, copied). */
    public static KeyPair fromSeed(byte[] seed) {
        Objects.requireNonNull(seed, "seed");
        if (seed.length != SEED_BYTES) {
            throw new IllegalArgumentException("seed must be " + SEED_BYTES + " bytes, was " + seed.length);
        }
        return new KeyPair(seed.clone());
    }

    /**
     * Whether {@code signature} is {@code publicKey}'s signature of {@code message}. Any malformed
     * input (null, wrong length, a key that is not a curve point, a non-canonical scalar) is
     * simply {@code false}: callers check signatures from other parties and must not be made to
     * crash by them.
     */
    public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        if (publicKey == null || message == null || signature == null
                || publicKey.length != PUBLIC_KEY_BYTES || signature.length != SIGNATURE_BYTES) {
            return false;
        }
        VERIFIES.increment();
        return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(signature, 0, publicKey, 0, message, 0, message.length);
    }

    /** Signatures made by any key pair since the process started. */
    public static long signs() {
        return SIGNS.sum();
    }

    /** Signature checks that reached the curve arithmetic (malformed inputs are not counted). */
    public static long verifies() {
        return VERIFIES.sum();
    }

    /**
     * A secret seed and its public key. Not a record: the seed must not show up in
     * {@code toString}, logs or {@code equals}-driven collections.
     */
    public static final class KeyPair {
        private final byte[] seed;
        private final byte[] publicKey;

        private KeyPair(byte[] seed) {
            this.seed = seed;
            this.publicKey = new byte[PUBLIC_KEY_BYTES];
            org.bouncycastle.math.ec.rfc8032.Ed25519.generatePublicKey(seed, 0, publicKey, 0);
        }

        /** The 32-byte secret seed (a copy): for storing the key, or handing a generated one to its owner once. */
        public byte[] seed() {
            return seed.clone();
        }

        /** The 32-byte public key (a copy). */
        public byte[] publicKey() {
            return publicKey.clone();
        }

        /** The 64-byte signature of {@code message}; deterministic, as RFC 8032 specifies. */
        public byte[] sign(byte[] message) {
            Objects.requireNonNull(message, "message");
            byte[] signature = new byte[SIGNATURE_BYTES];
            // Passing our own public key saves the scalar multiplication that would re-derive it.
            org.bouncycastle.math.ec.rfc8032.Ed25519.sign(seed, 0, publicKey, 0, message, 0, message.length, signature, 0);
            SIGNS.increment();
            return signature;
        }

        @Override
        public String toString() {
            return "Ed25519.KeyPair[public=" + HexFormat.of().formatHex(publicKey) + "]";
        }
    }
}
