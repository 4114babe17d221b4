package io.credence.market.log;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The RFC 6962 / RFC 9162 tree hashes over SHA-256, with domain separation so a leaf can never be
 * passed off as an interior node (the second-preimage attack on plain Merkle trees):
 *
 * <pre>
 *   leaf hash  = SHA-256(0x00 || entry bytes)
 *   node hash  = SHA-256(0x01 || left hash || right hash)
 *   empty tree = SHA-256()            (no input at all)
 * </pre>
 *
 * <p>A {@link MessageDigest} costs an allocation and a provider lookup to create, which would
 * dominate hashing 200-byte entries, so each thread keeps one.
 */
public final class MerkleHashes {
    /** Bytes in every hash this log handles. */
    public static final int HASH_BYTES = 32;

    private static final byte LEAF_PREFIX = 0x00;
    private static final byte NODE_PREFIX = 0x01;
    private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(MerkleHashes::newDigest);
    private static final byte[] EMPTY_ROOT = newDigest().digest();

    private MerkleHashes() {
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException impossible) {
            // every Java platform must provide SHA-256 (MessageDigest javadoc)
            throw new AssertionError("SHA-256 missing from this JVM", impossible);
        }
    }

    /** The root of the tree with no leaves. */
    public static byte[] emptyRoot() {
        return EMPTY_ROOT.clone();
    }

    public static byte[] leafHash(byte[] entry) {
        return leafHash(entry, 0, entry.length);
    }

    public static byte[] leafHash(byte[] entry, int offset, int length) {
        MessageDigest digest = DIGEST.get();
        digest.update(LEAF_PREFIX);
        digest.update(entry, offset, length);
        return digest.digest();
    }

    public static byte[] nodeHash(byte[] left, byte[] right) {
        byte[] out = new byte[HASH_BYTES];
        nodeHash(left, 0, right, 0, out, 0);
        return out;
    }

    /**
     * Writes the node hash of the two 32-byte hashes at {@code left[leftOffset]} and
     * {@code right[rightOffset]} into {@code out[outOffset]}; the tree uses this form to hash
     * straight out of and into its node arrays.
     */
    public static void nodeHash(byte[] left, int leftOffset, byte[] right, int rightOffset, byte[] out, int outOffset) {
        Check.argument(left.length - leftOffset >= HASH_BYTES && right.length - rightOffset >= HASH_BYTES,
                "node hash needs two 32-byte children");
        MessageDigest digest = DIGEST.get();
        digest.update(NODE_PREFIX);
        digest.update(left, leftOffset, HASH_BYTES);
        digest.update(right, rightOffset, HASH_BYTES);
        try {
            int written = digest.digest(out, outOffset, HASH_BYTES);
            Check.state(written == HASH_BYTES, "SHA-256 writes 32 bytes");
        } catch (DigestException tooSmall) {
            // only thrown when out has no room for 32 bytes at outOffset: a caller bug
            throw new IllegalArgumentException("no room for a hash at offset " + outOffset, tooSmall);
        }
    }
}
