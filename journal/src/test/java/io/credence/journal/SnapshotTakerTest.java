package io.credence.journal;

import io.credence.charging.CatalogReader;
import io.credence.charging.ChargingEngine;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static io.credence.journal.JournalTestSupport.LIMITS;
import static io.credence.journal.JournalTestSupport.START_MILLIS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The snapshot taker on its own, as the writer uses it: the writer only rolls its segment; the
 * snapshot thread replays the closed segments into its replica and writes the snapshot from it,
 * byte for byte the snapshot the writer would have written from its own state; failures are
 * thrown at the writer's next turn.
 */
class SnapshotTakerTest {
    @TempDir
    Path dir;

    private final JournalTestSupport support = new JournalTestSupport();
    private SnapshotTaker taker;

    @AfterEach
    void stopTheSnapshotThread() throws InterruptedException {
        if (taker != null) {
            taker.shutdown();
        }
        assertThat(support.fatal).isEmpty();
    }

    /**
     * A journal of {@code records} records in segment 1 under {@code journalDir}, written by a real
     * writer, and the snapshot that writer took of its own state at close (moved to {@code expected}).
     */
    private byte[] journalOf(Path journalDir, int records) throws IOException {
        // without fsync: what is compared is the bytes written, and 65,000 forces would be slow
        JournalConfig unforced = new JournalConfig(1024, 64, 4096, 0, 2, false);
        try (DurableEngine writer = support.open(journalDir, unforced)) {
            for (int seq = 1; seq <= records; seq++) {
                JournalTestSupport.applyAccepted(writer, SnapshotTest.command(seq));
            }
        }
        Path finalSnapshot = JournalFormat.snapshot(journalDir, records);
        byte[] writersOwn = Files.readAllBytes(finalSnapshot);
        Files.delete(finalSnapshot);
        Files.delete(JournalFormat.segment(journalDir, records + 1)); // the empty segment opened after it
        return writersOwn;
    }

    private FileChannel openForAppend(long firstSeq) throws IOException {
        return FileChannel.open(JournalFormat.segment(dir, firstSeq), StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
    }

    private SnapshotTaker taker(long recoveredSnapshotSeq) {
        return new SnapshotTaker(dir, new SnapshotStore(dir), recoveredSnapshotSeq, LIMITS, CatalogReader.NONE);
    }

    private static long param(LogRecord record, int i) {
        return ((Number) record.getParameters()[i]).longValue();
    }

    @Test
    void aDueSnapshotRollsTheSegmentAtOnceAndIsWrittenFromTheReplayedJournal() throws Exception {
        byte[] writersOwn = journalOf(dir, 60);
        taker = taker(0);
        FileChannel current = openForAppend(1);
        try (LogCapture log = LogCapture.of(DurableEngine.class)) {
            FileChannel next = taker.afterBatch(60, current, 60);
            assertThat(current.isOpen()).as("the writer's segment is closed").isFalse();
            assertThat(taker.lastSeq()).isEqualTo(60);
            next.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            next.close();
            assertThat(Files.size(JournalFormat.segment(dir, 61))).isEqualTo(3);

            taker.awaitInFlight();
            assertThat(Files.readAllBytes(JournalFormat.snapshot(dir, 60)))
                    .as("the replica's snapshot is the writer's own, byte for byte").isEqualTo(writersOwn);
            List<LogRecord> written = log.startingWith("snapshot at record {0} written ({1} MiB) beside the writer");
            assertThat(written).hasSize(1);
            assertThat(param(written.get(0), 0)).isEqualTo(60);
            assertThat(param(written.get(0), 2)).as("replayed from").isEqualTo(1);
            assertThat(param(written.get(0), 3)).as("replayed to").isEqualTo(60);
        }
    }

    @Test
    void betweenSnapshotsTheReplicaFollowsTheSegmentsAsTheyCloseAndTheNextSnapshotReplaysOnlyTheRest()
            throws Exception {
        int records = (int) SnapshotTaker.CATCH_UP_RECORDS + 30;
        Path source = Files.createDirectories(dir.resolve("source"));
        byte[] writersOwn = journalOf(source, records);
        // the same records split where the writer would have closed its segment for a catch-up
        List<JournalTestSupport.RecordOnDisk> all = JournalTestSupport.records(JournalFormat.segment(source, 1));
        long split = SnapshotTaker.CATCH_UP_RECORDS;
        long splitOffset = all.get((int) split).offset();
        byte[] bytes = Files.readAllBytes(JournalFormat.segment(source, 1));
        Files.write(JournalFormat.segment(dir, 1), java.util.Arrays.copyOfRange(bytes, 0, (int) splitOffset));
        Files.write(JournalFormat.segment(dir, split + 1),
                java.util.Arrays.copyOfRange(bytes, (int) splitOffset, bytes.length));

        taker = taker(0);
        FileChannel first = openForAppend(1);
        assertThat(taker.afterBatch(split - 1, first, records)).as("nothing due yet").isSameAs(first);
        FileChannel rolled = taker.afterBatch(split, first, records);
        assertThat(first.isOpen()).isFalse();
        rolled.close(); // the writer appended the rest there: it is already on disk
        taker.awaitInFlight();
        assertThat(taker.lastSeq()).as("a catch-up is no snapshot").isZero();
        assertThat(new SnapshotStore(dir).list()).isEmpty();

        try (LogCapture log = LogCapture.of(DurableEngine.class)) {
            taker.afterBatch(records, openForAppend(split + 1), records).close();
            taker.awaitInFlight();
            List<LogRecord> written = log.startingWith("snapshot at record {0} written ({1} MiB) beside the writer");
            assertThat(param(written.get(0), 2)).as("only what closed since the catch-up").isEqualTo(split + 1);
        }
        assertThat(Files.readAllBytes(JournalFormat.snapshot(dir, records))).isEqualTo(writersOwn);
    }

    @Test
    void nothingNewStartsWhileTheSnapshotThreadIsBusy() throws Exception {
        journalOf(dir, 60);
        taker = taker(0);
        FileChannel next = taker.afterBatch(60, openForAppend(1), 60);
        if (!taker.idle()) { // usually still replaying: the writer keeps its segment and goes on
            assertThat(taker.afterBatch(61, next, 1)).isSameAs(next);
        }
        taker.awaitInFlight();
        assertThat(taker.idle()).isTrue();
        next.close();
    }

    @Test
    void withSnapshotsOnlyAtShutdownTheWriterNeverRolls() throws Exception {
        taker = taker(0);
        FileChannel segment = Segments.open(dir, 1);
        assertThat(taker.afterBatch(SnapshotTaker.CATCH_UP_RECORDS * 4, segment, 0)).isSameAs(segment);
        assertThat(segment.isOpen()).isTrue();
        segment.close();
    }

    @Test
    void theFinalSnapshotIsWrittenByTheWriterAndIsOnDiskWhenTheCallReturns() throws Exception {
        taker = taker(3);
        assertThat(taker.lastSeq()).as("the snapshot recovery found").isEqualTo(3);
        ChargingEngine engine = new ChargingEngine(LIMITS, CatalogReader.NONE);
        for (int seq = 1; seq <= 7; seq++) {
            assertThat(engine.apply(SnapshotTest.command(seq), START_MILLIS + seq).accepted()).isTrue();
        }
        try (LogCapture log = LogCapture.of(DurableEngine.class)) {
            FileChannel next = taker.takeFinal(engine, 7, Segments.open(dir, 1));
            assertThat(new SnapshotStore(dir).list()).containsExactly(7L);
            assertThat(taker.lastSeq()).isEqualTo(7);
            next.write(ByteBuffer.wrap(new byte[] {9}));
            next.close();
            assertThat(Files.size(JournalFormat.segment(dir, 8))).isEqualTo(1);
            assertThat(log.startingWith("snapshot at record {0} written in {1} ms")).hasSize(1);
        }
    }

    @Test
    void aFailedSnapshotIsThrownAtTheNextTurnAndTheJournalIsKept() throws Exception {
        journalOf(dir, 60);
        taker = taker(0);
        taker.failIfFailed(); // nothing failed yet
        Files.createDirectories(dir.resolve(JournalFormat.snapshot(dir, 60).getFileName() + ".tmp"));
        FileChannel next = taker.afterBatch(60, openForAppend(1), 60);
        taker.awaitWritten(); // returns: the failure is kept, not thrown here

        Throwable failed = catchThrowable(taker::failIfFailed);
        assertThat(failed).isInstanceOf(IOException.class).hasMessageContaining(".tmp");
        assertThat(catchThrowable(taker::awaitInFlight)).isSameAs(failed);
        assertThat(catchThrowable(() -> taker.afterBatch(200, next, 60))).as("the writer's next roll")
                .isSameAs(failed);
        assertThat(new SnapshotStore(dir).list()).isEmpty();
        assertThat(JournalFormat.segment(dir, 1)).as("nothing deleted").exists();
        next.close();
    }

    @Test
    void aJournalThatDoesNotReadBackFailsTheSnapshotRatherThanWritingAWrongOne() throws Exception {
        journalOf(dir, 60);
        List<JournalTestSupport.RecordOnDisk> records = JournalTestSupport.records(JournalFormat.segment(dir, 1));
        JournalTestSupport.flipByte(JournalFormat.segment(dir, 1), records.get(40).offset() + 20, 0x10);
        taker = taker(0);
        taker.afterBatch(60, openForAppend(1), 60).close();
        Throwable failed = catchThrowable(taker::awaitInFlight);
        assertThat(failed).isInstanceOf(JournalCorruptException.class).hasMessageContaining("checksum mismatch");
        assertThat(new SnapshotStore(dir).list()).isEmpty();
    }

    @Test
    void aShutdownAfterTheLastSnapshotFinishedWarnsOfNothing() throws Exception {
        journalOf(dir, 60);
        taker = taker(0);
        taker.afterBatch(60, openForAppend(1), 60).close();
        try (LogCapture log = LogCapture.of(DurableEngine.class)) {
            taker.shutdown();
            assertThat(log.messages(Level.WARNING)).isEmpty();
        }
        assertThat(JournalFormat.snapshot(dir, 60)).as("shutdown let the snapshot finish").exists();
        taker = null;
    }
}
