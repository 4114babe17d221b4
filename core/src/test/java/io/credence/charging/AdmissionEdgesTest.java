package io.credence.charging;

import io.credence.admission.AdmissionPolicy;
import io.credence.admission.AdmissionResult;
import io.credence.admission.Layer;
import io.credence.admission.Pool;
import io.credence.admission.QosParameter;
import io.credence.admission.QosRequest;
import io.credence.charging.ChargingOutcome.Field;
import io.credence.charging.ChargingOutcome.Result;
import io.credence.charging.ChargingOutcome.ServiceOutcome;
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

/**
 * Layered admission at its edges: a Gy grant asking for QoS holds the bearer pool as long as the
 * grant (bounded by the policy's ttl), renewed by updates and given back at the end; values at
 * zero are judged by the layer's ranges; HTTP admissions' billings, releases and settlements.
 */
class AdmissionEdgesTest {
    private static final long T = 1_767_225_600_000L;
    private final ChargingEngine engine = new ChargingEngine(LedgerLimits.DEFAULTS, CatalogReader.NONE);
    private int commands;

    private static AdmissionPolicy policy(int admissionsMax) {
        return new AdmissionPolicy(Map.of(
                Layer.BEARER, new AdmissionPolicy.LayerPolicy(Map.of(
                        QosParameter.BANDWIDTH_KBPS, new AdmissionPolicy.Range(1, 50_000, null),
                        QosParameter.LATENCY_CLASS, new AdmissionPolicy.Range(1, 9, null)),
                        Map.of(Pool.BANDWIDTH, 100_000L)),
                Layer.SERVICE, new AdmissionPolicy.LayerPolicy(Map.of(QosParameter.DATA_VOLUME_BYTES,
                        new AdmissionPolicy.Range(1, 10_000_000, null)), Map.of(Pool.DATA_VOLUME, 10_000_000L)),
                Layer.APPLICATION, AdmissionPolicy.LayerPolicy.closed()), admissionsMax, 60);
    }

    AdmissionEdgesTest() {
        engine.apply(new EngineCommand.SetAdmissionPolicy(policy(2)), T);
        for (String account : new String[] {"alice", "bob"}) {
            ledger(new Operation.CreateAccount(account, AccountKind.SUBSCRIBER, Map.of()));
            ledger(new Operation.TopUp(Ids.SYSTEM_ACCOUNT, account, Unit.BYTES, 100_000, null));
        }
        ledger(new Operation.TopUp(Ids.SYSTEM_ACCOUNT, "alice", Unit.SECONDS, 1_000, null));
        ledger(new Operation.BindIdentity(IdentityType.E164, "491700000001", "alice"));
    }

    private void ledger(Operation op) {
        assertThat(engine.apply(new Command("setup-" + commands++, op), T).accepted()).isTrue();
    }

    private long bytes(String account) {
        return engine.ledger().available(account, Unit.BYTES, ServiceRef.ANY).orElseThrow();
    }

    // ---------------------------------------------------------------- Gy grants asking for QoS

    private ServiceOutcome gy(String session, Kind kind, long number, String context, long latency, long bandwidth,
                              Long used, long at) {
        ChargingRequest.ServiceUsage usage = new ChargingRequest.ServiceUsage(ServiceKey.of(10, ServiceRef.NONE, null),
                kind == Kind.TERMINATE ? null : Map.of(context.equals(EngineConfig.CONTEXT_IMS) ? Unit.SECONDS
                        : Unit.BYTES, 1_000L), used == null ? null : Map.of(Unit.BYTES, used),
                latency == -2 ? null : new ChargingRequest.Qos(latency, bandwidth));
        ChargingRequest r = new ChargingRequest(session, kind, number, number, 0, false,
                ChargingRequest.EventAction.NONE, List.of(new ChargingRequest.Identity(IdentityType.E164, "491700000001")),
                context, List.of(usage), null, new ChargingRequest.Origin("diameter", "pgw", "pgw", "operator.test", -1));
        ChargingOutcome outcome = ((EngineOutcome.Charged) engine.apply(new EngineCommand.Charge(r), at)).result()
                .outcome();
        return outcome.services().isEmpty() ? ServiceOutcome.of(usage.key(), outcome.result())
                : outcome.services().getFirst();
    }

    private int admissions() {
        return engine.admissionReport().orElseThrow().admissions();
    }

    private long bearerBandwidthUsed() {
        return engine.admissionReport().orElseThrow().layers().get(Layer.BEARER).get(Pool.BANDWIDTH).used();
    }

    private Result initial(String session, long bandwidth, long at) {
        return gy(session, Kind.INITIAL, 0, EngineConfig.CONTEXT_PS, 5, bandwidth, null, at).result();
    }

    @Test
    void aGrantAskingForQosHoldsTheBearerPoolForThePolicysTtlOnly() {
        engine.apply(new EngineCommand.SetAdmissionPolicy(policy(10)), T);
        assertThat(initial("s1", 50_000, T)).isEqualTo(Result.SUCCESS);
        assertThat(initial("s2", 40_000, T)).isEqualTo(Result.SUCCESS);
        assertThat(bearerBandwidthUsed()).isEqualTo(90_000);
        assertThat(initial("s3", 20_000, T + 59_999)).as("10 000 kbps free").isEqualTo(Result.END_USER_SERVICE_DENIED);
        // the grants hold for 630 s, their admissions for the policy's 60 s
        assertThat(initial("s4", 50_000, T + 60_000)).isEqualTo(Result.SUCCESS);
        assertThat(initial("s5", 50_000, T + 60_000)).isEqualTo(Result.SUCCESS);
        assertThat(bearerBandwidthUsed()).isEqualTo(100_000);
        engine.verifyInvariants();
    }

    @Test
    void anUpdateRenewsTheAdmissionAndTheEndGivesItBack() {
        engine.apply(new EngineCommand.SetAdmissionPolicy(policy(10)), T);
        assertThat(initial("s1", 50_000, T)).isEqualTo(Result.SUCCESS);
        assertThat(gy("s1", Kind.UPDATE, 1, EngineConfig.CONTEXT_PS, 5, 50_000, 500L, T + 50_000).result())
                .isEqualTo(Result.SUCCESS);
        assertThat(initial("s2", 50_000, T + 100_000)).isEqualTo(Result.SUCCESS);
        assertThat(initial("s3", 50_000, T + 109_999)).as("s1 holds until 60 s after its update")
                .isEqualTo(Result.END_USER_SERVICE_DENIED);
        assertThat(initial("s4", 50_000, T + 110_000)).isEqualTo(Result.SUCCESS);
        assertThat(gy("s4", Kind.TERMINATE, 1, EngineConfig.CONTEXT_PS, 5, 50_000, 200L, T + 110_001).result())
                .isEqualTo(Result.SUCCESS);
        assertThat(bearerBandwidthUsed()).as("s4 gave its 50 000 back").isEqualTo(50_000);
        assertThat(initial("s5", 50_000, T + 110_002)).isEqualTo(Result.SUCCESS);
        engine.verifyInvariants();
    }

    @Test
    void zeroBandwidthOrLatencyIsOfferedAndJudgedByTheLayersRange() {
        ServiceOutcome bandwidth = gy("s1", Kind.INITIAL, 0, EngineConfig.CONTEXT_PS, 5, 0, null, T);
        assertThat(bandwidth.result()).isEqualTo(Result.INVALID_VALUE);
        assertThat(bandwidth.failedField()).isEqualTo(Field.BANDWIDTH);
        assertThat(bandwidth.problem()).isEqualTo("bearer layer: bandwidthKbps must be 1..50000 at the bearer layer, was 0");
        ServiceOutcome latency = gy("s2", Kind.INITIAL, 0, EngineConfig.CONTEXT_PS, 0, 1_000, null, T);
        assertThat(latency.result()).isEqualTo(Result.INVALID_VALUE);
        assertThat(latency.failedField()).isEqualTo(Field.LATENCY_CLASS);
        assertThat(latency.problem()).isEqualTo("bearer layer: latencyClass must be 1..9 at the bearer layer, was 0");
        ServiceOutcome missing = gy("s3", Kind.INITIAL, 0, EngineConfig.CONTEXT_PS, -1, 1_000, null, T);
        assertThat(missing.problem()).isEqualTo("bearer layer: latencyClass is required at the bearer layer");
        assertThat(admissions()).isZero();
        assertThat(bytes("alice")).as("nothing granted").isEqualTo(100_000);
    }

    @Test
    void aFullPoolDeniesTheServiceNamingThePoolAndAFullTableIsTooBusy() {
        assertThat(initial("s1", 50_000, T)).isEqualTo(Result.SUCCESS);
        assertThat(initial("s2", 50_000, T)).isEqualTo(Result.SUCCESS);
        ServiceOutcome third = gy("s3", Kind.INITIAL, 0, EngineConfig.CONTEXT_PS, 5, 1, null, T);
        assertThat(third.result()).as("admissionsMax 2").isEqualTo(Result.TOO_BUSY);
        engine.apply(new EngineCommand.SetAdmissionPolicy(policy(10)), T);
        ServiceOutcome fourth = gy("s4", Kind.INITIAL, 0, EngineConfig.CONTEXT_PS, 5, 1, null, T);
        assertThat(fourth.result()).isEqualTo(Result.END_USER_SERVICE_DENIED);
        assertThat(fourth.problem()).isEqualTo("bearer layer: the bandwidthKbps pool has 0 free, 1 asked");
        assertThat(admissions()).isEqualTo(2);
        assertThat(bytes("alice")).as("only the two admitted were granted").isEqualTo(100_000 - 2 * 1_000);
    }

    @Test
    void anImsCallAsksTheServiceLayerWhichChecksNeitherBandwidthNorLatency() {
        ServiceOutcome call = gy("ims-1", Kind.INITIAL, 0, EngineConfig.CONTEXT_IMS, 5, 20_000, null, T);
        assertThat(call.result()).isEqualTo(Result.SUCCESS);
        assertThat(admissions()).as("nothing the service layer checks was offered").isZero();
        assertThat(bearerBandwidthUsed()).isZero();
        assertThat(gy("plain", Kind.INITIAL, 0, EngineConfig.CONTEXT_PS, -2, 0, null, T).result())
                .as("no QoS asked").isEqualTo(Result.SUCCESS);
        assertThat(admissions()).isZero();
    }

    // ---------------------------------------------------------------- HTTP admissions

    private AdmissionAnswers.Admit admit(String id, long bytes, long ttlMillis, String account, long at) {
        return ((EngineOutcome.Admitting) engine.apply(new EngineCommand.Admit(id, new QosRequest(Layer.SERVICE,
                Map.of(QosParameter.DATA_VOLUME_BYTES, bytes)), ttlMillis, account,
                account == null ? null : Ids.SYSTEM_ACCOUNT), at)).answer();
    }

    private EngineOutcome.AdmissionEnded end(String id, AdmissionUsage usage, String requestId, long at) {
        return (EngineOutcome.AdmissionEnded) engine.apply(new EngineCommand.EndAdmission(id, usage, requestId), at);
    }

    @Test
    void aBilledAdmissionIsNotBilledToAnotherAndAnUnbilledRetryGetsNoBilling() {
        AdmissionBilling billing = ((AdmissionAnswers.Answered) admit("a", 1_000, 60_000, "alice", T)).billing();
        assertThat(billing.accountId()).isEqualTo("alice");
        assertThat(admit("a", 1_000, 60_000, "bob", T + 1)).isEqualTo(new AdmissionAnswers.BilledToAnother(billing));
        AdmissionAnswers.Answered unbilled = (AdmissionAnswers.Answered) admit("a", 1_000, 60_000, null, T + 2);
        assertThat(unbilled.result()).isInstanceOf(AdmissionResult.Admitted.class);
        assertThat(unbilled.billing()).isNull();
        assertThat(bytes("alice")).as("held once").isEqualTo(99_000);
        assertThat(bytes("bob")).isEqualTo(100_000);
    }

    @Test
    void endingWithoutUsageGivesTheWholeReservationBack() {
        AdmissionBilling billing = ((AdmissionAnswers.Answered) admit("a", 1_000, 60_000, "alice", T)).billing();
        EngineOutcome.AdmissionEnded ended = end("a", null, null, T + 1);
        AdmissionAnswers.Released released = (AdmissionAnswers.Released) ended.answer();
        assertThat(released.billing()).isEqualTo(billing);
        assertThat(released.reservationReleased()).isEqualTo(1_000);
        assertThat(ended.records()).isEmpty();
        assertThat(bytes("alice")).isEqualTo(100_000);
        assertThat(engine.admissionBillings()).isEmpty();
        assertThat(admissions()).isZero();
        assertThat(end("a", null, null, T + 2).answer()).isEqualTo(new AdmissionAnswers.Unknown());
    }

    @Test
    void theLastAdmissionsMaxSettlementsAreKeptForTheirRetries() {
        for (int i = 1; i <= 3; i++) {
            admit("s" + i, 1_000, 60_000, "alice", T);
            end("s" + i, new AdmissionUsage(400, 0, 1, 1), "r" + i, T + 1);
        }
        for (String id : new String[] {"s2", "s3"}) {
            assertThat(end(id, new AdmissionUsage(400, 0, 1, 1), "r" + id.substring(1), T + 2).answer())
                    .as(id).isInstanceOfSatisfying(AdmissionAnswers.Settled.class, s -> assertThat(s.again()).isTrue());
        }
        assertThat(end("s1", new AdmissionUsage(400, 0, 1, 1), "r1", T + 2).answer())
                .isEqualTo(new AdmissionAnswers.Unknown());
        assertThat(bytes("alice")).isEqualTo(100_000 - 3 * 400);
    }

    @Test
    void aSettlementsRecordDebitsTheAccountWithWhatWasCharged() {
        admit("a", 1_000, 60_000, "alice", T);
        UsageRecord charged = end("a", new AdmissionUsage(400, 0, 1, 1), "r1", T + 1).records().getFirst();
        assertThat(charged.balances()).containsExactly(new UsageRecord.BalanceChange("alice", Unit.BYTES, -400));
        assertThat(charged.recordId()).isEqualTo("r1");
        admit("b", 1_000, 60_000, "alice", T + 2);
        UsageRecord nothing = end("b", new AdmissionUsage(0, 0, 1, 1), "r2", T + 3).records().getFirst();
        assertThat(nothing.balances()).as("nothing charged, no balance changed").isEmpty();
        assertThat(bytes("alice")).isEqualTo(99_600);
    }

    @Test
    void aNewPolicyDropsOnlyTheBillingsOfAdmissionsThatLapsed() {
        admit("short", 1_000, 10_000, "alice", T);
        admit("long", 1_000, 50_000, "alice", T);
        engine.apply(new EngineCommand.SetAdmissionPolicy(policy(3)), T + 10_000);
        assertThat(engine.admissionBillings()).containsOnlyKeys("long");
        assertThat(bytes("alice")).isEqualTo(99_000);
    }

    @Test
    void anAdmissionIdLivingAgainReservesAfresh() {
        AdmissionBilling first = ((AdmissionAnswers.Answered) admit("a", 1_000, 10_000, "alice", T)).billing();
        AdmissionAnswers.Answered again = (AdmissionAnswers.Answered) admit("a", 1_000, 10_000, "alice", T + 10_000);
        assertThat(again.billing().reservationId()).isNotEqualTo(first.reservationId());
        assertThat(bytes("alice")).as("the first hold lapsed, the second holds").isEqualTo(99_000);
        assertThat(end("a", null, null, T + 10_001).answer()).isInstanceOfSatisfying(AdmissionAnswers.Released.class,
                r -> assertThat(r.reservationReleased()).isEqualTo(1_000));
        assertThat(bytes("alice")).isEqualTo(100_000);
    }
}
