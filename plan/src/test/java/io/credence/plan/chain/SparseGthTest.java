package io.credence.plan.chain;

import io.credence.plan.TestNets;
import io.credence.plan.net.PetriNet;
import io.credence.plan.net.Reachability;
import io.credence.plan.net.TangibleChain;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** GTH on the sparse generator gives the dense GTH's answer, and gives way when the fill-in would pass its budget. */
class SparseGthTest {
    private static TangibleChain chain(PetriNet net) throws Exception {
        return Reachability.explore(net, 1_000_000);
    }

    private static void sameAsDense(TangibleChain chain) {
        double[] dense = SteadyState.gth(chain);
        double[] sparse = SteadyState.sparseGth(chain, Long.MAX_VALUE);
        assertThat(sparse).hasSameSizeAs(dense);
        for (int i = 0; i < dense.length; i++) {
            assertThat(sparse[i]).as("state %d", i).isCloseTo(dense[i], within(1e-13 + 1e-11 * dense[i]));
        }
    }

    @Test
    void aLossSystemTwoClassesSharingAPoolAndAPeriodicFlushAllMatchTheDenseSolution() throws Exception {
        sameAsDense(chain(TestNets.lossSystem(1_200, 1_100, 1)));
        sameAsDense(chain(TestNets.twoClasses(60, 20, 1, 3, 0.25)));
        sameAsDense(chain(TestNets.periodicFlush(40, 30, 1, 0.3, 2)));
    }

    @Test
    void aSlowAndAFastClassSharingAPoolIsSolvedToRoundingWhereGaussSeidelCrawls() throws Exception {
        // rates four orders of magnitude apart, as a rare large class next to a busy small one
        TangibleChain chain = chain(TestNets.twoClasses(300, 250, 1, 0.001, 0.0005));
        assertThat(chain.size()).isGreaterThan(SteadyState.DENSE_MAX);
        double[] pi = SteadyState.solve(chain);
        assertThat(SteadyState.residual(chain, pi)).isLessThan(1e-12);
        double sum = 0;
        for (double p : pi) {
            assertThat(p).isNotNegative();
            sum += p;
        }
        assertThat(sum).isCloseTo(1, within(1e-12));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SteadyState.gaussSeidel(chain, 2_000))
                .as("what the direct solution saves").isInstanceOf(NotConverged.class);
    }

    @Test
    void aBudgetTooSmallForTheFillInGivesWay() throws Exception {
        TangibleChain chain = chain(TestNets.twoClasses(60, 20, 1, 3, 0.25));
        assertThat(SteadyState.sparseGth(chain, 10)).isNull();
    }
}
