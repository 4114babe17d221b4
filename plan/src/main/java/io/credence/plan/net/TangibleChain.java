package io.credence.plan.net;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The continuous-time Markov chain over a net's tangible markings, with vanishing markings already
 * eliminated: row {@code s} of the generator (off-diagonal, duplicates merged, self loops dropped) and,
 * per state, how often each transition fires from it per unit time, which self loops and immediate
 * transitions still contribute to even though the generator cannot show them. Built by
 * {@link Reachability#explore}.
 */
public final class TangibleChain {

    private final PetriNet net;
    private final List<byte[]> markings;
    private final List<int[]> targets;
    private final List<double[]> rates;
    private final List<int[]> firedTransitions;
    private final List<double[]> firingRates;
    private final int vanishingMarkings;

    /** Rows are indexed by state; {@code firedTransitions} rows are ascending so lookups can bisect. */
    TangibleChain(PetriNet net, List<byte[]> markings, List<int[]> targets, List<double[]> rates,
                  List<int[]> firedTransitions, List<double[]> firingRates, int vanishingMarkings) {
        int size = markings.size();
        if (targets.size() != size || rates.size() != size || firedTransitions.size() != size || firingRates.size() != size) {
            throw new IllegalArgumentException("chain rows disagree in length with " + size + " states");
        }
        this.net = Objects.requireNonNull(net);
        this.markings = List.copyOf(markings);
        this.targets = List.copyOf(targets);
        this.rates = List.copyOf(rates);
        this.firedTransitions = List.copyOf(firedTransitions);
        this.firingRates = List.copyOf(firingRates);
        this.vanishingMarkings = vanishingMarkings;
    }

    public PetriNet net() {
        return net;
    }

    /** Number of tangible states; state 0 is the one reached from the initial marking. */
    public int size() {
        return markings.size();
    }

    /** A copy of the state's marking. */
    public int[] marking(int state) {
        return MarkingKey.decode(markings.get(state), net.placeCount());
    }

    /** Target states of the off-diagonal generator row (a copy; no duplicates, no self loop). */
    public int[] targets(int state) {
        return targets.get(state).clone();
    }

    /** Rates matching {@link #targets} one for one (a copy). */
    public double[] rates(int state) {
        return rates.get(state).clone();
    }

    /** Sum of the state's off-diagonal rates: minus the generator's diagonal. */
    public double outRate(int state) {
        double sum = 0;
        for (double rate : rates.get(state)) {
            sum += rate;
        }
        return sum;
    }

    /**
     * Timed transition: its rate in that state if enabled, else 0. Immediate transition: expected
     * firings per unit time caused from that state (over the state's timed firings, the rate times the
     * expected number of times it fires on the vanishing path that follows).
     */
    public double firingRate(int transition, int state) {
        Objects.checkIndex(transition, net.transitionCount());
        int[] fired = firedTransitions.get(state);
        int at = Arrays.binarySearch(fired, transition);
        return at >= 0 ? firingRates.get(state)[at] : 0;
    }

    /** Distinct vanishing markings met during the exploration. */
    public int vanishingMarkings() {
        return vanishingMarkings;
    }
}
