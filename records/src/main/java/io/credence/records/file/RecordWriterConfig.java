package io.credence.records.file;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where usage records go and when a file is closed and the next begun.
 *
 * @param dir        the records directory; created if missing; older files in it are never touched
 * @param rotateBytes a file is closed before a line would take it past this size
 * @param rotateAge  a file is closed when a record arrives and the file is at least this old
 * @param lineMax    the largest record line in bytes, its {@code '\n'} included; bigger records are refused
 */
public record RecordWriterConfig(Path dir, long rotateBytes, Duration rotateAge, int lineMax) {
    public static final long ROTATE_BYTES_DEFAULT = 64L << 20;
    public static final Duration ROTATE_AGE_DEFAULT = Duration.ofHours(1);
    public static final int LINE_MAX_DEFAULT = 64 << 10;
    /** Smallest lineMax: a minimal record is about 300 bytes; below this nothing useful fits. */
    public static final int LINE_MAX_MIN = 1024;
    /** Largest lineMax: readers hold one line in memory, so it stays small. */
    public static final int LINE_MAX_MAX = 16 << 20;
    /** Largest file: past this, tail and follow read too much before their first line. */
    public static final long ROTATE_BYTES_MAX = 1L << 40;
    /** Shortest rotation age: shorter would make a file per record under light load. */
    public static final Duration ROTATE_AGE_MIN = Duration.ofSeconds(1);

    public RecordWriterConfig {
        if (dir == null) {
            throw new IllegalArgumentException("dir must not be null");
        }
        if (lineMax < LINE_MAX_MIN || lineMax > LINE_MAX_MAX) {
            throw new IllegalArgumentException("lineMax must be " + LINE_MAX_MIN + ".." + LINE_MAX_MAX + ", was " + lineMax);
        }
        // A file must hold at least one line of the largest size, or a big record could never be written.
        if (rotateBytes < lineMax || rotateBytes > ROTATE_BYTES_MAX) {
            throw new IllegalArgumentException("rotateBytes must be lineMax (" + lineMax + ").." + ROTATE_BYTES_MAX
                    + ", was " + rotateBytes);
        }
        if (rotateAge == null || rotateAge.compareTo(ROTATE_AGE_MIN) < 0) {
            throw new IllegalArgumentException("rotateAge must be at least " + ROTATE_AGE_MIN + ", was " + rotateAge);
        }
    }

    /** 64 MiB files, a new file at least every hour, lines up to 64 KiB. */
    public static RecordWriterConfig defaults(Path dir) {
        return new RecordWriterConfig(dir, ROTATE_BYTES_DEFAULT, ROTATE_AGE_DEFAULT, LINE_MAX_DEFAULT);
    }
}
