package io.credence.plan.net;

import io.credence.plan.TestNets;
import io.credence.plan.chain.Measures;
import io.credence.plan.chain.SteadyState;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ReachabilityTest {

    private static final double EXACT = 1e-12;

    @Test
    void lossSystemBecomesTheBirthDeathChainWithRejectionsAsSelfLoops() throws StateSpaceTooLarge {
        double lambda = 3;
        double mu = 0.5;
        TangibleChain chain = Reachability.explore(TestNets.lossSystem(3, lambda, mu), 100);
        PetriNet net = chain.net();
        int busyPlace = net.place("busy");

        assertThat(chain.size()).isEqualTo(4);
        assertThat(chain.vanishingMarkings()).isEqualTo(4); // one "request" marking per busy count
        for (int s = 0; s < chain.size(); s++) {
            int busy = chain.marking(s)[busyPlace];
            assertThat(chain.marking(s)[net.place("request")]).isZero();
            double up = busy < 3 ? lambda : 0;
            double down = busy * mu;
            assertThat(rateTo(chain, s, busy + 1, busyPlace)).isCloseTo(up, within(EXACT));
            assertThat(rateTo(chain, s, busy - 1, busyPlace)).isCloseTo(down, within(EXACT));
            assertThat(chain.targets(s)).doesNotContain(s).hasSize((up > 0 ? 1 : 0) + (down > 0 ? 1 : 0));
            assertThat(chain.firingRate(net.transition("arrive"), s)).isEqualTo(lambda); // self loop still counts when full
            assertThat(chain.firingRate(net.transition("accept"), s)).isCloseTo(up, within(EXACT));
            assertThat(chain.firingRate(net.transition("reject"), s)).isCloseTo(lambda - up, within(EXACT));
            assertThat(chain.firingRate(net.transition("finish"), s)).isCloseTo(down, within(EXACT));
        }
        assertThat(chain.marking(0)).containsExactly(3, 0, 0);
    }

    @Test
    void aChainOfImmediateTransitionsCollapsesIntoOneTimedStep() throws StateSpaceTooLarge {
        PetriNet.Builder builder = PetriNet.builder();
        int a = builder.place("a", 1);
        int b = builder.place("b", 0);
        int c = builder.place("c", 0);
        int d = builder.place("d", 0);
        builder.timed("go", List.of(new Arc(a, 1)), List.of(new Arc(b, 1)), null, m -> 2);
        builder.immediate("first", List.of(new Arc(b, 1)), List.of(new Arc(c, 1)), null, 1, 1);
        builder.immediate("second", List.of(new Arc(c, 1)), List.of(new Arc(d, 1)), null, 1, 1);
        builder.timed("back", List.of(new Arc(d, 1)), List.of(new Arc(a, 1)), null, m -> 3);
        TangibleChain chain = Reachability.explore(builder.build(), 10);

        assertThat(chain.size()).isEqualTo(2);
        assertThat(chain.vanishingMarkings()).isEqualTo(2);
        assertThat(chain.marking(1)).containsExactly(0, 0, 0, 1);
        assertThat(chain.targets(0)).containsExactly(1);
        assertThat(chain.rates(0)).containsExactly(2.0);
        assertThat(chain.targets(1)).containsExactly(0);
        assertThat(chain.rates(1)).containsExactly(3.0);
        double[] pi = SteadyState.solve(chain);
        assertThat(pi[0]).isCloseTo(0.6, within(EXACT));
        PetriNet net = chain.net();
        assertThat(Measures.throughput(chain, pi, net.transition("first"))).isCloseTo(1.2, within(EXACT));
        assertThat(Measures.throughput(chain, pi, net.transition("second"))).isCloseTo(1.2, within(EXACT));
        assertThat(Measures.throughput(chain, pi, net.transition("back"))).isCloseTo(1.2, within(EXACT));
    }

    /**
     * From L2, {@code again} (weight 2) goes back to L1 while {@code toB} and {@code toC} (weight 1 each)
     * leave: L2 is visited 2 times in expectation, so {@code enter} fires twice and {@code again} once per
     * {@code go}, and B and C are reached with probability 1/2 each.
     */
    @Test
    void aVanishingLoopWithAnExitIsSolvedExactly() throws StateSpaceTooLarge {
        double lambda = 1.5;
        double muB = 2;
        double muC = 5;
        PetriNet.Builder builder = PetriNet.builder();
        int placeA = builder.place("A", 1);
        int l1 = builder.place("L1", 0);
        int l2 = builder.place("L2", 0);
        int placeB = builder.place("B", 0);
        int placeC = builder.place("C", 0);
        builder.timed("go", List.of(new Arc(placeA, 1)), List.of(new Arc(l1, 1)), null, m -> lambda);
        builder.immediate("enter", List.of(new Arc(l1, 1)), List.of(new Arc(l2, 1)), null, 1, 1);
        builder.immediate("again", List.of(new Arc(l2, 1)), List.of(new Arc(l1, 1)), null, 1, 2);
        builder.immediate("toB", List.of(new Arc(l2, 1)), List.of(new Arc(placeB, 1)), null, 1, 1);
        builder.immediate("toC", List.of(new Arc(l2, 1)), List.of(new Arc(placeC, 1)), null, 1, 1);
        builder.timed("fromB", List.of(new Arc(placeB, 1)), List.of(new Arc(placeA, 1)), null, m -> muB);
        builder.timed("fromC", List.of(new Arc(placeC, 1)), List.of(new Arc(placeA, 1)), null, m -> muC);
        PetriNet net = builder.build();
        TangibleChain chain = Reachability.explore(net, 10);

        assertThat(chain.size()).isEqualTo(3);
        assertThat(chain.vanishingMarkings()).isEqualTo(2);
        int stateB = stateWith(chain, placeB);
        int stateC = stateWith(chain, placeC);
        assertThat(rateTo(chain, 0, stateB)).isCloseTo(lambda / 2, within(EXACT));
        assertThat(rateTo(chain, 0, stateC)).isCloseTo(lambda / 2, within(EXACT));
        assertThat(chain.firingRate(net.transition("enter"), 0)).isCloseTo(2 * lambda, within(EXACT));
        assertThat(chain.firingRate(net.transition("again"), 0)).isCloseTo(lambda, within(EXACT));
        assertThat(chain.firingRate(net.transition("toB"), 0)).isCloseTo(lambda / 2, within(EXACT));
        assertThat(chain.firingRate(net.transition("enter"), stateB)).isZero();

        double[][] hand = new double[3][3];
        hand[0][stateB] = lambda / 2;
        hand[0][stateC] = lambda / 2;
        hand[stateB][0] = muB;
        hand[stateC][0] = muC;
        assertThat(SteadyState.solve(chain)).containsExactly(TestNets.referenceSteadyState(hand), within(EXACT));
    }

    /**
     * The periodic flush on 2 servers: tangible states are (busy, stale) with busy + stale <= 2. Finishing
     * makes a session stale at rate busy x mu x a; the flush (rate 1 / T) empties stale at once by firing
     * {@code return} once per stale token, then {@code done}; with nothing stale it is a self loop.
     */
    @Test
    void periodicFlushMatchesTheHandBuiltChain() throws StateSpaceTooLarge {
        int servers = 2;
        double lambda = 1.25;
        double mu = 0.75;
        double staleShare = 0.3;
        double period = 4;
        PetriNet net = TestNets.periodicFlush(servers, lambda, mu, staleShare, period);
        TangibleChain chain = Reachability.explore(net, 100);
        int free = net.place("free");
        int busy = net.place("busy");
        int stale = net.place("stale");

        // Hand-built: states (busy, stale) with busy + stale <= servers.
        assertThat(chain.size()).isEqualTo(6);
        double[][] hand = new double[chain.size()][chain.size()];
        for (int s = 0; s < chain.size(); s++) {
            int[] m = chain.marking(s);
            assertThat(m[free] + m[busy] + m[stale]).isEqualTo(servers);
            if (m[free] > 0) {
                hand[s][find(chain, m[busy] + 1, m[stale], busy, stale)] += lambda;
            }
            if (m[busy] > 0) {
                hand[s][find(chain, m[busy] - 1, m[stale] + 1, busy, stale)] += m[busy] * mu * staleShare;
                hand[s][find(chain, m[busy] - 1, m[stale], busy, stale)] += m[busy] * mu * (1 - staleShare);
            }
            if (m[stale] > 0) {
                hand[s][find(chain, m[busy], 0, busy, stale)] += 1 / period;
            }
            for (int t = 0; t < chain.size(); t++) {
                assertThat(rateTo(chain, s, t)).as("rate %d -> %d", s, t).isCloseTo(t == s ? 0 : hand[s][t], within(EXACT));
            }
            assertThat(chain.firingRate(net.transition("return"), s)).isCloseTo(m[stale] / period, within(EXACT));
            assertThat(chain.firingRate(net.transition("done"), s)).isCloseTo(1 / period, within(EXACT));
            assertThat(chain.firingRate(net.transition("maintain"), s)).isCloseTo(1 / period, within(EXACT));
        }
        double[] pi = SteadyState.solve(chain);
        assertThat(pi).containsExactly(TestNets.referenceSteadyState(hand), within(1e-12));
        // done fires once per maintenance, whatever the marking: throughput = 1 / T exactly.
        assertThat(Measures.throughput(chain, pi, net.transition("done"))).isCloseTo(1 / period, within(EXACT));
    }

    @Test
    void aVanishingInitialMarkingStartsFromWhereItLeads() throws StateSpaceTooLarge {
        PetriNet.Builder builder = PetriNet.builder();
        int start = builder.place("start", 1);
        int a = builder.place("a", 0);
        int b = builder.place("b", 0);
        builder.immediate("boot", List.of(new Arc(start, 1)), List.of(new Arc(a, 1)), null, 1, 1);
        builder.timed("ab", List.of(new Arc(a, 1)), List.of(new Arc(b, 1)), null, m -> 1);
        builder.timed("ba", List.of(new Arc(b, 1)), List.of(new Arc(a, 1)), null, m -> 1);
        TangibleChain chain = Reachability.explore(builder.build(), 5);

        assertThat(chain.size()).isEqualTo(2);
        assertThat(chain.marking(0)).containsExactly(0, 1, 0);
        assertThat(chain.vanishingMarkings()).isEqualTo(1);
    }

    @Test
    void theLimitStopsExplorationAndIsNamed() throws StateSpaceTooLarge {
        assertThat(Reachability.explore(TestNets.lossSystem(49, 1, 1), 50).size()).isEqualTo(50);
        assertThatThrownBy(() -> Reachability.explore(TestNets.lossSystem(50, 1, 1), 50))
                .isInstanceOfSatisfying(StateSpaceTooLarge.class, e -> assertThat(e.limit()).isEqualTo(50))
                .hasMessageStartingWith("more than 50 tangible markings");
        assertThatThrownBy(() -> Reachability.explore(TestNets.lossSystem(1, 1, 1), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aDeadMarkingIsNamedPlaceByPlace() {
        PetriNet.Builder builder = PetriNet.builder();
        int a = builder.place("a", 1);
        int b = builder.place("b", 0);
        builder.timed("once", List.of(new Arc(a, 1)), List.of(new Arc(b, 1)), null, m -> 1);
        assertThatThrownBy(() -> Reachability.explore(builder.build(), 10))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("dead marking [a=0, b=1]");
    }

    @Test
    void anImmediateLoopWithoutExitIsNamedByItsTransitions() {
        PetriNet.Builder builder = PetriNet.builder();
        int idle = builder.place("idle", 1);
        int p = builder.place("p", 0);
        int q = builder.place("q", 0);
        builder.timed("start", List.of(new Arc(idle, 1)), List.of(new Arc(p, 1)), null, m -> 1);
        builder.immediate("ping", List.of(new Arc(p, 1)), List.of(new Arc(q, 1)), null, 1, 1);
        builder.immediate("pong", List.of(new Arc(q, 1)), List.of(new Arc(p, 1)), null, 1, 1);
        assertThatThrownBy(() -> Reachability.explore(builder.build(), 10))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("[ping, pong] loop forever");
    }

    @Test
    void anImmediateTransitionThatBreedsTokensIsStopped() {
        PetriNet.Builder builder = PetriNet.builder();
        int idle = builder.place("idle", 1);
        int seed = builder.place("seed", 0);
        int heap = builder.place("heap", 0);
        builder.timed("start", List.of(new Arc(idle, 1)), List.of(new Arc(seed, 1)), null, m -> 1);
        builder.immediate("breed", List.of(new Arc(seed, 1)), List.of(new Arc(seed, 1), new Arc(heap, 1)), null, 1, 1);
        assertThatThrownBy(() -> Reachability.explore(builder.build(), 10))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("more than 100000 vanishing markings")
                .hasMessageContaining("[breed]");
    }

    @Test
    void theBuilderRefusesMalformedNets() {
        PetriNet.Builder builder = PetriNet.builder();
        int a = builder.place("a", 0);
        assertThatThrownBy(() -> builder.place("a", 1)).hasMessageContaining("'a' is defined twice");
        assertThatThrownBy(() -> builder.place("b", -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Arc(a, 0)).hasMessageContaining("weight must be >= 1");
        assertThatThrownBy(() -> builder.timed("t", List.of(new Arc(7, 1)), List.of(), null, m -> 1))
                .hasMessageContaining("unknown place 7");
        assertThatThrownBy(() -> builder.timed("t", List.of(new Arc(a, 1), new Arc(a, 2)), List.of(), null, m -> 1))
                .hasMessageContaining("twice");
        assertThatThrownBy(() -> builder.immediate("i", List.of(), List.of(), null, 0, 1)).hasMessageContaining("priority 0");
        assertThatThrownBy(() -> builder.immediate("i", List.of(), List.of(), null, 1, 0)).hasMessageContaining("weight 0");
        builder.timed("t", List.of(new Arc(a, 1)), List.of(), null, m -> -1);
        assertThatThrownBy(() -> builder.timed("t", List.of(), List.of(), null, m -> 1)).hasMessageContaining("'t' is defined twice");
        PetriNet net = builder.build();
        assertThatThrownBy(() -> net.place("nowhere")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nowhere");
        assertThatThrownBy(() -> net.transition("nothing")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> net.rate(0, new int[] {1})).hasMessageContaining("rate -1.0");
        assertThat(net.rate(0, new int[] {0})).isZero(); // not enabled: the rate function is not even asked
    }

    @Test
    void markingsPackAndUnpackAtTheVarintEdges() {
        int[] marking = {0, 1, 127, 128, 16_383, 16_384, Integer.MAX_VALUE};
        byte[] packed = MarkingKey.encode(marking);
        assertThat(packed).hasSize(1 + 1 + 1 + 2 + 2 + 3 + 5);
        assertThat(MarkingKey.decode(packed, marking.length)).containsExactly(marking);
        assertThat(MarkingKey.of(new int[] {1, 2})).isEqualTo(MarkingKey.of(new int[] {1, 2})).isNotEqualTo(MarkingKey.of(new int[] {2, 1}));
    }

    private static double rateTo(TangibleChain chain, int from, int busyTarget, int busyPlace) {
        double sum = 0;
        int[] targets = chain.targets(from);
        double[] rates = chain.rates(from);
        for (int k = 0; k < targets.length; k++) {
            if (chain.marking(targets[k])[busyPlace] == busyTarget) {
                sum += rates[k];
            }
        }
        return sum;
    }

    private static double rateTo(TangibleChain chain, int from, int to) {
        int[] targets = chain.targets(from);
        for (int k = 0; k < targets.length; k++) {
            if (targets[k] == to) {
                return chain.rates(from)[k];
            }
        }
        return 0;
    }

    private static int stateWith(TangibleChain chain, int place) {
        for (int s = 0; s < chain.size(); s++) {
            if (chain.marking(s)[place] == 1) {
                return s;
            }
        }
        throw new AssertionError("no state marks place " + place);
    }

    private static int find(TangibleChain chain, int busy, int stale, int busyPlace, int stalePlace) {
        for (int s = 0; s < chain.size(); s++) {
            int[] m = chain.marking(s);
            if (m[busyPlace] == busy && m[stalePlace] == stale) {
                return s;
            }
        }
        throw new AssertionError("no state with busy=" + busy + ", stale=" + stale);
    }
}
