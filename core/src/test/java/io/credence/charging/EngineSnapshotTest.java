package io.credence.charging;

import io.credence.admission.AdmissionPolicy;
import io.credence.admission.AdmissionResult;
import io.credence.admission.Layer;
import io.credence.admission.Pool;
import io.credence.admission.QosParameter;
import io.credence.admission.QosRequest;
import io.credence.charging.ChargingOutcome.Result;
import io.credence.charging.ChargingRequest.Kind;
import io.credence.ledger.AccountKind;
import io.credence.ledger.ByteArrayDataInput;
import io.credence.ledger.ByteArrayDataOutput;
import io.credence.ledger.Command;
import io.credence.ledger.IdentityType;
import io.credence.ledger.Ids;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.LedgerSnapshot;
import io.credence.ledger.Operation;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;
import org.junit.jupiter.api.Test;

import java.io.DataOutput;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.credence.charging.TestRequests.data;
import static io.credence.charging.TestRequests.gy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A snapshot gives back the engine it was taken of: the restored engine has the same balances,
 * sessions open and ended, admissions, shares and configuration, answers the next requests exactly
 * as the live one does, and writes the same bytes. Truncated, corrupted and out-of-bounds snapshots
 * are refused; counts at their maximum are not.
 */
class EngineSnapshotTest {
    private static final long T = 1_767_225_600_000L; // 2026-01-01T00:00Z
    private static final long MB = 1_000_000;
    private static final ServiceRef DATA = ServiceRef.ratingGroup(10);
    private static final ShareTerms TERMS = new ShareTerms(DATA, Ids.SYSTEM_ACCOUNT, 60_000, 100, 3_600_000);
    /** As long as a session id may be: ended, it encodes to more than 512 bytes. */
    private static final String LONG_ID = "pgw.example.net;" + "7".repeat(ChargingRequest.SESSION_ID_LENGTH_MAX - 16);
    private int commands;

    private static AdmissionPolicy policy(int admissionsMax) {
        return new AdmissionPolicy(Map.of(
                Layer.BEARER, AdmissionPolicy.LayerPolicy.closed(),
                Layer.SERVICE, new AdmissionPolicy.LayerPolicy(Map.of(QosParameter.DATA_VOLUME_BYTES,
                        new AdmissionPolicy.Range(1, 10_000_000, null)), Map.of(Pool.DATA_VOLUME, 10_000_000L)),
                Layer.APPLICATION, AdmissionPolicy.LayerPolicy.closed()), admissionsMax, 3600);
    }

    private void ledger(ChargingEngine engine, Operation op) {
        assertThat(engine.apply(new Command("setup-" + commands++, op), T).accepted()).isTrue();
    }

    private void subscriber(ChargingEngine engine, String account, String msisdn) {
        ledger(engine, new Operation.CreateAccount(account, AccountKind.SUBSCRIBER, Map.of()));
        ledger(engine, new Operation.TopUp(Ids.SYSTEM_ACCOUNT, account, Unit.BYTES, 10 * MB, null));
        ledger(engine, new Operation.TopUp(Ids.SYSTEM_ACCOUNT, account, Unit.MONEY, 1_000, null));
        ledger(engine, new Operation.BindIdentity(IdentityType.E164, msisdn, account));
    }

    private static ChargingResult charge(ChargingEngine engine, EngineCommand.Charge c, long at) {
        return ((EngineOutcome.Charged) engine.apply(c, at)).result();
    }

    private static EngineCommand.Admit admit(String id, long bytes, long ttlMillis, String account) {
        return new EngineCommand.Admit(id, new QosRequest(Layer.SERVICE, Map.of(QosParameter.DATA_VOLUME_BYTES, bytes)),
                ttlMillis, account, account == null ? null : Ids.SYSTEM_ACCOUNT);
    }

    private static EngineCommand.OpenShare openShare(String request, String supplierSim, String supplier, long bytes,
                                                     long price) {
        return new EngineCommand.OpenShare("id-" + request, "bs/" + request, "bs", supplierSim, supplier, "sim-bob",
                "bob", bytes, true, 0, price, TERMS);
    }

    static byte[] snapshot(ChargingEngine engine) throws IOException {
        ByteArrayDataOutput out = new ByteArrayDataOutput(1024);
        EngineSnapshot.write(engine, out);
        return Arrays.copyOf(out.array(), out.size());
    }

    static ChargingEngine read(byte[] bytes) throws IOException {
        return EngineSnapshot.read(new ByteArrayDataInput(bytes, 0, bytes.length), LedgerLimits.DEFAULTS,
                CatalogReader.NONE);
    }

    /** Every kind of state the engine keeps, each at least once. */
    private ChargingEngine busyEngine() {
        ChargingEngine engine = new ChargingEngine(LedgerLimits.DEFAULTS, CatalogReader.NONE);
        engine.apply(new EngineCommand.Configure(EngineConfig.defaults().withRetention(600, 3600)), T);
        engine.apply(new EngineCommand.SetAdmissionPolicy(policy(5)), T);
        subscriber(engine, "alice", "491700000001");
        subscriber(engine, "bob", "491700000002");
        // open sessions, one of them updated
        charge(engine, gy("open-1", Kind.INITIAL, 0, "491700000001", data(10, 4_000L, null)), T);
        charge(engine, gy("open-2", Kind.INITIAL, 0, "491700000002", data(10, 2_000L, null), data(20, 1_000L, null)), T);
        charge(engine, gy("open-2", Kind.UPDATE, 1, null, data(10, 2_000L, 1_500L)), T + 1_000);
        // ended ones: a stray termination of a session never seen (the eldest, and the largest), finished,
        // refused at the start
        charge(engine, gy(LONG_ID, Kind.TERMINATE, 4, "491700000002", data(10, null, 300L)), T + 2_000);
        charge(engine, gy("done-1", Kind.INITIAL, 0, "491700000001", data(10, 1_000L, null)), T + 2_000);
        charge(engine, gy("done-1", Kind.TERMINATE, 1, null, data(10, null, 800L)), T + 3_000);
        charge(engine, gy("refused-1", Kind.INITIAL, 0, "499999999999", data(10, 1_000L, null)), T + 3_000);
        // admissions: one live and billed, one settled
        engine.apply(admit("adm-live", 5_000, 600_000, "alice"), T + 5_000);
        engine.apply(admit("adm-done", 3_000, 600_000, "bob"), T + 5_000);
        engine.apply(new EngineCommand.EndAdmission("adm-done", new AdmissionUsage(2_000, 0, 1, 1), "end-1"), T + 6_000);
        // shares: one open with an interim report, one settled
        engine.apply(openShare("s1", "sim-alice", "alice", 2 * MB, 50), T + 7_000);
        engine.apply(new EngineCommand.MeterShare("id-s1", "bs", MB, false, TERMS), T + 8_000);
        engine.apply(openShare("s2", "sim-alice", "alice", MB, 0), T + 8_000);
        engine.apply(new EngineCommand.MeterShare("id-s2", "bs", 400_000, true, TERMS), T + 9_000);
        // the device directory: a bound SIM that moved, a base station as its home, rules, an admin answer
        byte[] digest = DeviceDirectoryTest.digest("secret");
        engine.apply(new DirectoryCommand.ProvisionSim("sim-alice", "alice", digest), T + 9_000);
        engine.apply(new DirectoryCommand.RegisterDevice("sim-alice", "phone", digest, digest), T + 9_000);
        engine.apply(new DirectoryCommand.PutBaseStation("bs", digest), T + 9_000);
        engine.apply(new DirectoryCommand.SetHomeBaseStation("sim-alice", "bs"), T + 9_000);
        engine.apply(new DirectoryCommand.PutShareRules("sim-alice", new DeviceDirectory.Rules(0, List.of("sim-b"), 1)),
                T + 9_000);
        engine.apply(new DirectoryCommand.MoveSim("sim-alice", "bob", "ops", "m-1"), T + 9_000);
        engine.apply(new DirectoryCommand.RememberAdminAnswer("r-1", new DeviceDirectory.AdminAnswer("fp", 201, "{}",
                0)), T + 9_000);
        engine.verifyInvariants();
        return engine;
    }

    /** What the next minutes bring, the same for the live engine and its copy. */
    private static List<Object> nextRequests(ChargingEngine engine) {
        List<Object> answers = new ArrayList<>();
        long at = T + 10_000;
        answers.add(engine.apply(gy("done-1", Kind.TERMINATE, 1, null, data(10, null, 800L)), at)); // a retry
        answers.add(engine.apply(gy(LONG_ID, Kind.TERMINATE, 4, "491700000002", data(10, null, 300L)), at));
        answers.add(engine.apply(gy("refused-1", Kind.TERMINATE, 1, "499999999999"), at));
        answers.add(engine.apply(gy("open-1", Kind.UPDATE, 1, null, data(10, 4_000L, 3_900L)), at + 1));
        answers.add(engine.apply(gy("open-2", Kind.TERMINATE, 2, null, data(10, null, 2_000L), data(20, null, 700L)),
                at + 2));
        answers.add(engine.apply(gy("open-3", Kind.INITIAL, 0, "491700000002", data(10, 9_000L, null)), at + 3));
        answers.add(engine.apply(new EngineCommand.EndAdmission("adm-done", new AdmissionUsage(2_000, 0, 1, 1), "end-1"),
                at + 4));
        answers.add(engine.apply(admit("adm-live", 5_000, 600_000, "alice"), at + 5)); // a retry: the same billing
        answers.add(engine.apply(new EngineCommand.EndAdmission("adm-live", new AdmissionUsage(6_000, 0, 1, 1), null),
                at + 6));
        answers.add(engine.apply(new EngineCommand.MeterShare("id-s1", "bs", 1_500_000, false, TERMS), at + 7));
        answers.add(engine.apply(new EngineCommand.MeterShare("id-s2", "bs", 500_000, true, TERMS), at + 8));
        answers.add(engine.apply(openShare("s3", "sim-bob-2", "alice", MB, 10), at + 9)); // same supplier account: refused
        engine.advanceTo(at + 3_600_000); // the grants, holds and retentions pass
        answers.add(engine.apply(gy("done-1", Kind.TERMINATE, 1, null, data(10, null, 800L)), at + 3_600_000));
        answers.add(engine.share("id-s1"));
        answers.add(engine.share("id-s2"));
        for (String account : new String[] {"alice", "bob", Ids.SYSTEM_ACCOUNT}) {
            answers.add(engine.ledger().available(account, Unit.BYTES, ServiceRef.ANY));
            answers.add(engine.ledger().available(account, Unit.MONEY, ServiceRef.ANY));
        }
        answers.add(engine.sessionCount());
        answers.add(engine.openSessionCount());
        answers.add(engine.ledger().openReservationCount());
        engine.verifyInvariants();
        return answers;
    }

    @Test
    void aRestoredEngineHoldsTheSameStateAndAnswersTheNextRequestsAlike() throws Exception {
        ChargingEngine live = busyEngine();
        byte[] bytes = snapshot(live);
        ChargingEngine restored = read(bytes);
        restored.verifyInvariants();

        assertThat(snapshot(restored)).as("the same state writes the same bytes").isEqualTo(bytes);
        assertThat(restored.config()).isEqualTo(live.config());
        assertThat(restored.nowMillis()).isEqualTo(live.nowMillis());
        for (String account : new String[] {"alice", "bob", Ids.SYSTEM_ACCOUNT}) {
            for (Unit unit : new Unit[] {Unit.BYTES, Unit.MONEY}) {
                assertThat(restored.ledger().available(account, unit, ServiceRef.ANY))
                        .isEqualTo(live.ledger().available(account, unit, ServiceRef.ANY));
            }
        }
        assertThat(restored.ledger().available("alice", Unit.BYTES, ServiceRef.ANY)).as("what alice has left")
                .contains(10 * MB - 4_000 - 800 - 5_000 - 2 * MB - 400_000); // grant, usage, admission, shares
        assertThat(restored.sessions(10)).isEqualTo(live.sessions(10)).extracting(ChargingEngine.SessionView::sessionId)
                .containsExactly("open-1", "open-2");
        assertThat(restored.sessionsOf("bob")).isEqualTo(live.sessionsOf("bob")).hasSize(1);
        for (String ended : new String[] {"done-1", "refused-1", LONG_ID}) {
            assertThat(restored.session(ended)).as(ended).isPresent().isEqualTo(live.session(ended));
        }
        assertThat(restored.session("done-1").orElseThrow().state()).isEqualTo("FINISHED");
        assertThat(restored.session("refused-1").orElseThrow().state()).isEqualTo("REFUSED");
        assertThat(restored.session(LONG_ID).orElseThrow().state()).isEqualTo("UNKNOWN");
        assertThat(restored.sessionCount()).isEqualTo(live.sessionCount()).isEqualTo(5);
        List<Integer> endedLengths = new ArrayList<>();
        live.sessions.forEachEnded((b, offset, length) -> endedLengths.add(length));
        assertThat(endedLengths).hasSize(3);
        assertThat(endedLengths.getFirst()).as("read first, into more than the reader's first buffer")
                .isEqualTo(endedLengths.stream().max(Integer::compare).orElseThrow()).isGreaterThan(512);
        assertThat(restored.openSessionCount()).isEqualTo(live.openSessionCount()).isEqualTo(2);
        assertThat(restored.admissionBillings()).isEqualTo(live.admissionBillings()).containsOnlyKeys("adm-live");
        assertThat(restored.admissionReport()).isEqualTo(live.admissionReport());
        assertThat(restored.admissionReport().orElseThrow().admissions()).isEqualTo(1);
        assertThat(restored.share("id-s1")).isEqualTo(live.share("id-s1"));
        assertThat(restored.share("id-s2")).isEqualTo(live.share("id-s2"));
        assertThat(restored.shareByRequest("bs/s2")).isEqualTo(live.shareByRequest("bs/s2")).isPresent();

        List<Object> liveAnswers = nextRequests(live);
        List<Object> restoredAnswers = nextRequests(restored);
        assertThat(restoredAnswers).containsExactlyElementsOf(liveAnswers);
        assertThat(snapshot(restored)).isEqualTo(snapshot(live));
    }

    @Test
    void theSameSessionsOpenedInAnotherOrderWriteTheSameBytes() throws Exception {
        // "Aa" and "BB" have the same String hash: only the id orders them
        byte[] first = null;
        for (String[] order : new String[][] {{"Aa", "BB", "C"}, {"BB", "C", "Aa"}, {"C", "Aa", "BB"}}) {
            commands = 0;
            ChargingEngine engine = new ChargingEngine(LedgerLimits.DEFAULTS, CatalogReader.NONE);
            subscriber(engine, "alice", "491700000001");
            for (String id : order) {
                assertThat(charge(engine, gy(id, Kind.INITIAL, 0, "491700000001"), T).outcome().result())
                        .isEqualTo(Result.SUCCESS);
            }
            assertThat(engine.openSessionCount()).isEqualTo(3);
            byte[] bytes = snapshot(engine);
            if (first == null) {
                first = bytes;
            }
            assertThat(bytes).isEqualTo(first);
        }
    }

    @Test
    void billingsAndSuppliersLeftInGrownTablesWriteTheBytesTheirCopyWrites() throws Exception {
        ChargingEngine engine = new ChargingEngine(LedgerLimits.DEFAULTS, CatalogReader.NONE);
        engine.apply(new EngineCommand.SetAdmissionPolicy(policy(40)), T);
        subscriber(engine, "bob", "491700000002");
        for (int i = 0; i < 20; i++) {
            subscriber(engine, "sup-" + i, "49170000010" + i);
            assertThat(engine.apply(admit("adm-" + i, 1_000, 600_000, "sup-" + i), T))
                    .isInstanceOfSatisfying(EngineOutcome.Admitting.class,
                            a -> assertThat(a.answer()).isInstanceOf(AdmissionAnswers.Answered.class));
            assertThat(engine.apply(openShare("d1-" + i, "sim-sup-" + i, "sup-" + i, 1_000, 0), T))
                    .isInstanceOfSatisfying(EngineOutcome.ShareOpened.class,
                            o -> assertThat(o.answer()).isInstanceOf(ShareAnswers.Opened.class));
        }
        for (int i = 0; i < 20; i++) { // most admissions end: their billings go, the table keeps its size
            if (i % 3 != 1) {
                engine.apply(new EngineCommand.EndAdmission("adm-" + i, null, null), T + 1);
            }
        }
        // a new day: what was agreed yesterday is cleared, a few suppliers lend again
        long day2 = T + 86_400_000L;
        for (int i = 0; i < 20; i += 4) {
            assertThat(engine.apply(openShare("d2-" + i, "sim-sup-" + i, "sup-" + i, 1_000, 0), day2))
                    .isInstanceOfSatisfying(EngineOutcome.ShareOpened.class,
                            o -> assertThat(o.answer()).isInstanceOf(ShareAnswers.Opened.class));
        }
        byte[] bytes = snapshot(engine);
        ChargingEngine restored = read(bytes);
        assertThat(restored.admissionBillings()).isEqualTo(engine.admissionBillings());
        assertThat(snapshot(restored)).isEqualTo(bytes);
    }

    // ---------------------------------------------------------------- older formats

    @Test
    void aBareLedgerSnapshotIsAnEngineWithTheDefaultConfigurationAndNoSessions() throws Exception {
        ChargingEngine engine = busyEngine();
        ByteArrayDataOutput out = new ByteArrayDataOutput(1024);
        LedgerSnapshot.write(engine.ledger(), out);
        ChargingEngine restored = read(Arrays.copyOf(out.array(), out.size()));
        assertThat(restored.config()).isEqualTo(EngineConfig.defaults());
        assertThat(restored.sessionCount()).isZero();
        assertThat(restored.admissionPolicy()).isEmpty();
        assertThat(restored.ledger().available("alice", Unit.BYTES, ServiceRef.ANY))
                .isEqualTo(engine.ledger().available("alice", Unit.BYTES, ServiceRef.ANY));
    }

    @Test
    void olderVersionsAreReadWithoutWhatTheyLackedAndOtherVersionsAreRefused() throws Exception {
        ChargingEngine engine = new ChargingEngine(LedgerLimits.DEFAULTS, CatalogReader.NONE);
        subscriber(engine, "alice", "491700000001");
        charge(engine, gy("open-1", Kind.INITIAL, 0, "491700000001", data(10, 4_000L, null)), T);
        byte[] v4 = snapshot(engine);
        // version 3 has no device directory (six empty u32 tables) before the marker
        byte[] v3 = cutBeforeMarker(v4, 6 * 4, 3);
        // version 2 ends with the sessions: no ended ones (u32), no shares (i64, i64, u32, u32) either
        byte[] v2 = cutBeforeMarker(v3, 4 + 8 + 8 + 4 + 4, 2);
        for (byte[] older : List.of(v3, v2)) {
            ChargingEngine restored = read(older);
            assertThat(restored.sessions(10)).isEqualTo(engine.sessions(10)).hasSize(1);
            assertThat(restored.devices().simCount()).isZero();
            assertThat(snapshot(restored)).isEqualTo(v4);
        }
        for (int version : new int[] {1, 5}) {
            byte[] other = v4.clone();
            other[7] = (byte) version;
            assertThatThrownBy(() -> read(other)).isInstanceOf(IOException.class)
                    .hasMessage("engine snapshot version " + version + " is not supported (expected 4)");
        }
    }

    private static byte[] cutBeforeMarker(byte[] snapshot, int tail, int version) {
        byte[] older = new byte[snapshot.length - tail];
        System.arraycopy(snapshot, 0, older, 0, snapshot.length - tail - 4);
        System.arraycopy(snapshot, snapshot.length - 4, older, older.length - 4, 4);
        older[7] = (byte) version;
        return older;
    }

    // ---------------------------------------------------------------- damaged snapshots

    @Test
    void everyTruncatedSnapshotIsRefused() throws Exception {
        byte[] bytes = snapshot(busyEngine());
        for (int length = 0; length < bytes.length; length += length < 64 ? 1 : 7) {
            byte[] cut = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> read(cut)).as("cut at %d of %d", length, bytes.length)
                    .isInstanceOf(IOException.class);
        }
    }

    @Test
    void aBadMagicOrAMissingEndMarkerIsRefused() throws Exception {
        byte[] bytes = snapshot(busyEngine());
        byte[] magic = bytes.clone();
        magic[0] = 'X';
        assertThatThrownBy(() -> read(magic)).isInstanceOf(IOException.class)
                .hasMessage("not a Credence snapshot (bad magic)");
        byte[] end = bytes.clone();
        end[end.length - 1] ^= 1;
        assertThatThrownBy(() -> read(end)).isInstanceOf(IOException.class)
                .hasMessage("engine snapshot does not end with its end marker");
    }

    @Test
    void aShareThatDisagreesWithItsHoldIsRefusedOnRead() throws Exception {
        ChargingEngine engine = busyEngine();
        DataShare open = engine.share("id-s1").orElseThrow(); // 1 MB of 2 settled, 1 MB held
        // as a damaged snapshot would have it: 1 byte more settled than the ledger says
        engine.shareDesk.shares.put(open.id(), open.settled(DataShare.Status.OPEN, MB + 1, open.feePaid(),
                open.deadlineMillis()));
        byte[] bytes = snapshot(engine);
        assertThatThrownBy(() -> read(bytes)).isInstanceOf(IllegalStateException.class)
                .hasMessage("engine invariant broken: share id-s1 holds 1000000 bytes, 999999 are not settled");
    }

    /** A snapshot of an empty engine up to its configuration, then {@code rest} (a damaged one). */
    private static byte[] crafted(IOExceptionConsumer rest) throws IOException {
        ChargingEngine engine = new ChargingEngine(LedgerLimits.DEFAULTS, CatalogReader.NONE);
        ByteArrayDataOutput out = new ByteArrayDataOutput(1024);
        out.writeInt(0x43524458);
        out.writeInt(3);
        LedgerSnapshot.write(engine.ledger(), out);
        EngineCodec.writeConfig(out, engine.config());
        rest.accept(out);
        return Arrays.copyOf(out.array(), out.size());
    }

    @FunctionalInterface
    private interface IOExceptionConsumer {
        void accept(DataOutput out) throws IOException;
    }

    private static void assertRefused(byte[] bytes, String message) {
        assertThatThrownBy(() -> read(bytes)).isInstanceOf(IOException.class).hasMessage(message);
    }

    /** A count at its maximum passes its bound: the read goes on, and only then runs out of bytes. */
    private static void assertReadOnUntilTheEnd(byte[] bytes) {
        assertThatThrownBy(() -> read(bytes)).isInstanceOf(EOFException.class);
    }

    @Test
    void aCatalogSourceMustHoldOneToItsMaximumBytes() throws Exception {
        int max = EngineCommand.InstallCatalog.SOURCE_BYTES_MAX;
        for (int length : new int[] {0, -1, max + 1}) {
            assertRefused(crafted(out -> {
                out.writeBoolean(true);
                out.writeInt(length);
            }), "catalog source of " + length + " bytes");
        }
        assertReadOnUntilTheEnd(crafted(out -> {
            out.writeBoolean(true);
            out.writeInt(max);
        }));
    }

    @Test
    void billingsAndSettlementsAreBoundedByTheAdmissionsLimit() throws Exception {
        int max = AdmissionPolicy.ADMISSIONS_MAX_LIMIT;
        assertRefused(crafted(out -> {
            out.writeBoolean(false);
            out.writeBoolean(false);
            out.writeInt(max + 1);
        }), "snapshot holds " + (max + 1) + " admission billings");
        assertReadOnUntilTheEnd(crafted(out -> {
            out.writeBoolean(false);
            out.writeBoolean(false);
            out.writeInt(max);
        }));
        assertRefused(crafted(out -> {
            out.writeBoolean(false);
            out.writeBoolean(false);
            out.writeInt(0);
            out.writeInt(max + 1);
        }), "snapshot holds " + (max + 1) + " admission settlements");
        assertReadOnUntilTheEnd(crafted(out -> {
            out.writeBoolean(false);
            out.writeBoolean(false);
            out.writeInt(0);
            out.writeInt(max);
        }));
    }

    /** No catalog, no admission, no billings or settlements, no open sessions. */
    private static void emptyUpToTheEnded(DataOutput out) throws IOException {
        out.writeBoolean(false);
        out.writeBoolean(false);
        out.writeInt(0);
        out.writeInt(0);
        out.writeInt(0);
    }

    @Test
    void anEndedSessionHoldsOneByteTo16MiB() throws Exception {
        for (int length : new int[] {0, -5, (1 << 24) + 1}) {
            assertRefused(crafted(out -> {
                emptyUpToTheEnded(out);
                out.writeInt(1);
                out.writeInt(length);
            }), "an ended session of " + length + " bytes");
        }
        assertReadOnUntilTheEnd(crafted(out -> {
            emptyUpToTheEnded(out);
            out.writeInt(1);
            out.writeInt(1 << 24);
        }));
    }

    @Test
    void suppliersAndSharesAreBoundedByTheSharesLimit() throws Exception {
        int max = ShareTerms.SHARES_MAX_LIMIT;
        IOExceptionConsumer noEnded = out -> {
            emptyUpToTheEnded(out);
            out.writeInt(0);
            out.writeLong(ShareTerms.ENDED_RETENTION_DEFAULT_MILLIS);
            out.writeLong(Long.MIN_VALUE);
        };
        assertRefused(crafted(out -> {
            noEnded.accept(out);
            out.writeInt(max + 1);
        }), "snapshot holds " + (max + 1) + " suppliers' daily shares");
        assertReadOnUntilTheEnd(crafted(out -> {
            noEnded.accept(out);
            out.writeInt(max);
        }));
        assertRefused(crafted(out -> {
            noEnded.accept(out);
            out.writeInt(0);
            out.writeInt(max + 1);
        }), "snapshot holds " + (max + 1) + " data shares");
        assertReadOnUntilTheEnd(crafted(out -> {
            noEnded.accept(out);
            out.writeInt(0);
            out.writeInt(max);
        }));
    }

    // ---------------------------------------------------------------- full tables

    @Test
    void aSessionTableFullOfOpenOrOfEndedSessionsIsReadBackFull() throws Exception {
        for (boolean ended : new boolean[] {false, true}) {
            commands = 0;
            ChargingEngine engine = new ChargingEngine(LedgerLimits.DEFAULTS, CatalogReader.NONE);
            engine.apply(new EngineCommand.Configure(EngineConfig.defaults().withSessionsMax(3)), T);
            subscriber(engine, "alice", "491700000001");
            for (int i = 0; i < 3; i++) {
                charge(engine, gy("s" + i, Kind.INITIAL, 0, "491700000001", data(10, 100L, null)), T);
                if (ended) {
                    charge(engine, gy("s" + i, Kind.TERMINATE, 1, null, data(10, null, 50L)), T);
                }
            }
            ChargingEngine restored = read(snapshot(engine));
            assertThat(restored.sessionCount()).isEqualTo(3);
            assertThat(restored.openSessionCount()).isEqualTo(ended ? 0 : 3);
            for (ChargingEngine e : new ChargingEngine[] {engine, restored}) {
                assertThat(charge(e, gy("s9", Kind.INITIAL, 0, "491700000001", data(10, 100L, null)), T + 1)
                        .outcome().result()).as("the table is full").isEqualTo(Result.TOO_BUSY);
            }
        }
    }

    @Test
    void asManyLiveAdmissionsAsThePolicyAllowsAreReadBack() throws Exception {
        ChargingEngine engine = new ChargingEngine(LedgerLimits.DEFAULTS, CatalogReader.NONE);
        engine.apply(new EngineCommand.SetAdmissionPolicy(policy(2)), T);
        assertThat(read(snapshot(engine)).admissionReport().orElseThrow().admissions()).as("none live").isZero();
        engine.apply(admit("a1", 1_000, 60_000, null), T);
        engine.apply(admit("a2", 1_000, 60_000, null), T);
        ChargingEngine restored = read(snapshot(engine));
        assertThat(restored.admissionReport()).isEqualTo(engine.admissionReport());
        assertThat(restored.admissionReport().orElseThrow().admissions()).isEqualTo(2);
        AdmissionAnswers.Admit third = ((EngineOutcome.Admitting) restored.apply(admit("a3", 1_000, 60_000, null),
                T + 1)).answer();
        assertThat(((AdmissionAnswers.Answered) third).result()).isInstanceOf(AdmissionResult.Busy.class);
    }
}
