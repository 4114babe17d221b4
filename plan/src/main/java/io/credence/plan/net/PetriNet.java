package io.credence.plan.net;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * A generalized stochastic Petri net: places holding tokens, timed transitions that fire after an
 * exponential delay with a marking-dependent rate, and immediate transitions that fire at once, by
 * priority and then by weight. Immutable once built, so the same net can be explored and simulated
 * from several threads.
 *
 * <p>A transition is enabled when every input place holds at least the arc weight and its guard holds
 * (and, if timed, its rate is > 0). A marking in which some immediate transition is enabled is
 * <em>vanishing</em>: only the enabled immediate transitions of the highest priority may fire. Any other
 * marking is <em>tangible</em>: its enabled timed transitions race.
 */
public final class PetriNet {

    /** Names longer than this are surely a mistake, and would make error messages unreadable. */
    public static final int NAME_LENGTH_MAX = 200;

    private final String[] placeNames;
    private final Map<String, Integer> placeIndex;
    private final int[] initialMarking;
    private final Transition[] transitions;
    private final Map<String, Integer> transitionIndex;

    /** One transition; {@code rate == null} marks an immediate one. */
    private record Transition(String name, Arc[] inputs, Arc[] outputs, Guard guard, MarkingRate rate,
                              int priority, double weight) {
        boolean immediate() {
            return rate == null;
        }
    }

    private PetriNet(Builder builder) {
        this.placeNames = builder.placeNames.toArray(String[]::new);
        this.placeIndex = Map.copyOf(builder.placeIndex);
        this.initialMarking = builder.initialTokens.stream().mapToInt(Integer::intValue).toArray();
        this.transitions = builder.transitions.toArray(Transition[]::new);
        this.transitionIndex = Map.copyOf(builder.transitionIndex);
    }

    public static Builder builder() {
        return new Builder();
    }

    public int placeCount() {
        return placeNames.length;
    }

    public String placeName(int place) {
        return placeNames[Objects.checkIndex(place, placeNames.length)];
    }

    /** @throws IllegalArgumentException if no place has that name */
    public int place(String name) {
        Integer index = placeIndex.get(name);
        if (index == null) {
            throw new IllegalArgumentException("no place named '" + name + "'");
        }
        return index;
    }

    /** A copy: the caller may change it. */
    public int[] initialMarking() {
        return initialMarking.clone();
    }

    public int transitionCount() {
        return transitions.length;
    }

    public String transitionName(int t) {
        return transition(t).name();
    }

    /** @throws IllegalArgumentException if no transition has that name */
    public int transition(String name) {
        Integer index = transitionIndex.get(name);
        if (index == null) {
            throw new IllegalArgumentException("no transition named '" + name + "'");
        }
        return index;
    }

    public boolean isImmediate(int t) {
        return transition(t).immediate();
    }

    /** Priority of an immediate transition (>= 1, higher fires first); 0 for a timed one. */
    public int priority(int t) {
        return transition(t).priority();
    }

    /** Weight of an immediate transition among the enabled ones of its priority; 0 for a timed one. */
    public double weight(int t) {
        return transition(t).weight();
    }

    public List<Arc> inputs(int t) {
        return List.of(transition(t).inputs());
    }

    public List<Arc> outputs(int t) {
        return List.of(transition(t).outputs());
    }

    /**
     * Whether the input arcs and the guard allow {@code t} to fire; for a timed transition the rate must
     * also be > 0, which {@link #rate} tells.
     */
    public boolean isEnabledByArcsAndGuard(int t, int[] marking) {
        Transition transition = transition(t);
        checkMarking(marking);
        for (Arc arc : transition.inputs()) {
            if (marking[arc.place()] < arc.weight()) {
                return false;
            }
        }
        return transition.guard() == null || transition.guard().test(marking);
    }

    /**
     * The rate of timed transition {@code t} in {@code marking}, 0 when it is not enabled there.
     *
     * @throws IllegalStateException if the model's rate function returns a negative, infinite or NaN rate
     */
    public double rate(int t, int[] marking) {
        Transition transition = transition(t);
        if (transition.immediate()) {
            throw new IllegalArgumentException("transition '" + transition.name() + "' is immediate, it has no rate");
        }
        if (!isEnabledByArcsAndGuard(t, marking)) {
            return 0;
        }
        double rate = transition.rate().at(marking);
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            throw new IllegalStateException("transition '" + transition.name() + "' has rate " + rate
                    + " in marking [" + describe(marking) + "]; a rate must be finite and >= 0");
        }
        return rate;
    }

    /**
     * The immediate transitions that may fire in {@code marking}: the enabled ones of the highest
     * enabled priority, in index order. Empty exactly when the marking is tangible.
     */
    public int[] firableImmediate(int[] marking) {
        int priorityMax = 0;
        int count = 0;
        int[] firable = new int[transitions.length];
        for (int t = 0; t < transitions.length; t++) {
            Transition transition = transitions[t];
            if (!transition.immediate() || transition.priority() < priorityMax || !isEnabledByArcsAndGuard(t, marking)) {
                continue;
            }
            if (transition.priority() > priorityMax) {
                priorityMax = transition.priority();
                count = 0;
            }
            firable[count++] = t;
        }
        return Arrays.copyOf(firable, count);
    }

    public boolean isVanishing(int[] marking) {
        for (int t = 0; t < transitions.length; t++) {
            if (transitions[t].immediate() && isEnabledByArcsAndGuard(t, marking)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The marking after {@code t} fires in {@code marking}, as a new array (the given one is unchanged).
     *
     * @throws IllegalArgumentException if the input places do not hold enough tokens
     * @throws ArithmeticException if a place would overflow an int
     */
    public int[] fire(int t, int[] marking) {
        Transition transition = transition(t);
        checkMarking(marking);
        int[] next = marking.clone();
        for (Arc arc : transition.inputs()) {
            next[arc.place()] -= arc.weight();
            if (next[arc.place()] < 0) {
                throw new IllegalArgumentException("transition '" + transition.name() + "' is not enabled in ["
                        + describe(marking) + "]: place '" + placeNames[arc.place()] + "' lacks tokens");
            }
        }
        for (Arc arc : transition.outputs()) {
            next[arc.place()] = Math.addExact(next[arc.place()], arc.weight());
        }
        return next;
    }

    /** "free=3, busy=2": a marking the way error messages and reports show it. */
    public String describe(int[] marking) {
        checkMarking(marking);
        StringJoiner joiner = new StringJoiner(", ");
        for (int p = 0; p < marking.length; p++) {
            joiner.add(placeNames[p] + "=" + marking[p]);
        }
        return joiner.toString();
    }

    private Transition transition(int t) {
        return transitions[Objects.checkIndex(t, transitions.length)];
    }

    private void checkMarking(int[] marking) {
        if (marking.length != placeNames.length) {
            throw new IllegalArgumentException("marking has " + marking.length + " places, the net " + placeNames.length);
        }
    }

    /** Collects places first, then transitions whose arcs refer to them; not thread-safe. */
    public static final class Builder {

        private final List<String> placeNames = new ArrayList<>();
        private final List<Integer> initialTokens = new ArrayList<>();
        private final Map<String, Integer> placeIndex = new HashMap<>();
        private final List<Transition> transitions = new ArrayList<>();
        private final Map<String, Integer> transitionIndex = new HashMap<>();

        private Builder() {
        }

        /** Adds a place and returns its index; names are unique among places. */
        public int place(String name, int initialTokens) {
            checkName(name, "place");
            if (placeIndex.containsKey(name)) {
                throw new IllegalArgumentException("place '" + name + "' is defined twice");
            }
            if (initialTokens < 0) {
                throw new IllegalArgumentException("place '" + name + "' starts with " + initialTokens + " tokens");
            }
            placeIndex.put(name, placeNames.size());
            placeNames.add(name);
            this.initialTokens.add(initialTokens);
            return placeNames.size() - 1;
        }

        /** Adds a timed transition; {@code guard} may be null (no condition beyond the arcs). */
        public int timed(String name, List<Arc> inputs, List<Arc> outputs, Guard guard, MarkingRate rate) {
            Objects.requireNonNull(rate, () -> "timed transition '" + name + "' needs a rate");
            return add(new Transition(name, checkArcs(name, inputs), checkArcs(name, outputs), guard, rate, 0, 0));
        }

        /** Adds an immediate transition: priority >= 1 (higher fires first), weight > 0 among equals. */
        public int immediate(String name, List<Arc> inputs, List<Arc> outputs, Guard guard, int priority, double weight) {
            if (priority < 1) {
                throw new IllegalArgumentException("immediate transition '" + name + "' has priority " + priority + ", must be >= 1");
            }
            if (!(weight > 0) || Double.isInfinite(weight)) {
                throw new IllegalArgumentException("immediate transition '" + name + "' has weight " + weight
                        + ", must be finite and > 0");
            }
            return add(new Transition(name, checkArcs(name, inputs), checkArcs(name, outputs), guard, null, priority, weight));
        }

        public PetriNet build() {
            if (placeNames.isEmpty()) {
                throw new IllegalStateException("a net needs at least one place");
            }
            return new PetriNet(this);
        }

        private int add(Transition transition) {
            checkName(transition.name(), "transition");
            if (transitionIndex.containsKey(transition.name())) {
                throw new IllegalArgumentException("transition '" + transition.name() + "' is defined twice");
            }
            transitionIndex.put(transition.name(), transitions.size());
            transitions.add(transition);
            return transitions.size() - 1;
        }

        /** Arcs must name existing places, each at most once: enabling compares one arc with one place. */
        private Arc[] checkArcs(String transition, List<Arc> arcs) {
            boolean[] seen = new boolean[placeNames.size()];
            for (Arc arc : arcs) {
                if (arc.place() >= placeNames.size()) {
                    throw new IllegalArgumentException("transition '" + transition + "' has an arc to unknown place " + arc.place());
                }
                if (seen[arc.place()]) {
                    throw new IllegalArgumentException("transition '" + transition + "' lists place '"
                            + placeNames.get(arc.place()) + "' twice on one side; use one arc with the summed weight");
                }
                seen[arc.place()] = true;
            }
            return arcs.toArray(Arc[]::new);
        }

        private static void checkName(String name, String what) {
            if (name == null || name.isBlank() || name.length() > NAME_LENGTH_MAX) {
                throw new IllegalArgumentException(what + " name must be 1.." + NAME_LENGTH_MAX + " characters, not blank: '" + name + "'");
            }
        }
    }
}
