package io.credence.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static io.credence.journal.JournalFormat.HEADER_BYTES;

/**
 * Reads the records of one segment in order, checking each one's checksum and sequence number.
 * A bad record that nothing valid follows is a torn tail (the crash interrupted a write that was
 * never acknowledged); a bad record followed by any valid record is corruption and fails the scan.
 */
final class SegmentScanner {
    /** Receives each valid record; {@code bytes[offset, offset+length)} is the command. */
    interface RecordHandler {
        void record(long seq, long atMillis, byte[] bytes, int offset, int length) throws IOException;
    }

    /**
     * @param lastSeq    last valid record's sequence number ({@code firstSeq - 1} if none)
     * @param validBytes where the valid records end
     * @param tailBytes  bytes after them (a torn tail to cut), 0 when the segment is clean
     */
    record Result(long lastSeq, long validBytes, long tailBytes, String tailReason) {}

    /**
     * Told how many bytes each read brought in, after the read. Recovery reads as fast as it can;
     * the background verifier sleeps here to bound its I/O rate, so it never competes with the
     * writer's forces for the disk.
     */
    interface ReadPacer {
        ReadPacer NONE = bytes -> { };

        void read(int bytes) throws IOException;
    }

    private static final int CHUNK_BYTES = 1 << 20;

    private final int recordBytesMax;
    private final ReadPacer pacer;

    SegmentScanner(int recordBytesMax) {
        this(recordBytesMax, ReadPacer.NONE);
    }

    SegmentScanner(int recordBytesMax, ReadPacer pacer) {
        this.recordBytesMax = recordBytesMax;
        this.pacer = pacer;
    }

    Result scan(Path file, long firstSeq, RecordHandler handler) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            byte[] buffer = new byte[Math.max(CHUNK_BYTES, HEADER_BYTES + recordBytesMax) * 2];
            int start = 0;
            int end = 0;
            long bufferFileOffset = 0;
            long expected = firstSeq;
            while (true) {
                if (end - start < HEADER_BYTES + recordBytesMax && bufferFileOffset + end < size) {
                    System.arraycopy(buffer, start, buffer, 0, end - start);
                    bufferFileOffset += start;
                    end -= start;
                    start = 0;
                    end += fill(channel, bufferFileOffset + end, buffer, end);
                }
                long recordOffset = bufferFileOffset + start;
                if (end - start == 0) {
                    return new Result(expected - 1, recordOffset, 0, null);
                }
                String problem = problem(buffer, start, end, expected);
                if (problem != null) {
                    checkNothingValidFollows(channel, file, recordOffset, size, expected, problem);
                    return new Result(expected - 1, recordOffset, size - recordOffset, problem);
                }
                int length = JournalFormat.getInt(buffer, start);
                long atMillis = JournalFormat.getLong(buffer, start + HEADER_BYTES);
                handler.record(expected, atMillis, buffer, start + HEADER_BYTES + 8, length - 8);
                start += HEADER_BYTES + length;
                expected++;
            }
        }
    }

    /** Why the bytes at {@code start} are not record {@code expected}, or null when they are. */
    private String problem(byte[] b, int start, int end, long expected) {
        if (end - start < HEADER_BYTES) {
            return "partial record header (" + (end - start) + " bytes)";
        }
        int length = JournalFormat.getInt(b, start);
        if (length < 8 || length > recordBytesMax) {
            return "implausible record length " + length;
        }
        if (end - start < HEADER_BYTES + length) {
            return "record of " + length + " bytes cut short";
        }
        int crc = JournalFormat.getInt(b, start + 4);
        if (crc != JournalFormat.crc(b, start + 8, 8 + length)) {
            return "checksum mismatch";
        }
        long seq = JournalFormat.getLong(b, start + 8);
        if (seq != expected) {
            return "sequence " + seq + " where " + expected + " was expected";
        }
        return null;
    }

    /**
     * Looks for any valid record after a bad one. Finding one means the damage is in the middle,
     * which start-up must not paper over.
     */
    private void checkNothingValidFollows(FileChannel channel, Path file, long badOffset, long size, long expected,
                                          String problem) throws IOException {
        long from = badOffset + 1;
        byte[] window = new byte[Math.max(CHUNK_BYTES, HEADER_BYTES + recordBytesMax) * 2];
        while (from < size) {
            int n = fill(channel, from, window, 0);
            int scanUntil = from + n >= size ? n : n - HEADER_BYTES - recordBytesMax;
            for (int i = 0; i < scanUntil; i++) {
                if (looksValid(window, i, n, expected)) {
                    throw new JournalCorruptException(file, badOffset,
                            "bad record (" + problem + ") followed by a valid one at byte " + (from + i));
                }
            }
            from += Math.max(1, scanUntil);
        }
    }

    private boolean looksValid(byte[] b, int at, int end, long expected) {
        if (end - at < HEADER_BYTES + 8) {
            return false;
        }
        int length = JournalFormat.getInt(b, at);
        if (length < 8 || length > recordBytesMax || end - at < HEADER_BYTES + length) {
            return false;
        }
        long seq = JournalFormat.getLong(b, at + 8);
        if (seq < expected || seq > expected + 1_000_000_000L) {
            return false;
        }
        return JournalFormat.getInt(b, at + 4) == JournalFormat.crc(b, at + 8, 8 + length);
    }

    private int fill(FileChannel channel, long position, byte[] into, int offset) throws IOException {
        ByteBuffer target = ByteBuffer.wrap(into, offset, into.length - offset);
        int total = 0;
        while (target.hasRemaining()) {
            int n = channel.read(target, position + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        pacer.read(total);
        return total;
    }
}
