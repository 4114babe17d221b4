package io.credence.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;

/**
 * The data directory's LOCK is held by another process. The holder writes its PID into the file
 * when it takes the lock, so the refusal can say who: an operator starting a second server by
 * mistake learns which process to stop.
 */
public final class DataDirectoryInUse extends IOException {
    private static final long serialVersionUID = 1L;
    /** "pid 12345\n" is all the LOCK file holds. */
    private static final int LOCK_CONTENT_BYTES_MAX = 64;

    private final long holderPid;

    DataDirectoryInUse(String message, long holderPid) {
        super(message);
        this.holderPid = holderPid;
    }

    /** The PID the holder wrote into LOCK, or -1 when the file does not say. */
    public long holderPid() {
        return holderPid;
    }

    /** Writes this process's PID into the LOCK file it holds (replacing what a previous holder wrote). */
    static void recordHolder(FileChannel lock) throws IOException {
        lock.truncate(0);
        lock.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
                0);
        lock.force(false);
    }

    /** The PID a LOCK file names, or -1. */
    static long holderOf(FileChannel lock) {
        try {
            ByteBuffer content = ByteBuffer.allocate(LOCK_CONTENT_BYTES_MAX);
            lock.read(content, 0);
            String text = new String(content.array(), 0, content.position(), StandardCharsets.US_ASCII).strip();
            return text.startsWith("pid ") ? Long.parseLong(text.substring(4)) : -1;
        } catch (IOException | NumberFormatException unreadable) {
            return -1;
        }
    }
}
