package io.credence.charging;

import io.credence.charging.ChargingOutcome.Result;
import io.credence.charging.ChargingRequest.Kind;
import io.credence.ledger.AccountKind;
import io.credence.ledger.ByteArrayDataInput;
import io.credence.ledger.ByteArrayDataOutput;
import io.credence.ledger.Command;
import io.credence.ledger.IdentityType;
import io.credence.ledger.Ids;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Operation;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's sessions, request by request: grants and settlements, retries, late and orphaned
 * usage, and a snapshot that gives back the same state.
 */
class ChargingEngineTest {
    private static final long T0 = 1_800_000_000_000L;
    private final ChargingEngine engine = new ChargingEngine(LedgerLimits.DEFAULTS, CatalogReader.NONE);
    private long now = T0;
    private int commands;

    private void ledger(Operation op) {
        assertThat(engine.apply(new Command("setup-" + commands++, op), now).accepted()).isTrue();
    }

    private String subscriber(String msisdn, Unit unit, long amount) {
        String account = "acct-" + msisdn;
        ledger(new Operation.CreateAccount(account, AccountKind.SUBSCRIBER, Map.of()));
        if (amount > 0) {
            ledger(new Operation.TopUp(Ids.SYSTEM_ACCOUNT, account, unit, amount, null));
        }
        ledger(new Operation.BindIdentity(IdentityType.E164, msisdn, account));
        return account;
    }

    private long available(String account, Unit unit) {
        return engine.ledger().available(account, unit, ServiceRef.ANY).orElseThrow();
    }

    private static ChargingRequest.ServiceUsage data(long rg, Long requested, Long used) {
        return TestRequests.data(rg, requested, used);
    }

    private ChargingResult charge(String session, Kind kind, long number, String msisdn,
                                  ChargingRequest.ServiceUsage... services) {
        return ((EngineOutcome.Charged) engine.apply(TestRequests.gy(session, kind, number, msisdn, services),
                now)).result();
    }

    @Test
    void aSessionGrantsSettlesAndReleasesInOneCommandEach() {
        String account = subscriber("491700000001", Unit.BYTES, 10_000);
        ChargingResult i = charge("s1", Kind.INITIAL, 0, "491700000001", data(10, 4_000L, null));
        assertThat(i.outcome().result()).isEqualTo(Result.SUCCESS);
        assertThat(i.outcome().services().get(0).granted()).isEqualTo(4_000);
        assertThat(available(account, Unit.BYTES)).isEqualTo(6_000);

        ChargingResult u = charge("s1", Kind.UPDATE, 1, null, data(10, 8_000L, 3_000L));
        assertThat(u.outcome().services().get(0).granted()).as("up to what is left, marked final").isEqualTo(7_000);
        assertThat(u.outcome().services().get(0).finalUnits()).isTrue();
        assertThat(u.records()).singleElement().satisfies(r -> assertThat(r.rawUnits()).isEqualTo(3_000));

        ChargingResult t = charge("s1", Kind.TERMINATE, 2, null, data(10, null, 7_000L));
        assertThat(t.outcome().result()).isEqualTo(Result.SUCCESS);
        assertThat(available(account, Unit.BYTES)).isZero();
        assertThat(engine.ledger().openReservationCount()).isZero();
        engine.verifyInvariants();
    }

    @Test
    void aRetryGetsTheFirstAnswerAndChargesNothingTwice() {
        String account = subscriber("491700000002", Unit.BYTES, 10_000);
        charge("s2", Kind.INITIAL, 0, "491700000002", data(10, 1_000L, null));
        ChargingResult first = charge("s2", Kind.UPDATE, 1, null, data(10, 1_000L, 1_000L));
        ChargingResult again = charge("s2", Kind.UPDATE, 1, null, data(10, 1_000L, 1_000L));
        assertThat(again.outcome()).isEqualTo(first.outcome());
        assertThat(again.records()).isEmpty();
        assertThat(available(account, Unit.BYTES)).isEqualTo(8_000);
        ChargingResult older = charge("s2", Kind.UPDATE, 0, null, data(10, 1_000L, 1_000L));
        assertThat(older.outcome().result()).isEqualTo(Result.INVALID_VALUE);
    }

    @Test
    void usageReportedAfterTheGrantLapsedIsChargedFromTheBalanceAndTheSessionGoesOn() {
        engine.apply(new EngineCommand.Configure(EngineConfig.defaults().withValidity(5, 0)), now);
        String account = subscriber("491700000003", Unit.BYTES, 10_000);
        charge("s3", Kind.INITIAL, 0, "491700000003", data(10, 1_000L, null));
        now += 170_000; // the grant lapsed long ago; the session is still remembered (silent retention)
        ChargingResult late = charge("s3", Kind.UPDATE, 1, null, data(10, 500L, 600L));
        assertThat(late.outcome().result()).isEqualTo(Result.SUCCESS);
        assertThat(late.records()).anySatisfy(r -> assertThat(r.rawUnits()).isEqualTo(600));
        assertThat(available(account, Unit.BYTES)).as("600 charged, 500 held again").isEqualTo(10_000 - 600 - 500);
    }

    @Test
    void usageNoBalanceCoversIsRecordedAsUnrecoveredNotDropped() {
        String account = subscriber("491700000004", Unit.BYTES, 1_000);
        charge("s4", Kind.INITIAL, 0, "491700000004", data(10, 1_000L, null));
        ChargingResult t = charge("s4", Kind.TERMINATE, 1, null, data(10, null, 1_400L));
        assertThat(available(account, Unit.BYTES)).isZero();
        assertThat(t.unrecovered()).singleElement().satisfies(u -> {
            assertThat(u.accountId()).isEqualTo(account);
            assertThat(u.amount()).isEqualTo(400);
        });
        assertThat(t.records()).singleElement().satisfies(r -> assertThat(r.attributes()).containsEntry("unrecovered",
                "400"));
    }

    @Test
    void usageForAForgottenSessionIsChargedWhenTheRequestNamesTheSubscriber() {
        String account = subscriber("491700000005", Unit.BYTES, 5_000);
        ChargingResult orphan = charge("gone", Kind.TERMINATE, 7, "491700000005", data(10, null, 1_200L));
        assertThat(orphan.outcome().result()).isEqualTo(Result.UNKNOWN_SESSION);
        assertThat(available(account, Unit.BYTES)).isEqualTo(3_800);
        ChargingResult anonymous = charge("gone2", Kind.UPDATE, 3, null, data(10, 100L, 700L));
        assertThat(anonymous.unrecovered()).singleElement().satisfies(u -> assertThat(u.accountId()).isNull());
    }

    @Test
    void aTerminationAfterARefusedStartIsAnsweredSuccessAndChargesNothing() {
        ChargingResult refused = charge("s6", Kind.INITIAL, 0, "999", data(10, 100L, null));
        assertThat(refused.outcome().result()).isEqualTo(Result.USER_UNKNOWN);
        ChargingResult t = charge("s6", Kind.TERMINATE, 1, "999", data(10, null, 0L));
        assertThat(t.outcome().result()).isEqualTo(Result.SUCCESS);
        assertThat(charge("s6", Kind.TERMINATE, 1, "999").outcome()).as("its retry").isEqualTo(t.outcome());
    }

    @Test
    void aSnapshotGivesBackTheSameStateAndTheSessionsGoOnFromIt() throws Exception {
        String account = subscriber("491700000007", Unit.BYTES, 10_000);
        charge("s7", Kind.INITIAL, 0, "491700000007", data(10, 1_000L, null), data(20, 2_000L, null));
        charge("s7", Kind.UPDATE, 1, null, data(10, 1_000L, 900L));
        byte[] bytes = snapshot(engine);
        ChargingEngine restored = EngineSnapshot.read(new ByteArrayDataInput(bytes, 0, bytes.length),
                LedgerLimits.DEFAULTS, CatalogReader.NONE);
        assertThat(snapshot(restored)).isEqualTo(bytes);
        ChargingRequest t = new ChargingRequest("s7", Kind.TERMINATE, 2, 2, 0, false, ChargingRequest.EventAction.NONE,
                List.of(), EngineConfig.CONTEXT_PS, List.of(data(10, null, 500L), data(20, null, 1_500L)), null, null);
        ChargingResult done = ((EngineOutcome.Charged) restored.apply(new EngineCommand.Charge(t), now)).result();
        assertThat(done.outcome().result()).isEqualTo(Result.SUCCESS);
        assertThat(restored.ledger().available(account, Unit.BYTES, ServiceRef.ANY).orElseThrow())
                .isEqualTo(10_000 - 900 - 500 - 1_500);
        assertThat(restored.ledger().openReservationCount()).isZero();
    }

    private static byte[] snapshot(ChargingEngine engine) throws Exception {
        ByteArrayDataOutput out = new ByteArrayDataOutput(1024);
        EngineSnapshot.write(engine, out);
        return java.util.Arrays.copyOf(out.array(), out.size());
    }
}
