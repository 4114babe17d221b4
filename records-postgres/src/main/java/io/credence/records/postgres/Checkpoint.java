package io.credence.records.postgres;

import io.credence.records.file.UsageRecordFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * How far the records files have been committed to the database: every line before {@code offset} in
 * {@code file}, and every line of the files that sort before it. A null file means nothing yet.
 *
 * <p>Stored in {@code <records dir>/postgres.checkpoint}, replaced atomically (temporary file, force,
 * rename, force the directory), so after a crash it is either the old or the new position, never torn:
 *
 * <pre>
 * target=jdbc:postgresql://db.example/credence     the database it is a position for (no query string)
 * file=usage-20261124-223619-123-000042.jsonl
 * offset=1048576                                   bytes of that file committed
 * line=3120                                        lines of that file committed (for messages)
 * </pre>
 *
 * A checkpoint for another database, or one that cannot be read, is ignored with a warning and the
 * files are shipped from the start: the record id keeps that from duplicating anything, while
 * trusting a bad checkpoint could skip records.
 */
record Checkpoint(String file, long offset, long lineNumber) {
    static final String FILE_NAME = "postgres.checkpoint";
    static final Checkpoint START = new Checkpoint(null, 0, 0);
    private static final System.Logger LOG = System.getLogger(Checkpoint.class.getName());

    Checkpoint {
        if (file == null ? offset != 0 || lineNumber != 0 : UsageRecordFile.sequence(Path.of(file)) < 0) {
            throw new IllegalArgumentException("checkpoint must name a records file with offset >= 0, was "
                    + file + "@" + offset);
        }
        if (offset < 0 || lineNumber < 0 || lineNumber > offset) {
            throw new IllegalArgumentException("checkpoint offset and line must be >= 0 and line <= offset, was "
                    + offset + ", " + lineNumber);
        }
    }

    /** @return the checkpoint stored in {@code dir} for {@code target}, or {@link #START} */
    static Checkpoint load(Path dir, String target) throws IOException {
        Path path = dir.resolve(FILE_NAME);
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException none) {
            return START;
        }
        Map<String, String> fields = new HashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                fields.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        if (!target.equals(fields.get("target"))) {
            LOG.log(System.Logger.Level.WARNING, path + " is for " + fields.get("target") + ", not " + target
                    + ": shipping the records files from the start (records already there are kept once)");
            return START;
        }
        try {
            return new Checkpoint(fields.get("file"), Long.parseLong(fields.get("offset")),
                    Long.parseLong(fields.get("line")));
        } catch (IllegalArgumentException | NullPointerException unreadable) {
            LOG.log(System.Logger.Level.WARNING, path + " cannot be read (" + unreadable.getMessage()
                    + "): shipping the records files from the start (records already there are kept once)");
            return START;
        }
    }

    /** Replaces the stored checkpoint; when this returns, a crash leaves this one. */
    void save(Path dir, String target) throws IOException {
        if (file == null) {
            throw new IllegalStateException("the start is never saved: a missing checkpoint means it");
        }
        byte[] bytes = ("target=" + target + "\nfile=" + file + "\noffset=" + offset + "\nline=" + lineNumber + "\n")
                .getBytes(StandardCharsets.UTF_8);
        Path temporary = dir.resolve(FILE_NAME + ".tmp");
        try (FileChannel ch = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                ch.write(buffer);
            }
            ch.force(true);
        }
        Files.move(temporary, dir.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException notOnThisPlatform) {
            // Windows cannot open a directory; the rename itself is still atomic there.
        }
    }

    @Override
    public String toString() {
        return file == null ? "start" : file + ":" + lineNumber + " (byte " + offset + ")";
    }
}
