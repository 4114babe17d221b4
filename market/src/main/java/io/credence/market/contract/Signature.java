package io.credence.market.contract;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One party's Ed25519 signature over an entry's canonical bytes. The public key travels with it
 * so a reader can check the signature on its own; whether that key is really the signer's is a
 * separate question answered by a {@link KeyDirectory} or a {@link Quorum}'s configuration.
 */
public record Signature(String signerId, byte[] publicKey, byte[] signature) {
    /**
     * By signer id (UTF-8 bytes, unsigned, so any language sorts alike), then key, then
     * signature bytes: the order {@link Signed} keeps and the decoder insists on.
     */
    public static final Comparator<Signature> CANONICAL_ORDER = (a, b) -> {
        int bySigner = Arrays.compareUnsigned(a.signerId.getBytes(StandardCharsets.UTF_8),
                b.signerId.getBytes(StandardCharsets.UTF_8));
        if (bySigner != 0) {
            return bySigner;
        }
        int byKey = Arrays.compareUnsigned(a.publicKey, b.publicKey);
        return byKey != 0 ? byKey : Arrays.compareUnsigned(a.signature, b.signature);
    };

    public Signature {
        Canonical.requireId("signerId", signerId);
        publicKey = Canonical.requireBytes("publicKey", publicKey, Ed25519.PUBLIC_KEY_BYTES);
        signature = Canonical.requireBytes("signature", signature, Ed25519.SIGNATURE_BYTES);
    }

    /** Signs {@code message} as {@code signerId} with {@code key}. */
    public static Signature sign(String signerId, Ed25519.KeyPair key, byte[] message) {
        return new Signature(signerId, key.publicKey(), key.sign(message));
    }

    /** Whether this signature verifies over {@code message} with the key it carries. */
    public boolean verifies(byte[] message) {
        return Ed25519.verify(publicKey, message, signature);
    }

    /** Whether it carries exactly {@code key}. */
    public boolean hasKey(byte[] key) {
        return Arrays.equals(publicKey, key);
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Signature that && signerId.equals(that.signerId)
                && Arrays.equals(publicKey, that.publicKey) && Arrays.equals(signature, that.signature);
    }

    @Override
    public int hashCode() {
        return Objects.hash(signerId, Arrays.hashCode(publicKey), Arrays.hashCode(signature));
    }

    @Override
    public String toString() {
        return "Signature[signerId=" + signerId + ", publicKey=" + HexFormat.of().formatHex(publicKey)
                + ", signature=" + HexFormat.of().formatHex(signature) + "]";
    }
}
