package io.credence.charging;

import io.credence.admission.AdmissionControl;
import io.credence.ledger.Ledger;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.LedgerSnapshot;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole engine state as bytes, so start-up can load a snapshot instead of replaying the journal
 * from its beginning:
 *
 * <pre>
 *   "CRDX" u32 magic, u32 version
 *   the ledger                                   ({@link LedgerSnapshot}, its own magic first)
 *   configuration                                (as {@link EngineCodec}'s Configure)
 *   catalog?     u32 length, source bytes        (re-read with the engine's CatalogReader)
 *   admission?   u32 length, source bytes of the catalog that set its policy,
 *                u32 live { admission }
 *   u32 sessions { session }                      ({@link SessionCodec})
 *   "CRXE" u32 end marker
 * </pre>
 *
 * A snapshot written before the engine existed (a bare ledger snapshot, "CRDS") is still read: its
 * engine has the default configuration and no sessions, which is what it had.
 */
public final class EngineSnapshot {
    private static final int MAGIC = 0x43524458; // "CRDX"
    private static final int END = 0x43525845; // "CRXE"
    private static final int VERSION = 1;

    private EngineSnapshot() {}

    public static void write(ChargingEngine engine, DataOutput out) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        LedgerSnapshot.write(engine.ledger(), out);
        EngineCodec.writeConfig(out, engine.config);
        writeSource(out, engine.catalog == null ? null : engine.catalog.source());
        writeSource(out, engine.admission == null ? null : engine.admissionSource);
        if (engine.admission != null) {
            List<AdmissionControl.LiveAdmission> live = engine.admission.liveAdmissions();
            out.writeInt(live.size());
            for (AdmissionControl.LiveAdmission a : live) {
                SessionCodec.writeAdmission(out, a);
            }
        }
        List<Session> sessions = new ArrayList<>(engine.allSessions());
        sessions.sort(java.util.Comparator.comparing(s -> s.id)); // the same state always writes the same bytes
        out.writeInt(sessions.size());
        for (Session s : sessions) {
            SessionCodec.writeSession(out, s);
        }
        out.writeInt(END);
    }

    public static ChargingEngine read(DataInput in, LedgerLimits limits, CatalogReader reader) throws IOException {
        int magic = in.readInt();
        if (LedgerSnapshot.isLedgerSnapshot(magic)) {
            return new ChargingEngine(LedgerSnapshot.readAfterMagic(in, limits), reader);
        }
        if (magic != MAGIC) {
            throw new IOException("not a Credence snapshot (bad magic)");
        }
        int version = in.readInt();
        if (version != VERSION) {
            throw new IOException("engine snapshot version " + version + " is not supported (expected " + VERSION + ")");
        }
        Ledger ledger = LedgerSnapshot.read(in, limits);
        ChargingEngine engine = new ChargingEngine(ledger, reader);
        engine.config = EngineCodec.readConfig(in);
        byte[] catalog = readSource(in);
        if (catalog != null) {
            engine.catalog = InstalledCatalog.of(catalog, reader.read(catalog));
        }
        byte[] admissionSource = readSource(in);
        if (admissionSource != null) {
            CatalogReader.Contents contents = reader.read(admissionSource);
            if (contents.admission() == null) {
                throw new IOException("the catalog that set the admission policy has none now");
            }
            engine.admission = new AdmissionControl(contents.admission());
            engine.admissionSource = admissionSource;
            int live = in.readInt();
            for (int i = 0; i < live; i++) {
                engine.admission.restore(SessionCodec.readAdmission(in));
            }
        }
        int sessions = in.readInt();
        if (sessions < 0 || sessions > engine.config.sessionsMax()) {
            throw new IOException("snapshot holds " + sessions + " sessions");
        }
        for (int i = 0; i < sessions; i++) {
            engine.restore(SessionCodec.readSession(in));
        }
        if (in.readInt() != END) {
            throw new IOException("engine snapshot does not end with its end marker");
        }
        engine.verifyInvariants();
        return engine;
    }

    private static void writeSource(DataOutput out, byte[] source) throws IOException {
        out.writeBoolean(source != null);
        if (source != null) {
            out.writeInt(source.length);
            out.write(source);
        }
    }

    private static byte[] readSource(DataInput in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        int length = in.readInt();
        if (length <= 0 || length > io.credence.charging.EngineCommand.InstallCatalog.SOURCE_BYTES_MAX) {
            throw new IOException("catalog source of " + length + " bytes");
        }
        byte[] source = new byte[length];
        in.readFully(source);
        return source;
    }
}
