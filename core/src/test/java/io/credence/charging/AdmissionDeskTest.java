package io.credence.charging;

import io.credence.admission.AdmissionPolicy;
import io.credence.admission.AdmissionResult;
import io.credence.admission.Layer;
import io.credence.admission.Pool;
import io.credence.admission.QosParameter;
import io.credence.admission.QosRequest;
import io.credence.ledger.AccountKind;
import io.credence.ledger.Command;
import io.credence.ledger.Ids;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Operation;
import io.credence.ledger.Unit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** HTTP admissions in the engine: a billing lives as long as its admission; settlements are bounded and retried alike. */
class AdmissionDeskTest {
    private static final long T = 1_767_225_600_000L;
    private ChargingEngine engine;

    @BeforeEach
    void engine() {
        engine = new ChargingEngine(LedgerLimits.DEFAULTS, CatalogReader.NONE);
        engine.apply(new EngineCommand.SetAdmissionPolicy(new AdmissionPolicy(Map.of(
                Layer.BEARER, AdmissionPolicy.LayerPolicy.closed(),
                Layer.SERVICE, new AdmissionPolicy.LayerPolicy(Map.of(QosParameter.DATA_VOLUME_BYTES,
                        new AdmissionPolicy.Range(1, 10_000_000, null)), Map.of(Pool.DATA_VOLUME, 10_000_000L)),
                Layer.APPLICATION, AdmissionPolicy.LayerPolicy.closed()), 2, 3600)), T);
        engine.apply(new Command("create", new Operation.CreateAccount("alice", AccountKind.SUBSCRIBER, Map.of())), T);
        engine.apply(new Command("top-up", new Operation.TopUp(Ids.SYSTEM_ACCOUNT, "alice", Unit.BYTES, 100_000, null)), T);
    }

    private AdmissionAnswers.Admit admit(String id, long bytes, long ttlMillis, long at) {
        return ((EngineOutcome.Admitting) engine.apply(new EngineCommand.Admit(id, new QosRequest(Layer.SERVICE,
                Map.of(QosParameter.DATA_VOLUME_BYTES, bytes)), ttlMillis, "alice", Ids.SYSTEM_ACCOUNT), at)).answer();
    }

    private EngineOutcome.AdmissionEnded end(String id, AdmissionUsage usage, String requestId, long at) {
        return (EngineOutcome.AdmissionEnded) engine.apply(new EngineCommand.EndAdmission(id, usage, requestId), at);
    }

    @Test
    void aBillingLivesAsLongAsItsAdmissionAndItsRetryIsTheSame() {
        AdmissionAnswers.Answered first = (AdmissionAnswers.Answered) admit("a", 1000, 10_000, T);
        assertThat(first.result()).isInstanceOf(AdmissionResult.Admitted.class);
        assertThat(first.billing().reservedBytes()).isEqualTo(1000);
        assertThat(admit("a", 1000, 10_000, T + 1)).as("a retry: the same reservation").isEqualTo(first);
        assertThat(engine.admissionBillings()).containsKey("a");
        engine.advanceTo(T + 10_001); // its ttl passes: the reservation lapses, the billing goes with the admission
        assertThat(end("a", null, null, T + 10_002).answer()).isInstanceOf(AdmissionAnswers.Unknown.class);
        assertThat(engine.admissionBillings()).isEmpty();
        assertThat(engine.ledger().openReservationCount()).isZero();
        engine.verifyInvariants();
    }

    @Test
    void aSettlementChargesTheEffectiveBytesOnceAndTheEldestGoesPastAdmissionsMax() {
        for (int i = 1; i <= 3; i++) {
            String id = "s" + i;
            assertThat(admit(id, 1000, 60_000, T)).isInstanceOf(AdmissionAnswers.Answered.class);
            EngineOutcome.AdmissionEnded settled = end(id, new AdmissionUsage(400, 0, 1, 1), "r" + i, T + 1);
            assertThat(settled.answer()).isInstanceOfSatisfying(AdmissionAnswers.Settled.class, s -> {
                assertThat(s.again()).isFalse();
                assertThat(s.settlement().committed().committed()).isEqualTo(400);
            });
            assertThat(settled.records()).hasSize(1);
            EngineOutcome.AdmissionEnded again = end(id, new AdmissionUsage(400, 0, 1, 1), "r" + i, T + 2);
            assertThat(again.answer()).isInstanceOfSatisfying(AdmissionAnswers.Settled.class,
                    s -> assertThat(s.again()).isTrue());
            assertThat(again.records()).as("a retry charges nothing").isEmpty();
        }
        assertThat(engine.ledger().available("alice", Unit.BYTES, io.credence.ledger.ServiceRef.ANY)).contains(98_800L);
        // the eldest settlement went past admissionsMax (2): its retry is not recognised, and nothing is live
        assertThat(end("s1", new AdmissionUsage(400, 0, 1, 1), "r1", T + 3).answer())
                .isInstanceOf(AdmissionAnswers.Unknown.class);
        assertThat(end("s3", new AdmissionUsage(400, 0, 1, 1), "r3", T + 3).answer())
                .isInstanceOf(AdmissionAnswers.Settled.class);
        engine.verifyInvariants();
    }

    @Test
    void anAccountThatCannotHoldTheReservationGetsNothingAndThePoolsGoBack() {
        assertThat(admit("big", 5_000_000, 60_000, T)).isInstanceOf(AdmissionAnswers.ReservationRefused.class);
        assertThat(engine.admissionReport().orElseThrow().admissions()).isZero();
        assertThat(engine.ledger().openReservationCount()).isZero();
    }
}
