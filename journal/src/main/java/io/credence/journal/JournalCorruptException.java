package io.credence.journal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The journal is damaged somewhere other than its tail: valid records follow a bad one, or
 * segments do not join up. Start-up refuses rather than silently skip acknowledged operations.
 */
public final class JournalCorruptException extends IOException {
    private static final long serialVersionUID = 1L;

    public JournalCorruptException(Path file, long offset, String reason) {
        super(file + " at byte " + offset + ": " + reason);
    }
}
