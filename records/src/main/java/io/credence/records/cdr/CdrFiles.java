package io.credence.records.cdr;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The CDR file format of TS 32.297 section 6.1 as this server writes and reads it:
 *
 * <pre>
 *   file header (6.1.1), 62 octets here:
 *     file length 4 | header length 4 | high release/version 1 | low release/version 1 |
 *     file opening time stamp 4 | last CDR appended time stamp 4 | number of CDRs 4 |
 *     file sequence number 4 | file closure trigger reason 1 | IP address of the node 20 |
 *     lost CDR indicator 1 | CDR routeing filter length 2 (0) |
 *     private extension length 2 (8) | private extension 8: the first CDR's local record
 *       sequence number (so a restart numbers on from the newest file) |
 *     high release identifier extension 1 | low release identifier extension 1
 *   then per CDR, the CDR header (6.1.2), 5 octets:
 *     CDR length 2 | release/version 1 | data record format (1 = BER) / TS number (20 = 32.255) 1 |
 *     release identifier extension 1
 *   and the BER CHFRecord.
 * </pre>
 *
 * Release and version: the ASN.1 is TS 32.298 V16.11.0, so release identifier 7 ("beyond Rel-9")
 * with extension 6 (Rel-10 + 6 = Rel-16) and version 11. Time stamps pack month, day, hour, minute
 * and the offset from UTC into 32 bits; this server writes UTC. The node address is an IPv6 (or
 * IPv4-mapped) address in the last 16 of its 20 octets.
 *
 * <p>File names (6.1.4): {@code <node ID>_-_<file sequence number>.<YYYYMMDD>_-_<hhmm>+0000}; a
 * file being written has {@value #OPEN_SUFFIX} after that and is renamed when it is closed, so a
 * billing system that picks files up never reads a half-written one.
 */
public final class CdrFiles {
    public static final String OPEN_SUFFIX = ".open";
    public static final int HEADER_LENGTH = 62;
    public static final int CDR_HEADER_LENGTH = 5;
    /** A CDR's length is 2 octets. */
    public static final int CDR_LENGTH_MAX = 0xFFFF;
    static final int RELEASE_BEYOND_REL9 = 7;
    static final int RELEASE = 16;
    static final int VERSION = 11;
    static final int FORMAT_BER = 1;
    static final int TS_32255 = 20;
    static final int PRIVATE_EXTENSION_LENGTH = 8;

    /** File closure trigger reason, 6.1.1. */
    public enum Closure {
        NORMAL(0), SIZE_LIMIT(1), OPEN_TIME_LIMIT(2), CDR_COUNT_LIMIT(3), MANUAL(4), ABNORMAL(128);

        final int code;

        Closure(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        static String describe(int code) {
            for (Closure c : values()) {
                if (c.code == code) {
                    return c.name().toLowerCase().replace('_', '-');
                }
            }
            return "reason-" + code;
        }
    }

    /**
     * A file header as read.
     *
     * @param firstLocalSequence the localRecordSequenceNumber of the file's first CDR (the private extension)
     */
    public record Header(long fileLength, int headerLength, int highRelease, int highVersion, int lowRelease,
                         int lowVersion, int opened, int lastAppended, long cdrCount, long fileSequence,
                         int closureReason, byte[] nodeAddress, int lostCdrIndicator, long firstLocalSequence) {
        public String closure() {
            return Closure.describe(closureReason);
        }
    }

    private static final Pattern NAME = Pattern.compile("(.+)_-_(\\d{1,10})\\.(\\d{8})_-_(\\d{4})([+-]\\d{4})");

    private CdrFiles() {
    }

    static String fileName(String nodeId, long sequence, Instant created) {
        ZonedDateTime t = created.atZone(ZoneOffset.UTC);
        return String.format("%s_-_%d.%04d%02d%02d_-_%02d%02d+0000", nodeId, sequence, t.getYear(), t.getMonthValue(),
                t.getDayOfMonth(), t.getHour(), t.getMinute());
    }

    /** The file sequence number in a CDR file's name, or -1 when the name is not one. */
    static long sequenceOf(Path file) {
        String name = file.getFileName().toString();
        if (name.endsWith(OPEN_SUFFIX)) {
            name = name.substring(0, name.length() - OPEN_SUFFIX.length());
        }
        Matcher m = NAME.matcher(name);
        return m.matches() ? Long.parseLong(m.group(2)) : -1;
    }

    /** The closed CDR files of a directory, oldest (lowest sequence) first. */
    public static List<Path> list(Path dir) throws IOException {
        return listMatching(dir, false);
    }

    /** The files still being written ({@value #OPEN_SUFFIX}), or left so by a crash. */
    public static List<Path> listOpen(Path dir) throws IOException {
        return listMatching(dir, true);
    }

    static List<Path> listMatching(Path dir, boolean open) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(OPEN_SUFFIX) == open && sequenceOf(f) >= 0)
                    .sorted(java.util.Comparator.comparingLong(CdrFiles::sequenceOf)).toList();
        }
    }

    /** 6.1.1 time stamp: month 4 bits, day 5, hour 5, minute 6, sign 1 (1: +), offset hours 5, minutes 6. */
    static int packedTime(Instant at) {
        ZonedDateTime t = at.atZone(ZoneOffset.UTC);
        return t.getMonthValue() << 28 | t.getDayOfMonth() << 23 | t.getHour() << 18 | t.getMinute() << 12 | 1 << 11;
    }

    public static String packedTimeText(int packed) {
        return String.format("%02d-%02dT%02d:%02d%c%02d:%02d", packed >>> 28, packed >>> 23 & 0x1F, packed >>> 18 & 0x1F,
                packed >>> 12 & 0x3F, (packed >>> 11 & 1) == 1 ? '+' : '-', packed >>> 6 & 0x1F, packed & 0x3F);
    }

    static ByteBuffer header(long fileLength, int opened, int lastAppended, long cdrCount, long fileSequence,
                             int closureReason, byte[] nodeAddress, long firstLocalSequence) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_LENGTH);
        b.putInt((int) fileLength);
        b.putInt(HEADER_LENGTH);
        b.put((byte) (RELEASE_BEYOND_REL9 << 5 | VERSION));
        b.put((byte) (RELEASE_BEYOND_REL9 << 5 | VERSION));
        b.putInt(opened);
        b.putInt(lastAppended);
        b.putInt((int) cdrCount);
        b.putInt((int) fileSequence);
        b.put((byte) closureReason);
        b.put(nodeAddress, 0, 20);
        b.put((byte) 0); // lost CDR indicator: none lost (a replay writes them again instead)
        b.putShort((short) 0); // no CDR routeing filter
        b.putShort((short) PRIVATE_EXTENSION_LENGTH);
        b.putLong(firstLocalSequence);
        b.put((byte) (RELEASE - 10));
        b.put((byte) (RELEASE - 10));
        return b.flip();
    }

    static Header readHeader(ByteBuffer b) throws IOException {
        if (b.remaining() < 52) {
            throw new IOException("a CDR file header is at least 52 octets, this file has " + b.remaining());
        }
        long fileLength = Integer.toUnsignedLong(b.getInt());
        int headerLength = b.getInt();
        int high = b.get() & 0xFF;
        int low = b.get() & 0xFF;
        int opened = b.getInt();
        int last = b.getInt();
        long count = Integer.toUnsignedLong(b.getInt());
        long sequence = Integer.toUnsignedLong(b.getInt());
        int closure = b.get() & 0xFF;
        byte[] node = new byte[20];
        b.get(node);
        int lost = b.get() & 0xFF;
        int routeing = b.getShort() & 0xFFFF;
        b.position(b.position() + routeing);
        int privateLength = b.getShort() & 0xFFFF;
        long firstLocal = -1;
        if (privateLength == PRIVATE_EXTENSION_LENGTH) {
            firstLocal = b.getLong();
        } else {
            b.position(b.position() + privateLength);
        }
        if (headerLength < b.position() || headerLength > HEADER_LENGTH + 0xFFFF * 2) {
            throw new IOException("header length " + headerLength + " does not fit its fields");
        }
        return new Header(fileLength, headerLength, high >>> 5, high & 0x1F, low >>> 5, low & 0x1F, opened, last, count,
                sequence, closure, node, lost, firstLocal);
    }

    static byte[] cdrHeader(int length) {
        return new byte[] {(byte) (length >>> 8), (byte) length, (byte) (RELEASE_BEYOND_REL9 << 5 | VERSION),
                (byte) (FORMAT_BER << 5 | TS_32255), (byte) (RELEASE - 10)};
    }

    /** A file's contents: its header, every whole CDR's BER bytes, and where a torn tail began (-1: none). */
    public record Contents(Header header, List<byte[]> cdrs, long tornAt) {}

    /** Reads a CDR file; a CDR cut short by a crash ends the list ({@link Contents#tornAt()}). */
    public static Contents read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        Header header = readHeader(b.duplicate());
        List<byte[]> cdrs = new ArrayList<>();
        int at = header.headerLength();
        long torn = -1;
        while (at < bytes.length) {
            if (at + CDR_HEADER_LENGTH > bytes.length) {
                torn = at;
                break;
            }
            int length = (bytes[at] & 0xFF) << 8 | bytes[at + 1] & 0xFF;
            int headerLength = (bytes[at + 2] & 0xFF) >>> 5 == RELEASE_BEYOND_REL9 ? CDR_HEADER_LENGTH : 4;
            if (at + headerLength + length > bytes.length) {
                torn = at;
                break;
            }
            cdrs.add(java.util.Arrays.copyOfRange(bytes, at + headerLength, at + headerLength + length));
            at += headerLength + length;
        }
        return new Contents(header, cdrs, torn);
    }
}
