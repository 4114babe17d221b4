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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static io.credence.journal.JournalTestSupport.START_MILLIS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The snapshot taker on its own, as the writer uses it: a snapshot serialized by the caller and
 * written beside it (or, past a size bound and at shutdown, written by the caller), the segment
 * rolled at once, and a failure on the snapshot thread thrown at the caller's next turn.
 */
class SnapshotTakerTest {
    @TempDir
    Path dir;

    private SnapshotTaker taker;

    @AfterEach
    void stopTheSnapshotThread() throws InterruptedException {
        if (taker != null) {
            taker.shutdown();
        }
    }

    private static ChargingEngine engine(int records) {
        ChargingEngine engine = new ChargingEngine(JournalTestSupport.LIMITS, CatalogReader.NONE);
        for (int seq = 1; seq <= records; seq++) {
            assertThat(engine.apply(SnapshotTest.command(seq), START_MILLIS + seq).accepted()).isTrue();
        }
        return engine;
    }

    private static JournalTestSupport.LedgerState state(ChargingEngine engine) {
        return JournalTestSupport.LedgerState.of(SnapshotTest.ACCOUNTS, 3).apply(engine.ledger());
    }

    /** Blocks the snapshot's file: its temporary name is taken by a directory. */
    private Path block(long seq) throws IOException {
        return Files.createDirectories(dir.resolve(JournalFormat.snapshot(dir, seq).getFileName() + ".tmp"));
    }

    private static long param(LogRecord record, int i) {
        return ((Number) record.getParameters()[i]).longValue();
    }

    @Test
    void aBackgroundSnapshotRollsTheSegmentAtOnceAndIsOnDiskAfterTheWait() throws Exception {
        SnapshotStore store = new SnapshotStore(dir);
        taker = new SnapshotTaker(dir, store, 0);
        ChargingEngine engine = engine(12);
        for (int i = 0; i < 5_000; i++) { // enough state that serializing it takes a while
            engine.apply(JournalTestSupport.create("c-more-" + i, "more-" + i), START_MILLIS + 100);
        }
        FileChannel first = Segments.open(dir, 1);
        try (LogCapture log = LogCapture.of(DurableEngine.class)) {
            long started = System.nanoTime();
            FileChannel next = taker.takeAndRoll(engine, 12, first, true);
            assertThat(first.isOpen()).as("the old segment is closed").isFalse();
            assertThat(taker.lastSeq()).isEqualTo(12);
            next.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            next.close();
            assertThat(Files.size(JournalFormat.segment(dir, 13))).isEqualTo(3);

            taker.awaitInFlight();
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + 1;
            assertThat(store.list()).containsExactly(12L);
            assertThat(state(store.read(12, JournalTestSupport.LIMITS, CatalogReader.NONE))).isEqualTo(state(engine));
            taker.failIfFailed();

            List<LogRecord> written = log.startingWith("snapshot at record {0} written ({1} MiB)");
            assertThat(written).hasSize(1);
            LogRecord line = written.get(0);
            assertThat(param(line, 0)).isEqualTo(12);
            assertThat(param(line, 1)).isEqualTo(Files.size(JournalFormat.snapshot(dir, 12)) >> 20).isZero();
            assertThat(param(line, 2)).as("serializing took part of the time measured").isBetween(0L, elapsedMillis);
            assertThat(param(line, 3)).as("writing took part of the time measured").isBetween(0L, elapsedMillis);
            assertThat(param(line, 2) + param(line, 3)).as("serializing, then writing").isLessThanOrEqualTo(elapsedMillis);
        }
        taker.shutdown();
        assertThat(taker.lastSeq()).isEqualTo(12);
    }

    @Test
    void aDirectSnapshotIsOnDiskWhenTheCallReturns() throws Exception {
        SnapshotStore store = new SnapshotStore(dir);
        taker = new SnapshotTaker(dir, store, 3);
        assertThat(taker.lastSeq()).as("the snapshot recovery found").isEqualTo(3);
        ChargingEngine engine = engine(7);
        try (LogCapture log = LogCapture.of(DurableEngine.class)) {
            long started = System.nanoTime();
            FileChannel next = taker.takeAndRoll(engine, 7, Segments.open(dir, 1), false);
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + 1;
            assertThat(store.list()).containsExactly(7L);
            assertThat(taker.lastSeq()).isEqualTo(7);
            assertThat(next.isOpen()).isTrue();
            next.write(ByteBuffer.wrap(new byte[] {9}));
            next.close();
            assertThat(Files.size(JournalFormat.segment(dir, 8))).isEqualTo(1);
            List<LogRecord> written = log.startingWith("snapshot at record {0} written in {1} ms");
            assertThat(written).hasSize(1);
            assertThat(param(written.get(0), 0)).isEqualTo(7);
            assertThat(param(written.get(0), 1)).isBetween(0L, elapsedMillis);
        }
    }

    @Test
    void aFailedBackgroundSnapshotIsThrownAtTheNextTurnAndTheJournalIsKept() throws Exception {
        SnapshotStore store = new SnapshotStore(dir);
        taker = new SnapshotTaker(dir, store, 0);
        taker.failIfFailed(); // nothing failed yet
        block(5);
        ChargingEngine engine = engine(5);
        FileChannel next = taker.takeAndRoll(engine, 5, Segments.open(dir, 1), true);
        next.close();
        taker.awaitWritten(); // returns: the failure is kept, not thrown here

        Throwable failed = catchThrowable(taker::failIfFailed);
        assertThat(failed).isInstanceOf(IOException.class).hasMessageContaining(".tmp")
                .hasMessageNotContaining("snapshot failed");
        assertThat(catchThrowable(taker::awaitInFlight)).isSameAs(failed);
        assertThat(store.list()).isEmpty();
        assertThat(JournalFormat.segment(dir, 1)).as("nothing deleted").exists();
    }

    @Test
    void theNextSnapshotFirstWaitsForTheOneInFlightAndThrowsItsFailure() throws Exception {
        SnapshotStore store = new SnapshotStore(dir);
        taker = new SnapshotTaker(dir, store, 0);
        block(5);
        FileChannel next = taker.takeAndRoll(engine(5), 5, Segments.open(dir, 1), true);
        Throwable failed = catchThrowable(() -> taker.takeAndRoll(engine(7), 7, next, true));
        assertThat(failed).isInstanceOf(IOException.class).hasMessageContaining(".tmp");
        assertThat(store.list()).as("no snapshot after a failed one").isEmpty();
        next.close();
    }

    @Test
    void awaitInFlightThrowsTheFailureOfTheSnapshotJustStarted() throws Exception {
        taker = new SnapshotTaker(dir, new SnapshotStore(dir), 0);
        block(5);
        taker.takeAndRoll(engine(5), 5, Segments.open(dir, 1), true).close();
        assertThat(catchThrowable(taker::awaitInFlight)).isInstanceOf(IOException.class);
    }

    /**
     * Past the background bound (the size of the last snapshot) the caller writes the snapshot
     * itself, so a failure is thrown by the call; at the bound it is still written beside it.
     */
    @Test
    void snapshotsUpToTheBoundAreWrittenBesideTheCallerAndLargerOnesByIt() throws Exception {
        ChargingEngine engine = engine(5);
        long size = SnapshotStore.serialize(engine, 0).length();

        Path atBound = Files.createDirectories(dir.resolve("at-bound"));
        SnapshotTaker at = new SnapshotTaker(atBound, new SnapshotStore(atBound), 0, size);
        try {
            at.takeAndRoll(engine, 5, Segments.open(atBound, 1), true).close();
            at.awaitInFlight();
            assertThat(Files.size(JournalFormat.snapshot(atBound, 5))).isEqualTo(size);
            Files.createDirectories(atBound.resolve(JournalFormat.snapshot(atBound, 6).getFileName() + ".tmp"));
            FileChannel next = at.takeAndRoll(engine, 6, Segments.open(atBound, 6), true);
            next.close();
            assertThat(catchThrowable(at::awaitInFlight)).as("failed beside the caller").isInstanceOf(IOException.class);
        } finally {
            at.shutdown();
        }

        Path pastBound = Files.createDirectories(dir.resolve("past-bound"));
        SnapshotTaker past = new SnapshotTaker(pastBound, new SnapshotStore(pastBound), 0, size - 1);
        try {
            past.takeAndRoll(engine, 5, Segments.open(pastBound, 1), true).close();
            past.awaitInFlight();
            Files.createDirectories(pastBound.resolve(JournalFormat.snapshot(pastBound, 6).getFileName() + ".tmp"));
            FileChannel segment = Segments.open(pastBound, 6);
            assertThat(catchThrowable(() -> past.takeAndRoll(engine, 6, segment, true)))
                    .as("written, and failed, by the caller").isInstanceOf(IOException.class);
            assertThat(past.lastSeq()).isEqualTo(5);
        } finally {
            past.shutdown();
        }

        // not in the background when the caller says so (the final snapshot at shutdown)
        Path direct = Files.createDirectories(dir.resolve("direct"));
        SnapshotTaker finalOne = new SnapshotTaker(direct, new SnapshotStore(direct), 0);
        try {
            Files.createDirectories(direct.resolve(JournalFormat.snapshot(direct, 5).getFileName() + ".tmp"));
            FileChannel segment = Segments.open(direct, 1);
            assertThat(catchThrowable(() -> finalOne.takeAndRoll(engine, 5, segment, false)))
                    .isInstanceOf(IOException.class);
        } finally {
            finalOne.shutdown();
        }
    }

    @Test
    void aShutdownAfterTheLastSnapshotFinishedWarnsOfNothing() throws Exception {
        taker = new SnapshotTaker(dir, new SnapshotStore(dir), 0);
        taker.takeAndRoll(engine(5), 5, Segments.open(dir, 1), true).close();
        try (LogCapture log = LogCapture.of(DurableEngine.class)) {
            taker.shutdown();
            assertThat(log.messages(Level.WARNING)).isEmpty();
        }
        assertThat(JournalFormat.snapshot(dir, 5)).as("shutdown let the snapshot finish").exists();
        taker = null;
    }
}
