package io.credence.market.log;

import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code entries.log} is damaged in a way a crash cannot explain (see {@link MerkleLog} on what
 * recovery treats as a torn tail): a bad record followed by more data, an impossible length, a
 * foreign header, or an entry read back that no longer matches its hash. The log refuses to open
 * or to serve the entry rather than silently drop or return something that was acknowledged.
 */
public final class LogCorruptException extends IOException {
    private static final long serialVersionUID = 1L;

    /** {@link #entryIndex()} when the damage is in the file header rather than in a record. */
    public static final long HEADER = -1;

    private final long entryIndex;
    private final long byteOffset;

    public LogCorruptException(Path file, long entryIndex, long byteOffset, String reason) {
        super(file + ": " + (entryIndex == HEADER ? "header" : "entry " + entryIndex) + " at byte offset "
                + byteOffset + ": " + reason);
        this.entryIndex = entryIndex;
        this.byteOffset = byteOffset;
    }

    /** Index of the first damaged entry, or {@link #HEADER}. */
    public long entryIndex() {
        return entryIndex;
    }

    /** Where in the file that entry's record (or the header) starts. */
    public long byteOffset() {
        return byteOffset;
    }
}
