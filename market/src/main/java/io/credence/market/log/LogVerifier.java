package io.credence.market.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Offline audit of a downloaded copy of a log: no {@link MerkleLog}, no repair, nothing written.
 * Every damage counts, the tail included (recovery may truncate a torn tail; an audit reports it).
 *
 * <p>What it can and cannot tell:
 * <ul>
 *   <li>A flipped byte with the record's CRC-32C left alone is found by the CRC check, and the
 *       report names that entry ({@link Report#firstBadEntry()}).</li>
 *   <li>An edit that also recomputes the CRC leaves a well-formed file; the only evidence is that
 *       the recomputed root differs from a signed head's. The report then says "root mismatch at
 *       size N" and does not name an entry, because the file alone does not say which leaf
 *       changed: the head signs only the root. Several heads narrow it down: the first altered entry
 *       lies between the largest matching head's size and the smallest mismatching one (named
 *       exactly when they are one apart). For a single entry, {@link #verifyEntry} with the log's
 *       inclusion proof settles whether that entry is the one that was signed.</li>
 * </ul>
 * The recomputation streams the file once and keeps one hash per level (O(log n) memory), so it
 * handles copies larger than the heap.
 */
public final class LogVerifier {
    /**
     * The outcome of an audit: {@code entries} whole records with valid CRCs were read and their
     * tree has {@code root}. When not {@code ok}, {@code reason} says why, and
     * {@code firstBadEntry} names the first damaged entry when the evidence pins it down, else
     * {@link #UNKNOWN}.
     */
    public record Report(boolean ok, long entries, byte[] root, long firstBadEntry, String reason) {
        public static final long UNKNOWN = -1;

        public Report {
            if (ok != reason.isEmpty() || (ok && firstBadEntry != UNKNOWN)) {
                throw new IllegalArgumentException("a passing report has no reason and no bad entry; a failing one a reason");
            }
            root = root.clone();
        }

        @Override
        public byte[] root() {
            return root.clone();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Report that && ok == that.ok && entries == that.entries
                    && MessageDigest.isEqual(root, that.root) && firstBadEntry == that.firstBadEntry
                    && reason.equals(that.reason);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(entries) * 31 + reason.hashCode();
        }

        @Override
        public String toString() {
            return "Report[ok=" + ok + ", entries=" + entries + ", firstBadEntry=" + firstBadEntry
                    + ", reason=" + reason + "]";
        }
    }

    private LogVerifier() {
    }

    /** Checks header, records and CRCs only. */
    public static Report verify(Path fileOrDirectory) throws IOException {
        return verify(fileOrDirectory, null, List.of());
    }

    /** Checks the file and that {@code head} is signed by {@code publicKey} and matches it. */
    public static Report verify(Path fileOrDirectory, byte[] publicKey, SignedTreeHead head) throws IOException {
        return verify(fileOrDirectory, publicKey, List.of(head));
    }

    /**
     * Checks the file, then each head in {@code heads}: its signature under {@code publicKey},
     * that the file holds at least its size, and that the recomputed root at its size equals its
     * root. {@code publicKey} may be null only when {@code heads} is empty.
     */
    public static Report verify(Path fileOrDirectory, byte[] publicKey, List<SignedTreeHead> heads) throws IOException {
        List<SignedTreeHead> bySize = new ArrayList<>(heads);
        bySize.sort(Comparator.comparingLong(SignedTreeHead::size));
        for (SignedTreeHead head : bySize) {
            if (!head.verify(publicKey)) {
                return new Report(false, 0, MerkleHashes.emptyRoot(), Report.UNKNOWN,
                        "signed tree head for size " + head.size() + ": signature invalid");
            }
        }
        Path file = entriesFile(fileOrDirectory);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileBytes = channel.size();
            if (EntryFile.readHeader(channel, fileBytes) != EntryFile.Header.VALID) {
                return new Report(false, 0, MerkleHashes.emptyRoot(), Report.UNKNOWN,
                        "header is not CRDL version " + EntryFile.VERSION);
            }
            RootsAt roots = new RootsAt(bySize);
            EntryFile.Scan scan = EntryFile.scan(channel, fileBytes, EntryFile.ENTRY_BYTES_LIMIT,
                    (index, offset, bytes, at, length) -> {
                        roots.add(MerkleHashes.leafHash(bytes, at, length));
                        return true;
                    });
            return switch (scan) {
                case EntryFile.Damaged damaged -> new Report(false, damaged.entries(), roots.root(), damaged.entries(),
                        "entry " + damaged.entries() + " at byte " + damaged.offset() + ": " + damaged.damage()
                                + ", " + damaged.detail());
                case EntryFile.Scanned scanned -> compareHeads(scanned.entries(), roots);
            };
        }
    }

    private static Report compareHeads(long entries, RootsAt roots) {
        long matchedSize = 0;
        for (int i = 0; i < roots.heads.size(); i++) {
            SignedTreeHead head = roots.heads.get(i);
            if (head.size() > entries) {
                return new Report(false, entries, roots.root(), entries, "signed tree head covers " + head.size()
                        + " entries, the file holds " + entries);
            }
            if (!MessageDigest.isEqual(head.rootHash(), roots.rootsAtHeads[i])) {
                boolean pinned = head.size() - matchedSize == 1;
                return new Report(false, entries, roots.root(), pinned ? matchedSize : Report.UNKNOWN,
                        "root mismatch at size " + head.size() + ": the first altered entry lies in ["
                                + matchedSize + ", " + head.size() + ")");
            }
            matchedSize = head.size();
        }
        return new Report(true, entries, roots.root(), Report.UNKNOWN, "");
    }

    /**
     * Checks one entry of a copy against a signed head: the head's signature, the entry's record
     * and CRC, then the log's inclusion proof from its leaf hash to the head's root. A rejection
     * here names the entry for certain, which {@link #verify} cannot do after a CRC-preserving edit.
     */
    public static Proofs.Result verifyEntry(Path fileOrDirectory, long index, List<byte[]> inclusionProof,
                                            SignedTreeHead head, byte[] publicKey) throws IOException {
        if (!head.verify(publicKey)) {
            return new Proofs.Rejected("signed tree head signature invalid");
        }
        if (index < 0 || index >= head.size()) {
            return new Proofs.Rejected("index " + index + " outside tree of size " + head.size());
        }
        byte[][] leaf = new byte[1][];
        try (FileChannel channel = FileChannel.open(entriesFile(fileOrDirectory), StandardOpenOption.READ)) {
            long fileBytes = channel.size();
            if (EntryFile.readHeader(channel, fileBytes) != EntryFile.Header.VALID) {
                return new Proofs.Rejected("header is not CRDL version " + EntryFile.VERSION);
            }
            EntryFile.Scan scan = EntryFile.scan(channel, fileBytes, EntryFile.ENTRY_BYTES_LIMIT,
                    (i, offset, bytes, at, length) -> {
                        if (i < index) {
                            return true;
                        }
                        leaf[0] = MerkleHashes.leafHash(bytes, at, length);
                        return false;
                    });
            if (leaf[0] == null) {
                return new Proofs.Rejected("entry " + index + " unreadable: " + switch (scan) {
                    case EntryFile.Damaged damaged -> "damage at entry " + damaged.entries() + ", byte "
                            + damaged.offset() + ": " + damaged.detail();
                    case EntryFile.Scanned scanned -> "the file holds only " + scanned.entries() + " entries";
                });
            }
        }
        return switch (Proofs.verifyInclusion(index, head.size(), leaf[0], inclusionProof, head.rootHash())) {
            case Proofs.Verified verified -> verified;
            case Proofs.Rejected rejected -> new Proofs.Rejected("entry " + index
                    + " does not match the signed tree head: " + rejected.reason());
        };
    }

    private static Path entriesFile(Path fileOrDirectory) {
        return Files.isDirectory(fileOrDirectory) ? fileOrDirectory.resolve(EntryFile.FILE_NAME) : fileOrDirectory;
    }

    /**
     * The compact form of a growing tree: the roots of its complete subtrees, largest first (one
     * per set bit of the size), which is all it takes to append a leaf and to compute the root.
     * It also records the root when the size reaches each head's size.
     */
    private static final class RootsAt {
        private final List<SignedTreeHead> heads;
        private final byte[][] rootsAtHeads;
        private final byte[][] subtrees = new byte[64][];
        private int subtreeCount;
        private long size;
        private int nextHead;

        RootsAt(List<SignedTreeHead> headsBySize) {
            this.heads = headsBySize;
            this.rootsAtHeads = new byte[headsBySize.size()][];
            recordHeads();
        }

        void add(byte[] leafHash) {
            byte[] carry = leafHash;
            // each trailing one bit of the old size is a complete subtree the new leaf's completes
            for (long bits = size; (bits & 1) == 1; bits >>>= 1) {
                carry = MerkleHashes.nodeHash(subtrees[--subtreeCount], carry);
            }
            subtrees[subtreeCount++] = carry;
            size++;
            Check.state(subtreeCount == Long.bitCount(size), "one subtree per set bit of the size");
            recordHeads();
        }

        byte[] root() {
            if (subtreeCount == 0) {
                return MerkleHashes.emptyRoot();
            }
            byte[] root = subtrees[subtreeCount - 1];
            for (int i = subtreeCount - 2; i >= 0; i--) {
                root = MerkleHashes.nodeHash(subtrees[i], root);
            }
            return root;
        }

        private void recordHeads() {
            while (nextHead < heads.size() && heads.get(nextHead).size() == size) {
                rootsAtHeads[nextHead++] = root();
            }
        }
    }
}
