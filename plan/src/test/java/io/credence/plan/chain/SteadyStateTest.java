package io.credence.plan.chain;

import io.credence.plan.TestNets;
import io.credence.plan.net.Arc;
import io.credence.plan.net.PetriNet;
import io.credence.plan.net.Reachability;
import io.credence.plan.net.StateSpaceTooLarge;
import io.credence.plan.net.TangibleChain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

/**
 * Checks the chain solvers against closed forms. Tolerances are relative (1e-9 = withinPercentage(1e-7))
 * unless stated: GTH keeps relative precision even for probabilities of 1e-60, so a relative check is
 * the one that can catch a lost digit in the tail.
 */
class SteadyStateTest {

    private static final double MU = 0.5;
    private static final double RELATIVE_PERCENT = 1e-7; // 1e-9 relative

    /** Worst absolute error of reject throughput / lambda against Erlang B over all cases run. */
    static double erlangErrorMax;

    @ParameterizedTest(name = "c={0}, a={1} Erlang")
    @CsvSource({
            "1, 0.2", "1, 1", "1, 7",
            "5, 0.5", "5, 4", "5, 12",
            "10, 2", "10, 9.5", "10, 30",
            "50, 5", "50, 45", "50, 50", "50, 120"})
    void lossSystemMatchesErlangBPoissonAndLittle(int servers, double offeredErlang) throws StateSpaceTooLarge {
        double lambda = offeredErlang * MU;
        TangibleChain chain = Reachability.explore(TestNets.lossSystem(servers, lambda, MU), 1_000);
        PetriNet net = chain.net();
        double[] pi = SteadyState.solve(chain);

        double blocking = Measures.throughput(chain, pi, net.transition("reject")) / lambda;
        double erlang = ErlangB.blocking(servers, offeredErlang);
        erlangErrorMax = Math.max(erlangErrorMax, Math.abs(blocking - erlang));
        assertThat(blocking).isCloseTo(erlang, withinPercentage(RELATIVE_PERCENT));

        double[] poisson = TestNets.truncatedPoisson(servers, offeredErlang);
        int busy = net.place("busy");
        for (int s = 0; s < chain.size(); s++) {
            assertThat(pi[s]).as("P(busy=%d)", chain.marking(s)[busy])
                    .isCloseTo(poisson[chain.marking(s)[busy]], withinPercentage(RELATIVE_PERCENT));
        }
        double meanBusy = Measures.expectation(chain, pi, m -> m[busy]);
        double accepted = Measures.throughput(chain, pi, net.transition("accept"));
        assertThat(meanBusy).isCloseTo(accepted / MU, withinPercentage(RELATIVE_PERCENT));
        assertThat(accepted + blocking * lambda).isCloseTo(lambda, withinPercentage(RELATIVE_PERCENT));
        assertThat(SteadyState.residual(chain, pi)).isLessThan(1e-12 * lambda);
    }

    @Test
    void gaussSeidelAgreesWithGthAboveTheDenseLimit() throws StateSpaceTooLarge {
        int servers = 2_000;
        double offeredErlang = 1_900;
        TangibleChain chain = Reachability.explore(TestNets.lossSystem(servers, offeredErlang * MU, MU), 5_000);
        assertThat(chain.size()).isGreaterThan(SteadyState.DENSE_MAX);

        double[] iterative = SteadyState.solve(chain); // the Gauss-Seidel path
        double[] dense = SteadyState.gth(chain);
        double[] poisson = TestNets.truncatedPoisson(servers, offeredErlang);
        int busy = chain.net().place("busy");
        for (int s = 0; s < chain.size(); s++) {
            assertThat(iterative[s]).isCloseTo(dense[s], within(1e-9));
            assertThat(dense[s]).isCloseTo(poisson[chain.marking(s)[busy]], within(1e-12));
        }
        double blocking = Measures.throughput(chain, iterative, chain.net().transition("reject")) / (offeredErlang * MU);
        assertThat(blocking).isCloseTo(ErlangB.blocking(servers, offeredErlang), withinPercentage(RELATIVE_PERCENT));
    }

    @Test
    void gaussSeidelAgreesWithGthOnAChainWithJumps() throws StateSpaceTooLarge {
        // The flush jumps from any stale count straight back to 0: not a birth-death chain.
        TangibleChain chain = Reachability.explore(TestNets.periodicFlush(12, 6, 0.7, 0.4, 3), 1_000);
        double[] dense = SteadyState.gth(chain);
        double[] iterative = SteadyState.gaussSeidel(chain, 100_000);
        assertThat(iterative).containsExactly(dense, within(1e-9));
        assertThat(SteadyState.residual(chain, dense)).isLessThan(1e-12);
    }

    @Test
    void gaussSeidelReportsWhenItRunsOutOfIterations() throws StateSpaceTooLarge {
        TangibleChain chain = Reachability.explore(TestNets.lossSystem(20, 10, 1), 100);
        assertThatThrownBy(() -> SteadyState.gaussSeidel(chain, 3))
                .isInstanceOfSatisfying(NotConverged.class, e -> {
                    assertThat(e.iterations()).isEqualTo(3);
                    assertThat(e.residual()).isGreaterThan(0);
                })
                .hasMessageContaining("after 3 iterations");
    }

    @Test
    void aReducibleChainIsRefusedByBothSolvers() throws StateSpaceTooLarge {
        // start -> a, then a <-> b for ever: the start state is transient.
        PetriNet.Builder builder = PetriNet.builder();
        int start = builder.place("start", 1);
        int a = builder.place("a", 0);
        int b = builder.place("b", 0);
        builder.timed("leave", List.of(new Arc(start, 1)), List.of(new Arc(a, 1)), null, m -> 1);
        builder.timed("ab", List.of(new Arc(a, 1)), List.of(new Arc(b, 1)), null, m -> 1);
        builder.timed("ba", List.of(new Arc(b, 1)), List.of(new Arc(a, 1)), null, m -> 1);
        TangibleChain chain = Reachability.explore(builder.build(), 10);

        assertThatThrownBy(() -> SteadyState.gth(chain)).hasMessageContaining("not irreducible").hasMessageContaining("start=0");
        assertThatThrownBy(() -> SteadyState.gaussSeidel(chain, 100)).hasMessageContaining("not irreducible");
    }

    @Test
    void erlangBMatchesClosedFormsAndDoesNotOverflow() {
        assertThat(ErlangB.blocking(0, 3)).isEqualTo(1);
        assertThat(ErlangB.blocking(1, 3)).isCloseTo(0.75, within(1e-15));
        assertThat(ErlangB.blocking(2, 1)).isCloseTo(0.2, within(1e-15)); // (1/2) / (1 + 1 + 1/2)
        assertThat(ErlangB.blocking(5, 0)).isZero();
        double[] poisson = TestNets.truncatedPoisson(3_000, 2_800);
        assertThat(ErlangB.blocking(3_000, 2_800)).isCloseTo(poisson[3_000], withinPercentage(1e-8));
        assertThatThrownBy(() -> ErlangB.blocking(-1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ErlangB.blocking(1, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    @org.junit.jupiter.api.AfterAll
    static void reportErlangAccuracy() {
        System.out.println("Erlang B check: max abs error of reject throughput / lambda = " + erlangErrorMax);
    }
}
