package io.credence.charging;

import io.credence.ledger.AccountKind;
import io.credence.ledger.Command;
import io.credence.ledger.Ids;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Operation;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The device directory as engine state: each administrative change is one command that decides
 * alone (no adapter lock, no second store), survives a snapshot byte for byte and replays from its
 * journal record to the same state.
 */
class DeviceDirectoryTest {
    private static final long T = 1_767_225_600_000L;
    private static final ServiceRef DATA = ServiceRef.ratingGroup(10);
    private static final DeviceTerms TERMS = new DeviceTerms(1_000, 4_000, 60_000, DATA, Ids.SYSTEM_ACCOUNT);
    private ChargingEngine engine;
    /** Every command applied, to replay on a second engine. */
    private final List<EngineCommand> applied = new ArrayList<>();
    private long now = T;

    @BeforeEach
    void engine() {
        engine = new ChargingEngine(LedgerLimits.DEFAULTS, CatalogReader.NONE);
        for (String id : List.of("alice", "carol")) {
            apply(new EngineCommand.LedgerCommand(new Command("c-" + id, new Operation.CreateAccount(id,
                    AccountKind.SUBSCRIBER, Map.of()))));
            apply(new EngineCommand.LedgerCommand(new Command("t-" + id, new Operation.TopUp(Ids.SYSTEM_ACCOUNT, id,
                    Unit.BYTES, 10_000, null))));
        }
    }

    private EngineOutcome apply(EngineCommand command) {
        // every command goes through its journal record, as on a node or a replica
        EngineCommand decoded = decode(command);
        applied.add(decoded);
        return engine.apply(decoded, now++);
    }

    private static EngineCommand decode(EngineCommand command) {
        byte[] record = EngineCodec.encode(command);
        try {
            return EngineCodec.read(record, 0, record.length);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private DirectoryAnswer change(DirectoryCommand command) {
        return ((EngineOutcome.DirectoryChanged) apply(command)).answer();
    }

    static byte[] digest(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aSimIsCreatedOnceAndAnotherCreateNeverChangesIt() {
        assertThat(change(new DirectoryCommand.ProvisionSim("sim-a", "alice", digest("secret-a"))))
                .isEqualTo(new DirectoryAnswer.SimCreated("sim-a", "alice", false));
        assertThat(change(new DirectoryCommand.ProvisionSim("sim-a", "alice", digest("secret-a"))))
                .as("the same again is a retry").isEqualTo(new DirectoryAnswer.SimCreated("sim-a", "alice", true));
        assertThat(change(new DirectoryCommand.ProvisionSim("sim-a", "carol", digest("secret-a"))))
                .isEqualTo(new DirectoryAnswer.SimExists("sim-a", "alice"));
        assertThat(change(new DirectoryCommand.ProvisionSim("sim-a", "alice", digest("another"))))
                .isEqualTo(new DirectoryAnswer.SimExists("sim-a", "alice"));
        assertThat(change(new DirectoryCommand.ProvisionSim("sim-z", "nobody", digest("secret-z"))))
                .isEqualTo(new DirectoryAnswer.UnknownAccount("nobody"));
        assertThat(engine.devices().simCount()).isEqualTo(1);
        assertThat(engine.devices().sim("sim-a").orElseThrow().accountId()).isEqualTo("alice");
    }

    @Test
    void aDeviceRegistersWithTheSecretAndHoldsTheSimUntilUnbound() {
        change(new DirectoryCommand.ProvisionSim("sim-a", "alice", digest("secret-a")));
        assertThat(change(new DirectoryCommand.RegisterDevice("sim-a", "phone-1", digest("wrong"), digest("t1"))))
                .isEqualTo(new DirectoryAnswer.BadCredentials());
        assertThat(change(new DirectoryCommand.RegisterDevice("sim-x", "phone-1", digest("secret-a"), digest("t1"))))
                .as("an unknown SIM is told apart from a wrong secret by nobody")
                .isEqualTo(new DirectoryAnswer.BadCredentials());
        assertThat(change(new DirectoryCommand.RegisterDevice("sim-a", "phone-1", digest("secret-a"), digest("t1"))))
                .isEqualTo(new DirectoryAnswer.Registered("sim-a", "phone-1", "alice", 0, 0));
        assertThat(change(new DirectoryCommand.RegisterDevice("sim-a", "phone-2", digest("secret-a"), digest("t2"))))
                .isEqualTo(new DirectoryAnswer.BoundElsewhere("phone-1"));
        DeviceDirectory.Sim sim = engine.devices().sim("sim-a").orElseThrow();
        assertThat(sim.tokenIs(digest("t1"))).isTrue();
        assertThat(sim.tokenIs(digest("t2"))).isFalse();

        assertThat(change(new DirectoryCommand.UnbindDevice("sim-a"))).isEqualTo(new DirectoryAnswer.Done());
        assertThat(engine.devices().sim("sim-a").orElseThrow().tokenIs(digest("t1"))).as("the old token is dead").isFalse();
        assertThat(change(new DirectoryCommand.RegisterDevice("sim-a", "phone-2", digest("secret-a"), digest("t2"))))
                .isInstanceOf(DirectoryAnswer.Registered.class);
        assertThat(change(new DirectoryCommand.UnbindDevice("sim-x"))).isEqualTo(new DirectoryAnswer.UnknownSim("sim-x"));
    }

    @Test
    void aMoveCarriesTheReportNumberingReleasesTheGrantAndIsAudited() {
        change(new DirectoryCommand.ProvisionSim("sim-a", "alice", digest("secret-a")));
        change(new DirectoryCommand.RegisterDevice("sim-a", "phone-1", digest("secret-a"), digest("t1")));
        apply(new EngineCommand.DeviceGrant("sim-a", "alice", 2_000, TERMS));
        apply(new EngineCommand.DeviceReports("sim-a", "alice", "phone-1", List.of(new DeviceAnswers.Report(1, 500,
                false), new DeviceAnswers.Report(2, 300, false)), TERMS));
        assertThat(engine.ledger().openReservationTagged("dev.sim-a")).as("the grant is still held").isPresent();

        assertThat(change(new DirectoryCommand.MoveSim("sim-a", "carol", "ops-key", "m-1")))
                .isEqualTo(new DirectoryAnswer.Moved("sim-a", "alice", "carol", true, 2, 800, "phone-1"));
        assertThat(engine.ledger().openReservationTagged("dev.sim-a")).as("the old account's hold is released")
                .isEmpty();
        assertThat(engine.ledger().available("alice", Unit.BYTES, DATA)).contains(10_000L - 800);
        assertThat(engine.devices().moves("sim-a")).containsExactly(new DeviceDirectory.SimMove(now - 1, "sim-a",
                "alice", "carol", 2, "ops-key", "m-1"));

        // a report the adapter addressed to the old account (it looked before the move) is charged to
        // the new one, and a report already counted is a duplicate there
        EngineOutcome.DeviceReported late = (EngineOutcome.DeviceReported) apply(new EngineCommand.DeviceReports(
                "sim-a", "alice", "phone-1", List.of(new DeviceAnswers.Report(2, 300, false),
                new DeviceAnswers.Report(3, 100, false)), TERMS));
        assertThat(((DeviceAnswers.Reported) late.answers().get(0)).duplicate()).isTrue();
        assertThat(((DeviceAnswers.Reported) late.answers().get(1)).duplicate()).isFalse();
        assertThat(late.records()).singleElement().extracting(r -> r.accountId()).isEqualTo("carol");
        assertThat(engine.ledger().available("carol", Unit.BYTES, DATA)).contains(10_000L - 100);
        assertThat(engine.ledger().available("alice", Unit.BYTES, DATA)).contains(10_000L - 800);

        assertThat(change(new DirectoryCommand.MoveSim("sim-a", "carol", "ops-key", "m-1")))
                .as("a retried move").isEqualTo(new DirectoryAnswer.Moved("sim-a", "carol", "carol", false, 3, 900,
                        "phone-1"));
        assertThat(change(new DirectoryCommand.MoveSim("sim-a", "nobody", "ops-key", null)))
                .isEqualTo(new DirectoryAnswer.UnknownAccount("nobody"));
        assertThat(change(new DirectoryCommand.MoveSim("sim-x", "carol", "ops-key", null)))
                .isEqualTo(new DirectoryAnswer.UnknownSim("sim-x"));
    }

    @Test
    void aDevicesOwnCommandsAreCheckedAgainstTheBindingAndChargeTheSimsAccount() {
        DeviceDirectory.TokenDigest t1 = new DeviceDirectory.TokenDigest(digest("t1"));
        DeviceDirectory.TokenDigest t2 = new DeviceDirectory.TokenDigest(digest("t2"));
        assertThat(((EngineOutcome.DeviceGranted) apply(new EngineCommand.DeviceGrantByToken("sim-a", t1, 1_000,
                TERMS))).answer()).as("no such SIM").isEqualTo(new DeviceAnswers.NotAuthenticated());
        change(new DirectoryCommand.ProvisionSim("sim-a", "alice", digest("secret-a")));
        change(new DirectoryCommand.RegisterDevice("sim-a", "phone-1", digest("secret-a"), t1.bytes()));
        assertThat(((EngineOutcome.DeviceGranted) apply(new EngineCommand.DeviceGrantByToken("sim-a", t2, 1_000,
                TERMS))).answer()).isEqualTo(new DeviceAnswers.NotAuthenticated());
        assertThat(((EngineOutcome.DeviceGranted) apply(new EngineCommand.DeviceGrantByToken("sim-a", t1, 1_000,
                TERMS))).answer()).isInstanceOf(DeviceAnswers.Granted.class);

        EngineOutcome.DeviceReported refused = (EngineOutcome.DeviceReported) apply(
                new EngineCommand.DeviceReportsByToken("sim-a", t2, List.of(new DeviceAnswers.Report(1, 400, false)),
                        TERMS));
        assertThat(refused.answers()).containsExactly(new DeviceAnswers.NotAuthenticated());
        assertThat(refused.records()).isEmpty();
        EngineOutcome.DeviceReported counted = (EngineOutcome.DeviceReported) apply(
                new EngineCommand.DeviceReportsByToken("sim-a", t1, List.of(new DeviceAnswers.Report(1, 400, false)),
                        TERMS));
        assertThat(counted.records()).singleElement().satisfies(r -> {
            assertThat(r.accountId()).isEqualTo("alice");
            assertThat(r.attributes()).containsEntry("deviceId", "phone-1");
        });
        change(new DirectoryCommand.UnbindDevice("sim-a"));
        assertThat(((EngineOutcome.DeviceReported) apply(new EngineCommand.DeviceReportsByToken("sim-a", t1,
                List.of(new DeviceAnswers.Report(2, 400, false)), TERMS))).answers())
                .as("unbound: the old token is refused").containsExactly(new DeviceAnswers.NotAuthenticated());
    }

    @Test
    void homesAndRulesNeedWhatTheyName() {
        change(new DirectoryCommand.ProvisionSim("sim-a", "alice", digest("secret-a")));
        assertThat(change(new DirectoryCommand.SetHomeBaseStation("sim-a", "bs-1")))
                .isEqualTo(new DirectoryAnswer.UnknownBaseStation("bs-1"));
        change(new DirectoryCommand.PutBaseStation("bs-1", digest("bs-secret")));
        assertThat(change(new DirectoryCommand.SetHomeBaseStation("sim-x", "bs-1")))
                .isEqualTo(new DirectoryAnswer.UnknownSim("sim-x"));
        assertThat(change(new DirectoryCommand.SetHomeBaseStation("sim-a", "bs-1"))).isEqualTo(new DirectoryAnswer.Done());
        assertThat(engine.devices().homeBaseStation("sim-a")).contains("bs-1");
        assertThat(engine.devices().baseStationIs("bs-1", digest("bs-secret"))).isTrue();
        assertThat(engine.devices().baseStationIs("bs-1", digest("other"))).isFalse();

        DeviceDirectory.Rules rules = new DeviceDirectory.Rules(5_000, List.of("sim-c", "sim-b"), 7);
        assertThat(change(new DirectoryCommand.PutShareRules("sim-x", rules)))
                .isEqualTo(new DirectoryAnswer.UnknownSim("sim-x"));
        change(new DirectoryCommand.PutShareRules("sim-a", rules));
        assertThat(engine.devices().rules("sim-a")).contains(new DeviceDirectory.Rules(5_000, List.of("sim-b", "sim-c"),
                7));
    }

    @Test
    void adminAnswersAreKeptOnceForADayAndTheFirstWins() {
        change(new DirectoryCommand.RememberAdminAnswer("r-1", new DeviceDirectory.AdminAnswer("fp-1", 201, "{}", 0)));
        change(new DirectoryCommand.RememberAdminAnswer("r-1", new DeviceDirectory.AdminAnswer("fp-2", 200, "{\"x\":1}",
                0)));
        DeviceDirectory.AdminAnswer kept = engine.devices().adminAnswer("r-1").orElseThrow();
        assertThat(kept.fingerprint()).isEqualTo("fp-1");
        assertThat(kept.atMillis()).as("the engine's time, not the adapter's").isEqualTo(now - 2);
        now += DeviceDirectory.ADMIN_ANSWER_RETENTION_MILLIS + 1;
        change(new DirectoryCommand.RememberAdminAnswer("r-2", new DeviceDirectory.AdminAnswer("fp-3", 200, "{}", 0)));
        assertThat(engine.devices().adminAnswer("r-1")).as("older than a day: forgotten").isEmpty();
        assertThat(engine.devices().adminAnswer("r-2")).isPresent();
    }

    @Test
    void theBaseStationTableRefusesPastItsBoundAndKeepsWhatItHas() {
        for (int i = 0; i < DeviceDirectory.BASE_STATIONS_MAX; i++) {
            engine.apply(new DirectoryCommand.PutBaseStation("bs-" + i, digest("s")), now);
        }
        assertThat(change(new DirectoryCommand.PutBaseStation("bs-one-more", digest("s"))))
                .isEqualTo(new DirectoryAnswer.Full("base station", DeviceDirectory.BASE_STATIONS_MAX));
        assertThat(change(new DirectoryCommand.PutBaseStation("bs-7", digest("new"))))
                .as("an existing one still takes a new secret").isEqualTo(new DirectoryAnswer.Done());
        assertThat(engine.devices().baseStationCount()).isEqualTo(DeviceDirectory.BASE_STATIONS_MAX);
        assertThat(engine.devices().baseStationKnown("bs-one-more")).isFalse();
    }

    @Test
    void theDirectorySurvivesASnapshotAndAReplayByteForByte() throws Exception {
        change(new DirectoryCommand.ProvisionSim("sim-a", "alice", digest("secret-a")));
        change(new DirectoryCommand.ProvisionSim("sim-b", "carol", digest("secret-b")));
        change(new DirectoryCommand.RegisterDevice("sim-a", "phone-1", digest("secret-a"), digest("t1")));
        change(new DirectoryCommand.PutBaseStation("bs-1", digest("bs-secret")));
        change(new DirectoryCommand.SetHomeBaseStation("sim-b", "bs-1"));
        change(new DirectoryCommand.PutShareRules("sim-a", new DeviceDirectory.Rules(0, null, 3)));
        change(new DirectoryCommand.MoveSim("sim-a", "carol", "ops", "m-1"));
        change(new DirectoryCommand.RememberAdminAnswer("r-1", new DeviceDirectory.AdminAnswer("fp", 201,
                "{\"simId\":\"sim-ä\"}", 0)));
        change(new DirectoryCommand.RestoreSim(new DeviceDirectory.Sim("sim-old", "alice", digest("old"), "dev-9",
                digest("t9")), List.of(new DeviceDirectory.SimMove(5, "sim-old", "carol", "alice", 4, null, null))));

        byte[] written = EngineSnapshotTest.snapshot(engine);
        ChargingEngine read = EngineSnapshotTest.read(written);
        assertThat(EngineSnapshotTest.snapshot(read)).as("read back, it writes the same bytes").isEqualTo(written);
        assertThat(read.devices().sim("sim-old").orElseThrow().tokenIs(digest("t9"))).isTrue();
        assertThat(read.devices().moves("sim-old")).hasSize(1);
        assertThat(read.devices().adminAnswer("r-1").orElseThrow().answer()).isEqualTo("{\"simId\":\"sim-ä\"}");

        ChargingEngine replayed = new ChargingEngine(LedgerLimits.DEFAULTS, CatalogReader.NONE);
        long at = T;
        for (EngineCommand command : applied) {
            replayed.apply(command, at++);
        }
        assertThat(EngineSnapshotTest.snapshot(replayed)).as("the journal's records replay to the same state")
                .isEqualTo(written);
    }

    @Test
    void aDirectoryRecordThatDoesNotDecodeIsRefusedNotGuessed() {
        byte[] record = EngineCodec.encode(new DirectoryCommand.ProvisionSim("sim-a", "alice", digest("s")));
        assertThatThrownBy(() -> EngineCodec.read(record, 0, record.length - 1)).isInstanceOf(java.io.IOException.class);
        assertThatThrownBy(() -> new DirectoryCommand.ProvisionSim("sim-a", "alice", new byte[5]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SHA-256");
    }
}
