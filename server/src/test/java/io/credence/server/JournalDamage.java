package io.credence.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads and damages journal files the way a bad disk would, for the server's journal check
 * tests. Parses the record layout itself ({@code length u32, crc u32, seq i64, atMillis i64,
 * command}), independently of the journal's own scanner.
 */
final class JournalDamage {
    private JournalDamage() {}

    /** Where each record of a segment starts, and where the last one ends (the segment's length). */
    static List<Long> recordOffsets(Path segment) throws IOException {
        byte[] bytes = Files.readAllBytes(segment);
        List<Long> offsets = new ArrayList<>();
        int at = 0;
        while (at < bytes.length) {
            offsets.add((long) at);
            int length = ((bytes[at] & 0xFF) << 24) | ((bytes[at + 1] & 0xFF) << 16) | ((bytes[at + 2] & 0xFF) << 8)
                    | (bytes[at + 3] & 0xFF);
            at += 16 + length;
        }
        if (at != bytes.length) {
            throw new IllegalStateException(segment + " does not end on a record boundary");
        }
        return offsets;
    }

    static void flipByte(Path file, long offset, int mask) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[Math.toIntExact(offset)] ^= (byte) mask;
        Files.write(file, bytes);
    }

    /** The data directory's files whose names start with {@code prefix}, sorted. */
    static List<Path> files(Path dir, String prefix) throws IOException {
        try (Stream<Path> all = Files.list(dir)) {
            return all.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList();
        }
    }
}
