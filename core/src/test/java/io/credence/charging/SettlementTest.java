package io.credence.charging;

import io.credence.charging.ChargingOutcome.Result;
import io.credence.charging.ChargingRequest.Kind;
import io.credence.ledger.AccountKind;
import io.credence.ledger.Command;
import io.credence.ledger.IdentityType;
import io.credence.ledger.Ids;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Operation;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;
import io.credence.records.UsageRecord;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Settling unrated usage: within the grant, past it as overdraft, past the balance as unrecovered, and without a grant. */
class SettlementTest {
    private static final long T0 = 1_800_000_000_000L;
    private final ChargingEngine engine = new ChargingEngine(LedgerLimits.DEFAULTS, CatalogReader.NONE);
    private int commands;

    private void ledger(Operation op) {
        assertThat(engine.apply(new Command("setup-" + commands++, op), T0).accepted()).isTrue();
    }

    private String subscriber(String msisdn, long bytes) {
        String account = "acct-" + msisdn;
        ledger(new Operation.CreateAccount(account, AccountKind.SUBSCRIBER, Map.of()));
        ledger(new Operation.TopUp(Ids.SYSTEM_ACCOUNT, account, Unit.BYTES, bytes, null));
        ledger(new Operation.BindIdentity(IdentityType.E164, msisdn, account));
        return account;
    }

    private long available(String account) {
        return engine.ledger().available(account, Unit.BYTES, ServiceRef.ANY).orElseThrow();
    }

    private static ChargingRequest.ServiceUsage data(long rg, Long requested, Long used) {
        return TestRequests.data(rg, requested, used);
    }

    private ChargingResult charge(String session, Kind kind, long number, String msisdn,
                                  ChargingRequest.ServiceUsage... services) {
        return ((EngineOutcome.Charged) engine.apply(TestRequests.gy(session, kind, number, msisdn, services),
                T0 + number)).result();
    }

    @Test
    void usageOfExactlyTheGrantIsChargedWhole() {
        String account = subscriber("491700000001", 10_000);
        assertThat(charge("s1", Kind.INITIAL, 0, "491700000001", data(10, 4_000L, null)).outcome().services().get(0)
                .granted()).isEqualTo(4_000);
        ChargingResult t = charge("s1", Kind.TERMINATE, 1, null, data(10, null, 4_000L));
        assertThat(t.outcome().result()).isEqualTo(Result.SUCCESS);
        assertThat(t.unrecovered()).isEmpty();
        assertThat(t.records()).singleElement().satisfies(r -> {
            assertThat(r.accountId()).isEqualTo(account);
            assertThat(r.origin()).isEqualTo("diameter");
            assertThat(r.sessionId()).isEqualTo("s1");
            assertThat(r.service()).isEqualTo("rg:10.n");
            assertThat(r.ratingGroup()).isEqualTo(10);
            assertThat(r.decision()).isEqualTo(UsageRecord.UNRATED);
            assertThat(r.unit()).isEqualTo(Unit.BYTES);
            assertThat(r.rawUnits()).isEqualTo(4_000);
            assertThat(r.price()).isZero();
            assertThat(r.attributes()).isEmpty();
            assertThat(r.balances()).containsExactly(new UsageRecord.BalanceChange(account, Unit.BYTES, -4_000));
            assertThat(r.requestIds()).containsExactly(r.recordId());
        });
        assertThat(available(account)).isEqualTo(6_000);
    }

    @Test
    void usagePastTheGrantIsChargedAsOverdraftAsFarAsTheBalanceGoes() {
        String account = subscriber("491700000002", 10_000);
        charge("s2", Kind.INITIAL, 0, "491700000002", data(10, 4_000L, null));
        ChargingResult t = charge("s2", Kind.TERMINATE, 1, null, data(10, null, 5_000L));
        assertThat(t.unrecovered()).isEmpty();
        assertThat(t.records()).singleElement().satisfies(r -> {
            assertThat(r.rawUnits()).isEqualTo(5_000);
            assertThat(r.attributes()).isEmpty();
            assertThat(r.balances()).containsExactly(new UsageRecord.BalanceChange(account, Unit.BYTES, -5_000));
        });
        assertThat(available(account)).isEqualTo(5_000);
    }

    @Test
    void whatNeitherTheGrantNorTheBalanceCoversIsUnrecovered() {
        String account = subscriber("491700000003", 5_000);
        charge("s3", Kind.INITIAL, 0, "491700000003", data(10, 4_000L, null));
        ChargingResult t = charge("s3", Kind.TERMINATE, 1, null, data(10, null, 6_001L));
        assertThat(t.unrecovered()).containsExactly(new ChargingResult.Unrecovered(account, Unit.BYTES, 1_001,
                "more than the grant and the credit limit cover"));
        assertThat(t.records()).singleElement().satisfies(r -> {
            assertThat(r.rawUnits()).isEqualTo(6_001);
            assertThat(r.attributes()).isEqualTo(Map.of("unrecovered", "1001", "unrecoveredUnit", "BYTES"));
            assertThat(r.balances()).containsExactly(new UsageRecord.BalanceChange(account, Unit.BYTES, -5_000));
        });
        assertThat(available(account)).isZero();
    }

    @Test
    void noUsageMakesNoRecord() {
        String account = subscriber("491700000004", 10_000);
        charge("s4", Kind.INITIAL, 0, "491700000004", data(10, 4_000L, null));
        ChargingResult t = charge("s4", Kind.TERMINATE, 1, null, data(10, null, 0L));
        assertThat(t.records()).isEmpty();
        assertThat(t.unrecovered()).isEmpty();
        assertThat(available(account)).isEqualTo(10_000);
    }

    @Test
    void usageWithoutAGrantIsChargedFromTheBalanceAndTheShortfallRecorded() {
        String account = subscriber("491700000005", 1_000);
        charge("s5", Kind.INITIAL, 0, "491700000005", data(10, 400L, null));
        assertThat(available(account)).isEqualTo(600);
        ChargingResult u = charge("s5", Kind.UPDATE, 1, null, data(10, null, 0L), data(20, null, 600L));
        assertThat(u.records()).singleElement().satisfies(r -> {
            assertThat(r.ratingGroup()).isEqualTo(20);
            assertThat(r.rawUnits()).isEqualTo(600);
            assertThat(r.attributes()).isEmpty();
            assertThat(r.balances()).containsExactly(new UsageRecord.BalanceChange(account, Unit.BYTES, -600));
        });
        assertThat(u.unrecovered()).isEmpty();
        long left = available(account);
        ChargingResult more = charge("s5", Kind.UPDATE, 2, null, data(20, null, left + 1));
        assertThat(more.unrecovered()).containsExactly(new ChargingResult.Unrecovered(account, Unit.BYTES, 1,
                "reported without a grant; the balance and the credit limit do not cover it"));
        assertThat(available(account)).isZero();
        assertThat(more.records()).singleElement().satisfies(r -> {
            assertThat(r.rawUnits()).isEqualTo(left + 1);
            assertThat(r.balances()).isEqualTo(left == 0 ? List.of()
                    : List.of(new UsageRecord.BalanceChange(account, Unit.BYTES, -left)));
            assertThat(r.attributes()).isEqualTo(Map.of("unrecovered", "1", "unrecoveredUnit", "BYTES"));
        });
    }

    // ---------------------------------------------------------------- rated grants, lapsed grants, step ids

    private static ChargingResult rated(ChargingEngine engine, String session, Kind kind, long number, String msisdn,
                                        ChargingRequest.ServiceUsage usage) {
        return ((EngineOutcome.Charged) engine.apply(TestRequests.gy(session, kind, number, msisdn, usage),
                EventChargingTest.Rated.T0 + number)).result();
    }

    @Test
    void theOverrunOfAGrantThatCostNothingIsPaidInMoneyAtTheTariff() {
        ChargingEngine engine = EventChargingTest.Rated.engine();
        String account = EventChargingTest.Rated.subscriber(engine, "491700000021", Unit.MONEY, 1_000);
        ChargingRequest.ServiceUsage minute = EventChargingTest.Rated.usage(EventChargingTest.Rated.RG_VOICE,
                Unit.SECONDS, 60L, null);
        // no seconds on the balance: the first minute is free at the tariff, so nothing is held
        assertThat(rated(engine, "v1", Kind.INITIAL, 0, "491700000021", minute).outcome().services())
                .singleElement().satisfies(s -> assertThat(s.granted()).isEqualTo(60));
        assertThat(engine.ledger().openReservationCount()).isZero();
        ChargingResult t = rated(engine, "v1", Kind.TERMINATE, 1, null, EventChargingTest.Rated.usage(
                EventChargingTest.Rated.RG_VOICE, Unit.SECONDS, null, 100L));
        assertThat(t.unrecovered()).isEmpty();
        assertThat(t.records()).singleElement().satisfies(r -> {
            assertThat(r.rawUnits()).isEqualTo(100);
            assertThat(r.price()).as("40 seconds past the free minute at 2").isEqualTo(80);
            assertThat(r.balances()).containsExactly(new UsageRecord.BalanceChange(account, Unit.MONEY, -80));
        });
        assertThat(EventChargingTest.Rated.available(engine, account, Unit.MONEY)).isEqualTo(920);
    }

    @Test
    void aSubscriberWithoutMoneyGetsTheFreeFirstMinuteAsTheLastGrantAndPaysNothingForIt() {
        ChargingEngine engine = EventChargingTest.Rated.engine();
        String account = EventChargingTest.Rated.subscriber(engine, "491700000024", Unit.BYTES, 1_000); // bytes, no money
        ChargingResult i = rated(engine, "v0", Kind.INITIAL, 0, "491700000024", EventChargingTest.Rated.usage(
                EventChargingTest.Rated.RG_VOICE, Unit.SECONDS, 120L, null));
        // reserve up to what is available: the money buys nothing, the tariff's first minute is free
        assertThat(i.outcome().services()).singleElement().satisfies(s -> {
            assertThat(s.result()).isEqualTo(Result.SUCCESS);
            assertThat(s.granted()).isEqualTo(60);
            assertThat(s.finalUnits()).as("nothing after it can be paid").isTrue();
        });
        assertThat(engine.ledger().openReservationCount()).isZero();
        ChargingResult t = rated(engine, "v0", Kind.TERMINATE, 1, null, EventChargingTest.Rated.usage(
                EventChargingTest.Rated.RG_VOICE, Unit.SECONDS, null, 60L));
        assertThat(t.unrecovered()).isEmpty();
        assertThat(t.records()).singleElement().satisfies(r -> assertThat(r.price()).isZero());
        assertThat(EventChargingTest.Rated.available(engine, account, Unit.MONEY)).isZero();
    }

    @Test
    void aFreeCallTakesNothingEvenFromUnitsTheBalanceHasAndIsNotUnrecovered() {
        ChargingEngine engine = EventChargingTest.Rated.engine();
        String account = EventChargingTest.Rated.subscriber(engine, "491700000022", Unit.SECONDS, 500);
        rated(engine, "f1", Kind.INITIAL, 0, "491700000022", EventChargingTest.Rated.usage(
                EventChargingTest.Rated.RG_FREE, Unit.SECONDS, 60L, null));
        ChargingResult t = rated(engine, "f1", Kind.TERMINATE, 1, null, EventChargingTest.Rated.usage(
                EventChargingTest.Rated.RG_FREE, Unit.SECONDS, null, 45L));
        assertThat(t.unrecovered()).isEmpty();
        assertThat(t.records()).singleElement().satisfies(r -> {
            assertThat(r.decision()).isEqualTo(UsageRecord.FREE);
            assertThat(r.rawUnits()).isEqualTo(45);
            assertThat(r.price()).isZero();
            assertThat(r.balances()).isEmpty();
            // free usage is owed by nobody: it is not revenue lost (credence_charging_unrecovered_total)
            assertThat(r.attributes()).doesNotContainKeys("unrecovered", "unrecoveredUnit");
        });
        assertThat(EventChargingTest.Rated.available(engine, account, Unit.SECONDS)).isEqualTo(500);
    }

    @Test
    void usageOnAGrantWhoseHoldLapsedIsChargedFromTheBalanceAndNothingIsUnrecovered() {
        engine.apply(new EngineCommand.Configure(EngineConfig.defaults().withValidity(5, 0)), T0);
        String account = subscriber("491700000023", 10_000);
        charge("s23", Kind.INITIAL, 0, "491700000023", data(10, 1_000L, null));
        ChargingResult late = ((EngineOutcome.Charged) engine.apply(TestRequests.gy("s23", Kind.UPDATE, 1, null,
                data(10, null, 600L)), T0 + 10_000)).result();
        assertThat(late.unrecovered()).isEmpty();
        assertThat(late.records()).singleElement().satisfies(r -> {
            assertThat(r.rawUnits()).isEqualTo(600);
            assertThat(r.attributes()).isEmpty();
            assertThat(r.balances()).containsExactly(new UsageRecord.BalanceChange(account, Unit.BYTES, -600));
        });
        assertThat(available(account)).isEqualTo(9_400);
    }

    @Test
    void aZeroAmountInAReportTakesNoLedgerStepSoTheRecordIdIsTheServicesFirst() {
        subscriber("491700000024", 10_000);
        charge("s24", Kind.INITIAL, 0, "491700000024", data(10, 100L, null));
        java.util.EnumMap<Unit, Long> used = new java.util.EnumMap<>(Unit.class);
        used.put(Unit.MONEY, 0L); // listed before BYTES
        used.put(Unit.BYTES, 300L);
        ChargingResult u = charge("s24", Kind.UPDATE, 1, null, new ChargingRequest.ServiceUsage(
                io.credence.charging.ServiceKey.of(20, ServiceRef.NONE, null), null, used, null));
        // ids are cc:<session key>:<request number>:<service>:<step>
        assertThat(u.records()).singleElement().satisfies(r -> assertThat(r.recordId())
                .isEqualTo("cc:" + Digests.shortKey("s24", 11) + ":1:20.n:0"));
    }
}
