package io.credence.journal;

import io.credence.charging.CatalogReader;
import io.credence.charging.ChargingEngine;
import io.credence.charging.EngineOutcome;
import io.credence.ledger.LedgerLimits;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Start-up: the newest readable snapshot, then every journal record after it applied again in
 * order, a torn tail cut off. Since the engine is deterministic, the state reached is the state
 * the killed process had acknowledged, sessions included.
 */
final class EngineRecovery {
    private static final System.Logger LOG = System.getLogger(EngineRecovery.class.getName());

    /** What recovery hands the writer: the engine, the last record, and the segment to append to. */
    record Recovered(ChargingEngine engine, long lastSeq, FileChannel segment, RecoveryReport report) {}

    private EngineRecovery() {}

    /**
     * @param replayed told every outcome a replayed record produced (the usage records of charges
     *                 replayed are written again: a record lost with the process is not lost)
     */
    static Recovered recover(Path dir, SnapshotStore snapshots, LedgerLimits limits, CatalogReader catalogReader,
                             Consumer<EngineOutcome> replayed) throws IOException {
        long started = System.nanoTime();
        ChargingEngine base = null;
        long snapshotSeq = 0;
        List<Long> damagedSnapshots = new ArrayList<>();
        for (long seq : snapshots.list()) {
            try {
                base = snapshots.read(seq, limits, catalogReader);
                snapshotSeq = seq;
                break;
            } catch (IOException | RuntimeException damaged) {
                LOG.log(System.Logger.Level.WARNING, "snapshot " + seq + " unusable, trying an older one: " + damaged);
                damagedSnapshots.add(seq);
            }
        }
        ChargingEngine engine = base != null ? base : new ChargingEngine(limits, catalogReader);
        long lastSeq = snapshotSeq;
        JournalReplayer replayer = new JournalReplayer(engine, snapshotSeq, Long.MAX_VALUE, replayed);
        // the format's bound, not this run's setting: a record written under a larger setting is still valid
        SegmentScanner scanner = new SegmentScanner(JournalFormat.RECORD_BYTES_MAX);
        List<Long> segments = Segments.list(dir);
        long tailCut = 0;
        String tailReason = null;
        String tailFile = null;
        FileChannel segment = null;
        for (int i = 0; i < segments.size(); i++) {
            long first = segments.get(i);
            boolean lastSegment = i == segments.size() - 1;
            Path file = JournalFormat.segment(dir, first);
            if (!lastSegment && segments.get(i + 1) - 1 <= snapshotSeq) {
                continue;
            }
            if (first > lastSeq + 1) {
                throw new JournalCorruptException(file, 0, "segment starts at record " + first + " but the journal has "
                        + "only " + lastSeq + " records before it");
            }
            SegmentScanner.Result result = scanner.scan(file, first, replayer);
            if (!lastSegment && (result.tailBytes() > 0 || result.lastSeq() != segments.get(i + 1) - 1)) {
                throw new JournalCorruptException(file, result.validBytes(), "segment ends at record "
                        + result.lastSeq() + " (" + result.tailReason() + ") but the next starts at " + segments.get(i + 1));
            }
            lastSeq = Math.max(lastSeq, result.lastSeq());
            if (lastSegment) {
                if (result.tailBytes() > 0) {
                    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                        channel.truncate(result.validBytes());
                        channel.force(true);
                    }
                    tailCut = result.tailBytes();
                    tailReason = result.tailReason();
                    tailFile = file.toString();
                    LOG.log(System.Logger.Level.WARNING, "cut torn journal tail: {0} bytes of {1} ({2})", tailCut, file,
                            tailReason);
                }
                segment = Segments.open(dir, first);
            }
        }
        try {
            if (segment == null) {
                segment = Segments.open(dir, lastSeq + 1);
            }
            engine.verifyInvariants();
            setAside(dir, damagedSnapshots);
        } catch (IOException | RuntimeException failed) {
            if (segment != null) {
                segment.close();
            }
            throw failed;
        }
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
        return new Recovered(engine, lastSeq, segment, new RecoveryReport(snapshotSeq, replayer.applied(), lastSeq,
                tailCut, tailReason, tailFile, elapsedMillis));
    }

    /**
     * Renames snapshots that could not be read, once recovery has succeeded without them, so that
     * they are not counted as one of the two kept (the evidence stays for the operator).
     */
    private static void setAside(Path dir, List<Long> damagedSnapshots) throws IOException {
        for (long seq : damagedSnapshots) {
            Path file = JournalFormat.snapshot(dir, seq);
            Files.move(file, file.resolveSibling(file.getFileName() + ".damaged"), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!damagedSnapshots.isEmpty()) {
            SnapshotStore.forceDirectory(dir);
        }
    }
}
