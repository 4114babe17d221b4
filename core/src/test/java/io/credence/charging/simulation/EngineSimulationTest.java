package io.credence.charging.simulation;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bounded number of seeds of the engine's deterministic simulation in every build; {@code
 * credence simulate --seeds N} runs as many more as one likes, and {@code --seed S} replays one.
 * Each seed's run checks its invariants after every step and fails naming the seed and the step.
 */
class EngineSimulationTest {
    /** Seeds per build: a few thousand steps each, a few seconds in all on the CI machine. */
    static final int SEEDS = 40;

    @Test
    void everySeedKeepsEveryInvariant() {
        long requests = 0;
        long crashes = 0;
        long retries = 0;
        long lost = 0;
        long admissions = 0;
        long catalogs = 0;
        long shares = 0;
        long deviceReports = 0;
        for (long seed = 1; seed <= SEEDS; seed++) {
            EngineSimulation.Report report = EngineSimulation.run(seed, EngineSimulation.Options.DEFAULTS);
            requests += report.requests();
            crashes += report.crashes();
            retries += report.retries();
            lost += report.lostBatches();
            admissions += report.admissionsSettled();
            catalogs += report.catalogs();
            shares += report.sharesSettled();
            deviceReports += report.deviceReports();
        }
        // the runs did what they are for: many requests, retries, crashes with and without a lost record
        assertThat(requests).isGreaterThan(SEEDS * 500L);
        assertThat(retries).isGreaterThan(SEEDS * 20L);
        assertThat(crashes).isGreaterThan(SEEDS * 10L);
        assertThat(lost).isGreaterThan(SEEDS * 2L);
        assertThat(admissions).isGreaterThan(SEEDS);
        assertThat(catalogs).isGreaterThan(SEEDS * 5L);
        assertThat(shares).as("data share reports that settled usage").isGreaterThan(SEEDS * 2L);
        assertThat(deviceReports).as("cloud-SIM reports counted, across moves").isGreaterThan(SEEDS * 20L);
    }

    @Test
    void aSeedIsReproducible() {
        assertThat(EngineSimulation.run(7, EngineSimulation.Options.DEFAULTS))
                .isEqualTo(EngineSimulation.run(7, EngineSimulation.Options.DEFAULTS));
    }
}
