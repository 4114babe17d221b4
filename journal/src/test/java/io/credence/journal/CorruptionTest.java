package io.credence.journal;

import io.credence.journal.JournalTestSupport.RecordOnDisk;
import io.credence.ledger.Command;
import io.credence.ledger.Operation;
import io.credence.ledger.Unit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.credence.journal.JournalTestSupport.applyAccepted;
import static io.credence.journal.JournalTestSupport.contents;
import static io.credence.journal.JournalTestSupport.copyDirectory;
import static io.credence.journal.JournalTestSupport.crashImage;
import static io.credence.journal.JournalTestSupport.create;
import static io.credence.journal.JournalTestSupport.flipByte;
import static io.credence.journal.JournalTestSupport.lastSegment;
import static io.credence.journal.JournalTestSupport.moneyTotal;
import static io.credence.journal.JournalTestSupport.query;
import static io.credence.journal.JournalTestSupport.records;
import static io.credence.journal.JournalTestSupport.segments;
import static io.credence.journal.JournalTestSupport.snapshots;
import static io.credence.journal.JournalTestSupport.topUp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Damage that is not a torn tail: a bad record with valid ones after it, segments that do not
 * join up. Start-up refuses with the file and offset, and touches nothing.
 */
class CorruptionTest {
    final JournalTestSupport support = new JournalTestSupport();

    @TempDir
    Path dir;

    @TempDir
    Path work;

    @AfterEach
    void nothingFatal() {
        assertThat(support.fatal).isEmpty();
    }

    /** A crash image of one segment holding {@code topUps + 1} records. */
    private Path journalOfTopUps(int topUps) throws IOException {
        try (DurableEngine ledger = support.open(dir)) {
            applyAccepted(ledger, create("c-alice", "alice"));
            for (int i = 0; i < topUps; i++) {
                applyAccepted(ledger, topUp("t-" + i, "alice", 10));
            }
            return crashImage(ledger, dir, work.resolve("image"));
        }
    }

    /** Any single damaged byte of record 2 of 6 (length, checksum, seq, time or command). */
    @Test
    void aDamagedEarlyRecordWithValidRecordsAfterItIsRefusedWithFileAndOffset() throws IOException {
        Path image = journalOfTopUps(5);
        List<RecordOnDisk> records = records(lastSegment(image));
        RecordOnDisk second = records.get(1);
        for (long at = second.offset(); at < second.end(); at++) {
            int[] masks = at < second.offset() + JournalFormat.HEADER_BYTES ? new int[] {0x01, 0x80} : new int[] {0x01};
            for (int mask : masks) {
                Path copy = work.resolve("flip-" + at + "-" + mask);
                copyDirectory(image, copy);
                Path segment = lastSegment(copy);
                flipByte(segment, at, mask);
                Map<String, byte[]> before = contents(copy);

                Throwable refused = catchThrowable(() -> support.open(copy).close());

                assertThat(refused).as("flip 0x%x at byte %d", mask, at).isInstanceOf(JournalCorruptException.class)
                        .hasMessageContaining(segment.toString())
                        .hasMessageContaining("at byte " + second.offset());
                assertThat(contents(copy)).as("refused start-up changed no file")
                        .usingRecursiveComparison().isEqualTo(before);
            }
        }
    }

    @Test
    void aDamagedFirstRecordIsRefusedToo() throws IOException {
        Path image = journalOfTopUps(3);
        Path segment = lastSegment(image);
        flipByte(segment, JournalFormat.HEADER_BYTES + 10, 0x40);
        assertThatThrownBy(() -> support.open(image)).isInstanceOf(JournalCorruptException.class)
                .hasMessageContaining(segment.toString()).hasMessageContaining("at byte 0");
    }

    /** Zeros over a middle record (a lost page) while later records are intact. */
    @Test
    void aZeroedMiddleRecordIsRefused() throws IOException {
        Path image = journalOfTopUps(5);
        Path segment = lastSegment(image);
        RecordOnDisk third = records(segment).get(2);
        byte[] bytes = Files.readAllBytes(segment);
        java.util.Arrays.fill(bytes, (int) third.offset(), (int) third.end(), (byte) 0);
        Files.write(segment, bytes);
        assertThatThrownBy(() -> support.open(image)).isInstanceOf(JournalCorruptException.class)
                .hasMessageContaining("at byte " + third.offset());
    }

    /**
     * After a refused start-up the operator repairs the file (here: puts the byte back) and starts
     * again in the same process: the refused attempt must not have kept the directory locked.
     */
    @Test
    void aRefusedStartUpReleasesTheDirectory() throws IOException {
        Path image = journalOfTopUps(5);
        Path segment = lastSegment(image);
        long at = records(segment).get(1).offset() + 20;
        flipByte(segment, at, 0x01);
        assertThatThrownBy(() -> support.open(image)).isInstanceOf(JournalCorruptException.class);

        flipByte(segment, at, 0x01);
        try (DurableEngine ledger = support.open(image)) {
            assertThat(moneyTotal(ledger, "alice")).isEqualTo(50);
        }
    }

    /**
     * Segments must join up: records 1..n in one, n+1.. in the next. A tear at the end of a
     * segment that is not the last one, or a missing segment, is damage, not a torn tail.
     */
    @Test
    void segmentsThatDoNotJoinUpAreRefused() throws IOException {
        JournalConfig rolling = JournalTestSupport.CONFIG.withSnapshotEveryRecords(5);
        try (DurableEngine ledger = support.open(dir, rolling)) {
            applyAccepted(ledger, create("c-alice", "alice"));
            for (int i = 0; i < 11; i++) {
                applyAccepted(ledger, topUp("t-" + i, "alice", 10));
            }
            crashImage(ledger, dir, work.resolve("image"));
        }
        Path image = work.resolve("image");
        // snapshots at 5 and 10; segments from 6 (records 6..10) and 11 (records 11..12)
        assertThat(snapshots(image)).extracting(p -> p.getFileName().toString())
                .containsExactly(JournalFormat.snapshot(image, 5).getFileName().toString(),
                        JournalFormat.snapshot(image, 10).getFileName().toString());
        assertThat(segments(image)).containsExactly(JournalFormat.segment(image, 6), JournalFormat.segment(image, 11));

        // the newest snapshot is unusable, so recovery needs segment 6 in full
        Path tornMiddle = work.resolve("torn-middle");
        copyDirectory(image, tornMiddle);
        Files.write(JournalFormat.snapshot(tornMiddle, 10), new byte[] {1, 2, 3});
        Path segment6 = JournalFormat.segment(tornMiddle, 6);
        List<RecordOnDisk> inSix = records(segment6);
        JournalTestSupport.truncate(segment6, inSix.get(inSix.size() - 1).offset() + 5);
        Map<String, byte[]> before = contents(tornMiddle);
        assertThatThrownBy(() -> support.open(tornMiddle)).isInstanceOf(JournalCorruptException.class)
                .hasMessageContaining(segment6.toString()).hasMessageContaining("next starts at 11");
        assertThat(contents(tornMiddle)).usingRecursiveComparison().isEqualTo(before);

        Path gap = work.resolve("gap");
        copyDirectory(image, gap);
        Files.write(JournalFormat.snapshot(gap, 10), new byte[] {1, 2, 3});
        Files.delete(JournalFormat.segment(gap, 6));
        assertThatThrownBy(() -> support.open(gap)).isInstanceOf(JournalCorruptException.class)
                .hasMessageContaining(JournalFormat.segment(gap, 11).toString());
    }

    /**
     * An operator lowers recordBytesMax between runs. A record written under the old bound is
     * still an acknowledged command: recovery must replay it or refuse, never cut it off as a
     * "torn tail".
     */
    @Test
    void aLowerRecordBytesMaxAfterRestartDoesNotDropAnAcknowledgedRecord() throws IOException {
        JournalConfig roomy = new JournalConfig(64, 8, 4096, 0, 2, true);
        JournalConfig tight = new JournalConfig(64, 8, 256, 0, 2, true);
        List<Operation.Step> steps = new ArrayList<>();
        for (int i = 0; i < Operation.Linked.STEPS_MAX; i++) {
            steps.add(new Operation.TopUp("system", "alice", Unit.MONEY, 1, null));
        }
        Path image;
        try (DurableEngine ledger = support.open(dir, roomy)) {
            applyAccepted(ledger, create("c-alice", "alice"));
            applyAccepted(ledger, new Command("big", new Operation.Linked(steps)));
            image = crashImage(ledger, dir, work.resolve("image"));
        }
        assertThat(records(lastSegment(image)).get(1).length()).isGreaterThan(256);

        DurableEngine reopened;
        try {
            reopened = support.open(image, tight);
        } catch (IOException refused) {
            // refusing is safe: the operator sees why and can restore the old bound
            assertThat(records(lastSegment(image))).as("the record is still on disk").hasSize(2);
            return;
        }
        try (DurableEngine ledger = reopened) {
            assertThat(ledger.recovery().tailBytesCut()).as("an acknowledged record cut off as a torn tail: %s",
                    ledger.recovery().describe()).isZero();
            assertThat(moneyTotal(ledger, "alice")).as("the acknowledged linked top-up").isEqualTo(16);
        }
    }

    /** Sanity for the refusal tests: an undamaged copy of the same image opens. */
    @Test
    void anUndamagedImageOpens() throws IOException {
        Path image = journalOfTopUps(5);
        try (DurableEngine ledger = support.open(image)) {
            assertThat(ledger.recovery().recordsReplayed()).isEqualTo(6);
            long total = query(ledger, l -> (long) l.accountCount());
            assertThat(total).isEqualTo(2);
        }
    }
}
