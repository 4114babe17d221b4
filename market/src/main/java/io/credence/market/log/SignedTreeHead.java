package io.credence.market.log;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The log's signed statement "after {@code size} entries my root was {@code rootHash}", made at
 * {@code timestampMillis}. The signature is Ed25519 by the log's {@link LogKey} over exactly these
 * 56 bytes (big-endian integers):
 *
 * <pre>
 *   offset  bytes  field
 *    0       8     ASCII "CRDLSTH1"   domain tag and version: a signature the same key made
 *                                     over anything else can never pass as a tree head
 *    8       8     size               u64, entries covered
 *   16       8     timestampMillis    i64, milliseconds since 1970-01-01T00:00:00Z
 *   24      32     rootHash           RFC 9162 root of the first size entries
 * </pre>
 *
 * Arrays are copied in and out, so a head cannot change after it was checked.
 */
public record SignedTreeHead(long size, long timestampMillis, byte[] rootHash, byte[] signature) {
    public static final int SIGNED_BYTES = 56;
    private static final byte[] TAG = {'C', 'R', 'D', 'L', 'S', 'T', 'H', '1'};

    public SignedTreeHead {
        if (size < 0 || timestampMillis < 0) {
            throw new IllegalArgumentException("size and timestamp must not be negative");
        }
        if (rootHash.length != MerkleHashes.HASH_BYTES || signature.length != LogKey.SIGNATURE_BYTES) {
            throw new IllegalArgumentException("root hash must have 32 bytes and signature 64, got "
                    + rootHash.length + " and " + signature.length);
        }
        rootHash = rootHash.clone();
        signature = signature.clone();
    }

    /** Signs the head for {@code size} entries with root {@code rootHash}. */
    public static SignedTreeHead sign(LogKey key, long size, long timestampMillis, byte[] rootHash) {
        byte[] signature = key.sign(signedBytes(size, timestampMillis, rootHash));
        SignedTreeHead head = new SignedTreeHead(size, timestampMillis, rootHash, signature);
        Check.state(head.verify(key.publicKey()), "a fresh signature verifies");
        return head;
    }

    /** The canonical encoding the signature covers (see the class comment). */
    public static byte[] signedBytes(long size, long timestampMillis, byte[] rootHash) {
        Check.argument(rootHash.length == MerkleHashes.HASH_BYTES, "root hash has 32 bytes");
        ByteBuffer out = ByteBuffer.allocate(SIGNED_BYTES);
        out.put(TAG).putLong(size).putLong(timestampMillis).put(rootHash);
        Check.state(!out.hasRemaining(), "tree head encoding fills 56 bytes");
        return out.array();
    }

    public byte[] signedBytes() {
        return signedBytes(size, timestampMillis, rootHash);
    }

    /** Whether the signature is the holder of {@code publicKey}'s over this head; false for any malformed key. */
    public boolean verify(byte[] publicKey) {
        return LogKey.verify(publicKey, signedBytes(), signature);
    }

    @Override
    public byte[] rootHash() {
        return rootHash.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SignedTreeHead that && size == that.size && timestampMillis == that.timestampMillis
                && Arrays.equals(rootHash, that.rootHash) && Arrays.equals(signature, that.signature);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(size) * 31 + Arrays.hashCode(rootHash);
    }

    @Override
    public String toString() {
        return "SignedTreeHead[size=" + size + ", timestampMillis=" + timestampMillis + ", root="
                + HexFormat.of().formatHex(rootHash) + "]";
    }
}
