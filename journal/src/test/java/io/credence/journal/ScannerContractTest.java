package io.credence.journal;

import io.credence.journal.JournalTestSupport.RecordOnDisk;
import io.credence.ledger.ByteArrayDataOutput;
import io.credence.ledger.Command;
import io.credence.ledger.CommandCodec;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.credence.journal.JournalTestSupport.START_MILLIS;
import static io.credence.journal.JournalTestSupport.applyAccepted;
import static io.credence.journal.JournalTestSupport.crashImage;
import static io.credence.journal.JournalTestSupport.create;
import static io.credence.journal.JournalTestSupport.lastSegment;
import static io.credence.journal.JournalTestSupport.moneyTotal;
import static io.credence.journal.JournalTestSupport.records;
import static io.credence.journal.JournalTestSupport.topUp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The parts of {@link SegmentScanner} that small journals never reach: segments longer than its
 * read window (which must slide, both when reading records and when looking past a bad one for
 * valid records), and records that look plausible but fail their checksum (which are neither
 * valid records nor proof of mid-file damage). Its contract: a bad record that nothing valid
 * follows is a torn tail; a bad record followed by any valid record is corruption.
 */
class ScannerContractTest {
    /**
     * The scanner reads a window of twice the largest record with its header; recovery uses the
     * format's bound (1 MiB), so the window is 2 MiB + 32 bytes. Tests below build segments well
     * past it, and put records across its end.
     */
    static final int WINDOW = 2 * (JournalFormat.HEADER_BYTES + JournalFormat.RECORD_BYTES_MAX);

    final JournalTestSupport support = new JournalTestSupport();

    @TempDir
    Path dir;

    @TempDir
    Path work;

    @AfterEach
    void nothingFatal() {
        assertThat(support.fatal).isEmpty();
    }

    /** A record as the writer lays it out, around any command bytes. */
    static byte[] record(long seq, long atMillis, byte[] command) {
        byte[] r = new byte[JournalFormat.HEADER_BYTES + 8 + command.length];
        JournalFormat.putInt(r, 0, 8 + command.length);
        JournalFormat.putInt(r, 8, (int) (seq >>> 32));
        JournalFormat.putInt(r, 12, (int) seq);
        JournalFormat.putInt(r, 16, (int) (atMillis >>> 32));
        JournalFormat.putInt(r, 20, (int) atMillis);
        System.arraycopy(command, 0, r, 24, command.length);
        JournalFormat.putInt(r, 4, JournalFormat.crc(r, 8, 16 + command.length));
        return r;
    }

    static byte[] encode(Command command) throws IOException {
        ByteArrayDataOutput out = new ByteArrayDataOutput(128);
        CommandCodec.write(out, command);
        return Arrays.copyOf(out.array(), out.size());
    }

    /** Pseudo-random command bytes, different for each record, so a stale or shifted window shows. */
    static byte[] payload(long seq, int length) {
        byte[] bytes = new byte[length];
        new Random(seq).nextBytes(bytes);
        return bytes;
    }

    /**
     * A segment of 5.5 windows: records of mixed sizes (a few bytes to the format's 1 MiB bound),
     * a 1 MiB record across the first window's end. Every record comes out, in order, with its
     * own bytes, and the scan ends cleanly at the end of the file.
     */
    @Test
    void aSegmentSeveralWindowsLongIsReadToItsEndWithRecordsAcrossEveryWindowBoundary() throws IOException {
        Random sizes = new Random(7);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        List<Long> offsets = new ArrayList<>();
        List<Integer> lengths = new ArrayList<>();
        long seq = 1;
        while (file.size() < WINDOW * 5 + WINDOW / 2) {
            int length;
            if (file.size() < WINDOW - 500_000 || file.size() > WINDOW) {
                int[] typical = {9, 100, 4_000, 70_000, 333_333};
                length = typical[sizes.nextInt(typical.length)] + sizes.nextInt(50);
            } else {
                length = JournalFormat.RECORD_BYTES_MAX - 8; // the largest record there can be, across the window end
            }
            offsets.add((long) file.size());
            lengths.add(length);
            file.write(record(seq, START_MILLIS + seq, payload(seq, length)));
            seq++;
        }
        long lastSeq = seq - 1;
        Path segment = work.resolve("big.log");
        Files.write(segment, file.toByteArray());
        int across = -1;
        for (int i = 0; i < offsets.size(); i++) {
            if (offsets.get(i) < WINDOW && offsets.get(i) + JournalFormat.HEADER_BYTES + 8 + lengths.get(i) > WINDOW) {
                across = i;
            }
        }
        assertThat(across).as("a record lies across the first window's end").isNotNegative();
        assertThat(lengths.get(across)).isEqualTo(JournalFormat.RECORD_BYTES_MAX - 8);

        List<Long> seen = new ArrayList<>();
        SegmentScanner.Result result = new SegmentScanner(JournalFormat.RECORD_BYTES_MAX).scan(segment, 1,
                (s, at, bytes, offset, length) -> {
                    assertThat(at).isEqualTo(START_MILLIS + s);
                    assertThat(Arrays.equals(bytes, offset, offset + length, payload(s, length), 0, length))
                            .as("the bytes of record %d", s).isTrue();
                    seen.add(s);
                });

        assertThat(seen).hasSize((int) lastSeq);
        assertThat(seen.get(seen.size() - 1)).isEqualTo(lastSeq);
        assertThat(result.lastSeq()).isEqualTo(lastSeq);
        assertThat(result.validBytes()).isEqualTo(Files.size(segment));
        assertThat(result.tailBytes()).isZero();
    }

    /**
     * The same through recovery, with real commands: a crash image whose one segment is over two
     * windows of small top-ups replays every one (nothing cut as a "torn tail", no refusal).
     */
    @Test
    void recoveryReplaysEveryRecordOfASegmentLongerThanTwoWindows() throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.write(record(1, START_MILLIS, encode(create("c-alice", "alice"))));
        long seq = 1;
        while (file.size() < 2 * WINDOW + 100_000) {
            seq++;
            file.write(record(seq, START_MILLIS + seq / 100, encode(topUp("t-" + seq, "alice", 1))));
        }
        Path image = work.resolve("image");
        Files.createDirectories(image);
        Files.write(JournalFormat.segment(image, 1), file.toByteArray());
        assertThat(records(JournalFormat.segment(image, 1)).stream().anyMatch(r -> r.offset() < WINDOW && r.end() > WINDOW))
                .as("a record lies across the first window's end").isTrue();

        try (DurableEngine ledger = support.open(image)) {
            assertThat(ledger.recovery().tailBytesCut()).as(ledger.recovery().describe()).isZero();
            assertThat(ledger.recovery().lastSeq()).isEqualTo(seq);
            assertThat(ledger.recovery().recordsReplayed()).isEqualTo(seq);
            assertThat(moneyTotal(ledger, "alice")).isEqualTo(seq - 1);
        }
    }

    /**
     * Looking past a bad record for valid ones slides a window too. Two shapes: damage (zeros)
     * longer than a window with valid records after it; and one valid record only, lying across
     * the end of the first window that search reads. Both are corruption, named at the bad
     * record, with the first valid record after it.
     */
    @Test
    void validRecordsBeyondTheFirstSearchWindowStillMakeABadRecordCorruption() throws IOException {
        SegmentScanner scanner = new SegmentScanner(JournalFormat.RECORD_BYTES_MAX);
        ByteArrayOutputStream longRun = new ByteArrayOutputStream();
        List<Long> offsets = new ArrayList<>();
        for (long seq = 1; longRun.size() < 4 * WINDOW; seq++) {
            offsets.add((long) longRun.size());
            longRun.write(record(seq, START_MILLIS, payload(seq, 30_000 + (int) (seq % 7) * 1_000)));
        }
        byte[] bytes = longRun.toByteArray();
        int bad = 3; // record 4
        long zerosEnd = offsets.get(bad) + WINDOW + WINDOW / 4;
        int firstAfter = (int) offsets.stream().filter(o -> o >= zerosEnd).findFirst().orElseThrow().longValue();
        Arrays.fill(bytes, offsets.get(bad).intValue(), (int) zerosEnd, (byte) 0);
        Path zeroed = work.resolve("zeroed.log");
        Files.write(zeroed, bytes);

        Throwable refused = catchThrowable(() -> scanner.scan(zeroed, 1, (s, at, b, o, l) -> { }));

        assertThat(refused).isInstanceOf(JournalCorruptException.class)
                .hasMessageContaining("at byte " + offsets.get(bad) + ":")
                .hasMessageContaining("followed by a valid one at byte " + firstAfter);

        // the only valid record after the bad one starts 100 bytes before the search window's end
        ByteArrayOutputStream straddling = new ByteArrayOutputStream();
        straddling.write(record(1, START_MILLIS, payload(1, 500)));
        long badOffset = straddling.size();
        long searchFrom = badOffset + 1;
        straddling.write(new byte[(int) (searchFrom + WINDOW - 100 - badOffset)]);
        long lone = straddling.size();
        straddling.write(record(40, START_MILLIS, payload(40, 5_000)));
        Path across = work.resolve("across.log");
        Files.write(across, straddling.toByteArray());

        Throwable alsoRefused = catchThrowable(() -> scanner.scan(across, 1, (s, at, b, o, l) -> { }));

        assertThat(alsoRefused).isInstanceOf(JournalCorruptException.class)
                .hasMessageContaining("at byte " + badOffset + ":")
                .hasMessageContaining("followed by a valid one at byte " + lone);
    }

    /**
     * Mid-file damage whose next record looks like a record (plausible length and sequence
     * number) but fails its checksum, then valid records: refused, and the valid record named is
     * the one after the plausible one. A plausible-looking record is not a valid one.
     */
    @Test
    void aPlausibleRecordWithABadChecksumAfterDamageIsNotTakenForAValidOne() throws IOException {
        Path image = journalOfTopUps(10);
        Path segment = lastSegment(image);
        List<RecordOnDisk> all = records(segment);
        RecordOnDisk damaged = all.get(2);
        RecordOnDisk plausible = all.get(3);
        RecordOnDisk valid = all.get(4);
        JournalTestSupport.flipByte(segment, damaged.offset(), 0x40); // length out of bounds
        JournalTestSupport.flipByte(segment, plausible.end() - 1, 0x01); // a command byte: checksum fails
        byte[] bytes = Files.readAllBytes(segment);
        assertThat(JournalFormat.getLong(bytes, (int) plausible.offset() + 8)).as("still a plausible sequence number")
                .isEqualTo(plausible.seq());

        Throwable refused = catchThrowable(() -> support.open(image).close());

        assertThat(refused).isInstanceOf(JournalCorruptException.class)
                .hasMessageContaining(segment + " at byte " + damaged.offset() + ":")
                .hasMessageContaining("followed by a valid one at byte " + valid.offset());
    }

    /**
     * A torn batch: its first record half written, its second with header and sequence number
     * intact but a checksum that fails, and nothing after. That is a torn tail, not corruption:
     * start-up cuts both and goes on with the records before them.
     */
    @Test
    void aTornTailEndingInAPlausibleRecordWithABadChecksumIsCutNotRefused() throws IOException {
        Path image = journalOfTopUps(6);
        Path segment = lastSegment(image);
        List<RecordOnDisk> all = records(segment);
        RecordOnDisk torn = all.get(all.size() - 2);
        RecordOnDisk plausible = all.get(all.size() - 1);
        byte[] bytes = Files.readAllBytes(segment);
        Arrays.fill(bytes, (int) torn.offset() + JournalFormat.HEADER_BYTES + 4, (int) torn.end(), (byte) 0);
        bytes[(int) plausible.end() - 1] ^= 0x01;
        Files.write(segment, bytes);
        long size = bytes.length;

        try (DurableEngine ledger = support.open(image)) {
            assertThat(ledger.recovery().tailBytesCut()).as(ledger.recovery().describe()).isEqualTo(size - torn.offset());
            assertThat(ledger.recovery().lastSeq()).isEqualTo(torn.seq() - 1);
            assertThat(moneyTotal(ledger, "alice")).as("the top-ups before the torn batch").isEqualTo(40);
        }
        assertThat(Files.size(segment)).isEqualTo(torn.offset());
    }

    /** A crash image of one segment: the account, then {@code topUps} top-ups of 10. */
    private Path journalOfTopUps(int topUps) throws IOException {
        try (DurableEngine ledger = support.open(dir)) {
            applyAccepted(ledger, create("c-alice", "alice"));
            for (int i = 0; i < topUps; i++) {
                applyAccepted(ledger, topUp("t-" + i, "alice", 10));
            }
            return crashImage(ledger, dir, work.resolve("image"));
        }
    }
}
