package io.credence.plan.net;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Eliminates vanishing markings on the fly: given a vanishing marking, follows the immediate firings as a
 * discrete-time Markov chain until tangible markings are reached and returns, per vanishing marking, the
 * distribution over the tangible states reached and the expected firings of each immediate transition
 * on the way. Results are memoised, so each vanishing marking is solved once per exploration.
 *
 * <p>The vanishing markings met in one step are split into strongly connected components (Tarjan, without
 * recursion: a chain of 100,000 vanishing markings would overflow the call stack). Components come out
 * successors first, so each is solved knowing the results of everything it leads to. A component with
 * loops is solved exactly by Gaussian elimination in the GTH manner: the pivot {@code 1 - P(k,k)} is
 * computed as the sum of the probabilities of leaving {@code k}, so no subtraction loses precision and a
 * loop that almost never exits still comes out right.
 */
final class VanishingResolver {

    /** More new vanishing markings than this in one step means an immediate transition breeds tokens. */
    static final int STEP_MARKINGS_MAX = 100_000;
    /** All vanishing markings memoised in one exploration; bounds memory beside the tangible limit. */
    static final int TOTAL_MARKINGS_MAX = 2_000_000;
    /** A loop of vanishing markings is solved densely (n x n); beyond this it is refused rather than slow. */
    static final int LOOP_MARKINGS_MAX = 1_000;
    /** Dense right-hand side of one component: markings x (transitions + tangible targets) doubles. */
    static final long LOOP_CELLS_MAX = 4_000_000;

    /** Numbers tangible markings as they are met, or refuses once there are too many. */
    interface TangibleIndex {
        int indexOf(int[] marking) throws StateSpaceTooLarge;
    }

    /** Where one immediate firing leads. */
    private sealed interface Successor permits ToTangible, ToSolved, ToLocal {
    }

    /** A tangible state, by index. */
    private record ToTangible(int state) implements Successor {
    }

    /** A vanishing marking solved in an earlier step. */
    private record ToSolved(VanishingOutcome outcome) implements Successor {
    }

    /** A vanishing marking met in this step, by its node number in the step. */
    private record ToLocal(int node) implements Successor {
    }

    private record Edge(int transition, double probability, Successor successor) {
    }

    private final PetriNet net;
    private final TangibleIndex tangible;
    private final Map<MarkingKey, VanishingOutcome> solved = new HashMap<>();

    VanishingResolver(PetriNet net, TangibleIndex tangible) {
        this.net = net;
        this.tangible = tangible;
    }

    /** Distinct vanishing markings met so far. */
    int markingsMet() {
        return solved.size();
    }

    VanishingOutcome resolve(int[] vanishing) throws StateSpaceTooLarge {
        MarkingKey key = MarkingKey.of(vanishing);
        VanishingOutcome known = solved.get(key);
        if (known != null) {
            return known;
        }
        if (!net.isVanishing(vanishing)) {
            throw new IllegalArgumentException("marking [" + net.describe(vanishing) + "] is tangible");
        }
        return new Step().run(key, vanishing);
    }

    /** The vanishing markings new in one exploration step, numbered 0.. in the order they are met. */
    private final class Step {

        private static final int UNVISITED = -1;

        private final Map<MarkingKey, Integer> nodeOf = new HashMap<>();
        private final List<MarkingKey> keys = new ArrayList<>();
        private final List<int[]> markings = new ArrayList<>();
        private final List<Edge[]> edges = new ArrayList<>();
        private final TreeSet<String> transitionsFired = new TreeSet<>();
        private int[] visitOrder = new int[64];
        private int[] lowLink = new int[64];
        private int[] positionInComponent = new int[64];
        private boolean[] onStack = new boolean[64];
        private VanishingOutcome[] outcome = new VanishingOutcome[64];

        VanishingOutcome run(MarkingKey rootKey, int[] root) throws StateSpaceTooLarge {
            addNode(rootKey, root);
            Deque<Integer> componentStack = new ArrayDeque<>();
            Deque<int[]> frames = new ArrayDeque<>(); // {node, next edge to look at}
            int visited = 0;
            visit(0, visited++, componentStack);
            frames.push(new int[] {0, 0});
            while (!frames.isEmpty()) {
                int[] frame = frames.peek();
                int node = frame[0];
                Edge[] out = edges.get(node);
                if (frame[1] < out.length) {
                    Edge edge = out[frame[1]++];
                    if (edge.successor() instanceof ToLocal(int next)) {
                        if (visitOrder[next] == UNVISITED) {
                            visit(next, visited++, componentStack);
                            frames.push(new int[] {next, 0});
                        } else if (onStack[next]) {
                            lowLink[node] = Math.min(lowLink[node], visitOrder[next]);
                        }
                    }
                    continue;
                }
                frames.pop();
                if (!frames.isEmpty()) {
                    int parent = frames.peek()[0];
                    lowLink[parent] = Math.min(lowLink[parent], lowLink[node]);
                }
                if (lowLink[node] == visitOrder[node]) {
                    solveComponent(popComponent(node, componentStack));
                }
            }
            if (outcome[0] == null) {
                throw new IllegalStateException("vanishing marking [" + net.describe(root) + "] was left unsolved");
            }
            return outcome[0];
        }

        private void visit(int node, int order, Deque<Integer> componentStack) throws StateSpaceTooLarge {
            visitOrder[node] = order;
            lowLink[node] = order;
            onStack[node] = true;
            componentStack.push(node);
            edges.set(node, expand(markings.get(node)));
        }

        private List<Integer> popComponent(int root, Deque<Integer> componentStack) {
            List<Integer> members = new ArrayList<>();
            int member;
            do {
                member = componentStack.pop();
                onStack[member] = false;
                members.add(member);
            } while (member != root);
            return members;
        }

        /** The immediate firings possible in a vanishing marking, with their probabilities. */
        private Edge[] expand(int[] marking) throws StateSpaceTooLarge {
            int[] firable = net.firableImmediate(marking);
            if (firable.length == 0) {
                throw new IllegalStateException("marking [" + net.describe(marking) + "] was taken for vanishing");
            }
            double weightSum = 0;
            for (int t : firable) {
                weightSum += net.weight(t);
            }
            Edge[] out = new Edge[firable.length];
            for (int i = 0; i < firable.length; i++) {
                int t = firable[i];
                transitionsFired.add(net.transitionName(t));
                out[i] = new Edge(t, net.weight(t) / weightSum, successor(net.fire(t, marking)));
            }
            return out;
        }

        private Successor successor(int[] marking) throws StateSpaceTooLarge {
            if (!net.isVanishing(marking)) {
                return new ToTangible(tangible.indexOf(marking));
            }
            MarkingKey key = MarkingKey.of(marking);
            VanishingOutcome known = solved.get(key);
            if (known != null) {
                return new ToSolved(known);
            }
            Integer node = nodeOf.get(key);
            return new ToLocal(node != null ? node : addNode(key, marking));
        }

        private int addNode(MarkingKey key, int[] marking) {
            if (keys.size() >= STEP_MARKINGS_MAX) {
                throw new IllegalStateException("more than " + STEP_MARKINGS_MAX + " vanishing markings follow one timed "
                        + "firing, through immediate transitions " + transitionsFired + " (now at [" + net.describe(marking)
                        + "]): some immediate firing sequence grows without bound");
            }
            if (solved.size() + keys.size() >= TOTAL_MARKINGS_MAX) {
                throw new IllegalStateException("more than " + TOTAL_MARKINGS_MAX + " vanishing markings in one exploration"
                        + " (immediate transitions " + transitionsFired + "); simplify the model or simulate it");
            }
            int node = keys.size();
            if (node == visitOrder.length) {
                int capacity = node * 2;
                visitOrder = Arrays.copyOf(visitOrder, capacity);
                lowLink = Arrays.copyOf(lowLink, capacity);
                positionInComponent = Arrays.copyOf(positionInComponent, capacity);
                onStack = Arrays.copyOf(onStack, capacity);
                outcome = Arrays.copyOf(outcome, capacity);
            }
            visitOrder[node] = UNVISITED;
            positionInComponent[node] = -1;
            nodeOf.put(key, node);
            keys.add(key);
            markings.add(marking);
            edges.add(null);
            return node;
        }

        /**
         * Solves X_u = sum_v P(u,v) X_v + B_u over the component's members u, where B_u holds the expected
         * firing of u's own transitions and the (already known) results of the edges that leave the
         * component. Every successor of a member is either in the component or already solved.
         */
        private void solveComponent(List<Integer> members) {
            int n = members.size();
            if (n > LOOP_MARKINGS_MAX) {
                throw new IllegalStateException(n + " vanishing markings form one loop (more than " + LOOP_MARKINGS_MAX
                        + "), through immediate transitions " + namesOn(members));
            }
            for (int i = 0; i < n; i++) {
                positionInComponent[members.get(i)] = i;
            }
            Map<Integer, Integer> tangibleColumn = new LinkedHashMap<>();
            int transitionColumns = net.transitionCount();
            for (int member : members) {
                for (Edge edge : edges.get(member)) {
                    VanishingOutcome leaving = leavingOutcome(edge.successor());
                    if (edge.successor() instanceof ToTangible(int state)) {
                        tangibleColumn.putIfAbsent(state, transitionColumns + tangibleColumn.size());
                    } else if (leaving != null) {
                        for (int state : leaving.tangibleStates()) {
                            tangibleColumn.putIfAbsent(state, transitionColumns + tangibleColumn.size());
                        }
                    }
                }
            }
            int columns = transitionColumns + tangibleColumn.size();
            if ((long) n * Math.max(n, columns) > LOOP_CELLS_MAX) {
                throw new IllegalStateException("vanishing loop of " + n + " markings leading to " + tangibleColumn.size()
                        + " tangible states is too large to solve (immediate transitions " + namesOn(members) + ")");
            }
            double[][] within = new double[n][n];
            double[] exit = new double[n];
            double[][] rhs = new double[n][columns];
            for (int i = 0; i < n; i++) {
                for (Edge edge : edges.get(members.get(i))) {
                    fillEdge(i, edge, tangibleColumn, within, exit, rhs);
                }
            }
            double exitSum = 0;
            for (double e : exit) {
                exitSum += e;
            }
            if (!(exitSum > 0)) {
                throw new IllegalStateException("immediate transitions " + namesOn(members) + " loop forever among "
                        + n + " vanishing markings (e.g. [" + net.describe(markings.get(members.get(0)))
                        + "]) and never reach a tangible marking");
            }
            double[][] solution = eliminate(within, exit, rhs, members);
            for (int i = 0; i < n; i++) {
                int node = members.get(i);
                outcome[node] = toOutcome(solution[i], tangibleColumn, markings.get(node));
                solved.put(keys.get(node), outcome[node]);
                positionInComponent[node] = -1;
            }
        }

        /** The known result behind a successor outside the component, or null for tangible / inside. */
        private VanishingOutcome leavingOutcome(Successor successor) {
            return switch (successor) {
                case ToTangible tangibleState -> null;
                case ToSolved earlier -> earlier.outcome();
                case ToLocal(int node) -> positionInComponent[node] >= 0 ? null : outcome[node];
            };
        }

        private void fillEdge(int i, Edge edge, Map<Integer, Integer> tangibleColumn,
                              double[][] within, double[] exit, double[][] rhs) {
            double p = edge.probability();
            rhs[i][edge.transition()] += p;
            switch (edge.successor()) {
                case ToTangible(int state) -> {
                    rhs[i][tangibleColumn.get(state)] += p;
                    exit[i] += p;
                }
                case ToSolved(VanishingOutcome earlier) -> {
                    addScaled(rhs[i], p, earlier, tangibleColumn);
                    exit[i] += p;
                }
                case ToLocal(int node) -> {
                    if (positionInComponent[node] >= 0) {
                        within[i][positionInComponent[node]] += p;
                    } else {
                        addScaled(rhs[i], p, outcome[node], tangibleColumn);
                        exit[i] += p;
                    }
                }
            }
        }

        private static void addScaled(double[] row, double p, VanishingOutcome outcome, Map<Integer, Integer> tangibleColumn) {
            for (int k = 0; k < outcome.tangibleStates().length; k++) {
                row[tangibleColumn.get(outcome.tangibleStates()[k])] += p * outcome.probabilities()[k];
            }
            for (int k = 0; k < outcome.immediateTransitions().length; k++) {
                row[outcome.immediateTransitions()[k]] += p * outcome.expectedFirings()[k];
            }
        }

        /**
         * Eliminates members from the last to the first, folding each one's row into the rows that lead to
         * it; the pivot is the probability of leaving the member, summed rather than got as 1 - P(k,k).
         * Every entry stays >= 0, so nothing cancels. Then substitutes back from the first member.
         */
        private double[][] eliminate(double[][] within, double[] exit, double[][] rhs, List<Integer> members) {
            int n = within.length;
            double[] leave = new double[n];
            for (int k = n - 1; k >= 0; k--) {
                double s = exit[k];
                for (int v = 0; v < k; v++) {
                    s += within[k][v];
                }
                if (!(s > 0)) {
                    throw new IllegalStateException("vanishing marking [" + net.describe(markings.get(members.get(k)))
                            + "] cannot leave its loop through immediate transitions " + namesOn(members));
                }
                leave[k] = s;
                for (int a = 0; a < k; a++) {
                    double factor = within[a][k] / s;
                    if (factor == 0) {
                        continue;
                    }
                    for (int v = 0; v < k; v++) {
                        within[a][v] += factor * within[k][v];
                    }
                    exit[a] += factor * exit[k];
                    double[] target = rhs[a];
                    double[] source = rhs[k];
                    for (int c = 0; c < target.length; c++) {
                        target[c] += factor * source[c];
                    }
                }
            }
            double[][] solution = new double[n][];
            for (int k = 0; k < n; k++) {
                double[] x = rhs[k].clone();
                for (int v = 0; v < k; v++) {
                    double p = within[k][v];
                    if (p != 0) {
                        for (int c = 0; c < x.length; c++) {
                            x[c] += p * solution[v][c];
                        }
                    }
                }
                for (int c = 0; c < x.length; c++) {
                    x[c] /= leave[k];
                }
                solution[k] = x;
            }
            return solution;
        }

        private VanishingOutcome toOutcome(double[] x, Map<Integer, Integer> tangibleColumn, int[] marking) {
            int[] states = new int[tangibleColumn.size()];
            double[] probabilities = new double[tangibleColumn.size()];
            int count = 0;
            double sum = 0;
            for (Map.Entry<Integer, Integer> column : tangibleColumn.entrySet()) {
                double p = x[column.getValue()];
                if (p > 0) {
                    states[count] = column.getKey();
                    probabilities[count++] = p;
                    sum += p;
                }
            }
            // Rounding only: the elimination keeps row sums at 1, so a visible gap means a broken invariant.
            if (Math.abs(sum - 1) > 1e-9) {
                throw new IllegalStateException("vanishing marking [" + net.describe(marking) + "] leads to tangible states "
                        + "with total probability " + sum);
            }
            int transitions = net.transitionCount();
            int fired = 0;
            for (int t = 0; t < transitions; t++) {
                if (x[t] > 0) {
                    fired++;
                }
            }
            int[] immediate = new int[fired];
            double[] expected = new double[fired];
            int at = 0;
            for (int t = 0; t < transitions; t++) {
                if (x[t] > 0) {
                    immediate[at] = t;
                    expected[at++] = x[t];
                }
            }
            return new VanishingOutcome(Arrays.copyOf(states, count), Arrays.copyOf(probabilities, count), immediate, expected);
        }

        private TreeSet<String> namesOn(List<Integer> members) {
            TreeSet<String> names = new TreeSet<>();
            for (int member : members) {
                Edge[] out = edges.get(member);
                if (out != null) {
                    for (Edge edge : out) {
                        names.add(net.transitionName(edge.transition()));
                    }
                }
            }
            return names;
        }
    }
}
