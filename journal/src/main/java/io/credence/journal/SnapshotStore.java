package io.credence.journal;

import io.credence.charging.CatalogReader;
import io.credence.charging.ChargingEngine;
import io.credence.charging.EngineSnapshot;
import io.credence.ledger.LedgerLimits;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * Snapshot files: the engine's bytes ({@link EngineSnapshot}) followed by a trailer of the body
 * length (i64) and its CRC32C (u32). Written to a temporary name, forced, then renamed, so a
 * snapshot file either is complete or does not exist under its final name.
 */
final class SnapshotStore {
    private final Path dir;
    /** Snapshots up to this size are read into memory; larger ones are streamed ({@link #IN_MEMORY_BYTES_MAX}). */
    private final long inMemoryBytesMax;

    SnapshotStore(Path dir) {
        this(dir, IN_MEMORY_BYTES_MAX);
    }

    /** With another in-memory bound: tests reach the streaming path with small snapshots. */
    SnapshotStore(Path dir, long inMemoryBytesMax) {
        this.dir = dir;
        this.inMemoryBytesMax = inMemoryBytesMax;
    }

    /** Streams the snapshot to its file as it is serialized: for states too large to hold twice in memory. */
    void write(long seq, ChargingEngine engine) throws IOException {
        Path target = JournalFormat.snapshot(dir, seq);
        Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
        CRC32C crc = new CRC32C();
        long bodyBytes;
        try (OutputStream file = Files.newOutputStream(temporary);
             CountingStream counting = new CountingStream(new CheckedOutputStream(new BufferedOutputStream(file, 1 << 16), crc));
             DataOutputStream out = new DataOutputStream(counting)) {
            EngineSnapshot.write(engine, out);
            out.flush();
            bodyBytes = counting.count;
            DataOutputStream trailer = new DataOutputStream(file);
            counting.flushUnderlying();
            trailer.writeLong(bodyBytes);
            trailer.writeInt((int) crc.getValue());
            trailer.flush();
        }
        force(temporary);
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(dir);
    }

    /** Snapshot sequence numbers present, newest first. */
    List<Long> list() throws IOException {
        List<Long> seqs = new ArrayList<>();
        try (var files = Files.list(dir)) {
            files.forEach(f -> {
                long seq = JournalFormat.seqOf(f, JournalFormat.SNAPSHOT_PREFIX, JournalFormat.SNAPSHOT_SUFFIX);
                if (seq >= 0) {
                    seqs.add(seq);
                }
            });
        }
        seqs.sort(Comparator.reverseOrder());
        return seqs;
    }

    /** Snapshots up to this size are read into memory once (checksum and parse from the same bytes). */
    static final long IN_MEMORY_BYTES_MAX = 1L << 30;

    ChargingEngine read(long seq, LedgerLimits limits, CatalogReader catalogReader) throws IOException {
        Path file = JournalFormat.snapshot(dir, seq);
        long size = Files.size(file);
        if (size < 12) {
            throw new IOException(file + ": too short for a snapshot");
        }
        if (size <= inMemoryBytesMax) {
            return readInMemory(file, limits, catalogReader);
        }
        verifyChecksum(file);
        ChargingEngine engine;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            BoundedStream body = new BoundedStream(in, size - 12);
            engine = EngineSnapshot.read(new DataInputStream(body), limits, catalogReader);
            if (body.remaining != 0) {
                throw new IOException(file + ": " + body.remaining + " unread bytes after the engine state");
            }
        }
        return engine;
    }

    /**
     * One read of the file: the checksum is verified over the bytes in memory before anything in
     * them is believed, then the same bytes are parsed (recovery time is mostly this, issue 17).
     */
    private static ChargingEngine readInMemory(Path file, LedgerLimits limits, CatalogReader catalogReader)
            throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < 12) {
            throw new IOException(file + ": file shrank while being read");
        }
        int bodyEnd = bytes.length - 12;
        java.nio.ByteBuffer trailer = java.nio.ByteBuffer.wrap(bytes, bodyEnd, 12);
        long bodyBytes = trailer.getLong();
        int expectedCrc = trailer.getInt();
        if (bodyBytes != bodyEnd) {
            throw new IOException(file + ": the trailer gives the body as " + bodyBytes + " bytes but " + bodyEnd
                    + " precede it");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bodyEnd);
        if (expectedCrc != (int) crc.getValue()) {
            throw new IOException(file + String.format(": checksum mismatch: CRC32C of bytes 0..%d is %08x, the "
                    + "trailer at byte %d says %08x", bodyEnd, (int) crc.getValue(), bodyEnd, expectedCrc));
        }
        io.credence.ledger.ByteArrayDataInput body = new io.credence.ledger.ByteArrayDataInput(bytes, 0, bodyEnd);
        ChargingEngine engine = EngineSnapshot.read(body, limits, catalogReader);
        if (body.remaining() != 0) {
            throw new IOException(file + ": " + body.remaining() + " unread bytes after the engine state");
        }
        return engine;
    }

    /**
     * Checks length and checksum before anything in the body is believed: a damaged count must
     * not size an allocation (an OutOfMemoryError is not a damaged snapshot recovery can skip).
     */
    private static void verifyChecksum(Path file) throws IOException {
        Damage damage = checksumDamage(file, SegmentScanner.ReadPacer.NONE);
        if (damage != null) {
            throw new IOException(file + ": " + damage.problem());
        }
    }

    /** Where a snapshot's trailer disagrees with its bytes, and how. */
    record Damage(long offset, String problem) {}

    /**
     * Reads the whole file once and compares it with its trailer; null when they agree. The
     * checksum covers the body as a whole, so a mismatch cannot say which byte changed: the offset
     * is then that of the trailer, and the problem says the damage lies somewhere before it.
     */
    static Damage checksumDamage(Path file, SegmentScanner.ReadPacer pacer) throws IOException {
        long size = Files.size(file);
        if (size < 12) {
            return new Damage(0, "too short for a snapshot (" + size + " bytes; the trailer alone is 12)");
        }
        long bodyEnd = size - 12;
        CRC32C crc = new CRC32C();
        byte[] chunk = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            long left = bodyEnd;
            while (left > 0) {
                int n = in.read(chunk, 0, (int) Math.min(chunk.length, left));
                if (n < 0) {
                    return new Damage(size - left, "file shrank while being read");
                }
                crc.update(chunk, 0, n);
                left -= n;
                pacer.read(n);
            }
            DataInputStream trailer = new DataInputStream(in);
            long bodyBytes = trailer.readLong();
            int expectedCrc = trailer.readInt();
            if (bodyBytes != bodyEnd) {
                return new Damage(bodyEnd, "the trailer gives the body as " + bodyBytes + " bytes but " + bodyEnd
                        + " precede it");
            }
            if (expectedCrc != (int) crc.getValue()) {
                return new Damage(bodyEnd, String.format("checksum mismatch: CRC32C of bytes 0..%d is %08x, the "
                        + "trailer at byte %d says %08x; the damage is somewhere in those bytes", bodyEnd,
                        (int) crc.getValue(), bodyEnd, expectedCrc));
            }
        }
        return null;
    }

    void delete(long seq) throws IOException {
        Files.deleteIfExists(JournalFormat.snapshot(dir, seq));
    }

    static void force(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    static void forceDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** Counts bytes on their way to the checksum and file. */
    private static final class CountingStream extends OutputStream {
        private final CheckedOutputStream out;
        long count;

        CountingStream(CheckedOutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        void flushUnderlying() throws IOException {
            out.flush();
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    /** Stops the reader at the end of the body so the trailer is read separately. */
    private static final class BoundedStream extends InputStream {
        private final InputStream in;
        long remaining;

        BoundedStream(InputStream in, long limit) {
            this.in = in;
            this.remaining = limit;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }
    }
}
