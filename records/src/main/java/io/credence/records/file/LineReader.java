package io.credence.records.file;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a records file into lines without ever holding more than {@code lineMax} bytes of one line,
 * and tells a complete line from one that is too long or has no {@code '\n'} yet. Public for readers in
 * other modules that keep their own position in the files (the PostgreSQL shipper's checkpoint).
 */
public final class LineReader {
    /** What the next piece of a file is. */
    public sealed interface Line permits Complete, TooLong, Incomplete {}

    /** A line with its {@code '\n'}; {@code bytes[0..length)} is the line without it; {@code end} is the offset after it. */
    public record Complete(byte[] bytes, int length, long lineNumber, long end) implements Line {}

    /** A line longer than lineMax, skipped up to and including its {@code '\n'}. */
    public record TooLong(long lineNumber, long end) implements Line {}

    /** Bytes at the end of the file with no {@code '\n'}: torn by a crash, or still being written. */
    public record Incomplete(long lineNumber, long start, long length) implements Line {}

    private final InputStream in;
    private final int lineMax;
    private final byte[] chunk = new byte[8192];
    private byte[] line;
    private int chunkLength;
    private int chunkPosition;
    private long offset;
    private long lineNumber;

    /** @param offset where {@code in} starts in the file; @param lineNumber lines before that offset */
    public LineReader(InputStream in, int lineMax, long offset, long lineNumber) {
        if (lineMax < 1) {
            throw new IllegalArgumentException("lineMax must be >= 1, was " + lineMax);
        }
        this.in = in;
        this.lineMax = lineMax;
        this.line = new byte[Math.min(lineMax, 4096)];
        this.offset = offset;
        this.lineNumber = lineNumber;
    }

    /** @return the next line, or null at the end of the file */
    public Line next() throws IOException {
        long start = offset;
        int length = 0;
        boolean tooLong = false;
        while (true) {
            if (chunkPosition == chunkLength) {
                chunkLength = in.read(chunk);
                chunkPosition = 0;
                if (chunkLength <= 0) {
                    chunkLength = 0;
                    long pending = offset - start;
                    return pending == 0 ? null : new Incomplete(lineNumber + 1, start, pending);
                }
            }
            byte b = chunk[chunkPosition++];
            offset++;
            if (b == '\n') {
                lineNumber++;
                if (tooLong) {
                    return new TooLong(lineNumber, offset);
                }
                return new Complete(line, length, lineNumber, offset);
            }
            if (tooLong) {
                continue;
            }
            if (length == lineMax) {
                tooLong = true;
                continue;
            }
            if (length == line.length) {
                line = Arrays.copyOf(line, Math.min(lineMax, line.length * 2));
            }
            line[length++] = b;
        }
    }
}
