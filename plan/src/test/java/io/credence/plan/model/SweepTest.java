package io.credence.plan.model;

import io.credence.admission.AdmissionPolicy;
import io.credence.admission.AdmissionPolicy.Threshold;
import io.credence.admission.Layer;
import io.credence.admission.Pool;
import io.credence.admission.QosParameter;
import io.credence.plan.load.Load;
import io.credence.rating.CatalogException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SweepTest {
    private final AdmissionPolicy policy = Catalogs.serviceLayer(1000, 500, new Threshold(100, 60));

    @Test
    void poolsAndThresholdsAreSweptOverEvenlySpacedWholeValues() {
        Sweep pool = Sweep.parse("service.pools.bandwidthKbps=1000..2000", 5);
        assertThat(pool.values()).containsExactly(1000L, 1250L, 1500L, 1750L, 2000L);
        assertThat(pool.apply(policy, 1500).layer(Layer.SERVICE).capacity(Pool.BANDWIDTH)).isEqualTo(1500);
        Sweep fill = Sweep.parse("service.bandwidthKbps.threshold.fillPercent=10..90", 3);
        assertThat(fill.apply(policy, 50).layer(Layer.SERVICE).ranges().get(QosParameter.BANDWIDTH_KBPS).threshold())
                .isEqualTo(new Threshold(100, 50));
        assertThat(Sweep.parse("service.bandwidthKbps.max=1..3", 11).values()).containsExactly(1L, 2L, 3L);
    }

    @Test
    void aValueTheCatalogWouldRefuseIsRefusedTheSameWay() {
        Sweep value = Sweep.parse("service.bandwidthKbps.threshold.value=100..600", 3);
        assertThatThrownBy(() -> value.apply(policy, 600)).isInstanceOf(CatalogException.class)
                .hasMessageContaining("admission.layers.service.bandwidthKbps.threshold.value");
        assertThatThrownBy(() -> Sweep.parse("bearer.latencyClass.threshold.value=1..3", 3).apply(policy, 2))
                .hasMessageContaining("does not check latencyClass");
    }

    @Test
    void badSweepsSayWhatIsWrong() {
        assertThatThrownBy(() -> Sweep.parse("service.pools.bandwidthKbps", 3)).hasMessageContaining("name=from..to");
        assertThatThrownBy(() -> Sweep.parse("radio.pools.bandwidthKbps=1..2", 3)).hasMessageContaining("must start with a layer");
        assertThatThrownBy(() -> Sweep.parse("service.pools.cpu=1..2", 3)).hasMessageContaining("is not a pool");
        assertThatThrownBy(() -> Sweep.parse("service.bandwidthKbps.colour=1..2", 3)).hasMessageContaining("threshold.value");
        assertThatThrownBy(() -> Sweep.parse("service.pools.bandwidthKbps=5..2", 3)).hasMessageContaining("below to");
        assertThatThrownBy(() -> Sweep.parse("service.pools.bandwidthKbps=1..2", 1)).hasMessageContaining("steps must be");
    }

    @Test
    void aBiggerPoolNeverAcceptsLess() throws Exception {
        Sweep sweep = Sweep.parse("service.pools.bandwidthKbps=600..2000", 8);
        Load load = new Load(10, List.of(Catalogs.bandwidthClass("small", 100, 20, 0.2, 0),
                Catalogs.bandwidthClass("big", 300, 10, 0.3, 0)));
        double before = -1;
        for (long v : sweep.values()) {
            double small = Planner.exact(CapacityModel.build(sweep.apply(policy, v), load), 100_000)
                    .forClass("small").acceptance().value();
            assertThat(small).isGreaterThanOrEqualTo(before);
            before = small;
        }
    }
}
