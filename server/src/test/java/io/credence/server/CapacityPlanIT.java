package io.credence.server;

import io.credence.plan.load.Load;
import io.credence.plan.load.LoadFile;
import io.credence.plan.model.CapacityModel;
import io.credence.plan.model.Forecast;
import io.credence.plan.model.Planner;
import io.credence.server.bench.AdmissionLoad;
import io.credence.server.catalog.CatalogFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scenario the capacity model exists for: the model's acceptance, computed from the catalog
 * and the load, is what a running server (a real process) measures when the load generator
 * drives its admissions with that load — two classes sharing a pool with a threshold.
 */
class CapacityPlanIT {
    /** The server's answers take a millisecond or two that the model does not know of: sessions last a little longer. */
    private static final double LATENCY_ALLOWANCE = 0.015;

    @TempDir
    Path dir;

    @Test
    void theModelsAcceptanceIsWhatTheRunningServerMeasuresUnderTheSameLoad() throws Exception {
        Path catalog = PlanCommandTest.catalog(dir);
        Load load = LoadFile.parse(PlanCommandTest.LOAD);
        Forecast model = Planner.exact(CapacityModel.build(CatalogFile.readAll(catalog).admission(), load), 10_000);

        List<AdmissionLoad.ClassResult> measured;
        try (ServerProcess server = ServerProcess.start(dir.resolve("data"), dir.resolve("server.log"),
                "--catalog", catalog.toString())) {
            measured = new AdmissionLoad("http://127.0.0.1:" + server.port, null, load, 42)
                    .run(Duration.ofSeconds(3), Duration.ofSeconds(40));
        }
        for (AdmissionLoad.ClassResult r : measured) {
            double expected = model.forClass(r.name()).acceptance().value();
            System.out.printf("class %s: model %.4f, server %.4f ± %.4f (%d offered, %d admitted, %d no capacity,"
                    + " %d above the threshold)%n", r.name(), expected, r.acceptance(), r.halfWidth99(), r.offered(),
                    r.admitted(), r.noCapacity(), r.outOfPolicy());
            assertThat(r.errors()).isZero();
            assertThat(r.offered()).as("enough arrivals to judge").isGreaterThan(250);
            assertThat(Math.abs(r.acceptance() - expected)).as("class %s: model %.4f, server %.4f ± %.4f", r.name(),
                    expected, r.acceptance(), r.halfWidth99()).isLessThanOrEqualTo(r.halfWidth99() + LATENCY_ALLOWANCE);
        }
        // the threshold is what the server applies too: the big class meets both kinds of refusal
        assertThat(measured.get(1).outOfPolicy()).isPositive();
    }
}
