package io.credence.charging.simulation;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A few short seeds of the deterministic simulation, with crashes more often than usual: a
 * fraction of a second, so mutation testing (which runs the covering tests once per mutant, and
 * leaves out the long {@link EngineSimulationTest}) judges the engine by its invariants too.
 */
class EngineSimulationShortRunTest {
    private static final EngineSimulation.Options SHORT = new EngineSimulation.Options(12, 700, 40, false);

    @Test
    void shortSeedsKeepEveryInvariant() {
        long requests = 0;
        long crashes = 0;
        for (long seed = 101; seed <= 104; seed++) {
            EngineSimulation.Report report = EngineSimulation.run(seed, SHORT);
            requests += report.requests();
            crashes += report.crashes();
        }
        assertThat(requests).isGreaterThan(1_000);
        assertThat(crashes).isGreaterThan(40);
    }
}
