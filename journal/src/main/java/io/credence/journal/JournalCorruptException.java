package io.credence.journal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The journal is damaged somewhere other than its tail: valid records follow a bad one, or
 * segments do not join up. Start-up refuses rather than silently skip acknowledged operations.
 * The file, offset and reason are kept apart too, so the verifier can report them as fields.
 */
public final class JournalCorruptException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final long offset;
    private final String reason;

    public JournalCorruptException(Path file, long offset, String reason) {
        super(file + " at byte " + offset + ": " + reason);
        this.file = file.toString();
        this.offset = offset;
        this.reason = reason;
    }

    public String file() {
        return file;
    }

    public long offset() {
        return offset;
    }

    public String reason() {
        return reason;
    }
}
