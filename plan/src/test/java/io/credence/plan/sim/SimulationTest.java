package io.credence.plan.sim;

import io.credence.plan.TestNets;
import io.credence.plan.chain.Measures;
import io.credence.plan.chain.SteadyState;
import io.credence.plan.net.Arc;
import io.credence.plan.net.PetriNet;
import io.credence.plan.net.Reachability;
import io.credence.plan.net.StateSpaceTooLarge;
import io.credence.plan.net.TangibleChain;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The simulation against the exact chain on three models. Seeds were fixed before the first run; each
 * comparison checks that the 99 % interval covers the exact value AND that the interval is narrow (a
 * few per cent), so a wide, meaningless interval cannot pass.
 */
class SimulationTest {

    private static final double WARMUP_TIME = 200;
    private static final int BATCHES = 30;
    /** Largest accepted half-width relative to the exact value. */
    private static final double HALF_WIDTH_SHARE_MAX = 0.03;

    @Test
    void lossSystemSimulationCoversTheExactSolution() throws StateSpaceTooLarge {
        double lambda = 8;
        PetriNet net = TestNets.lossSystem(10, lambda, 1);
        Map<String, ToDoubleFunction<int[]>> rewards = Map.of("busy", m -> m[net.place("busy")]);
        Simulation.Result result = Simulation.run(net, rewards, 1, WARMUP_TIME, BATCHES, 1_000);

        Exact exact = Exact.of(net);
        exact.checkThroughput(result, "accept");
        exact.checkThroughput(result, "reject");
        exact.checkReward(result, "busy", rewards.get("busy"));
        assertThat(result.throughputs().get("arrive").covers(lambda)).isTrue();
    }

    @Test
    void twoClassesOnOnePoolSimulationCoversTheExactSolution() throws StateSpaceTooLarge {
        double lambda1 = 4;
        double lambda2 = 1;
        PetriNet net = TestNets.twoClasses(12, lambda1, 1, lambda2, 0.5);
        Map<String, ToDoubleFunction<int[]>> rewards = new LinkedHashMap<>();
        rewards.put("busy1", m -> m[net.place("busy1")]);
        rewards.put("busy2", m -> m[net.place("busy2")]);
        rewards.put("freeUnits", m -> m[net.place("free")]);
        Simulation.Result result = Simulation.run(net, rewards, 2, WARMUP_TIME, BATCHES, 1_000);

        Exact exact = Exact.of(net);
        exact.checkThroughput(result, "accept1"); // acceptance of class 1 = accept1 / lambda1
        exact.checkThroughput(result, "accept2");
        for (String reward : rewards.keySet()) {
            exact.checkReward(result, reward, rewards.get(reward));
        }
        // Class 2 needs 3 free units at once, so it is refused more often: the model shows the difference.
        assertThat(exact.throughput("accept2") / lambda2).isLessThan(exact.throughput("accept1") / lambda1 - 0.1);
    }

    @Test
    void periodicFlushSimulationCoversTheExactSolution() throws StateSpaceTooLarge {
        PetriNet net = TestNets.periodicFlush(10, 6, 1, 0.3, 2);
        Map<String, ToDoubleFunction<int[]>> rewards = new LinkedHashMap<>();
        rewards.put("busy", m -> m[net.place("busy")]);
        rewards.put("stale", m -> m[net.place("stale")]);
        Simulation.Result result = Simulation.run(net, rewards, 3, WARMUP_TIME, BATCHES, 1_000);

        Exact exact = Exact.of(net);
        exact.checkThroughput(result, "accept");
        exact.checkThroughput(result, "return");
        exact.checkThroughput(result, "goStale");
        exact.checkReward(result, "busy", rewards.get("busy"));
        exact.checkReward(result, "stale", rewards.get("stale"));
    }

    @Test
    void theSameSeedGivesTheSameResultAndAnotherSeedDoesNot() {
        PetriNet net = TestNets.periodicFlush(4, 3, 1, 0.5, 1);
        Map<String, ToDoubleFunction<int[]>> rewards = Map.of("stale", m -> m[net.place("stale")]);
        Simulation.Result first = Simulation.run(net, rewards, 42, 10, 5, 50);
        Simulation.Result again = Simulation.run(net, rewards, 42, 10, 5, 50);
        Simulation.Result other = Simulation.run(net, rewards, 43, 10, 5, 50);

        assertThat(again).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
        assertThat(first.simulatedTime()).isEqualTo(10 + 5 * 50);
        assertThat(first.firings()).isPositive();
        assertThat(first.throughputs()).containsOnlyKeys("arrive", "accept", "reject", "finish", "goStale", "goFree",
                "maintain", "return", "done");
    }

    @Test
    void anEndlessImmediateLoopAndADeadMarkingStopTheRun() {
        PetriNet.Builder loop = PetriNet.builder();
        int idle = loop.place("idle", 1);
        int p = loop.place("p", 0);
        int q = loop.place("q", 0);
        loop.timed("start", List.of(new Arc(idle, 1)), List.of(new Arc(p, 1)), null, m -> 1);
        loop.immediate("ping", List.of(new Arc(p, 1)), List.of(new Arc(q, 1)), null, 1, 1);
        loop.immediate("pong", List.of(new Arc(q, 1)), List.of(new Arc(p, 1)), null, 1, 1);
        assertThatThrownBy(() -> Simulation.run(loop.build(), Map.of(), 1, 0, 2, 10))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("more than 100000 immediate firings in a row");

        PetriNet.Builder dead = PetriNet.builder();
        int a = dead.place("a", 1);
        int b = dead.place("b", 0);
        dead.timed("once", List.of(new Arc(a, 1)), List.of(new Arc(b, 1)), null, m -> 1);
        assertThatThrownBy(() -> Simulation.run(dead.build(), Map.of(), 1, 0, 2, 1_000))
                .hasMessageContaining("dead marking [a=0, b=1]");
        assertThatThrownBy(() -> Simulation.run(dead.build(), Map.of(), 1, 0, 1, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batches");
    }

    /** The exact solution of a net, and the checks of a simulation result against it. */
    private record Exact(TangibleChain chain, double[] pi) {

        static Exact of(PetriNet net) throws StateSpaceTooLarge {
            TangibleChain chain = Reachability.explore(net, 10_000);
            return new Exact(chain, SteadyState.solve(chain));
        }

        double throughput(String transition) {
            return Measures.throughput(chain, pi, chain.net().transition(transition));
        }

        void checkThroughput(Simulation.Result result, String transition) {
            check(result.throughputs().get(transition), throughput(transition), "throughput of " + transition);
        }

        void checkReward(Simulation.Result result, String name, ToDoubleFunction<int[]> reward) {
            check(result.rewards().get(name), Measures.expectation(chain, pi, reward), "mean " + name);
        }

        private static void check(Simulation.Estimate estimate, double exact, String what) {
            assertThat(estimate.covers(exact)).as("%s: exact %s, simulated %s", what, exact, estimate).isTrue();
            assertThat(estimate.halfWidth()).as("%s: interval too wide to mean anything", what)
                    .isPositive().isLessThan(HALF_WIDTH_SHARE_MAX * exact);
        }
    }
}
