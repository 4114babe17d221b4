package io.credence.market.log;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import static io.credence.market.log.MerkleHashes.HASH_BYTES;

/**
 * An in-memory RFC 9162 Merkle tree over leaf hashes that keeps the hash of every complete
 * subtree, so nothing is ever recomputed from the leaves:
 *
 * <pre>
 *   level 2:  [ h(0..3)                       ]                      size &gt;&gt;&gt; 2 nodes
 *   level 1:  [ h(0..1)        ][ h(2..3)     ][ h(4..5)     ]       size &gt;&gt;&gt; 1 nodes
 *   level 0:  [ l0 ][ l1 ][ l2 ][ l3 ][ l4 ][ l5 ][ l6 ]             size nodes (leaf hashes)
 * </pre>
 *
 * <p>Level {@code l} holds node {@code i} = the hash of leaves {@code [i * 2^l, (i + 1) * 2^l)},
 * for every {@code i < size >>> l}: about two hashes (64 bytes) per leaf in all. An append adds a
 * leaf and then one node per level while the new node completes a pair, which is one hash on
 * average. A root, or a proof, for any earlier size combines at most one stored node per level
 * (O(log n) hashes), because every subtree the RFC's definitions visit is either complete, so
 * stored, or ends at the requested size, so splits again into stored nodes.
 *
 * <p>Not thread-safe: {@link MerkleLog} guards it with a lock. Out-of-range arguments are bugs of
 * the caller (the log validates requests at its edge) and throw {@link IllegalArgumentException}.
 */
public final class MerkleTree {
    /**
     * Hard ceiling on {@code leavesMax}; the heap runs out long before (2^40 leaves would need
     * 64 TiB), it only keeps chunk and level arithmetic far from overflow.
     */
    public static final long LEAVES_LIMIT = 1L << 40;

    private static final int LEVELS_MAX = 41;

    private final long leavesMax;
    private final NodeLevel[] levels = new NodeLevel[LEVELS_MAX];
    private final byte[] pairHash = new byte[HASH_BYTES];
    private long size;

    public MerkleTree(long leavesMax) {
        Check.argument(0 < leavesMax && leavesMax <= LEAVES_LIMIT, "leavesMax must be in 1.." + LEAVES_LIMIT);
        this.leavesMax = leavesMax;
        this.levels[0] = new NodeLevel();
    }

    public long size() {
        return size;
    }

    public long leavesMax() {
        return leavesMax;
    }

    /** Adds one leaf; false, and nothing added, when the tree already holds {@code leavesMax}. */
    public boolean append(byte[] leafHash) {
        Check.argument(leafHash.length == HASH_BYTES, "a leaf hash has 32 bytes");
        if (size == leavesMax) {
            return false;
        }
        levels[0].add(leafHash, 0);
        long index = size;
        int level = 0;
        // an odd index is the right half of a pair that is now complete
        while ((index & 1) == 1) {
            NodeLevel lower = levels[level];
            MerkleHashes.nodeHash(lower.chunk(index - 1), lower.offset(index - 1),
                    lower.chunk(index), lower.offset(index), pairHash, 0);
            level++;
            if (levels[level] == null) {
                levels[level] = new NodeLevel();
            }
            levels[level].add(pairHash, 0);
            index >>>= 1;
        }
        size++;
        Check.state(levels[level].count() == size >>> level, "the top level touched holds size >>> level nodes");
        return true;
    }

    public byte[] leafHash(long index) {
        Check.argument(0 <= index && index < size, "leaf index outside the tree");
        return levels[0].copy(index);
    }

    /** The root of the whole tree (the empty-tree hash when there are no leaves). */
    public byte[] root() {
        return root(size);
    }

    /** The root the tree had when it held {@code treeSize} leaves. */
    public byte[] root(long treeSize) {
        if (treeSize < 0 || treeSize > size) {
            throw new IllegalArgumentException("tree size " + treeSize + " outside 0.." + size);
        }
        return treeSize == 0 ? MerkleHashes.emptyRoot() : rangeHash(0, treeSize);
    }

    /**
     * PATH(index, D[treeSize]) of RFC 9162 section 2.1.3.1, nodes ordered from the leaf upwards.
     * The RFC defines it recursively, appending each sibling after the deeper part; walking down
     * from the root collects the same siblings top-down, so the list is reversed at the end.
     */
    public List<byte[]> inclusionProof(long index, long treeSize) {
        if (index < 0 || index >= treeSize || treeSize > size) {
            throw new IllegalArgumentException("need 0 <= index < treeSize <= " + size + ", got " + index + ", " + treeSize);
        }
        List<byte[]> topDown = new ArrayList<>();
        long lo = 0;
        long hi = treeSize;
        while (hi - lo > 1) {
            long k = largestPowerOfTwoBelow(hi - lo);
            if (index - lo < k) {
                topDown.add(rangeHash(lo + k, hi));
                hi = lo + k;
            } else {
                topDown.add(rangeHash(lo, lo + k));
                lo += k;
            }
        }
        Collections.reverse(topDown);
        Check.state(topDown.size() == Proofs.inclusionProofLength(index, treeSize), "inclusion proof length");
        return Collections.unmodifiableList(topDown);
    }

    /**
     * PROOF(size1, D[size2]) of RFC 9162 section 2.1.4.1, i.e. SUBPROOF(size1, D[size2], true),
     * unrolled the same way as {@link #inclusionProof}. Equal sizes give the empty proof.
     */
    public List<byte[]> consistencyProof(long size1, long size2) {
        if (size1 <= 0 || size1 > size2 || size2 > size) {
            throw new IllegalArgumentException("need 0 < size1 <= size2 <= " + size + ", got " + size1 + ", " + size2);
        }
        List<byte[]> topDown = new ArrayList<>();
        long lo = 0;
        long hi = size2;
        boolean firstRootKnown = true;
        while (size1 - lo != hi - lo) {
            long k = largestPowerOfTwoBelow(hi - lo);
            if (size1 - lo <= k) {
                topDown.add(rangeHash(lo + k, hi));
                hi = lo + k;
            } else {
                topDown.add(rangeHash(lo, lo + k));
                lo += k;
                firstRootKnown = false;
            }
        }
        if (!firstRootKnown) {
            // SUBPROOF(m, D[m], false): the verifier does not hold this subtree's hash yet
            topDown.add(rangeHash(lo, hi));
        }
        Collections.reverse(topDown);
        Check.state(size1 == size2 || topDown.size() == Proofs.consistencyProofLength(size1, size2),
                "consistency proof length");
        return Collections.unmodifiableList(topDown);
    }

    /** The largest power of two strictly below {@code n}, for {@code n >= 2} (the RFC's k). */
    private static long largestPowerOfTwoBelow(long n) {
        return Long.highestOneBit(n - 1);
    }

    /**
     * MTH(D[lo:hi]) for a range the RFC's recursion can reach: {@code lo} is a multiple of the
     * largest power of two below the range length, so the range splits into stored complete
     * subtrees of strictly falling size, combined from the right.
     */
    private byte[] rangeHash(long lo, long hi) {
        Check.state(0 <= lo && lo < hi && hi <= size, "range inside the tree");
        int[] blockLevels = new int[LEVELS_MAX];
        long[] blockIndexes = new long[LEVELS_MAX];
        int blocks = 0;
        long start = lo;
        while (start < hi) {
            long length = hi - start;
            long block = Long.bitCount(length) == 1 ? length : Long.highestOneBit(length);
            Check.state(start % block == 0, "range block aligned to its size");
            int level = Long.numberOfTrailingZeros(block);
            blockLevels[blocks] = level;
            blockIndexes[blocks] = start >>> level;
            blocks++;
            start += block;
        }
        byte[] acc = levels[blockLevels[blocks - 1]].copy(blockIndexes[blocks - 1]);
        for (int b = blocks - 2; b >= 0; b--) {
            NodeLevel level = levels[blockLevels[b]];
            long index = blockIndexes[b];
            MerkleHashes.nodeHash(level.chunk(index), level.offset(index), acc, 0, acc, 0);
        }
        return acc;
    }

    /**
     * The hashes of one level in chunks of 4096 (128 KiB), so growing never copies more than the
     * first, small chunk and a billion leaves need no single huge array. The first chunk starts at
     * 4 nodes and doubles, since the high levels hold only a handful of nodes.
     */
    private static final class NodeLevel {
        private static final int CHUNK_NODES_SHIFT = 12;
        private static final int CHUNK_NODES = 1 << CHUNK_NODES_SHIFT;
        private static final int FIRST_CHUNK_NODES = 4;

        private byte[][] chunks = new byte[4][];
        private long count;

        long count() {
            return count;
        }

        void add(byte[] hash, int hashOffset) {
            int chunkIndex = (int) (count >>> CHUNK_NODES_SHIFT);
            int slot = (int) (count & (CHUNK_NODES - 1));
            if (chunkIndex == chunks.length) {
                chunks = Arrays.copyOf(chunks, chunks.length * 2);
            }
            byte[] chunk = chunks[chunkIndex];
            if (chunk == null) {
                chunk = new byte[(chunkIndex == 0 ? FIRST_CHUNK_NODES : CHUNK_NODES) * HASH_BYTES];
                chunks[chunkIndex] = chunk;
            } else if (slot * HASH_BYTES == chunk.length) {
                Check.state(chunkIndex == 0, "only the first chunk grows");
                chunk = Arrays.copyOf(chunk, chunk.length * 2);
                chunks[chunkIndex] = chunk;
            }
            System.arraycopy(hash, hashOffset, chunk, slot * HASH_BYTES, HASH_BYTES);
            count++;
        }

        byte[] chunk(long index) {
            return chunks[(int) (index >>> CHUNK_NODES_SHIFT)];
        }

        int offset(long index) {
            return (int) (index & (CHUNK_NODES - 1)) * HASH_BYTES;
        }

        byte[] copy(long index) {
            Check.state(0 <= index && index < count, "node index inside the level");
            int offset = offset(index);
            return Arrays.copyOfRange(chunk(index), offset, offset + HASH_BYTES);
        }
    }
}
