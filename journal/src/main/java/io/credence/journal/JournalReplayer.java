package io.credence.journal;

import io.credence.charging.ChargingEngine;
import io.credence.charging.EngineCodec;
import io.credence.charging.EngineCommand;
import io.credence.charging.EngineOutcome;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * Applies journal records to an engine, in order, as the writer applied them: the records after
 * {@code afterSeq} and up to {@code uptoSeq}. Recovery replays everything after its snapshot;
 * the snapshot replica replays the segments the writer has closed since its last catch-up.
 */
final class JournalReplayer implements SegmentScanner.RecordHandler {
    private final ChargingEngine engine;
    private final long uptoSeq;
    private final Consumer<EngineOutcome> replayed;
    /** The last record applied (or skipped as already in the engine's state). */
    private long seq;
    private long applied;

    /**
     * @param replayed told every outcome a replayed record produced
     */
    JournalReplayer(ChargingEngine engine, long afterSeq, long uptoSeq, Consumer<EngineOutcome> replayed) {
        this.engine = engine;
        this.seq = afterSeq;
        this.uptoSeq = uptoSeq;
        this.replayed = replayed;
    }

    /** The last record the engine's state includes. */
    long seq() {
        return seq;
    }

    /** Records applied by this replayer. */
    long applied() {
        return applied;
    }

    @Override
    public void record(long recordSeq, long atMillis, byte[] bytes, int offset, int length) throws IOException {
        if (recordSeq <= seq) {
            return;
        }
        if (recordSeq > uptoSeq) {
            throw new IOException("record " + recordSeq + " lies past record " + uptoSeq + ", where this replay ends");
        }
        EngineCommand command;
        try {
            command = EngineCodec.read(bytes, offset, length);
        } catch (IOException | RuntimeException unreadable) {
            throw new IOException("record " + recordSeq + ": " + unreadable.getMessage(), unreadable);
        }
        replayed.accept(engine.apply(command, atMillis, EngineCodec.ledgerFingerprint(bytes, offset, length)));
        seq = recordSeq;
        applied++;
    }
}
