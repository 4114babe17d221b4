package io.credence.charging;

import io.credence.ledger.AccountKind;
import io.credence.ledger.Command;
import io.credence.ledger.Ids;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Operation;
import io.credence.ledger.Rejection;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;
import io.credence.records.UsageRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Device quota in the engine: one grant per SIM, numbered reports charged from it, past it, or from the balance. */
class DeviceChargingTest {
    private static final long T = 1_767_225_600_000L;
    private static final ServiceRef DATA = ServiceRef.ratingGroup(10);
    private static final DeviceTerms TERMS = new DeviceTerms(1_000, 4_000, 60_000, DATA, Ids.SYSTEM_ACCOUNT);
    private ChargingEngine engine;

    @BeforeEach
    void engine() {
        engine = new ChargingEngine(LedgerLimits.DEFAULTS, CatalogReader.NONE);
        account("alice", 10_000, Map.of());
    }

    private void account(String id, long bytes, Map<Unit, Long> limits) {
        ledger(new Operation.CreateAccount(id, AccountKind.SUBSCRIBER, limits));
        if (bytes > 0) {
            ledger(new Operation.TopUp(Ids.SYSTEM_ACCOUNT, id, Unit.BYTES, bytes, null));
        }
    }

    private void ledger(Operation operation) {
        assertThat(engine.apply(new Command("c" + System.nanoTime(), operation), T).accepted()).isTrue();
    }

    private DeviceAnswers.GrantAnswer grant(String sim, String account, long asked) {
        return ((EngineOutcome.DeviceGranted) engine.apply(new EngineCommand.DeviceGrant(sim, account, asked, TERMS),
                T)).answer();
    }

    private EngineOutcome.DeviceReported report(String sim, String account, DeviceAnswers.Report... reports) {
        return (EngineOutcome.DeviceReported) engine.apply(new EngineCommand.DeviceReports(sim, account, "dev-1",
                List.of(reports), TERMS), T + 1_000);
    }

    private long available(String account) {
        return engine.ledger().available(account, Unit.BYTES, DATA).orElseThrow();
    }

    private DeviceAnswers.Grant granted(DeviceAnswers.GrantAnswer answer) {
        assertThat(answer).isInstanceOf(DeviceAnswers.Granted.class);
        return ((DeviceAnswers.Granted) answer).grant();
    }

    @Test
    void aGrantIsTheDefaultSizeAndARetryFindsTheOpenGrant() {
        DeviceAnswers.Granted first = (DeviceAnswers.Granted) grant("sim-1", "alice", 0);
        assertThat(first.alreadyOpen()).isFalse();
        assertThat(first.grant().bytes()).isEqualTo(1_000);
        assertThat(first.grant().expiresAtMillis()).isEqualTo(T + 60_000);
        assertThat(available("alice")).isEqualTo(9_000);

        DeviceAnswers.GrantAnswer again = grant("sim-1", "alice", 3_000);
        assertThat(again).isEqualTo(new DeviceAnswers.Granted(first.grant(), true));
        assertThat(available("alice")).as("nothing held twice").isEqualTo(9_000);
    }

    @Test
    void anAskedSizeIsCappedAtTheMaximumAndLimitedToWhatIsAvailable() {
        assertThat(granted(grant("sim-1", "alice", 2_500)).bytes()).isEqualTo(2_500);
        assertThat(granted(grant("sim-2", "alice", 4_000)).bytes()).isEqualTo(4_000);
        assertThat(granted(grant("sim-3", "alice", 4_001)).bytes()).as("capped").isEqualTo(3_500);
        assertThat(available("alice")).isZero();
        assertThat(grant("sim-4", "alice", 0)).isEqualTo(new DeviceAnswers.Exhausted(0));
    }

    @Test
    void anAskedSizeOverTheMaximumGetsTheMaximum() {
        assertThat(granted(grant("sim-1", "alice", 9_000)).bytes()).isEqualTo(4_000);
        assertThat(available("alice")).isEqualTo(6_000);
    }

    @Test
    void aGrantOfTheLastByteIsGrantedAndAnEmptyAccountIsExhausted() {
        account("bob", 1, Map.of());
        assertThat(granted(grant("sim-b", "bob", 0)).bytes()).isEqualTo(1);
        assertThat(grant("sim-c", "bob", 0)).isEqualTo(new DeviceAnswers.Exhausted(0));
        assertThat(grant("sim-x", "nobody", 0)).isEqualTo(new DeviceAnswers.Exhausted(0));
    }

    @Test
    void reportsWithinTheGrantCommitAndHoldTheRestAndTheLastReturnsIt() {
        DeviceAnswers.Grant g = granted(grant("sim-1", "alice", 0));
        EngineOutcome.DeviceReported first = report("sim-1", "alice", new DeviceAnswers.Report(1, 300, false));
        DeviceAnswers.Reported r1 = (DeviceAnswers.Reported) first.answers().get(0);
        assertThat(r1.seq()).isEqualTo(1);
        assertThat(r1.duplicate()).isFalse();
        assertThat(r1.reportedBytes()).isEqualTo(300);
        assertThat(r1.returnedBytes()).isZero();
        assertThat(r1.overGrantBytes()).isZero();
        assertThat(r1.unchargedBytes()).isZero();
        assertThat(r1.grant().bytes()).isEqualTo(700);
        assertThat(r1.grant().grantId()).isNotEqualTo(g.grantId());
        assertThat(r1.grant().expiresAtMillis()).isEqualTo(T + 1_000 + 60_000);
        assertThat(available("alice")).isEqualTo(9_000);
        assertThat(first.records()).singleElement().satisfies(u -> {
            assertThat(u.recordId()).isEqualTo("dev.sim-1.r1");
            assertThat(u.atMillis()).isEqualTo(T + 1_000);
            assertThat(u.accountId()).isEqualTo("alice");
            assertThat(u.origin()).isEqualTo("device");
            assertThat(u.sessionId()).isEqualTo("sim-1");
            assertThat(u.ratingGroup()).isEqualTo(10);
            assertThat(u.attributes()).isEqualTo(Map.of("deviceId", "dev-1"));
            assertThat(u.rawUnits()).isEqualTo(300);
            assertThat(u.balances()).containsExactly(new UsageRecord.BalanceChange("alice", Unit.BYTES, -300));
        });
        assertThat(grant("sim-1", "alice", 0)).isEqualTo(new DeviceAnswers.Granted(r1.grant(), true));

        EngineOutcome.DeviceReported last = report("sim-1", "alice", new DeviceAnswers.Report(2, 200, true));
        assertThat(last.answers()).containsExactly(new DeviceAnswers.Reported(2, false, 500, 500, null, 0, 0));
        assertThat(available("alice")).isEqualTo(9_500);
        assertThat(engine.ledger().openReservationTagged("dev.sim-1")).isEmpty();
    }

    @Test
    void aReportOfTheWholeGrantClosesItWithNothingReturned() {
        granted(grant("sim-1", "alice", 0));
        EngineOutcome.DeviceReported out = report("sim-1", "alice", new DeviceAnswers.Report(1, 1_000, false));
        assertThat(out.answers()).containsExactly(new DeviceAnswers.Reported(1, false, 1_000, 0, null, 0, 0));
        assertThat(available("alice")).isEqualTo(9_000);
        assertThat(engine.ledger().openReservationTagged("dev.sim-1")).isEmpty();
    }

    @Test
    void reportsOfABatchAreChargedInOrder() {
        granted(grant("sim-1", "alice", 0));
        EngineOutcome.DeviceReported out = report("sim-1", "alice", new DeviceAnswers.Report(1, 100, false),
                new DeviceAnswers.Report(2, 100, true));
        assertThat(out.answers()).hasSize(2);
        assertThat(out.answers().get(1)).isEqualTo(new DeviceAnswers.Reported(2, false, 200, 800, null, 0, 0));
        assertThat(out.records()).extracting(UsageRecord::recordId).containsExactly("dev.sim-1.r1", "dev.sim-1.r2");
        assertThat(available("alice")).isEqualTo(9_800);
    }

    @Test
    void aReportPastTheGrantIsChargedAsOverdraftWithinTheCreditLimitAndTheRestReportedUncharged() {
        account("carol", 1_500, Map.of(Unit.BYTES, 500L));
        granted(grant("sim-c", "carol", 0));
        assertThat(available("carol")).isEqualTo(1_000);
        EngineOutcome.DeviceReported out = report("sim-c", "carol", new DeviceAnswers.Report(1, 2_500, false));
        assertThat(out.answers()).containsExactly(new DeviceAnswers.Reported(1, false, 2_500, 0, null, 1_500, 500));
        assertThat(available("carol")).isZero();
        assertThat(out.records()).singleElement().satisfies(u -> {
            assertThat(u.rawUnits()).isEqualTo(2_500);
            assertThat(u.attributes()).isEqualTo(Map.of("deviceId", "dev-1", "unrecovered", "500",
                    "unrecoveredUnit", "BYTES"));
            assertThat(u.balances()).containsExactly(new UsageRecord.BalanceChange("carol", Unit.BYTES, -2_000));
        });
    }

    @Test
    void aReportJustPastTheGrantIsChargedWhole() {
        granted(grant("sim-1", "alice", 0));
        EngineOutcome.DeviceReported out = report("sim-1", "alice", new DeviceAnswers.Report(1, 1_001, false));
        assertThat(out.answers()).containsExactly(new DeviceAnswers.Reported(1, false, 1_001, 0, null, 1, 0));
        assertThat(available("alice")).isEqualTo(8_999);
    }

    @Test
    void aReportWithoutAGrantIsChargedFromTheBalanceAsFarAsItGoes() {
        EngineOutcome.DeviceReported out = report("sim-1", "alice", new DeviceAnswers.Report(1, 300, false));
        assertThat(out.answers()).containsExactly(new DeviceAnswers.Reported(1, false, 300, 0, null, 0, 0));
        assertThat(available("alice")).isEqualTo(9_700);

        account("dave", 100, Map.of());
        EngineOutcome.DeviceReported part = report("sim-d", "dave", new DeviceAnswers.Report(1, 300, false));
        assertThat(part.answers()).containsExactly(new DeviceAnswers.Reported(1, false, 300, 0, null, 0, 200));
        assertThat(part.records().get(0).balances())
                .containsExactly(new UsageRecord.BalanceChange("dave", Unit.BYTES, -100));
        assertThat(available("dave")).isZero();

        EngineOutcome.DeviceReported none = report("sim-d", "dave", new DeviceAnswers.Report(2, 50, false));
        assertThat(none.answers()).containsExactly(new DeviceAnswers.Reported(2, false, 350, 0, null, 0, 50));
        assertThat(none.records().get(0).balances()).isEmpty();
        assertThat(none.records().get(0).attributes()).containsEntry("unrecovered", "50");
    }

    @Test
    void aDuplicateSeqIsAnsweredDuplicateAndChangesNothing() {
        granted(grant("sim-1", "alice", 0));
        DeviceAnswers.Reported r1 = (DeviceAnswers.Reported) report("sim-1", "alice",
                new DeviceAnswers.Report(2, 300, false)).answers().get(0);
        EngineOutcome.DeviceReported again = report("sim-1", "alice", new DeviceAnswers.Report(2, 300, false),
                new DeviceAnswers.Report(1, 50, false));
        assertThat(again.answers()).containsExactly(new DeviceAnswers.Reported(2, true, 300, 0, r1.grant(), 0, 0),
                new DeviceAnswers.Reported(1, true, 300, 0, r1.grant(), 0, 0));
        assertThat(again.records()).isEmpty();
        assertThat(available("alice")).isEqualTo(9_000);

        EngineOutcome.DeviceReported noGrant = report("sim-9", "alice", new DeviceAnswers.Report(1, 10, false));
        assertThat(report("sim-9", "alice", new DeviceAnswers.Report(1, 10, false)).answers())
                .containsExactly(new DeviceAnswers.Reported(1, true, 10, 0, null, 0, 0));
        assertThat(noGrant.records()).hasSize(1);
    }

    @Test
    void aReportForAnUnknownAccountIsRefused() {
        EngineOutcome.DeviceReported out = report("sim-x", "nobody", new DeviceAnswers.Report(1, 10, false));
        assertThat(out.answers()).containsExactly(
                new DeviceAnswers.ReportRefused(new Rejection.UnknownAccount("nobody")));
        assertThat(out.records()).isEmpty();
    }
}
