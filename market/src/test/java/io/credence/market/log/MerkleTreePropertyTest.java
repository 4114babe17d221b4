package io.credence.market.log;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The tree against a plain recursive transcription of RFC 9162's definitions (MTH, PATH,
 * SUBPROOF), over seeded random tree sizes 1..3000 biased to the edges (1, 2, powers of two and
 * their neighbours, the maximum): roots and proofs equal the reference node for node, every proof
 * verifies, and every mutation of one is rejected.
 */
class MerkleTreePropertyTest {
    static final int SIZE_MAX = 3000;
    static final long SEED = 0x5eed_9162L;

    static List<byte[]> leaves;
    static MerkleTree tree;

    @BeforeAll
    static void buildTree() {
        leaves = new ArrayList<>();
        tree = new MerkleTree(SIZE_MAX);
        for (int i = 0; i < SIZE_MAX; i++) {
            byte[] leaf = MerkleHashes.leafHash(ByteBuffer.allocate(8).putLong(i * 7919L).array());
            leaves.add(leaf);
            assertThat(tree.append(leaf)).isTrue();
        }
        assertThat(tree.append(leaves.get(0))).as("past leavesMax").isFalse();
        assertThat(tree.size()).isEqualTo(SIZE_MAX);
    }

    static List<Integer> sizes(Random random) {
        TreeSet<Integer> sizes = new TreeSet<>(List.of(1, 2, 3, 4, 5, 7, 8, 9, SIZE_MAX - 1, SIZE_MAX));
        for (int power = 16; power < SIZE_MAX; power *= 2) {
            sizes.addAll(List.of(power - 1, power, power + 1));
        }
        while (sizes.size() < 60) {
            sizes.add(1 + random.nextInt(SIZE_MAX));
        }
        return List.copyOf(sizes);
    }

    // ---------------------------------------------------------------- the reference, straight from the RFC

    /** MTH(D[from:to]), memoised only because the proofs below ask for the same subtrees again and again. */
    static byte[] referenceRoot(int from, int to) {
        long key = (long) from << 32 | to;
        byte[] root = REFERENCE_ROOTS.get(key);
        if (root == null) {
            root = mth(from, to);
            REFERENCE_ROOTS.put(key, root);
        }
        return root;
    }

    static final Map<Long, byte[]> REFERENCE_ROOTS = new HashMap<>();

    static byte[] mth(int from, int to) {
        int n = to - from;
        if (n == 0) {
            return MerkleHashes.emptyRoot();
        }
        if (n == 1) {
            return leaves.get(from);
        }
        int k = Integer.highestOneBit(n - 1);
        return MerkleHashes.nodeHash(referenceRoot(from, from + k), referenceRoot(from + k, to));
    }

    static List<byte[]> referencePath(int m, int from, int to) {
        int n = to - from;
        List<byte[]> path = new ArrayList<>();
        if (n == 1) {
            return path;
        }
        int k = Integer.highestOneBit(n - 1);
        if (m < k) {
            path.addAll(referencePath(m, from, from + k));
            path.add(referenceRoot(from + k, to));
        } else {
            path.addAll(referencePath(m - k, from + k, to));
            path.add(referenceRoot(from, from + k));
        }
        return path;
    }

    static List<byte[]> referenceSubproof(int m, int from, int to, boolean completeKnown) {
        int n = to - from;
        List<byte[]> proof = new ArrayList<>();
        if (m == n) {
            if (!completeKnown) {
                proof.add(referenceRoot(from, to));
            }
            return proof;
        }
        int k = Integer.highestOneBit(n - 1);
        if (m <= k) {
            proof.addAll(referenceSubproof(m, from, from + k, completeKnown));
            proof.add(referenceRoot(from + k, to));
        } else {
            proof.addAll(referenceSubproof(m - k, from + k, to, false));
            proof.add(referenceRoot(from, from + k));
        }
        return proof;
    }

    // ---------------------------------------------------------------- properties

    @Test
    void rootsEqualTheReferenceAtEverySampledSize() {
        Random random = new Random(SEED);
        assertThat(tree.root(0)).isEqualTo(MerkleHashes.emptyRoot());
        for (int size : sizes(random)) {
            assertThat(tree.root(size)).as("root(%d)", size).isEqualTo(referenceRoot(0, size));
        }
        assertThat(tree.root()).isEqualTo(referenceRoot(0, SIZE_MAX));
    }

    @Test
    void aTreeGrownLeafByLeafHasTheReferenceRootAfterEveryAppend() {
        MerkleTree grown = new MerkleTree(600);
        byte[][] roots = new byte[601][];
        for (int i = 0; i < 600; i++) {
            grown.append(leaves.get(i));
            roots[i + 1] = grown.root();
        }
        for (int size = 1; size <= 600; size++) {
            assertThat(roots[size]).as("root after %d appends", size).isEqualTo(referenceRoot(0, size));
        }
    }

    @Test
    void everyInclusionProofEqualsTheReferenceAndVerifies() {
        Random random = new Random(SEED + 1);
        int checked = 0;
        for (int size : sizes(random)) {
            byte[] root = tree.root(size);
            for (int index = 0; index < size; index++) {
                List<byte[]> proof = tree.inclusionProof(index, size);
                assertThat(proof).usingElementComparator(Arrays::compare)
                        .containsExactlyElementsOf(referencePath(index, 0, size));
                assertThat(Proofs.verifyInclusion(index, size, leaves.get(index), proof, root))
                        .as("leaf %d of %d", index, size).isEqualTo(Proofs.VERIFIED);
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(30_000);
    }

    @Test
    void everyConsistencyProofEqualsTheReferenceAndVerifies() {
        Random random = new Random(SEED + 2);
        int checked = 0;
        for (int size2 : sizes(random)) {
            byte[] root2 = tree.root(size2);
            for (int size1 = 1; size1 <= size2; size1++) {
                List<byte[]> proof = tree.consistencyProof(size1, size2);
                assertThat(proof).usingElementComparator(Arrays::compare)
                        .containsExactlyElementsOf(referenceSubproof(size1, 0, size2, true));
                assertThat(Proofs.verifyConsistency(size1, size2, tree.root(size1), root2, proof))
                        .as("%d -> %d", size1, size2).isEqualTo(Proofs.VERIFIED);
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(30_000);
    }

    @Test
    void mutatedInclusionProofsAreRejected() {
        Random random = new Random(SEED + 3);
        for (int round = 0; round < 4000; round++) {
            int size = 1 + random.nextInt(SIZE_MAX);
            int index = random.nextInt(size);
            List<byte[]> proof = tree.inclusionProof(index, size);
            byte[] root = tree.root(size);
            byte[] leaf = leaves.get(index);
            String at = "leaf " + index + " of " + size;
            if (!proof.isEmpty()) {
                assertRejected(Proofs.verifyInclusion(index, size, leaf, flipBit(proof, random), root), at + ", bit flipped");
                assertRejected(Proofs.verifyInclusion(index, size, leaf, proof.subList(0, proof.size() - 1), root),
                        at + ", node dropped");
            }
            assertRejected(Proofs.verifyInclusion(index, size, leaf, withExtraNode(proof, random), root), at + ", node added");
            assertRejected(Proofs.verifyInclusion(index, size, flip(leaf, random), proof, root), at + ", other leaf");
            assertRejected(Proofs.verifyInclusion(index, size, leaf, proof, flip(root, random)), at + ", other root");
            int otherIndex = random.nextInt(size + 2) - 1;
            if (otherIndex != index) {
                assertRejected(Proofs.verifyInclusion(otherIndex, size, leaf, proof, root), at + ", index " + otherIndex);
            }
            int otherSize = 1 + random.nextInt(SIZE_MAX);
            if (otherSize != size && index < otherSize) {
                assertRejected(Proofs.verifyInclusion(index, otherSize, leaf, proof, tree.root(otherSize)),
                        at + ", size " + otherSize);
            }
        }
    }

    @Test
    void mutatedConsistencyProofsAreRejected() {
        Random random = new Random(SEED + 4);
        for (int round = 0; round < 4000; round++) {
            int size2 = 2 + random.nextInt(SIZE_MAX - 1);
            int size1 = 1 + random.nextInt(size2 - 1);
            List<byte[]> proof = tree.consistencyProof(size1, size2);
            byte[] root1 = tree.root(size1);
            byte[] root2 = tree.root(size2);
            String at = size1 + " -> " + size2;
            assertRejected(Proofs.verifyConsistency(size1, size2, root1, root2, flipBit(proof, random)), at + ", bit flipped");
            assertRejected(Proofs.verifyConsistency(size1, size2, root1, root2, proof.subList(1, proof.size())),
                    at + ", first node dropped");
            assertRejected(Proofs.verifyConsistency(size1, size2, root1, root2, withExtraNode(proof, random)),
                    at + ", node added");
            assertRejected(Proofs.verifyConsistency(size1, size2, root2, root1, proof), at + ", roots swapped");
            assertRejected(Proofs.verifyConsistency(size1, size2, flip(root1, random), root2, proof), at + ", root1 altered");
            assertRejected(Proofs.verifyConsistency(size1, size2, root1, flip(root2, random), proof), at + ", root2 altered");
            int otherSize1 = 1 + random.nextInt(size2);
            if (otherSize1 != size1) {
                assertRejected(Proofs.verifyConsistency(otherSize1, size2, tree.root(otherSize1), root2, proof),
                        at + ", size1 " + otherSize1);
            }
            int otherSize2 = size1 + 1 + random.nextInt(SIZE_MAX - size1);
            if (otherSize2 != size2) {
                assertRejected(Proofs.verifyConsistency(size1, otherSize2, root1, tree.root(otherSize2), proof),
                        at + ", size2 " + otherSize2);
            }
        }
    }

    @Test
    void attackerInputNeverThrows() {
        byte[] hash = leaves.get(0);
        List<byte[]> tooLong = new ArrayList<>();
        for (int i = 0; i <= Proofs.PROOF_NODES_MAX; i++) {
            tooLong.add(hash);
        }
        assertThat(Proofs.verifyInclusion(7, 5, hash, List.of(), hash))
                .isEqualTo(new Proofs.Rejected("index 7 outside tree of size 5"));
        assertThat(Proofs.verifyInclusion(0, 16, hash, List.of(hash, hash, hash), hash))
                .isEqualTo(new Proofs.Rejected("proof has 3 nodes, expected 4"));
        assertThat(Proofs.verifyInclusion(0, Long.MAX_VALUE, hash, tooLong, hash))
                .isEqualTo(new Proofs.Rejected("proof has 65 nodes, more than 64"));
        assertThat(Proofs.verifyInclusion(-1, -1, null, null, null)).isInstanceOf(Proofs.Rejected.class);
        assertThat(Proofs.verifyInclusion(0, 2, null, List.of(hash), hash)).isInstanceOf(Proofs.Rejected.class);
        List<byte[]> withNull = new ArrayList<>();
        withNull.add(null);
        assertThat(Proofs.verifyInclusion(0, 2, hash, withNull, hash)).isInstanceOf(Proofs.Rejected.class);
        assertThat(Proofs.verifyConsistency(3, 8, hash, hash, withNull)).isInstanceOf(Proofs.Rejected.class);
        assertThat(Proofs.verifyConsistency(Long.MAX_VALUE - 1, Long.MAX_VALUE, hash, hash, tooLong))
                .isEqualTo(new Proofs.Rejected("proof has 65 nodes, more than 64"));
        assertThat(Proofs.verifyConsistency(5, 3, hash, hash, List.of())).isInstanceOf(Proofs.Rejected.class);
        assertThat(Proofs.verifyConsistency(1, 2, null, hash, List.of(hash))).isInstanceOf(Proofs.Rejected.class);
        assertThat(Proofs.verifyConsistency(1, 2, new byte[31], hash, List.of(hash))).isInstanceOf(Proofs.Rejected.class);
    }

    @Test
    void callerErrorsThrow() {
        assertThatThrownBy(() -> tree.inclusionProof(5, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tree.inclusionProof(0, SIZE_MAX + 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tree.consistencyProof(0, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tree.consistencyProof(6, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tree.root(SIZE_MAX + 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tree.append(new byte[31])).isInstanceOf(IllegalArgumentException.class);
        assertThat(tree.consistencyProof(5, 5)).isEmpty();
    }

    static void assertRejected(Proofs.Result result, String what) {
        assertThat(result).as(what).isInstanceOf(Proofs.Rejected.class);
    }

    static List<byte[]> flipBit(List<byte[]> proof, Random random) {
        List<byte[]> mutated = new ArrayList<>(proof);
        int node = random.nextInt(proof.size());
        mutated.set(node, flip(proof.get(node), random));
        return mutated;
    }

    static byte[] flip(byte[] hash, Random random) {
        byte[] flipped = hash.clone();
        int bit = random.nextInt(flipped.length * 8);
        flipped[bit / 8] ^= (byte) (1 << (bit % 8));
        return flipped;
    }

    static List<byte[]> withExtraNode(List<byte[]> proof, Random random) {
        List<byte[]> longer = new ArrayList<>(proof);
        byte[] extra = new byte[MerkleHashes.HASH_BYTES];
        random.nextBytes(extra);
        longer.add(random.nextInt(longer.size() + 1), extra);
        return longer;
    }
}
