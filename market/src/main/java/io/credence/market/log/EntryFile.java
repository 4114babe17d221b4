package io.credence.market.log;

import java.io.EOFException;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The layout of {@code entries.log}, shared by the log (writing, recovery) and the offline
 * verifier (reading). All integers are big-endian.
 *
 * <pre>
 *  offset 0           4                  8
 *         +-----------+------------------+
 *         |  "CRDL"   |  version (u32)=1 |                     header, 8 bytes
 *         +-----------+------------------+
 *  then one record per entry, back to back, entry i being leaf i of the Merkle tree:
 *         +--------------+------------------------+------------------------------------+
 *         | length (u32) | entry (length bytes)   | CRC-32C of length field and entry  |
 *         +--------------+------------------------+------------------------------------+
 *           4 bytes        1..entryBytesMax bytes   4 bytes
 * </pre>
 *
 * <p>An entry is never empty, so a zero length field can only be space the file system allocated
 * whose data never arrived. The checksum covers the length field too: a flipped length bit would
 * otherwise re-frame every following record without any checksum noticing at first.
 */
final class EntryFile {
    static final String FILE_NAME = "entries.log";
    static final int MAGIC = 0x4352444C;
    static final int VERSION = 1;
    static final int HEADER_BYTES = 8;
    static final int LENGTH_BYTES = 4;
    static final int CRC_BYTES = 4;
    static final int RECORD_OVERHEAD_BYTES = LENGTH_BYTES + CRC_BYTES;
    /** Ceiling for any configured {@code entryBytesMax}, and what the offline verifier accepts. */
    static final int ENTRY_BYTES_LIMIT = 16 * 1024 * 1024;

    private static final int READ_BUFFER_BYTES = 1 << 20;
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private EntryFile() {
    }

    static byte[] header() {
        byte[] header = new byte[HEADER_BYTES];
        putInt(header, 0, MAGIC);
        putInt(header, 4, VERSION);
        return header;
    }

    /** Writes the record for {@code entry} at {@code out[offset]}; returns its size in bytes. */
    static int encodeRecord(byte[] entry, byte[] out, int offset, CRC32C crc) {
        Check.argument(entry.length > 0 && entry.length <= ENTRY_BYTES_LIMIT, "entry length in 1..ENTRY_BYTES_LIMIT");
        putInt(out, offset, entry.length);
        System.arraycopy(entry, 0, out, offset + LENGTH_BYTES, entry.length);
        crc.reset();
        crc.update(out, offset, LENGTH_BYTES + entry.length);
        putInt(out, offset + LENGTH_BYTES + entry.length, (int) crc.getValue());
        return RECORD_OVERHEAD_BYTES + entry.length;
    }

    /** Writes all of {@code bytes} at {@code position}: a channel may write fewer in one call. */
    static void writeFully(FileChannel channel, ByteBuffer bytes, long position) throws IOException {
        long at = position;
        while (bytes.hasRemaining()) {
            at += channel.write(bytes, at);
        }
    }

    /**
     * The index of record offsets with room for {@code needed} entries: the same array when it has
     * it, else a copy at least twice as large, but never past {@code max}.
     */
    static long[] ensureCapacity(long[] array, long needed, long max) {
        if (needed <= array.length) {
            return array;
        }
        long grown = Math.min(Math.max(needed, (long) array.length * 2), max);
        Check.state(needed <= grown, "offset index fits leavesMax");
        return Arrays.copyOf(array, (int) grown);
    }

    static int getInt(byte[] bytes, int offset) {
        return (int) INT.get(bytes, offset);
    }

    static void putInt(byte[] bytes, int offset, int value) {
        INT.set(bytes, offset, value);
    }

    /** What the first {@link #HEADER_BYTES} of a file say. */
    enum Header {
        VALID,
        /** Empty, a cut-off prefix of the header, or nothing but zeros: a creation that did not finish. */
        ABSENT,
        /** Not this format, or a version this code does not read. */
        FOREIGN
    }

    static Header readHeader(FileChannel channel, long fileBytes) throws IOException {
        Reader reader = new Reader(channel, 64 * 1024);
        byte[] expected = header();
        int present = (int) Math.min(fileBytes, HEADER_BYTES);
        int at = reader.fill(0, present);
        byte[] actual = Arrays.copyOfRange(reader.buffer(), at, at + present);
        if (present == HEADER_BYTES && Arrays.equals(actual, expected)) {
            return Header.VALID;
        }
        if (present < HEADER_BYTES && Arrays.equals(actual, Arrays.copyOf(expected, present))) {
            return Header.ABSENT;
        }
        return reader.allZero(0, fileBytes) ? Header.ABSENT : Header.FOREIGN;
    }

    /** Why a scan stopped before the end of the file. */
    enum Damage {
        /** The file ends inside a record: a write cut short, unless valid records follow. */
        INCOMPLETE_RECORD(true),
        /** Nothing but zero bytes from here on: allocated space whose data never arrived. */
        ZERO_TAIL(true),
        /** The last record's checksum field is still zero: its end never reached the disk. */
        UNWRITTEN_TAIL(true),
        /** A zero length field followed by data that is not all zeros. */
        ZERO_LENGTH(false),
        /** A length field larger than entries may be. */
        LENGTH_OVER_MAX(false),
        /** A whole record whose checksum does not match, and it is not an unwritten tail. */
        CRC_MISMATCH(false);

        /** Whether a crash during an append can produce this; only then may recovery truncate. */
        final boolean crashShaped;

        Damage(boolean crashShaped) {
            this.crashShaped = crashShaped;
        }
    }

    sealed interface Scan permits Scanned, Damaged {}

    /** Every record up to {@code endOffset} was whole and checked ({@code entries} of them). */
    record Scanned(long entries, long endOffset) implements Scan {}

    /** {@code entries} whole records, then {@code damage} in the record starting at {@code offset}. */
    record Damaged(long entries, long offset, Damage damage, String detail) implements Scan {}

    /** Sees each whole, checked record; returns false to stop the scan after it. */
    @FunctionalInterface
    interface RecordVisitor {
        boolean record(long index, long offset, byte[] buffer, int entryOffset, int entryLength);
    }

    /**
     * Reads records from just after the header to {@code fileBytes}, checking each length against
     * {@code entryBytesMax} before trusting it and each checksum before handing the entry on.
     */
    static Scan scan(FileChannel channel, long fileBytes, int entryBytesMax, RecordVisitor visitor) throws IOException {
        Check.argument(0 < entryBytesMax && entryBytesMax <= ENTRY_BYTES_LIMIT, "entryBytesMax in 1..ENTRY_BYTES_LIMIT");
        Reader reader = new Reader(channel, READ_BUFFER_BYTES);
        CRC32C crc = new CRC32C();
        long offset = HEADER_BYTES;
        long index = 0;
        while (offset < fileBytes) {
            long remaining = fileBytes - offset;
            if (remaining < LENGTH_BYTES) {
                Damage damage = reader.allZero(offset, fileBytes) ? Damage.ZERO_TAIL : Damage.INCOMPLETE_RECORD;
                return new Damaged(index, offset, damage, "only " + remaining + " bytes after the last whole record");
            }
            int at = reader.fill(offset, LENGTH_BYTES);
            int length = getInt(reader.buffer(), at);
            if (length == 0) {
                return reader.allZero(offset, fileBytes)
                        ? new Damaged(index, offset, Damage.ZERO_TAIL, remaining + " zero bytes at the end")
                        : new Damaged(index, offset, Damage.ZERO_LENGTH, "zero length field followed by data");
            }
            if (length < 0 || length > entryBytesMax) {
                return new Damaged(index, offset, Damage.LENGTH_OVER_MAX,
                        "length " + Integer.toUnsignedString(length) + " exceeds entryBytesMax " + entryBytesMax);
            }
            int recordBytes = RECORD_OVERHEAD_BYTES + length;
            if (remaining < recordBytes) {
                return new Damaged(index, offset, Damage.INCOMPLETE_RECORD,
                        "record of " + recordBytes + " bytes but only " + remaining + " left in the file");
            }
            at = reader.fill(offset, recordBytes);
            byte[] buffer = reader.buffer();
            crc.reset();
            crc.update(buffer, at, LENGTH_BYTES + length);
            int stored = getInt(buffer, at + LENGTH_BYTES + length);
            if ((int) crc.getValue() != stored) {
                boolean last = remaining == recordBytes;
                return new Damaged(index, offset, last && stored == 0 ? Damage.UNWRITTEN_TAIL : Damage.CRC_MISMATCH,
                        "CRC-32C mismatch (stored " + Integer.toHexString(stored) + ", computed "
                                + Long.toHexString(crc.getValue()) + ")");
            }
            offset += recordBytes;
            index++;
            if (!visitor.record(index - 1, offset - recordBytes, buffer, at + LENGTH_BYTES, length)) {
                break;
            }
        }
        return new Scanned(index, offset);
    }

    /**
     * The offset of the first whole record with a matching checksum that starts after
     * {@code from} (exclusive) and ends by {@code fileBytes}, or -1. Used on an incomplete last
     * record: if its length field was damaged rather than its write cut short, valid records still
     * follow, and truncating would throw them away.
     */
    static long findValidRecordAfter(FileChannel channel, long from, long fileBytes, int entryBytesMax)
            throws IOException {
        long tailBytes = fileBytes - from;
        Check.argument(0 < tailBytes && tailBytes <= ENTRY_BYTES_LIMIT + RECORD_OVERHEAD_BYTES,
                "a resynchronising search covers at most one record");
        Reader reader = new Reader(channel, (int) tailBytes);
        int base = reader.fill(from, (int) tailBytes);
        byte[] tail = reader.buffer();
        CRC32C crc = new CRC32C();
        for (int start = 1; start + RECORD_OVERHEAD_BYTES < tailBytes; start++) {
            int length = getInt(tail, base + start);
            if (length <= 0 || length > entryBytesMax || start + RECORD_OVERHEAD_BYTES + (long) length > tailBytes) {
                continue;
            }
            crc.reset();
            crc.update(tail, base + start, LENGTH_BYTES + length);
            if ((int) crc.getValue() == getInt(tail, base + start + LENGTH_BYTES + length)) {
                return from + start;
            }
        }
        return -1;
    }

    /**
     * Sequential positional reads into one reusable array, so a scan of a large file costs a
     * read call per megabyte rather than per record.
     */
    static final class Reader {
        private final FileChannel channel;
        private byte[] buffer;
        private long bufferStart;
        private int filled;

        Reader(FileChannel channel, int capacity) {
            this.channel = channel;
            this.buffer = new byte[Math.max(capacity, HEADER_BYTES)];
        }

        byte[] buffer() {
            return buffer;
        }

        /** Makes file bytes {@code [offset, offset + length)} readable; returns where {@code offset} is in {@link #buffer()}. */
        int fill(long offset, int length) throws IOException {
            if (offset >= bufferStart && offset + length <= bufferStart + filled) {
                return (int) (offset - bufferStart);
            }
            int keep = 0;
            if (offset >= bufferStart && offset < bufferStart + filled) {
                keep = (int) (bufferStart + filled - offset);
                System.arraycopy(buffer, (int) (offset - bufferStart), buffer, 0, keep);
            }
            if (length > buffer.length) {
                buffer = Arrays.copyOf(buffer, length);
            }
            bufferStart = offset;
            filled = keep;
            while (filled < length) {
                int read = channel.read(ByteBuffer.wrap(buffer, filled, buffer.length - filled), bufferStart + filled);
                if (read < 0) {
                    throw new EOFException("file ended at byte " + (bufferStart + filled) + ", expected "
                            + (offset + length) + " (changed while being read?)");
                }
                filled += read;
            }
            Check.state(filled >= length, "fill delivers what was asked");
            return 0;
        }

        boolean allZero(long from, long to) throws IOException {
            for (long offset = from; offset < to; ) {
                int length = (int) Math.min(buffer.length, to - offset);
                int at = fill(offset, length);
                for (int i = at; i < at + length; i++) {
                    if (buffer[i] != 0) {
                        return false;
                    }
                }
                offset += length;
            }
            return true;
        }
    }
}
