package io.credence.cluster;

import java.io.IOException;
import java.util.List;

/**
 * This node's copy of the market's contract log (a Merkle log on disk), which the Raft group
 * appends to: every replica appends the same committed entries at the same index, so every node's
 * log has the same leaves and the same root. Called on the apply thread only.
 */
public interface ContractLogReplica {
    /** Leaves on this node's log. */
    long size();

    byte[] entry(long index) throws IOException;

    /** Appends the entries as the next leaves, on disk before it returns. */
    void append(List<byte[]> entries) throws IOException;

    /** What {@code /health} shows of it (it may read the log, never change it). */
    default java.util.Map<String, Object> status() {
        return java.util.Map.of("contractLogSize", size());
    }

    /** A node without a contract log: an entry for it stops the node rather than being skipped. */
    ContractLogReplica NONE = new ContractLogReplica() {
        @Override
        public long size() {
            return 0;
        }

        @Override
        public byte[] entry(long index) {
            throw new IndexOutOfBoundsException("no contract log on this node");
        }

        @Override
        public void append(List<byte[]> entries) throws IOException {
            throw new IOException("this node has no contract log, and the group appended to it");
        }
    };

    /** What became of a contract log entry when it was applied; the same on every replica. */
    sealed interface Appended permits Appended.At, Appended.Stale {
        /** The entries are the leaves from {@code index} on. */
        record At(long index) implements Appended {}

        /** The log had moved on past {@code index} (another node appended first): nothing was appended. */
        record Stale(long index, long size) implements Appended {}
    }

    /** A contract log append refused as stale: the caller's view of the log is out of date. */
    final class StaleAppend extends RuntimeException {
        public StaleAppend(Appended.Stale stale) {
            super("the contract log holds " + stale.size() + " entries, not " + stale.index()
                    + ": another node appended first");
        }
    }
}
