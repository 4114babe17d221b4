package io.credence.market.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/** Opening logs with a fixed key and clock, and reading entries.log independently of the code under test. */
final class LogTestSupport {
    static final LogKey KEY = LogKey.fromSeed(new byte[LogKey.SEED_BYTES]);
    static final InstantSource CLOCK = InstantSource.fixed(Instant.parse("2025-06-01T12:00:00Z"));
    static final LogLimits LIMITS = new LogLimits(64 * 1024, 1_000_000, 4_096, 512);

    private LogTestSupport() {
    }

    static MerkleLog open(Path dir) throws IOException {
        return MerkleLog.open(dir, LIMITS, KEY, CLOCK);
    }

    static byte[] entry(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static List<byte[]> entries(String prefix, int count) {
        List<byte[]> entries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            entries.add(entry(prefix + "-" + i + "-" + "x".repeat(i % 37)));
        }
        return entries;
    }

    /** One record as the test reads it from the file, without the production parser. */
    record RecordOnDisk(long offset, int length, byte[] entry) {
        long end() {
            return offset + 8 + length;
        }

        long crcOffset() {
            return offset + 4 + length;
        }
    }

    static List<RecordOnDisk> records(Path file) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file));
        if (bytes.getInt() != 0x4352444C || bytes.getInt() != 1) {
            throw new IllegalStateException("not a CRDL v1 file");
        }
        List<RecordOnDisk> records = new ArrayList<>();
        while (bytes.remaining() >= 8) {
            int offset = bytes.position();
            int length = bytes.getInt();
            byte[] entry = new byte[length];
            bytes.get(entry);
            bytes.getInt();
            records.add(new RecordOnDisk(offset, length, entry));
        }
        return records;
    }

    static MerkleTree treeOf(List<RecordOnDisk> records) {
        MerkleTree tree = new MerkleTree(Math.max(1, records.size()));
        records.forEach(record -> tree.append(MerkleHashes.leafHash(record.entry())));
        return tree;
    }

    static void flipByte(Path file, long offset) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[(int) offset] ^= 0x40;
        Files.write(file, bytes);
    }

    static void truncate(Path file, long size) throws IOException {
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            channel.truncate(size);
        }
    }

    /** Replaces a record's entry bytes in place and recomputes its CRC, as a careful attacker would. */
    static void rewriteEntryKeepingCrcValid(Path file, RecordOnDisk record, byte[] replacement) throws IOException {
        if (replacement.length != record.length()) {
            throw new IllegalArgumentException("same length keeps the framing");
        }
        byte[] bytes = Files.readAllBytes(file);
        System.arraycopy(replacement, 0, bytes, (int) record.offset() + 4, replacement.length);
        CRC32C crc = new CRC32C();
        crc.update(bytes, (int) record.offset(), 4 + record.length());
        ByteBuffer.wrap(bytes).putInt((int) record.crcOffset(), (int) crc.getValue());
        Files.write(file, bytes);
    }
}
