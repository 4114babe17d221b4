package io.credence.server;

import io.credence.admission.AdmissionResult;
import io.credence.admission.EffectiveUsage;
import io.credence.admission.Layer;
import io.credence.admission.QosParameter;
import io.credence.admission.QosRequest;
import io.credence.http.Admissions.Billing;
import io.credence.http.Admissions.Settlement;
import io.credence.ledger.Outcome;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The service's memory of who pays, on a clock the test moves: nothing here waits. */
class AdmissionServiceBillingTest {
    private final AtomicLong now = new AtomicLong(1_000_000);

    private static QosRequest volume(long bytes) {
        return new QosRequest(Layer.SERVICE, Map.of(QosParameter.DATA_VOLUME_BYTES, bytes));
    }

    private static Billing billing(long reservationId) {
        return new Billing(Layer.SERVICE, "alice", reservationId, 1000);
    }

    @Test
    void aBillingLivesAsLongAsItsAdmission() {
        try (AdmissionService service = new AdmissionService(() -> AdmissionApiTest.policy(100_000, 10_000_000, 2),
                Duration.ofHours(1), now::get)) {
            assertThat(service.bill("a", billing(1))).as("no admission, no billing").isEmpty();
            assertThat(service.admit("a", volume(1000), 10)).isInstanceOf(AdmissionResult.Admitted.class);
            assertThat(service.bill("a", billing(1))).contains(billing(1));
            assertThat(service.bill("a", billing(2))).as("a concurrent retry keeps the first").contains(billing(1));
            assertThat(service.billing("a")).contains(billing(1));

            now.addAndGet(10_000); // the admission's ttl passes: its billing goes with it
            assertThat(service.billing("a")).isEmpty();
            assertThat(service.reconcileNow()).isPresent(); // sweeps the expired admission's billing

            assertThat(service.admit("b", volume(1000), 60)).isInstanceOf(AdmissionResult.Admitted.class);
            assertThat(service.bill("b", billing(3))).isPresent();
            assertThat(service.release("b")).isPresent();
            assertThat(service.billing("b")).as("released, forgotten").isEmpty();
        }
    }

    @Test
    void settlementsAreRememberedUpToAdmissionsMax() {
        try (AdmissionService service = new AdmissionService(() -> AdmissionApiTest.policy(100_000, 10_000_000, 2),
                Duration.ofHours(1), now::get)) {
            for (int i = 1; i <= 3; i++) {
                String id = "s" + i;
                assertThat(service.admit(id, volume(1000), 60)).isInstanceOf(AdmissionResult.Admitted.class);
                assertThat(service.bill(id, billing(i))).isPresent();
                Settlement done = service.settle(id, new Settlement("r" + i, "r" + i, billing(i),
                        EffectiveUsage.of(100, 0, 1, 1), new Outcome.Committed(i, 100, 900, 0, i), null));
                assertThat(done.released()).isNotNull();
                assertThat(service.billing(id)).isEmpty();
            }
            assertThat(service.settlement("s1")).as("the eldest went past admissionsMax").isEmpty();
            assertThat(service.settlement("s2")).isPresent();
            assertThat(service.settlement("s3")).isPresent();
            assertThat(service.pools().admissions()).isZero();
        }
    }
}
