package io.credence.admission;

import io.credence.admission.AdmissionResult.Admitted;
import io.credence.admission.AdmissionResult.Busy;
import io.credence.admission.AdmissionResult.DuplicateId;
import io.credence.admission.AdmissionResult.NoCapacity;
import io.credence.admission.AdmissionResult.Rejected;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.credence.admission.Policies.application;
import static io.credence.admission.Policies.bearer;
import static io.credence.admission.Policies.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdmissionControlTest {
    private static final long HOUR = 3_600_000;
    private final AdmissionControl control = new AdmissionControl(Policies.standard());

    private Rejected rejected(QosRequest request) {
        int before = control.admissionCount();
        AdmissionResult result = control.admit("r", request, HOUR, 0);
        assertThat(result).isInstanceOf(Rejected.class);
        assertThat(control.admissionCount()).isEqualTo(before);
        control.verifyInvariants();
        return (Rejected) result;
    }

    @Test
    void eachLayerChecksItsOwnRangesAndNamesLayerAndParameter() {
        // 60000 kbit/s is fine for a bearer (..100000) but not for a service (..50000)
        assertThat(control.admit("b", bearer(60_000, 3), HOUR, 0)).isInstanceOf(Admitted.class);
        Rejected service = rejected(service(60_000, 1_000));
        assertThat(service.layer()).isEqualTo(Layer.SERVICE);
        assertThat(service.parameter()).isEqualTo(QosParameter.BANDWIDTH_KBPS);
        assertThat(service.reason()).contains("32..50000").contains("service").contains("60000");

        Rejected latency = rejected(bearer(1_000, 1));
        assertThat(latency.layer()).isEqualTo(Layer.BEARER);
        assertThat(latency.parameter()).isEqualTo(QosParameter.LATENCY_CLASS);

        Rejected cpu = rejected(application(10, 6, 1));
        assertThat(cpu.layer()).isEqualTo(Layer.APPLICATION);
        assertThat(cpu.parameter()).isEqualTo(QosParameter.CPU_CLASS);
        // bounds are inclusive
        assertThat(control.admit("edge", application(1_000, 5, 5), HOUR, 0)).isInstanceOf(Admitted.class);
    }

    @Test
    void theFirstOffendingParameterInDeclarationOrderIsNamed() {
        // both out of range: bandwidth comes before latency in QosParameter
        assertThat(rejected(bearer(1, 1)).parameter()).isEqualTo(QosParameter.BANDWIDTH_KBPS);
        // storage is not admitted at the bearer layer; bandwidth before it is fine
        Rejected foreign = rejected(new QosRequest(Layer.BEARER, Map.of(QosParameter.BANDWIDTH_KBPS, 100L,
                QosParameter.LATENCY_CLASS, 3L, QosParameter.STORAGE_MB, 1L)));
        assertThat(foreign.parameter()).isEqualTo(QosParameter.STORAGE_MB);
        assertThat(foreign.reason()).contains("not admitted at the bearer layer");
        Rejected missing = rejected(new QosRequest(Layer.BEARER, Map.of(QosParameter.BANDWIDTH_KBPS, 100L)));
        assertThat(missing.parameter()).isEqualTo(QosParameter.LATENCY_CLASS);
        assertThat(missing.reason()).contains("required");
    }

    @Test
    void admittedGivesChargingParametersAndTakesThePool() {
        Admitted a = (Admitted) control.admit("s1", service(8_000, 5_000_000), HOUR, 1_000);
        assertThat(a.charging().layer()).isEqualTo(Layer.SERVICE);
        assertThat(a.charging().draws()).containsEntry(Pool.BANDWIDTH, 8_000L).containsEntry(Pool.DATA_VOLUME, 5_000_000L);
        assertThat(a.charging().reservationBytes()).isEqualTo(5_000_000);
        assertThat(a.expiresAtMillis()).isEqualTo(1_000 + HOUR);
        assertThat(a.pools().get(Pool.DATA_VOLUME)).isEqualTo(new PoolLevel(Pool.DATA_VOLUME, 50_000_000, 5_000_000));
        // bandwidth without volume reserves what the bandwidth can carry in the ttl: 1000 kbit/s x 3600 s / 8
        Admitted b = (Admitted) control.admit("b1", bearer(1_000, 9), HOUR, 1_000);
        assertThat(b.charging().reservationBytes()).isEqualTo(1_000L * 1000 * 3600 / 8);
        assertThat(b.charging().classes()).containsEntry(QosParameter.LATENCY_CLASS, 9L);
        Admitted c = (Admitted) control.admit("c1", application(10, 1, 1), 1, 1_000);
        assertThat(c.charging().reservationBytes()).isZero();
        // a 1 ms ttl still counts as a whole second for the bandwidth reservation
        Admitted d = (Admitted) control.admit("d1", bearer(64, 8), 1, 1_000);
        assertThat(d.charging().reservationBytes()).isEqualTo(64L * 1000 / 8);
        control.verifyInvariants();
    }

    @Test
    void aRetryGetsTheFirstAnswerAnotherRequestUnderTheSameIdIsRefused() {
        AdmissionResult first = control.admit("x", bearer(10_000, 4), HOUR, 0);
        AdmissionResult retry = control.admit("x", bearer(10_000, 4), HOUR, 500);
        assertThat(retry).isSameAs(first);
        assertThat(control.level(Layer.BEARER, Pool.BANDWIDTH).used()).isEqualTo(10_000);
        AdmissionResult other = control.admit("x", bearer(20_000, 4), HOUR, 500);
        assertThat(other).isInstanceOf(DuplicateId.class);
        assertThat(((DuplicateId) other).admissionId()).isEqualTo("x");
        assertThat(((DuplicateId) other).reason()).endsWith("bearer {bandwidthKbps=10000, latencyClass=4}");
        assertThat(control.level(Layer.BEARER, Pool.BANDWIDTH).used()).isEqualTo(10_000);
        // a rejection is not remembered: the client retries the same id with other values
        assertThat(control.admit("y", bearer(200_000, 4), HOUR, 0)).isInstanceOf(Rejected.class);
        assertThat(control.admit("y", bearer(20_000, 4), HOUR, 0)).isInstanceOf(Admitted.class);
    }

    @Test
    void releaseReturnsThePoolsAndForgetsTheId() {
        control.admit("x", service(8_000, 5_000_000), HOUR, 0);
        assertThat(control.release("x", 10)).hasValueSatisfying(c -> assertThat(c.draw(Pool.DATA_VOLUME)).isEqualTo(5_000_000));
        assertThat(control.level(Layer.SERVICE, Pool.DATA_VOLUME).used()).isZero();
        assertThat(control.level(Layer.SERVICE, Pool.BANDWIDTH).used()).isZero();
        assertThat(control.release("x", 10)).isEmpty();
        assertThat(control.release("never", 10)).isEmpty();
        control.verifyInvariants();
    }

    @Test
    void noCapacityNamesThePoolAndWhatIsFree() {
        AdmissionControl small = new AdmissionControl(Policies.policy(1_000_000, 10_000_000, 100, 100));
        assertThat(small.admit("a", service(100, 7_000_000), HOUR, 0)).isInstanceOf(Admitted.class);
        AdmissionResult full = small.admit("b", service(100, 4_000_000), HOUR, 0);
        assertThat(full).isEqualTo(new NoCapacity(Layer.SERVICE, Pool.DATA_VOLUME, 4_000_000, 3_000_000));
        assertThat(small.level(Layer.SERVICE, Pool.BANDWIDTH).used()).isEqualTo(100);
        assertThat(small.admit("c", service(100, 3_000_000), HOUR, 0)).isInstanceOf(Admitted.class);
        assertThat(small.level(Layer.SERVICE, Pool.DATA_VOLUME).free()).isZero();
        // pools are per layer: the bearer's bandwidth is untouched by the service's
        assertThat(small.level(Layer.BEARER, Pool.BANDWIDTH).used()).isZero();
    }

    @Test
    void aboveTheFillLevelOnlyRequestsUpToTheThresholdAreAdmitted() {
        AdmissionControl c = new AdmissionControl(Policies.policy(100_000, 10_000_000, 100, 100));
        assertThat(c.admit("big1", bearer(79_000, 5), HOUR, 0)).isInstanceOf(Admitted.class); // 79% full
        assertThat(c.admit("big2", bearer(1_000, 5), HOUR, 0)).isInstanceOf(Admitted.class); // 80% full
        AdmissionResult big = c.admit("big3", bearer(20_001, 5), HOUR, 0);
        assertThat(big).isInstanceOf(Rejected.class);
        Rejected r = (Rejected) big;
        assertThat(r.layer()).isEqualTo(Layer.BEARER);
        assertThat(r.parameter()).isEqualTo(QosParameter.BANDWIDTH_KBPS);
        assertThat(r.reason()).contains("80%").contains("at most 20000");
        assertThat(c.admit("small", bearer(20_000, 5), HOUR, 0)).isInstanceOf(Admitted.class);
    }

    @Test
    void admissionsExpireAtTheirTtlAndRenewExtendsThem() {
        control.admit("short", bearer(10_000, 5), 1_000, 0);
        control.admit("long", bearer(10_000, 5), 5_000, 0);
        assertThat(control.renew("short", 3_000, 999)).hasValue(3_999);
        assertThat(control.expire(3_998)).isZero();
        assertThat(control.level(Layer.BEARER, Pool.BANDWIDTH).used()).isEqualTo(20_000);
        assertThat(control.expire(3_999)).isOne();
        assertThat(control.find("short")).isEmpty();
        assertThat(control.renew("short", 1_000, 4_000)).isEmpty();
        assertThat(control.release("long", 5_000)).isEmpty(); // expired at 5000, before the release
        assertThat(control.level(Layer.BEARER, Pool.BANDWIDTH).used()).isZero();
        assertThat(control.admissionCount()).isZero();
        control.verifyInvariants();
    }

    @Test
    void aFullTableIsBusyAndReleasingMakesRoom() {
        AdmissionControl c = new AdmissionControl(Policies.policy(1_000_000, 10_000_000, 100, 2));
        c.admit("1", bearer(100, 5), HOUR, 0);
        c.admit("2", bearer(100, 5), HOUR, 0);
        assertThat(c.admit("3", bearer(100, 5), HOUR, 0)).isEqualTo(new Busy(2));
        // a retry of a live admission is still answered
        assertThat(c.admit("2", bearer(100, 5), HOUR, 0)).isInstanceOf(Admitted.class);
        c.release("1", 0);
        assertThat(c.admit("3", bearer(100, 5), HOUR, 0)).isInstanceOf(Admitted.class);
    }

    @Test
    void reconcileWithALoweredCapacityAdmitsNothingNewUntilUsageFalls() {
        control.admit("a", bearer(60_000, 5), HOUR, 0);
        control.admit("b", bearer(30_000, 5), HOUR, 0);
        control.admit("old", bearer(10_000, 5), 1_000, 0);
        AdmissionControl.Reconciled done = control.reconcile(Policies.policy(50_000, 50_000_000, 10_000, 100), 1_000);
        assertThat(done).isEqualTo(new AdmissionControl.Reconciled(1, 0));
        PoolLevel level = control.level(Layer.BEARER, Pool.BANDWIDTH);
        assertThat(level).isEqualTo(new PoolLevel(Pool.BANDWIDTH, 50_000, 90_000));
        assertThat(level.free()).isZero();
        assertThat(control.admit("c", bearer(64, 5), HOUR, 1_000))
                .isEqualTo(new NoCapacity(Layer.BEARER, Pool.BANDWIDTH, 64, 0));
        control.release("a", 1_000);
        assertThat(control.level(Layer.BEARER, Pool.BANDWIDTH).free()).isEqualTo(20_000);
        assertThat(control.admit("c", bearer(20_000, 5), HOUR, 1_000)).isInstanceOf(Admitted.class);
        control.verifyInvariants();
    }

    @Test
    void reconcileCorrectsADriftedCounter() {
        control.admit("a", service(1_000, 2_000), HOUR, 0);
        control.driftForTest(Layer.SERVICE, Pool.DATA_VOLUME, 777);
        assertThatThrownBy(control::verifyInvariants).hasMessageContaining("equals the live draws");
        assertThat(control.reconcile(Policies.standard(), 0).poolsCorrected()).isOne();
        assertThat(control.level(Layer.SERVICE, Pool.DATA_VOLUME).used()).isEqualTo(2_000);
    }

    @Test
    void callerErrorsChangeNothing() {
        assertThatThrownBy(() -> control.admit("", bearer(100, 5), HOUR, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> control.admit("x".repeat(129), bearer(100, 5), HOUR, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> control.admit("a", bearer(100, 5), 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> control.admit("a", bearer(100, 5), HOUR + 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(control.admissionCount()).isZero();
        control.verifyInvariants();
    }
}
