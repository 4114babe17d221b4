package io.credence.journal;

import io.credence.charging.CatalogReader;
import io.credence.charging.ChargingEngine;
import io.credence.ledger.LedgerLimits;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A second engine, owned by the snapshot thread, that follows the writer by replaying the journal
 * segments the writer has closed. Snapshots are written from it, so the writer never stops to
 * serialize its state (issue 17: a 81 MiB state stalled every answer for 270-460 ms). The price
 * is the state held twice in memory and each record applied twice; the replica applies closed
 * segments as they close, so that work is spread out rather than done at once when a snapshot is
 * due. Replaying also reads back, checksums included, every record the writer forced.
 */
final class SnapshotReplica {
    private final Path dir;
    private final SnapshotStore store;
    private final LedgerLimits limits;
    private final CatalogReader catalogReader;
    private final SegmentScanner scanner = new SegmentScanner(JournalFormat.RECORD_BYTES_MAX);
    private ChargingEngine engine;
    /** The last record {@link #engine} includes. */
    private long seq;

    SnapshotReplica(Path dir, SnapshotStore store, LedgerLimits limits, CatalogReader catalogReader) {
        this.dir = dir;
        this.store = store;
        this.limits = limits;
        this.catalogReader = catalogReader;
    }

    /** The last record the replica has applied (0 before its first catch-up). */
    long seq() {
        return seq;
    }

    /**
     * Applies the closed segments' records up to {@code target} (the writer closed the segment
     * holding it) and returns the engine, whose state is then the writer's after that record. The
     * replica starts, the first time and after a failure, from the newest snapshot on disk.
     */
    ChargingEngine catchUpTo(long target) throws IOException {
        try {
            if (engine == null) {
                long from = store.list().stream().filter(snapshot -> snapshot <= target).findFirst().orElse(0L);
                engine = from > 0 ? store.read(from, limits, catalogReader) : new ChargingEngine(limits, catalogReader);
                seq = from;
            }
            JournalReplayer replayer = new JournalReplayer(engine, seq, target, outcome -> { });
            List<Long> segments = Segments.list(dir);
            for (int i = 0; i < segments.size() && segments.get(i) <= target; i++) {
                long first = segments.get(i);
                boolean holdsNothingNew = i + 1 < segments.size() && segments.get(i + 1) - 1 <= replayer.seq();
                if (holdsNothingNew) {
                    continue;
                }
                Path file = JournalFormat.segment(dir, first);
                SegmentScanner.Result result = scanner.scan(file, first, replayer);
                if (result.tailBytes() > 0) {
                    throw new JournalCorruptException(file, result.validBytes(), "a closed segment ends in "
                            + result.tailBytes() + " unreadable bytes (" + result.tailReason() + ")");
                }
            }
            if (replayer.seq() != target) {
                throw new IOException("the closed journal segments end at record " + replayer.seq()
                        + ", not at record " + target + " where the writer closed them");
            }
            seq = target;
            return engine;
        } catch (IOException | RuntimeException failed) {
            engine = null;
            seq = 0;
            throw failed;
        }
    }
}
