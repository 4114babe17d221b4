package io.credence.plan.load;

import io.credence.admission.Layer;
import io.credence.admission.QosParameter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LoadFileTest {
    @Test
    void readsClassesWithTheirRatesParametersAndPrices() throws Exception {
        Load load = LoadFile.parse("""
                maintenancePeriodSeconds: 30
                classes:
                  - name: video
                    layer: bearer
                    arrivalsPerSecond: 0.5
                    meanHoldingSeconds: 120
                    qos: {bandwidthKbps: 2000, latencyClass: 5}
                    pricePerSession: 50
                    pricePerMinute: 2
                    abandonFraction: 0.1
                  - name: game
                    layer: application
                    arrivalsPerSecond: 2
                    meanHoldingSeconds: 600
                    qos: {storageMb: 100, cpuClass: 2, memoryClass: 3}
                """);
        assertThat(load.maintenancePeriodSeconds()).isEqualTo(30);
        ServiceClass video = load.classes().getFirst();
        assertThat(video.layer()).isEqualTo(Layer.BEARER);
        assertThat(video.value(QosParameter.BANDWIDTH_KBPS)).isEqualTo(2000);
        assertThat(video.offeredErlang()).isEqualTo(60);
        assertThat(video.pricePerSession()).isEqualTo(50);
        assertThat(video.abandonFraction()).isEqualTo(0.1);
        ServiceClass game = load.classes().get(1);
        assertThat(game.pricePerMinute()).isZero();
        assertThat(game.abandonFraction()).isZero();
    }

    @Test
    void eachMistakeIsNamedByItsField() {
        String ok = "classes:\n  - {name: a, layer: bearer, arrivalsPerSecond: 1, meanHoldingSeconds: 1, qos: {bandwidthKbps: 1}}\n";
        assertThatThrownBy(() -> LoadFile.parse(ok.replace("bearer", "radio")))
                .isInstanceOf(LoadException.class).hasMessageStartingWith("classes[0].layer: is not a layer");
        assertThatThrownBy(() -> LoadFile.parse(ok.replace("arrivalsPerSecond: 1", "arrivalsPerSecond: 0")))
                .hasMessageStartingWith("classes[0].arrivalsPerSecond: must be a number in (0,");
        assertThatThrownBy(() -> LoadFile.parse(ok.replace("bandwidthKbps: 1", "bandwidth: 1")))
                .hasMessageStartingWith("classes[0].qos.bandwidth: is not a QoS parameter");
        assertThatThrownBy(() -> LoadFile.parse(ok.replace("bandwidthKbps: 1", "bandwidthKbps: 1.5")))
                .hasMessageStartingWith("classes[0].qos.bandwidthKbps: must be a whole number");
        assertThatThrownBy(() -> LoadFile.parse(ok.replace("name: a,", "name: a, colour: red,")))
                .hasMessageStartingWith("classes[0].colour: is not a known field");
        assertThatThrownBy(() -> LoadFile.parse(ok + ok.substring("classes:\n".length())))
                .hasMessageStartingWith("classes[1].name: 'a' is used by an earlier class");
        assertThatThrownBy(() -> LoadFile.parse("classes: []")).hasMessageStartingWith("classes: must be a list");
        assertThatThrownBy(() -> LoadFile.parse("classes: [\n")).hasMessageStartingWith("load: is not YAML");
        assertThatThrownBy(() -> LoadFile.parse(ok.replace("qos: {bandwidthKbps: 1}", "qos: {bandwidthKbps: 1}, abandonFraction: 1")))
                .hasMessageStartingWith("classes[0].abandonFraction: must be a number in [0, 1)");
    }
}
