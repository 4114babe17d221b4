package io.credence.server.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.credence.admission.AdmissionPolicy;
import io.credence.admission.Layer;
import io.credence.admission.Pool;
import io.credence.admission.QosParameter;
import io.credence.rating.CatalogException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The catalog's admission section reads into a policy; a bad edit names the field, which CatalogFile maps to a line. */
class AdmissionSectionTest {
    static final Path EXAMPLE = Path.of(System.getProperty("basedir", ".")).resolve("src/test/resources/admission-example.json");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String example() throws Exception {
        return Files.readString(EXAMPLE);
    }

    private static AdmissionPolicy read(String text) throws Exception {
        return AdmissionSection.read(JSON.readTree(text).get("admission")).orElseThrow();
    }

    @Test
    void theExampleReadsIntoThreeLayers() throws Exception {
        AdmissionPolicy policy = read(example());
        assertThat(policy.admissionsMax()).isEqualTo(10_000);
        assertThat(policy.ttlSecondsMax()).isEqualTo(86_400);
        assertThat(policy.layer(Layer.BEARER).ranges().get(QosParameter.BANDWIDTH_KBPS).threshold().fillPercent()).isEqualTo(80);
        assertThat(policy.layer(Layer.SERVICE).capacity(Pool.DATA_VOLUME)).isEqualTo(5_000_000_000_000L);
        assertThat(policy.layer(Layer.APPLICATION).ranges()).containsOnlyKeys(QosParameter.STORAGE_MB,
                QosParameter.CPU_CLASS, QosParameter.MEMORY_CLASS);
    }

    @Test
    void noSectionMeansNoAdmissionControlAndAMissingLayerAdmitsNothing() throws Exception {
        assertThat(AdmissionSection.read(JSON.readTree("{}").get("admission"))).isEmpty();
        assertThat(AdmissionSection.read(JSON.readTree("{}").path("admission"))).isEmpty();
        AdmissionPolicy bearerOnly = read("""
                {"admission": {"admissionsMax": 5, "ttlSecondsMax": 60, "layers": {"bearer": {
                  "bandwidthKbps": {"min": 1, "max": 10}, "pools": {"bandwidthKbps": 100}}}}}""");
        assertThat(bearerOnly.layer(Layer.SERVICE).ranges()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "\"max\": 50000}|\"max\": 10}|admission.layers.service.bandwidthKbps.max|must be 32 (min)",
            "\"bandwidthKbps\": {\"min\": 32|\"bandwitdhKbps\": {\"min\": 32|admission.layers.service.bandwitdhKbps|not a QoS parameter",
            "\"service\": {|\"servise\": {|admission.layers.servise|not a layer",
            "\"fillPercent\": 80|\"fillPercent\": 100|admission.layers.bearer.bandwidthKbps.threshold.fillPercent|1..99",
            "\"value\": 20000|\"value\": 100000|admission.layers.bearer.bandwidthKbps.threshold.value|below max",
            "\"storageMb\": 10000000|\"storageMb\": -1|admission.layers.application.pools.storageMb|>= 0",
            "\"pools\": {\"storageMb\": 10000000}|\"pools\": {}|admission.layers.application.pools.storageMb|is required",
            "\"cpuClass\": {\"min\": 1|\"cpuClass\": {\"min\": 0|admission.layers.application.cpuClass.min|must be 1..9",
            "\"admissionsMax\": 10000|\"admissionsMax\": \"many\"|admission.admissionsMax|whole number",
            "\"ttlSecondsMax\": 86400|\"ttlSecondsMax\": 86400, \"colour\": 1|admission.colour|not a known field",
            "\"latencyClass\": {\"min\": 2, \"max\": 9}|\"latencyClass\": {\"min\": 2, \"max\": 9, \"threshold\": {\"value\": 3, \"fillPercent\": 50}}|admission.layers.bearer.latencyClass.threshold|draws from no pool",
    })
    void aBadEditNamesTheFieldAtFault(String from, String to, String path, String reason) throws Exception {
        String text = example();
        assertThat(text).contains(from);
        String edited = text.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to));
        assertThatThrownBy(() -> read(edited)).isInstanceOfSatisfying(CatalogException.class, e -> {
            assertThat(e.path()).isEqualTo(path);
            assertThat(e.getMessage()).contains(reason);
        });
    }

    /** CatalogFile maps a CatalogException's path to a JSON pointer, and that to a line: check the pointer is the field's. */
    @Test
    void theErrorPathIsAPointerIntoTheFile() throws Exception {
        String edited = example().replace("\"max\": 50000}", "\"max\": 10}");
        CatalogException e = org.junit.jupiter.api.Assertions.assertThrows(CatalogException.class, () -> read(edited));
        String pointer = CatalogFile.pointerOf(e.path());
        assertThat(pointer).isEqualTo("/admission/layers/service/bandwidthKbps/max");
        JsonNode at = JSON.readTree(edited).at(pointer);
        assertThat(at.asLong()).isEqualTo(10);
    }
}
