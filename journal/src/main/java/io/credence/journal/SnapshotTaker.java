package io.credence.journal;

import io.credence.charging.CatalogReader;
import io.credence.charging.ChargingEngine;
import io.credence.ledger.LedgerLimits;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Takes the writer's snapshots without stopping the writer. The writer only closes its journal
 * segment and opens the next; the snapshot thread brings a {@link SnapshotReplica} up to the
 * closed segment's last record and writes the snapshot from it, then deletes what the snapshot
 * makes unnecessary. Between snapshots the writer closes a segment every
 * {@link #CATCH_UP_RECORDS} records so that the replica follows in steps rather than replaying a
 * whole interval when the snapshot is due. The final snapshot at shutdown is written by the writer
 * from its own state. A failed snapshot or catch-up stops the writer at its next turn: nothing
 * acknowledged is lost (the journal it would have replaced is kept), but a disk that takes no
 * snapshot, or a journal that does not read back, is one the operator must hear of.
 */
final class SnapshotTaker {
    private static final System.Logger LOG = System.getLogger(DurableEngine.class.getName());
    /** Records after which the writer closes its segment so the replica can follow. */
    static final long CATCH_UP_RECORDS = 65_536;

    private final Path dir;
    private final SnapshotStore store;
    private final SnapshotReplica replica;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("credence-snapshot-writer").daemon().factory());
    /** The record the latest snapshot covers (or will, once the one in flight is written). */
    private volatile long lastSeq;
    /** The last record of the last segment the writer closed; the writer's thread only. */
    private long closedSeq;
    /** The replica's catch-up or snapshot in progress, or null; set by the writer thread only. */
    private volatile CompletableFuture<Void> inFlight;
    private volatile Exception failure;

    SnapshotTaker(Path dir, SnapshotStore store, long recoveredSnapshotSeq, LedgerLimits limits,
                  CatalogReader catalogReader) {
        this.dir = dir;
        this.store = store;
        this.lastSeq = recoveredSnapshotSeq;
        this.closedSeq = recoveredSnapshotSeq;
        this.replica = new SnapshotReplica(dir, store, limits, catalogReader);
    }

    long lastSeq() {
        return lastSeq;
    }

    /** Whether the snapshot thread is free: the writer starts nothing new while it is not. */
    boolean idle() {
        CompletableFuture<Void> current = inFlight;
        return current == null || current.isDone();
    }

    /**
     * The writer's turn after a batch ending at record {@code seq}: closes the segment and hands the
     * snapshot thread a snapshot when one is due ({@code everyRecords} since the last, 0 = never
     * but at shutdown), or a catch-up when the segment holds {@link #CATCH_UP_RECORDS} records.
     * Returns the segment to append to: the same one when nothing was due or the thread is busy.
     */
    FileChannel afterBatch(long seq, FileChannel segment, long everyRecords) throws IOException {
        if (everyRecords <= 0 || !idle()) {
            return segment;
        }
        boolean snapshotDue = seq - lastSeq >= everyRecords;
        if (!snapshotDue && seq - closedSeq < CATCH_UP_RECORDS) {
            return segment;
        }
        FileChannel next = roll(seq, segment);
        if (snapshotDue) {
            lastSeq = seq;
            inFlight = CompletableFuture.runAsync(() -> snapshotFromReplica(seq), thread);
        } else {
            inFlight = CompletableFuture.runAsync(() -> catchUp(seq), thread);
        }
        return next;
    }

    private FileChannel roll(long seq, FileChannel segment) throws IOException {
        failIfFailed();
        segment.close();
        FileChannel next = Segments.open(dir, seq + 1);
        closedSeq = seq;
        return next;
    }

    private void catchUp(long seq) {
        try {
            replica.catchUpTo(seq);
        } catch (IOException | RuntimeException failed) {
            failure = failed;
        }
    }

    private void snapshotFromReplica(long seq) {
        long started = System.nanoTime();
        try {
            long replayedFrom = replica.seq();
            ChargingEngine engine = replica.catchUpTo(seq);
            long caughtUpNanos = System.nanoTime() - started;
            engine.verifyInvariants();
            store.write(seq, engine);
            deleteWhatSnapshotsMakeUnnecessary();
            LOG.log(System.Logger.Level.INFO, "snapshot at record {0} written ({1} MiB) beside the writer: records "
                    + "{2}..{3} replayed in {4} ms, written in {5} ms", seq,
                    Files.size(JournalFormat.snapshot(dir, seq)) >> 20, replayedFrom + 1, seq,
                    caughtUpNanos / 1_000_000, (System.nanoTime() - started - caughtUpNanos) / 1_000_000);
        } catch (IOException | RuntimeException failed) {
            failure = failed;
        }
    }

    /**
     * The final snapshot, at shutdown: written by the writer from its own state after whatever the
     * snapshot thread was doing has finished. Closes {@code segment} and returns the next.
     */
    FileChannel takeFinal(ChargingEngine engine, long seq, FileChannel segment) throws IOException {
        long started = System.nanoTime();
        awaitInFlight();
        segment.close();
        store.write(seq, engine);
        FileChannel next = Segments.open(dir, seq + 1);
        closedSeq = seq;
        deleteWhatSnapshotsMakeUnnecessary();
        lastSeq = seq;
        LOG.log(System.Logger.Level.INFO, "snapshot at record {0} written in {1} ms", seq,
                (System.nanoTime() - started) / 1_000_000);
        return next;
    }

    /** The writer's wait for the snapshot in flight; throws what it failed with. */
    void awaitInFlight() throws IOException {
        awaitWritten();
        inFlight = null;
        failIfFailed();
    }

    /** Waits until the snapshot being written beside the writer (if any) is on disk or has failed. */
    void awaitWritten() {
        CompletableFuture<Void> current = inFlight;
        if (current != null) {
            current.join(); // the task catches its own failures
        }
    }

    void failIfFailed() throws IOException {
        Exception failed = failure;
        if (failed != null) {
            throw failed instanceof IOException io ? io : new IOException("snapshot failed: " + failed, failed);
        }
    }

    /** After the writer stopped: lets a snapshot still being written finish. */
    void shutdown() throws InterruptedException {
        thread.shutdown();
        if (!thread.awaitTermination(5, TimeUnit.MINUTES)) {
            LOG.log(System.Logger.Level.WARNING, "a snapshot was still being written at shutdown");
        }
    }

    /**
     * Two snapshots are kept, so a damaged newest one still leaves a way back; segments older than
     * the second newest go. With one snapshot only, the whole journal is kept.
     */
    private void deleteWhatSnapshotsMakeUnnecessary() throws IOException {
        List<Long> kept = store.list();
        long oldestKept = kept.size() >= 2 ? kept.get(1) : 0;
        for (int i = 2; i < kept.size(); i++) {
            store.delete(kept.get(i));
        }
        List<Long> segments = Segments.list(dir);
        for (int i = 0; i + 1 < segments.size(); i++) {
            if (segments.get(i + 1) <= oldestKept + 1) {
                Files.deleteIfExists(JournalFormat.segment(dir, segments.get(i)));
            }
        }
    }
}
