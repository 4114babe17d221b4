package io.credence.journal;

import io.credence.charging.ChargingEngine;

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
 * Takes the writer's snapshots. The writer only serializes the state into memory (it must not
 * change meanwhile); writing the file, forcing it and deleting what it makes unnecessary happen on
 * the snapshot thread while the writer goes on (issue 17: the snapshot stalled every answer for
 * its whole write). A state whose last snapshot was over {@link #BACKGROUND_BYTES_MAX}, and the
 * final snapshot at shutdown, are written by the writer directly. A failed snapshot stops the
 * writer at its next turn: nothing acknowledged is lost (the journal it would have replaced is
 * kept), but a disk that takes no snapshot is one the operator must hear of.
 */
final class SnapshotTaker {
    private static final System.Logger LOG = System.getLogger(DurableEngine.class.getName());
    /** Snapshots up to this size are serialized in memory and written beside the writer. */
    static final long BACKGROUND_BYTES_MAX = 1L << 30;

    private final Path dir;
    private final SnapshotStore store;
    /** {@link #BACKGROUND_BYTES_MAX}, or a smaller bound in tests. */
    private final long backgroundBytesMax;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("credence-snapshot-writer").daemon().factory());
    /** The record the latest snapshot covers; read after close for the shutdown line. */
    private volatile long lastSeq;
    /** Size of the latest snapshot file: past a limit snapshots are no longer serialized in memory. */
    private volatile long lastBytes;
    /** The snapshot being written beside the writer, or null; set by the writer thread only. */
    private volatile CompletableFuture<Void> inFlight;
    private volatile Exception failure;

    SnapshotTaker(Path dir, SnapshotStore store, long recoveredSnapshotSeq) {
        this(dir, store, recoveredSnapshotSeq, BACKGROUND_BYTES_MAX);
    }

    SnapshotTaker(Path dir, SnapshotStore store, long recoveredSnapshotSeq, long backgroundBytesMax) {
        this.dir = dir;
        this.store = store;
        this.lastSeq = recoveredSnapshotSeq;
        this.backgroundBytesMax = backgroundBytesMax;
    }

    long lastSeq() {
        return lastSeq;
    }

    /**
     * Snapshots the state after record {@code seq} (the writer's thread, between batches), closes
     * {@code segment} and returns the segment that starts after it.
     */
    FileChannel takeAndRoll(ChargingEngine engine, long seq, FileChannel segment, boolean background)
            throws IOException {
        long started = System.nanoTime();
        awaitInFlight();
        segment.close();
        if (background && lastBytes <= backgroundBytesMax) {
            SnapshotStore.Serialized serialized = SnapshotStore.serialize(engine, lastBytes);
            FileChannel next = Segments.open(dir, seq + 1);
            lastSeq = seq;
            long serializedNanos = System.nanoTime() - started;
            inFlight = CompletableFuture.runAsync(() -> {
                try {
                    store.persist(seq, serialized);
                    lastBytes = serialized.length();
                    deleteWhatSnapshotsMakeUnnecessary();
                    LOG.log(System.Logger.Level.INFO, "snapshot at record {0} written ({1} MiB): serialized by the "
                            + "writer in {2} ms, on disk {3} ms later", seq, serialized.length() >> 20,
                            serializedNanos / 1_000_000, (System.nanoTime() - started - serializedNanos) / 1_000_000);
                } catch (IOException | RuntimeException failed) {
                    failure = failed;
                }
            }, thread);
            return next;
        }
        store.write(seq, engine);
        FileChannel next = Segments.open(dir, seq + 1);
        lastBytes = Files.size(JournalFormat.snapshot(dir, seq));
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
