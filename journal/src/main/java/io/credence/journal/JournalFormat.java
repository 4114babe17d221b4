package io.credence.journal;

import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The journal's on-disk layout. A data directory holds segments and snapshots:
 *
 * <pre>
 *   journal-00000000000000000001.log   records 1 .. (next segment's first - 1)
 *   snapshot-00000000000000500000.snap state after record 500000
 * </pre>
 *
 * A segment is a sequence of records, each self-checking:
 *
 * <pre>
 *   0        4          8                16               24
 *   +--------+----------+----------------+----------------+-----------------+
 *   | length | crc32c   | seq            | atMillis       | command bytes   |
 *   | u32    | u32      | i64            | i64            | (length - 8)    |
 *   +--------+----------+----------------+----------------+-----------------+
 *   length counts atMillis + command; crc32c covers seq, atMillis and command.
 * </pre>
 *
 * Records are numbered from 1 without gaps across segments; a snapshot named N holds the state
 * after applying records 1..N.
 */
final class JournalFormat {
    static final int HEADER_BYTES = 16;
    /** No record is ever longer; recovery judges plausibility by this, not by the current setting. */
    static final int RECORD_BYTES_MAX = 1 << 20;
    static final String SEGMENT_PREFIX = "journal-";
    static final String SEGMENT_SUFFIX = ".log";
    static final String SNAPSHOT_PREFIX = "snapshot-";
    static final String SNAPSHOT_SUFFIX = ".snap";

    private JournalFormat() {}

    static Path segment(Path dir, long firstSeq) {
        return dir.resolve(String.format("%s%020d%s", SEGMENT_PREFIX, firstSeq, SEGMENT_SUFFIX));
    }

    static Path snapshot(Path dir, long seq) {
        return dir.resolve(String.format("%s%020d%s", SNAPSHOT_PREFIX, seq, SNAPSHOT_SUFFIX));
    }

    /** The sequence number in a segment or snapshot file name, or -1 if the name is not one of ours. */
    static long seqOf(Path file, String prefix, String suffix) {
        String name = file.getFileName().toString();
        if (!name.startsWith(prefix) || !name.endsWith(suffix)) {
            return -1;
        }
        String digits = name.substring(prefix.length(), name.length() - suffix.length());
        if (digits.length() != 20 || !digits.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Long.parseLong(digits);
    }

    static int crc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    static int getInt(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }

    static long getLong(byte[] b, int at) {
        return ((long) getInt(b, at) << 32) | (getInt(b, at + 4) & 0xFFFF_FFFFL);
    }
}
