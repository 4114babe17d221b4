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
 *   admission?   policy ({@link AdmissionCodec}), u32 live { admission } by id
 *   u32 billings { id, billing } by id, u32 settlements { id, settlement } eldest first
 *   u32 sessions { session } by id hash          ({@link SessionCodec}; v2: every session, v3: open ones)
 *   u32 ended { u32 length, session } (v3)      in the order they are forgotten ({@link FinishedSessions})
 *   shares (v3):  endedRetention i64, agreedDay i64, u32 agreed { sim, bytes } by sim,
 *                 u32 shares { share } in the order they were opened
 *   devices (v4): the device directory          ({@link DirectoryCodec})
 *   "CRXE" u32 end marker
 * </pre>
 *
 * A snapshot written before the engine existed (a bare ledger snapshot, "CRDS") is still read: its
 * engine has the default configuration and no sessions, which is what it had.
 */
public final class EngineSnapshot {
    private static final int MAGIC = 0x43524458; // "CRDX"
    private static final int END = 0x43525845; // "CRXE"
    private static final int VERSION = 4;
    /** Before the device directory was engine state: read, with an empty directory. */
    private static final int VERSION_WITHOUT_DEVICES = 3;
    /** Before data shares were engine state: read, with no shares. */
    private static final int VERSION_WITHOUT_SHARES = 2;

    private EngineSnapshot() {}

    public static void write(ChargingEngine engine, DataOutput out) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        LedgerSnapshot.write(engine.ledger(), out);
        EngineCodec.writeConfig(out, engine.config);
        writeSource(out, engine.catalog == null ? null : engine.catalog.source());
        out.writeBoolean(engine.admission != null);
        if (engine.admission != null) {
            AdmissionCodec.writePolicy(out, engine.admission.policy());
            List<AdmissionControl.LiveAdmission> live = new ArrayList<>(engine.admission.liveAdmissions());
            live.sort(java.util.Comparator.comparing(AdmissionControl.LiveAdmission::id));
            out.writeInt(live.size());
            for (AdmissionControl.LiveAdmission a : live) {
                SessionCodec.writeAdmission(out, a);
            }
        }
        List<String> billed = new ArrayList<>(engine.desk.billings.keySet());
        billed.sort(null);
        out.writeInt(billed.size());
        for (String id : billed) {
            out.writeUTF(id);
            AdmissionCodec.writeBilling(out, engine.desk.billings.get(id));
        }
        out.writeInt(engine.desk.settlements.size()); // in their order: the eldest goes first
        for (var e : engine.desk.settlements.entrySet()) {
            out.writeUTF(e.getKey());
            AdmissionCodec.writeSettlement(out, e.getValue());
        }
        List<Session> sessions = new ArrayList<>(engine.openSessions());
        // the same state always writes the same bytes; by hash first, as ids of one gateway share long
        // prefixes and a million string comparisons would stall the writer (the order is any fixed one)
        sessions.sort(java.util.Comparator.<Session>comparingInt(s -> s.id.hashCode()).thenComparing(s -> s.id));
        out.writeInt(sessions.size());
        for (Session s : sessions) {
            SessionCodec.writeSession(out, s);
        }
        // ended sessions as they are kept, in the order they are forgotten (which is state too)
        out.writeInt(engine.sessions.endedCount());
        engine.sessions.forEachEnded((bytes, offset, length) -> {
            out.writeInt(length);
            out.write(bytes, offset, length);
        });
        writeShares(out, engine.shareDesk);
        DirectoryCodec.writeState(out, engine.directory);
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
        if (version != VERSION && version != VERSION_WITHOUT_DEVICES && version != VERSION_WITHOUT_SHARES) {
            throw new IOException("engine snapshot version " + version + " is not supported (expected " + VERSION + ")");
        }
        Ledger ledger = LedgerSnapshot.read(in, limits);
        ChargingEngine engine = new ChargingEngine(ledger, reader);
        engine.config = EngineCodec.readConfig(in);
        byte[] catalog = readSource(in);
        if (catalog != null) {
            engine.catalog = InstalledCatalog.of(catalog, reader.read(catalog));
        }
        if (in.readBoolean()) {
            engine.admission = new AdmissionControl(AdmissionCodec.readPolicy(in));
            int live = in.readInt();
            if (live < 0 || live > engine.admission.policy().admissionsMax()) {
                throw new IOException("snapshot holds " + live + " live admissions");
            }
            for (int i = 0; i < live; i++) {
                engine.admission.restore(SessionCodec.readAdmission(in));
            }
        }
        int billings = in.readInt();
        if (billings < 0 || billings > io.credence.admission.AdmissionPolicy.ADMISSIONS_MAX_LIMIT) {
            throw new IOException("snapshot holds " + billings + " admission billings");
        }
        for (int i = 0; i < billings; i++) {
            engine.desk.billings.put(in.readUTF(), AdmissionCodec.readBilling(in));
        }
        int settlements = in.readInt();
        if (settlements < 0 || settlements > io.credence.admission.AdmissionPolicy.ADMISSIONS_MAX_LIMIT) {
            throw new IOException("snapshot holds " + settlements + " admission settlements");
        }
        for (int i = 0; i < settlements; i++) {
            engine.desk.settlements.put(in.readUTF(), AdmissionCodec.readSettlement(in));
        }
        int sessions = in.readInt();
        if (sessions < 0 || sessions > engine.config.sessionsMax()) {
            throw new IOException("snapshot holds " + sessions + " sessions");
        }
        for (int i = 0; i < sessions; i++) {
            engine.restore(SessionCodec.readSession(in));
        }
        if (version >= VERSION_WITHOUT_DEVICES) {
            readEnded(in, engine);
            readShares(in, engine.shareDesk);
        }
        if (version >= VERSION) {
            DirectoryCodec.readState(in, engine.directory);
        }
        if (in.readInt() != END) {
            throw new IOException("engine snapshot does not end with its end marker");
        }
        engine.verifySessions(); // the ledger's own were verified as LedgerSnapshot read it
        return engine;
    }

    private static void readEnded(DataInput in, ChargingEngine engine) throws IOException {
        int ended = in.readInt();
        if (ended < 0 || ended > engine.config.sessionsMax()) {
            throw new IOException("snapshot holds " + ended + " ended sessions");
        }
        byte[] buffer = new byte[512];
        for (int i = 0; i < ended; i++) {
            int length = in.readInt();
            if (length <= 0 || length > (1 << 24)) {
                throw new IOException("an ended session of " + length + " bytes");
            }
            if (length > buffer.length) {
                buffer = new byte[Math.max(length, buffer.length * 2)];
            }
            in.readFully(buffer, 0, length);
            engine.sessions.restoreEnded(buffer, 0, length);
        }
    }

    private static void writeShares(DataOutput out, ShareDesk desk) throws IOException {
        out.writeLong(desk.endedRetentionMillis);
        out.writeLong(desk.agreedDay);
        List<String> suppliers = new ArrayList<>(desk.agreed.keySet());
        suppliers.sort(null);
        out.writeInt(suppliers.size());
        for (String sim : suppliers) {
            out.writeUTF(sim);
            out.writeLong(desk.agreed.get(sim));
        }
        out.writeInt(desk.shares.size());
        for (DataShare share : desk.shares.values()) {
            SessionCodec.writeShare(out, share);
        }
    }

    private static void readShares(DataInput in, ShareDesk desk) throws IOException {
        desk.endedRetentionMillis = in.readLong();
        desk.agreedDay = in.readLong();
        int suppliers = in.readInt();
        if (suppliers < 0 || suppliers > ShareTerms.SHARES_MAX_LIMIT) {
            throw new IOException("snapshot holds " + suppliers + " suppliers' daily shares");
        }
        for (int i = 0; i < suppliers; i++) {
            desk.agreed.put(in.readUTF(), in.readLong());
        }
        int shares = in.readInt();
        if (shares < 0 || shares > ShareTerms.SHARES_MAX_LIMIT) {
            throw new IOException("snapshot holds " + shares + " data shares");
        }
        for (int i = 0; i < shares; i++) {
            desk.restore(SessionCodec.readShare(in));
        }
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
