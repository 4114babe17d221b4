package io.credence.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code credence plan} as an operator runs it, on files. */
class PlanCommandTest {
    @TempDir
    Path dir;

    static final String LOAD = """
            classes:
              - name: small
                layer: service
                arrivalsPerSecond: 20
                meanHoldingSeconds: 0.2
                qos: {bandwidthKbps: 100, latencyClass: 3}
                pricePerSession: 10
              - name: big
                layer: service
                arrivalsPerSecond: 10
                meanHoldingSeconds: 0.3
                qos: {bandwidthKbps: 300, latencyClass: 3}
            """;

    /** The example catalog with a small service layer: 1000 kbps, above 60 % full only up to 100 kbps. */
    static Path catalog(Path dir) throws Exception {
        String example = Files.readString(Path.of(System.getProperty("basedir", ".")).resolve("../examples/catalog.json"));
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(example);
        ((com.fasterxml.jackson.databind.node.ObjectNode) json.path("admission").path("layers")).set("service",
                new com.fasterxml.jackson.databind.ObjectMapper().readTree("""
                        {"bandwidthKbps": {"min": 8, "max": 500, "threshold": {"value": 100, "fillPercent": 60}},
                         "latencyClass": {"min": 1, "max": 5}, "pools": {"bandwidthKbps": 1000}}"""));
        Path file = dir.resolve("catalog.json");
        Files.writeString(file, json.toPrettyString());
        return file;
    }

    private Path load(String text) throws Exception {
        Path file = dir.resolve("load.yaml");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void printsPerLayerAndClassWhatTheChainSays() throws Exception {
        CommandLineRunner.Run run = CommandLineRunner.run("plan", "--catalog", catalog(dir).toString(), "--load",
                load(LOAD).toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("Exact: steady state").contains("service layer: ").contains("tangible states")
                .containsPattern("explored in \\d+\\.\\d\\d s, solved in \\d+\\.\\d\\d s")
                .contains("vanishing markings eliminated").containsPattern("small +20\\.0000 +0\\.9\\d{5}")
                .containsPattern("bandwidthKbps +1,000 ");
    }

    @Test
    void simulatesWithIntervalsWhenAsked() throws Exception {
        CommandLineRunner.Run run = CommandLineRunner.run("plan", "--catalog", catalog(dir).toString(), "--load",
                load(LOAD).toString(), "--simulate", "--seed", "3", "--batch-seconds", "100");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("Simulated").containsPattern("simulated in \\d+\\.\\d\\d s")
                .containsPattern("small +20\\.0000 +0\\.9\\d+ ± 0\\.0\\d+");
    }

    @Test
    void sweepsAThresholdIntoATableAndAPngChart() throws Exception {
        Path png = dir.resolve("charts/threshold.png");
        CommandLineRunner.Run run = CommandLineRunner.run("plan", "--catalog", catalog(dir).toString(), "--load",
                load(LOAD).toString(), "--sweep", "service.bandwidthKbps.threshold.fillPercent=10..99", "--steps", "4",
                "--chart", png.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("Sweep of service.bandwidthKbps.threshold.fillPercent")
                .contains("accept small").contains("accept big").contains("util service.bandwidthKbps")
                .containsPattern("\n +10 +0\\.").containsPattern("\n +99 +0\\.").contains("chart: " + png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(900);
        assertThat(image.getHeight()).isEqualTo(560);
    }

    @Test
    void aSweepValueTheCatalogRefusesIsReportedOnItsRow() throws Exception {
        CommandLineRunner.Run run = CommandLineRunner.run("plan", "--catalog", catalog(dir).toString(), "--load",
                load(LOAD).toString(), "--sweep", "service.bandwidthKbps.threshold.value=100..500", "--steps", "2");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).containsPattern("\n +500 +admission.layers.service.bandwidthKbps.threshold.value: must be");
    }

    @Test
    void aModelTooLargeForTheLimitSaysSoAndPointsToSimulation() throws Exception {
        CommandLineRunner.Run run = CommandLineRunner.run("plan", "--catalog", catalog(dir).toString(), "--load",
                load(LOAD).toString(), "--states-max", "10");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("too large to solve exactly").contains("--states-max 10").contains("--simulate");
    }

    @Test
    void badInputNamesTheOptionAndTheField() throws Exception {
        Path catalog = catalog(dir);
        CommandLineRunner.Run wrongQos = CommandLineRunner.run("plan", "--catalog", catalog.toString(), "--load",
                load(LOAD.replace("latencyClass: 3}", "cpuClass: 3}")).toString());
        assertThat(wrongQos.exitCode()).isEqualTo(2);
        assertThat(wrongQos.err()).contains("--load: ").contains("classes[0].qos: must state exactly the parameters");
        CommandLineRunner.Run sweep = CommandLineRunner.run("plan", "--catalog", catalog.toString(), "--load",
                load(LOAD).toString(), "--sweep", "service.pools.cpu=1..2");
        assertThat(sweep.err()).contains("--sweep: 'cpu' is not a pool");
        CommandLineRunner.Run chart = CommandLineRunner.run("plan", "--catalog", catalog.toString(), "--load",
                load(LOAD).toString(), "--chart", dir.resolve("x.png").toString());
        assertThat(chart.err()).contains("--chart draws a sweep");
        CommandLineRunner.Run noCatalog = CommandLineRunner.run("plan", "--catalog", dir.resolve("none.json").toString(),
                "--load", load(LOAD).toString());
        assertThat(noCatalog.exitCode()).isEqualTo(2);
        assertThat(noCatalog.err()).contains("--catalog: ");
    }
}
