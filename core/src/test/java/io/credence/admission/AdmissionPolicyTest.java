package io.credence.admission;

import io.credence.admission.AdmissionPolicy.LayerPolicy;
import io.credence.admission.AdmissionPolicy.Range;
import io.credence.admission.AdmissionPolicy.Threshold;
import io.credence.rating.CatalogException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdmissionPolicyTest {

    private static AdmissionPolicy withService(LayerPolicy service) {
        return new AdmissionPolicy(Map.of(Layer.BEARER, Policies.bearerLayer(1_000), Layer.SERVICE, service,
                Layer.APPLICATION, LayerPolicy.closed()), 10, 60);
    }

    private static String pathOf(Runnable build) {
        try {
            build.run();
        } catch (CatalogException e) {
            return e.path();
        }
        throw new AssertionError("accepted");
    }

    private static LayerPolicy bandwidth(Range range, long capacity) {
        return new LayerPolicy(Map.of(QosParameter.BANDWIDTH_KBPS, range), Map.of(Pool.BANDWIDTH, capacity));
    }

    @Test
    void errorsNameTheFieldAsTheCatalogSpellsIt() {
        assertThat(pathOf(() -> withService(bandwidth(new Range(100, 50, null), 1))))
                .isEqualTo("admission.layers.service.bandwidthKbps.max");
        assertThat(pathOf(() -> withService(bandwidth(new Range(-1, 50, null), 1))))
                .isEqualTo("admission.layers.service.bandwidthKbps.min");
        assertThat(pathOf(() -> withService(bandwidth(new Range(1, 2_000_000_000L, null), 1))))
                .isEqualTo("admission.layers.service.bandwidthKbps.max");
        assertThat(pathOf(() -> withService(bandwidth(new Range(1, 50, new Threshold(50, 80)), 1))))
                .isEqualTo("admission.layers.service.bandwidthKbps.threshold.value");
        assertThat(pathOf(() -> withService(bandwidth(new Range(1, 50, new Threshold(10, 100)), 1))))
                .isEqualTo("admission.layers.service.bandwidthKbps.threshold.fillPercent");
        assertThat(pathOf(() -> withService(bandwidth(new Range(1, 50, null), -1))))
                .isEqualTo("admission.layers.service.pools.bandwidthKbps");
        assertThat(pathOf(() -> withService(new LayerPolicy(Map.of(QosParameter.BANDWIDTH_KBPS, new Range(1, 5, null)),
                Map.of())))).isEqualTo("admission.layers.service.pools.bandwidthKbps");
        assertThat(pathOf(() -> withService(new LayerPolicy(Map.of(QosParameter.LATENCY_CLASS,
                new Range(0, 5, null)), Map.of())))).isEqualTo("admission.layers.service.latencyClass.min");
        assertThat(pathOf(() -> withService(new LayerPolicy(Map.of(QosParameter.CPU_CLASS,
                new Range(1, 5, new Threshold(2, 50))), Map.of())))).isEqualTo("admission.layers.service.cpuClass.threshold");
        assertThat(pathOf(() -> new AdmissionPolicy(Map.of(Layer.BEARER, LayerPolicy.closed(), Layer.SERVICE,
                LayerPolicy.closed()), 10, 60))).isEqualTo("admission.layers.application");
        assertThat(pathOf(() -> new AdmissionPolicy(Policies.standard().layers(), 0, 60))).isEqualTo("admission.admissionsMax");
        assertThat(pathOf(() -> new AdmissionPolicy(Policies.standard().layers(), 1, AdmissionPolicy.TTL_SECONDS_MAX_LIMIT + 1)))
                .isEqualTo("admission.ttlSecondsMax");
    }

    @Test
    void theLargestAllowedValuesDoNotOverflowTheReservation() {
        AdmissionPolicy widest = new AdmissionPolicy(Map.of(Layer.BEARER, new LayerPolicy(Map.of(QosParameter.BANDWIDTH_KBPS,
                new Range(0, QosParameter.BANDWIDTH_KBPS.valueMax(), null)), Map.of(Pool.BANDWIDTH, Pool.CAPACITY_MAX)),
                Layer.SERVICE, LayerPolicy.closed(), Layer.APPLICATION, LayerPolicy.closed()), 1,
                AdmissionPolicy.TTL_SECONDS_MAX_LIMIT);
        AdmissionResult result = new AdmissionControl(widest).admit("w", new QosRequest(Layer.BEARER,
                Map.of(QosParameter.BANDWIDTH_KBPS, QosParameter.BANDWIDTH_KBPS.valueMax())),
                AdmissionPolicy.TTL_SECONDS_MAX_LIMIT * 1000, 0);
        assertThat(((AdmissionResult.Admitted) result).charging().reservationBytes())
                .isEqualTo(QosParameter.BANDWIDTH_KBPS.valueMax() * 125 * AdmissionPolicy.TTL_SECONDS_MAX_LIMIT);
    }
}
