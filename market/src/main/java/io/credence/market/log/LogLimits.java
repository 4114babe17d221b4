package io.credence.market.log;

/**
 * Bounds of a {@link MerkleLog}. Memory at {@code leavesMax}: about 72 bytes per entry (64 for
 * the tree's hashes, 8 for the offset index), so the default ten million entries need ~720 MiB;
 * the queue holds at most {@code queueMax * entryBytesMax} bytes of entries not yet written.
 *
 * @param entryBytesMax   largest entry; larger ones are refused before queueing
 * @param leavesMax       entries the log may ever hold; past it appends are refused
 * @param queueMax        entries waiting for the writer; past it submitters get Busy
 * @param batchEntriesMax entries written and forced to disk together (group commit); also the
 *                        longest list one {@link MerkleLog#append} call may bring
 */
public record LogLimits(int entryBytesMax, long leavesMax, int queueMax, int batchEntriesMax) {
    /** Ceiling on {@code leavesMax}: the offset index is one {@code long[]}. */
    public static final long LEAVES_LIMIT = Integer.MAX_VALUE - 8;

    public static final LogLimits DEFAULTS = new LogLimits(64 * 1024, 10_000_000, 65_536, 4_096);

    public LogLimits {
        if (entryBytesMax < 1 || entryBytesMax > EntryFile.ENTRY_BYTES_LIMIT) {
            throw new IllegalArgumentException("entryBytesMax must be in 1.." + EntryFile.ENTRY_BYTES_LIMIT
                    + ", was " + entryBytesMax);
        }
        if (leavesMax < 1 || leavesMax > LEAVES_LIMIT) {
            throw new IllegalArgumentException("leavesMax must be in 1.." + LEAVES_LIMIT + ", was " + leavesMax);
        }
        // a whole append must fit the queue, or it could never be accepted
        if (batchEntriesMax < 1 || queueMax < batchEntriesMax) {
            throw new IllegalArgumentException("need 1 <= batchEntriesMax <= queueMax, got " + batchEntriesMax
                    + ", " + queueMax);
        }
        // one batch is encoded into one array before its single write
        if ((long) batchEntriesMax * (entryBytesMax + EntryFile.RECORD_OVERHEAD_BYTES) > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("batchEntriesMax * entryBytesMax must stay below 2 GiB");
        }
    }

    public LogLimits withLeavesMax(long max) {
        return new LogLimits(entryBytesMax, max, queueMax, batchEntriesMax);
    }

    public LogLimits withQueueMax(int max) {
        return new LogLimits(entryBytesMax, leavesMax, max, Math.min(batchEntriesMax, max));
    }
}
