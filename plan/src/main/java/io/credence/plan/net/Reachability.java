package io.credence.plan.net;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds the tangible reachability graph of a net as a {@link TangibleChain}: breadth first from the
 * initial marking, with vanishing markings eliminated on the fly by {@link VanishingResolver}, so the
 * chain never holds a state of zero sojourn time.
 */
public final class Reachability {

    private Reachability() {
    }

    /**
     * Explores from the initial marking; vanishing markings eliminated on the fly. If the initial marking
     * is vanishing, state 0 is the first tangible marking its immediate firings reach.
     *
     * @param tangibleLimit the most tangible states to hold; one more stops the exploration
     * @throws StateSpaceTooLarge when more than {@code tangibleLimit} tangible markings are reachable
     * @throws IllegalStateException on a dead tangible marking, an immediate loop without exit, an
     *         unbounded vanishing chain, or a rate function that returns a bad rate
     */
    public static TangibleChain explore(PetriNet net, int tangibleLimit) throws StateSpaceTooLarge {
        Objects.requireNonNull(net, "net");
        if (tangibleLimit < 1) {
            throw new IllegalArgumentException("tangibleLimit must be >= 1, was " + tangibleLimit);
        }
        return new Exploration(net, tangibleLimit).run();
    }

    /** One exploration's state: the numbered tangible markings and the chain rows built so far. */
    private static final class Exploration implements VanishingResolver.TangibleIndex {

        private final PetriNet net;
        private final int tangibleLimit;
        private final int[] timedTransitions;
        private final Map<MarkingKey, Integer> stateOf = new HashMap<>();
        private final List<byte[]> markings = new ArrayList<>();
        private final List<int[]> targets = new ArrayList<>();
        private final List<double[]> rates = new ArrayList<>();
        private final List<int[]> firedTransitions = new ArrayList<>();
        private final List<double[]> firingRates = new ArrayList<>();
        private final VanishingResolver resolver;
        private final RowAccumulator row = new RowAccumulator();
        private final RowAccumulator firing = new RowAccumulator();

        Exploration(PetriNet net, int tangibleLimit) {
            this.net = net;
            this.tangibleLimit = tangibleLimit;
            this.resolver = new VanishingResolver(net, this);
            List<Integer> timed = new ArrayList<>();
            for (int t = 0; t < net.transitionCount(); t++) {
                if (!net.isImmediate(t)) {
                    timed.add(t);
                }
            }
            this.timedTransitions = timed.stream().mapToInt(Integer::intValue).toArray();
        }

        @Override
        public int indexOf(int[] marking) throws StateSpaceTooLarge {
            MarkingKey key = MarkingKey.of(marking);
            Integer known = stateOf.get(key);
            if (known != null) {
                return known;
            }
            if (markings.size() >= tangibleLimit) {
                throw new StateSpaceTooLarge(tangibleLimit);
            }
            stateOf.put(key, markings.size());
            markings.add(key.bytes());
            return markings.size() - 1;
        }

        TangibleChain run() throws StateSpaceTooLarge {
            int[] initial = net.initialMarking();
            if (net.isVanishing(initial)) {
                resolver.resolve(initial);
            } else {
                indexOf(initial);
            }
            // States are numbered as met, so walking the list in order is the breadth-first frontier.
            for (int state = 0; state < markings.size(); state++) {
                expand(state);
            }
            return new TangibleChain(net, markings, targets, rates, firedTransitions, firingRates, resolver.markingsMet());
        }

        private void expand(int state) throws StateSpaceTooLarge {
            int[] marking = MarkingKey.decode(markings.get(state), net.placeCount());
            row.clear();
            firing.clear();
            for (int t : timedTransitions) {
                double rate = net.rate(t, marking);
                if (rate == 0) {
                    continue;
                }
                // Counted before the self-loop test below: a firing that comes back still is throughput.
                firing.add(t, rate);
                int[] next = net.fire(t, marking);
                if (!net.isVanishing(next)) {
                    addUnlessSelf(state, indexOf(next), rate);
                    continue;
                }
                VanishingOutcome outcome = resolver.resolve(next);
                for (int k = 0; k < outcome.tangibleStates().length; k++) {
                    addUnlessSelf(state, outcome.tangibleStates()[k], rate * outcome.probabilities()[k]);
                }
                for (int k = 0; k < outcome.immediateTransitions().length; k++) {
                    firing.add(outcome.immediateTransitions()[k], rate * outcome.expectedFirings()[k]);
                }
            }
            if (firing.isEmpty()) {
                throw new IllegalStateException("dead marking [" + net.describe(marking) + "]: no transition can fire there");
            }
            targets.add(row.columns());
            rates.add(row.values());
            firedTransitions.add(firing.columns());
            firingRates.add(firing.values());
        }

        private void addUnlessSelf(int state, int target, double rate) {
            if (target != state) {
                row.add(target, rate);
            }
        }
    }
}
