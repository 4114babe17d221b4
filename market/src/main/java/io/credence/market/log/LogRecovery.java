package io.credence.market.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * What {@link MerkleLog#open} does with the file it finds: reads every record, checks its CRC-32C
 * and rebuilds the tree. A crash can only damage what was being appended and not yet forced, at
 * the end of the file, so the tail is truncated when its damage has the shape a crash leaves and
 * nothing valid follows it:
 * <ul>
 *   <li>the file ends inside a record (and no whole, checksum-valid record starts anywhere in
 *       the remaining bytes, which rules out a damaged length field in a middle record);</li>
 *   <li>only zero bytes remain (space allocated, data never written);</li>
 *   <li>the last record's checksum field is zero (its end never written).</li>
 * </ul>
 * Anything else (a checksum mismatch with data after it, a zero length before non-zero bytes, an
 * impossible length, a foreign header) is corruption or tampering, and {@code open} throws
 * {@link LogCorruptException} naming the entry index and byte offset, because truncating there
 * would silently drop entries that were acknowledged and signed. What recovery cannot tell apart:
 * damage confined to the final record that looks exactly like an interrupted write (a cut-off
 * record); {@link MerkleLog#recovery()} reports the bytes dropped, and a head signed over that
 * entry then no longer verifies against the log, which is how an auditor sees it. Entries written
 * but not yet acknowledged when the process died survive recovery when they are whole: their
 * submitters saw no answer and must not assume they are absent.
 */
final class LogRecovery {
    private LogRecovery() {
    }

    /**
     * The log as recovered: its tree, each entry's record offset, where the whole records end, and
     * what was cut off the end of the file and why ({@code 0} and {@code ""} when nothing was).
     */
    record Recovered(MerkleTree tree, long[] offsets, long fileEnd, long truncatedBytes, String truncatedBecause) {}

    static Recovered recover(Path file, FileChannel channel, LogLimits limits) throws IOException {
        long fileBytes = channel.size();
        long headerTruncatedBytes = 0;
        String headerTruncatedBecause = "";
        EntryFile.Header header = EntryFile.readHeader(channel, fileBytes);
        switch (header) {
            case VALID -> { }
            case ABSENT -> {
                if (fileBytes > 0) {
                    headerTruncatedBytes = fileBytes;
                    headerTruncatedBecause = "ABSENT header: the file's creation never finished";
                }
                channel.truncate(0);
                EntryFile.writeFully(channel, ByteBuffer.wrap(EntryFile.header()), 0);
                channel.force(true);
                fileBytes = EntryFile.HEADER_BYTES;
            }
            case FOREIGN -> throw new LogCorruptException(file, LogCorruptException.HEADER, 0,
                    "not an entries.log of version " + EntryFile.VERSION);
        }
        MerkleTree tree = new MerkleTree(limits.leavesMax());
        long[][] offsets = {new long[1024]};
        EntryFile.Scan scan = EntryFile.scan(channel, fileBytes, limits.entryBytesMax(), (index, offset, bytes, at, length) -> {
            if (index == limits.leavesMax()) {
                return false;
            }
            boolean appended = tree.append(MerkleHashes.leafHash(bytes, at, length));
            Check.state(appended, "the tree holds leavesMax leaves");
            offsets[0] = EntryFile.ensureCapacity(offsets[0], index + 1, limits.leavesMax());
            offsets[0][(int) index] = offset;
            return true;
        });
        if (tree.size() == limits.leavesMax() && scan instanceof EntryFile.Scanned scanned
                && scanned.entries() > tree.size()) {
            throw new IOException(file + " holds more than leavesMax " + limits.leavesMax() + " entries; raise the limit");
        }
        return switch (scan) {
            case EntryFile.Scanned scanned -> {
                Check.state(scanned.endOffset() == fileBytes, "a scan that was not stopped reads to the end");
                Check.state(scanned.entries() == tree.size(), "every scanned record became a leaf");
                yield new Recovered(tree, offsets[0], fileBytes, headerTruncatedBytes, headerTruncatedBecause);
            }
            case EntryFile.Damaged damaged -> {
                String because = tornTailOrThrow(file, channel, fileBytes, limits, damaged);
                channel.truncate(damaged.offset());
                channel.force(true);
                Check.state(channel.size() == damaged.offset() && damaged.entries() == tree.size(),
                        "truncated to the end of the last whole record");
                yield new Recovered(tree, offsets[0], damaged.offset(), fileBytes - damaged.offset(), because);
            }
        };
    }

    /** Returns why the damaged tail is a torn write, or throws when it cannot be one. */
    private static String tornTailOrThrow(Path file, FileChannel channel, long fileBytes, LogLimits limits,
                                          EntryFile.Damaged damaged) throws IOException {
        if (!damaged.damage().crashShaped) {
            throw new LogCorruptException(file, damaged.entries(), damaged.offset(),
                    damaged.damage() + ": " + damaged.detail());
        }
        if (damaged.damage() == EntryFile.Damage.INCOMPLETE_RECORD) {
            long valid = EntryFile.findValidRecordAfter(channel, damaged.offset(), fileBytes, limits.entryBytesMax());
            if (valid >= 0) {
                throw new LogCorruptException(file, damaged.entries(), damaged.offset(), damaged.detail()
                        + ", yet a valid record starts at byte " + valid + ": damaged length field, not a torn write");
            }
        }
        return damaged.damage() + " at entry " + damaged.entries() + ", byte " + damaged.offset() + ": " + damaged.detail();
    }
}
