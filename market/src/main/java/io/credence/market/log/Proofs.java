package io.credence.market.log;

import java.security.MessageDigest;
import java.util.List;

/**
 * Verification of inclusion and consistency proofs, following RFC 9162 sections 2.1.3.2 and
 * 2.1.4.2 step by step. Everything here is attacker input: nothing throws, every outcome is a
 * {@link Result}, and a proof longer than {@link #PROOF_NODES_MAX} is refused before any hashing.
 *
 * <p>Before running the RFC's loop the length of the proof is compared with the length the tree
 * shape demands. The loop alone would also reject a wrong length (it checks {@code sn} as it
 * goes and at the end), but the up-front comparison gives the operator a reason that says what
 * is wrong ("proof has 3 nodes, expected 4") instead of a bare root mismatch.
 */
public final class Proofs {
    /**
     * Longest proof accepted. A tree of fewer than 2^63 leaves needs at most 63 nodes for an
     * inclusion proof and 64 for a consistency proof, so nothing honest is refused.
     */
    public static final int PROOF_NODES_MAX = 64;

    /** The outcome of checking a proof. */
    public sealed interface Result permits Verified, Rejected {
        default boolean verified() {
            return this instanceof Verified;
        }
    }

    public record Verified() implements Result {}

    /** The proof does not prove the claim; {@code reason} is for logs and operators. */
    public record Rejected(String reason) implements Result {
        public Rejected {
            if (reason == null || reason.isBlank()) {
                throw new IllegalArgumentException("a rejection needs a reason");
            }
        }
    }

    public static final Verified VERIFIED = new Verified();

    private Proofs() {
    }

    /**
     * Checks that the leaf with hash {@code leafHash} sits at {@code leafIndex} in the tree of
     * {@code treeSize} leaves whose root is {@code root} (RFC 9162 section 2.1.3.2).
     */
    public static Result verifyInclusion(long leafIndex, long treeSize, byte[] leafHash, List<byte[]> proof,
                                         byte[] root) {
        if (leafIndex < 0 || treeSize < 0) {
            return new Rejected("negative index " + leafIndex + " or tree size " + treeSize);
        }
        if (leafIndex >= treeSize) {
            return new Rejected("index " + leafIndex + " outside tree of size " + treeSize);
        }
        Rejected malformed = firstMalformed(proof, inclusionProofLength(leafIndex, treeSize));
        if (malformed == null) {
            malformed = hashMalformed("leaf hash", leafHash);
        }
        if (malformed == null) {
            malformed = hashMalformed("root", root);
        }
        if (malformed != null) {
            return malformed;
        }
        long fn = leafIndex;
        long sn = treeSize - 1;
        byte[] r = leafHash;
        for (byte[] p : proof) {
            if (sn == 0) {
                return new Rejected("proof is longer than the path from leaf to root");
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = MerkleHashes.nodeHash(p, r);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>>= 1;
                    sn >>>= 1;
                }
            } else {
                r = MerkleHashes.nodeHash(r, p);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        if (sn != 0) {
            return new Rejected("proof is shorter than the path from leaf to root");
        }
        return MessageDigest.isEqual(r, root) ? VERIFIED : new Rejected("root mismatch");
    }

    /**
     * Checks that the tree of {@code size2} leaves with root {@code root2} extends the tree of
     * {@code size1} leaves with root {@code root1} (RFC 9162 section 2.1.4.2).
     *
     * <p>Two cases the RFC's loop does not cover are decided here: a proof from size 0 is refused
     * (every tree extends the empty tree, so such a proof shows nothing, and a verifier that
     * accepted it could be fooled into trusting an unchecked root); equal sizes need an empty proof
     * and byte-identical roots, whatever their length, because the claim "this tree extends
     * itself" is then true without hashing anything.
     */
    public static Result verifyConsistency(long size1, long size2, byte[] root1, byte[] root2, List<byte[]> proof) {
        if (size1 < 0 || size2 < 0) {
            return new Rejected("negative tree size " + size1 + " or " + size2);
        }
        if (size1 > size2) {
            return new Rejected("size1 " + size1 + " is larger than size2 " + size2);
        }
        if (size1 == 0) {
            return new Rejected("consistency with the empty tree proves nothing");
        }
        if (root1 == null || root2 == null || proof == null) {
            return new Rejected("root or proof missing");
        }
        if (size1 == size2) {
            if (!proof.isEmpty()) {
                return new Rejected("proof has " + proof.size() + " nodes, expected 0 for equal sizes");
            }
            return MessageDigest.isEqual(root1, root2) ? VERIFIED : new Rejected("root mismatch at equal sizes");
        }
        Rejected malformed = firstMalformed(proof, consistencyProofLength(size1, size2));
        if (malformed == null) {
            malformed = hashMalformed("root1", root1);
        }
        if (malformed == null) {
            malformed = hashMalformed("root2", root2);
        }
        if (malformed != null) {
            return malformed;
        }
        return walkConsistency(size1, size2, root1, root2, proof);
    }

    /** RFC 9162 section 2.1.4.2 steps 2 to 7, on a proof already known to be well formed. */
    private static Result walkConsistency(long size1, long size2, byte[] root1, byte[] root2, List<byte[]> proof) {
        // step 2: when size1 is a power of two its root is itself the first node of the path
        boolean seedIsRoot1 = Long.bitCount(size1) == 1;
        byte[] seed = seedIsRoot1 ? root1 : proof.get(0);
        long fn = size1 - 1;
        long sn = size2 - 1;
        while ((fn & 1) == 1) {
            fn >>>= 1;
            sn >>>= 1;
        }
        byte[] fr = seed;
        byte[] sr = seed;
        for (int i = seedIsRoot1 ? 0 : 1; i < proof.size(); i++) {
            byte[] c = proof.get(i);
            if (sn == 0) {
                return new Rejected("proof is longer than the path between the two trees");
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = MerkleHashes.nodeHash(c, fr);
                sr = MerkleHashes.nodeHash(c, sr);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>>= 1;
                    sn >>>= 1;
                }
            } else {
                sr = MerkleHashes.nodeHash(sr, c);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        if (sn != 0) {
            return new Rejected("proof is shorter than the path between the two trees");
        }
        if (!MessageDigest.isEqual(fr, root1)) {
            return new Rejected("root mismatch: proof does not lead to root1");
        }
        return MessageDigest.isEqual(sr, root2) ? VERIFIED : new Rejected("root mismatch: proof does not lead to root2");
    }

    /**
     * Nodes in the inclusion proof of leaf {@code index} in a tree of {@code size} leaves: one per
     * level below the point where the paths to {@code index} and to the last leaf part ("inner"),
     * plus one per left sibling above it ("border").
     */
    public static int inclusionProofLength(long index, long size) {
        Check.argument(0 <= index && index < size, "need 0 <= index < size");
        int inner = 64 - Long.numberOfLeadingZeros(index ^ (size - 1));
        int border = Long.bitCount(index >>> inner);
        return inner + border;
    }

    /**
     * Nodes in the consistency proof from {@code size1} to {@code size2} leaves: the inclusion path
     * of leaf {@code size1 - 1}, minus the levels inside the largest complete subtree that ends at
     * {@code size1} (replaced by that subtree's root, which is left out when it is root1 itself).
     */
    public static int consistencyProofLength(long size1, long size2) {
        Check.argument(0 < size1 && size1 < size2, "need 0 < size1 < size2");
        long last = size1 - 1;
        int inner = 64 - Long.numberOfLeadingZeros(last ^ (size2 - 1));
        int border = Long.bitCount(last >>> inner);
        int shift = Long.numberOfTrailingZeros(size1);
        int seed = Long.bitCount(size1) == 1 ? 0 : 1;
        return inner + border - shift + seed;
    }

    private static Rejected firstMalformed(List<byte[]> proof, int expectedNodes) {
        if (proof == null) {
            return new Rejected("proof missing");
        }
        if (proof.size() > PROOF_NODES_MAX) {
            return new Rejected("proof has " + proof.size() + " nodes, more than " + PROOF_NODES_MAX);
        }
        if (proof.size() != expectedNodes) {
            return new Rejected("proof has " + proof.size() + " nodes, expected " + expectedNodes);
        }
        for (int i = 0; i < proof.size(); i++) {
            Rejected bad = hashMalformed("proof node " + i, proof.get(i));
            if (bad != null) {
                return bad;
            }
        }
        return null;
    }

    private static Rejected hashMalformed(String what, byte[] hash) {
        if (hash == null) {
            return new Rejected(what + " missing");
        }
        if (hash.length != MerkleHashes.HASH_BYTES) {
            return new Rejected(what + " has " + hash.length + " bytes, expected " + MerkleHashes.HASH_BYTES);
        }
        return null;
    }
}
