package io.credence.charging.simulation;

import io.credence.charging.CatalogReader;
import io.credence.charging.ChargingEngine;
import io.credence.charging.EngineCodec;
import io.credence.charging.EngineCommand;
import io.credence.charging.EngineOutcome;
import io.credence.charging.EngineSnapshot;
import io.credence.ledger.ByteArrayDataInput;
import io.credence.ledger.ByteArrayDataOutput;
import io.credence.ledger.LedgerLimits;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The simulated disk: the journal's records (bytes and time, through the same codec the disk
 * journal writes) and the last snapshot's bytes, and recovery from them as a restart does it.
 */
final class SimJournal {
    /** A record cut from the journal's tail. */
    record Lost(byte[] bytes, long atMillis, boolean first) {}

    private final LedgerLimits limits;
    private final CatalogReader catalogs;
    private final List<byte[]> records = new ArrayList<>();
    private final List<Long> times = new ArrayList<>();
    /** Per record: whether it was its request's first application (not a retry answered from memory). */
    private final List<Boolean> firsts = new ArrayList<>();
    private byte[] snapshot;
    private int snapshotCovers;

    SimJournal(LedgerLimits limits, CatalogReader catalogs) {
        this.limits = limits;
        this.catalogs = catalogs;
    }

    void append(byte[] record, long atMillis, boolean firstApplication) {
        records.add(record);
        times.add(atMillis);
        firsts.add(firstApplication);
    }

    /** Whether a record follows the snapshot (only those can be lost: the snapshot covers the rest). */
    boolean hasTailAfterSnapshot() {
        return records.size() > snapshotCovers;
    }

    EngineCommand last() {
        return records.isEmpty() ? null : decode(records.get(records.size() - 1));
    }

    Lost cutLast() {
        int i = records.size() - 1;
        return new Lost(records.remove(i), times.remove(i), firsts.remove(i));
    }

    void snapshot(ChargingEngine engine) {
        snapshot = bytesOf(engine);
        snapshotCovers = records.size();
    }

    /**
     * A restarted engine: the snapshot, then every record after it.
     *
     * @param replayed told each replayed record's outcome (to compare the usage records written again)
     * @param nowMillis where time moves on to after the replay (the restarted writer's first tick); or -1: stay
     */
    ChargingEngine recover(Consumer<EngineOutcome> replayed, long nowMillis) {
        ChargingEngine recovered;
        if (snapshot == null) {
            recovered = new ChargingEngine(limits, catalogs);
        } else {
            try {
                recovered = EngineSnapshot.read(new ByteArrayDataInput(snapshot, 0, snapshot.length), limits, catalogs);
            } catch (IOException unreadable) {
                throw new UncheckedIOException("the simulation's own snapshot", unreadable);
            }
        }
        for (int i = snapshot == null ? 0 : snapshotCovers; i < records.size(); i++) {
            byte[] bytes = records.get(i);
            replayed.accept(recovered.apply(decode(bytes), times.get(i),
                    EngineCodec.ledgerFingerprint(bytes, 0, bytes.length)));
        }
        if (nowMillis >= 0) {
            recovered.advanceTo(nowMillis);
        }
        return recovered;
    }

    static EngineCommand decode(byte[] bytes) {
        try {
            return EngineCodec.read(bytes, 0, bytes.length);
        } catch (IOException unreadable) {
            throw new UncheckedIOException("a journal record the simulation wrote", unreadable);
        }
    }

    static byte[] bytesOf(ChargingEngine engine) {
        ByteArrayDataOutput out = new ByteArrayDataOutput(1 << 16);
        try {
            EngineSnapshot.write(engine, out);
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
        return Arrays.copyOf(out.array(), out.size());
    }

    /** Where two snapshots part: for a failure message. */
    static String difference(byte[] a, byte[] b) {
        int at = Arrays.mismatch(a, b);
        return "(" + a.length + " vs " + b.length + " bytes, first difference at byte " + at + ": "
                + printable(a, at) + " | " + printable(b, at) + ")";
    }

    private static String printable(byte[] bytes, int at) {
        return new String(Arrays.copyOfRange(bytes, Math.max(0, at - 40), Math.min(bytes.length, at + 40)),
                StandardCharsets.ISO_8859_1).replaceAll("[^ -~]", ".");
    }
}
