package io.credence.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.credence.journal.JournalTestSupport.START_MILLIS;
import static io.credence.journal.ScannerContractTest.payload;
import static io.credence.journal.ScannerContractTest.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The scanner at its edges: the exact reason for each kind of bad tail, records of the smallest
 * and largest length, what the search past a bad record accepts as valid, and how the file is
 * read (window by window, each read reported to the pacer) when records meet the window's end.
 */
class ScannerBoundaryTest {
    static final int MAX = JournalFormat.RECORD_BYTES_MAX;
    /** The scanner's window for the format's bound: twice the largest record with its header. */
    static final int WINDOW = 2 * (JournalFormat.HEADER_BYTES + MAX);
    static final int SMALL_MAX = 256;

    @TempDir
    Path dir;

    private int files;

    /** A record of {@code total} bytes on disk (header included). */
    private static byte[] recordOfTotal(long seq, int total) {
        return record(seq, START_MILLIS + seq, payload(seq, total - JournalFormat.HEADER_BYTES - 8));
    }

    private Path file(byte[]... parts) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.write(part);
        }
        Path file = dir.resolve("segment-" + files++ + ".log");
        Files.write(file, out.toByteArray());
        return file;
    }

    private static SegmentScanner.Result scan(int recordBytesMax, Path file, long firstSeq) throws IOException {
        return new SegmentScanner(recordBytesMax).scan(file, firstSeq, (s, at, b, o, l) -> { });
    }

    private static byte[] bytes(int length, int value) {
        byte[] b = new byte[length];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }

    /** A header claiming {@code length} with nothing valid behind it. */
    private static byte[] headerClaiming(int length) {
        byte[] header = new byte[JournalFormat.HEADER_BYTES];
        JournalFormat.putInt(header, 0, length);
        return header;
    }

    // ---------------------------------------------------------------- reasons

    @Test
    void aCleanSegmentEndsWithNoTailAndNoReason() throws IOException {
        byte[] a = record(1, START_MILLIS, payload(1, 40));
        byte[] b = record(2, START_MILLIS, payload(2, 3));
        Path file = file(a, b);
        assertThat(scan(SMALL_MAX, file, 1)).isEqualTo(new SegmentScanner.Result(2, a.length + b.length, 0, null));
        assertThat(scan(SMALL_MAX, file(), 5)).isEqualTo(new SegmentScanner.Result(4, 0, 0, null));
    }

    @Test
    void eachKindOfTornTailIsNamedExactly() throws IOException {
        byte[] a = record(1, START_MILLIS, payload(1, 40));
        byte[] b = record(2, START_MILLIS, payload(2, 10));
        int valid = a.length + b.length;

        assertThat(scan(SMALL_MAX, file(a, b, bytes(5, 0x7F)), 1))
                .isEqualTo(new SegmentScanner.Result(2, valid, 5, "partial record header (5 bytes)"));
        // a whole header and nothing after it is no longer a partial header
        assertThat(scan(SMALL_MAX, file(a, b, headerClaiming(100)), 1))
                .isEqualTo(new SegmentScanner.Result(2, valid, 16, "record of 100 bytes cut short"));
        byte[] cut = java.util.Arrays.copyOf(record(3, START_MILLIS, payload(3, 92)), 16 + 50);
        assertThat(scan(SMALL_MAX, file(a, b, cut), 1))
                .isEqualTo(new SegmentScanner.Result(2, valid, 66, "record of 100 bytes cut short"));
        assertThat(scan(SMALL_MAX, file(a, b, headerClaiming(7)), 1))
                .isEqualTo(new SegmentScanner.Result(2, valid, 16, "implausible record length 7"));
        assertThat(scan(SMALL_MAX, file(a, b, headerClaiming(SMALL_MAX + 1)), 1))
                .isEqualTo(new SegmentScanner.Result(2, valid, 16, "implausible record length 257"));
        byte[] badSum = record(3, START_MILLIS, payload(3, 20));
        badSum[badSum.length - 1] ^= 1;
        assertThat(scan(SMALL_MAX, file(a, b, badSum), 1))
                .isEqualTo(new SegmentScanner.Result(2, valid, badSum.length, "checksum mismatch"));
        byte[] wrongSeq = record(7, START_MILLIS, payload(3, 20));
        assertThat(scan(SMALL_MAX, file(a, b, wrongSeq), 1))
                .isEqualTo(new SegmentScanner.Result(2, valid, wrongSeq.length, "sequence 7 where 3 was expected"));
    }

    @Test
    void theSmallestAndLargestRecordsAreValid() throws IOException {
        byte[] empty = record(1, START_MILLIS, new byte[0]);
        assertThat(empty).hasSize(24);
        byte[] largest = record(2, START_MILLIS, payload(2, SMALL_MAX - 8));
        List<Integer> lengths = new ArrayList<>();
        SegmentScanner.Result result = new SegmentScanner(SMALL_MAX).scan(file(empty, largest), 1,
                (s, at, b, o, l) -> lengths.add(l));
        assertThat(result).isEqualTo(new SegmentScanner.Result(2, 24 + 16 + SMALL_MAX, 0, null));
        assertThat(lengths).containsExactly(0, SMALL_MAX - 8);
    }

    // ---------------------------------------------------------------- what counts as valid after a bad record

    private Throwable scanWithBadSecondRecord(int recordBytesMax, byte[] after) throws IOException {
        byte[] a = record(1, START_MILLIS, payload(1, 40));
        byte[] bad = record(2, START_MILLIS, payload(2, 30));
        bad[bad.length - 1] ^= 1;
        Path file = file(a, bad, after);
        return catchThrowable(() -> scan(recordBytesMax, file, 1));
    }

    @Test
    void anEmptyRecordEndingTheFileAfterABadOneIsValid() throws IOException {
        assertThat(scanWithBadSecondRecord(SMALL_MAX, record(3, START_MILLIS, new byte[0])))
                .isInstanceOf(JournalCorruptException.class).hasMessageContaining("followed by a valid one at byte "
                        + (record(1, START_MILLIS, payload(1, 40)).length + 16 + 8 + 30));
    }

    @Test
    void aRecordOfTheLargestLengthAfterABadOneIsValid() throws IOException {
        assertThat(scanWithBadSecondRecord(SMALL_MAX, record(3, START_MILLIS, payload(3, SMALL_MAX - 8))))
                .isInstanceOf(JournalCorruptException.class);
        assertThat(scanWithBadSecondRecord(SMALL_MAX, record(3, START_MILLIS, payload(3, SMALL_MAX - 7))))
                .as("one byte longer is no record").isNull();
    }

    @Test
    void aValidRecordAfterABadOneMayRepeatTheExpectedNumberOrBeFarAhead() throws IOException {
        assertThat(scanWithBadSecondRecord(SMALL_MAX, record(2, START_MILLIS, payload(2, 30))))
                .as("the bad record written again").isInstanceOf(JournalCorruptException.class);
        assertThat(scanWithBadSecondRecord(SMALL_MAX, record(2 + 1_000_000_000L, START_MILLIS, payload(9, 30))))
                .isInstanceOf(JournalCorruptException.class);
        assertThat(scanWithBadSecondRecord(SMALL_MAX, record(3 + 1_000_000_000L, START_MILLIS, payload(9, 30))))
                .as("too far ahead to be ours").isNull();
        assertThat(scanWithBadSecondRecord(SMALL_MAX, record(1, START_MILLIS, payload(9, 30))))
                .as("behind the bad one").isNull();
    }

    // ---------------------------------------------------------------- reads and windows

    private static List<Integer> reads(Path file, long firstSeq) throws IOException {
        List<Integer> reads = new ArrayList<>();
        try {
            new SegmentScanner(MAX, reads::add).scan(file, firstSeq, (s, at, b, o, l) -> { });
        } catch (JournalCorruptException corrupt) {
            throw new AssertionError(corrupt);
        }
        return reads;
    }

    @Test
    void aSegmentSmallerThanTheWindowIsReadOnce() throws IOException {
        Path file = file(record(1, START_MILLIS, payload(1, 40)), record(2, START_MILLIS, payload(2, 300)));
        assertThat(reads(file, 1)).containsExactly((int) Files.size(file));
    }

    @Test
    void aTornTailIsSearchedOnceToTheEndOfTheFile() throws IOException {
        byte[] a = record(1, START_MILLIS, payload(1, 40));
        Path file = file(a, bytes(100, 0));
        assertThat(reads(file, 1)).containsExactly(a.length + 100, 100 - 1);
    }

    @Test
    void theWindowIsTwiceTheLargestRecordWithItsHeader() throws IOException {
        // three records of the largest length, then a torn tail of zeros longer than a window
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int seq = 1; seq <= 3; seq++) {
            out.write(recordOfTotal(seq, 16 + MAX));
        }
        out.write(new byte[WINDOW + 1000]);
        Path file = file(out.toByteArray());
        List<Integer> reads = reads(file, 1);
        // records 1-2, records 3 and the start of the zeros, then the search past the bad "record" of zeros
        assertThat(reads.subList(0, 3)).containsExactly(WINDOW, WINDOW, WINDOW);
    }

    /**
     * A largest record starting 1 MiB before the end of the first window does not fit in what is
     * left of it: the window must slide before it is read, or it is taken for a record cut short.
     */
    @Test
    void aLargestRecordThatDoesNotFitWhatIsLeftOfTheWindowSlidesIt() throws IOException {
        byte[] first = recordOfTotal(1, 16 + MAX - 8); // 1 MiB + 8
        byte[] second = record(2, START_MILLIS, payload(2, 0)); // 24: the next starts at 1 MiB + 32
        byte[] largest = recordOfTotal(3, 16 + MAX);
        byte[] after = record(4, START_MILLIS, payload(4, 50));
        assertThat(WINDOW - (first.length + second.length)).isEqualTo(MAX);
        Path file = file(first, second, largest, after);
        List<Long> seen = new ArrayList<>();
        SegmentScanner.Result result = new SegmentScanner(MAX).scan(file, 1, (s, at, b, o, l) -> seen.add(s));
        assertThat(seen).containsExactly(1L, 2L, 3L, 4L);
        assertThat(result).isEqualTo(new SegmentScanner.Result(4, Files.size(file), 0, null));
    }

    /**
     * A largest record that exactly fills the rest of the first window is read from it as it is;
     * the window slides only after it, and the next read then fills a whole window.
     */
    @Test
    void aRecordThatExactlyFillsTheWindowIsReadWithoutSliding() throws IOException {
        byte[] first = recordOfTotal(1, 16 + MAX - 200);
        byte[] second = record(2, START_MILLIS, payload(2, 0)); // 24
        byte[] filler = recordOfTotal(3, 200 - 24);
        byte[] largest = recordOfTotal(4, 16 + MAX); // exactly what is left of the window
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        long seq = 5;
        while (rest.size() < MAX + 100_000) {
            rest.write(recordOfTotal(seq++, 16 + 100_000));
        }
        Path file = file(first, second, filler, largest, rest.toByteArray());
        assertThat(first.length + second.length + filler.length + largest.length).isEqualTo(WINDOW);
        assertThat(reads(file, 1)).containsExactly(WINDOW, rest.size());
    }

    /**
     * After a bad record, the only valid one lies where the first search window can see its start
     * but not its end: it must be looked at again from the next window, not skipped.
     */
    @Test
    void aValidRecordAcrossTheSearchWindowsEndIsFoundFromTheNextWindow() throws IOException {
        byte[] a = record(1, START_MILLIS, payload(1, 40));
        byte[] bad = headerClaiming(3); // implausible: the search starts one byte after it
        long from = a.length + 1;
        long lonePosition = from + (WINDOW - 16 - MAX) + 5;
        byte[] gap = new byte[(int) (lonePosition - a.length - bad.length)];
        byte[] lone = recordOfTotal(40, 16 + MAX);
        Path file = file(a, bad, gap, lone);
        assertThat(Files.size(file)).isGreaterThan(from + WINDOW);
        Throwable refused = catchThrowable(() -> scan(MAX, file, 1));
        assertThat(refused).isInstanceOf(JournalCorruptException.class)
                .hasMessageContaining("at byte " + a.length + ":")
                .hasMessageContaining("followed by a valid one at byte " + lonePosition);
    }
}
