package io.credence.plan.chain;

import io.credence.plan.net.TangibleChain;

import java.util.Arrays;

/**
 * The stationary distribution pi of a tangible chain (pi Q = 0, sum pi = 1). Small chains go through GTH,
 * a Gaussian elimination that computes each pivot as a sum of rates instead of subtracting, so every
 * probability comes out to rounding precision, even 1e-200 ones (Erlang B tails). Large chains go
 * through Gauss-Seidel on the sparse generator, which needs only O(transitions) memory.
 *
 * <p>Both need an irreducible chain; {@link #requireIrreducible} checks it first, because on a
 * reducible chain GTH would silently give transient states weight and Gauss-Seidel would wander.
 */
public final class SteadyState {

    /** Up to this many states {@link #solve} uses GTH: n^2 doubles (18 MB) and about n^3 / 3 flops worst case. */
    public static final int DENSE_MAX = 1_500;
    /** {@link #gth} refuses larger chains: n^2 doubles would pass 72 MB. */
    public static final int GTH_MAX = 3_000;
    /** Sweeps {@link #solve} allows Gauss-Seidel before giving up with {@link NotConverged}. */
    public static final int ITERATIONS_MAX = 30_000;
    /** Gauss-Seidel stops once no probability changes by more than this, relatively, in a sweep ... */
    public static final double RELATIVE_CHANGE_MAX = 1e-13;
    /** ... and ||pi Q||_1 is below this times the mean exit rate (so the test does not depend on the time unit). */
    public static final double RESIDUAL_MAX = 1e-12;
    /** Probabilities below this are judged on their change relative to it: a state of 1e-200 moves no measure. */
    private static final double CHANGE_FLOOR = 1e-6;
    /** GTH back substitution rescales its unnormalised weights above this, far from overflow. */
    private static final double RESCALE_ABOVE = 1e100;

    private SteadyState() {
    }

    /** Most generator entries the sparse GTH may hold with its fill-in (about 16 bytes each) before it gives way to Gauss-Seidel. */
    public static final long SPARSE_FILL_MAX = 30_000_000;

    /**
     * pi with sum 1: dense GTH up to {@link #DENSE_MAX} states; beyond, GTH on the sparse
     * generator while its fill-in stays within {@link #SPARSE_FILL_MAX} (states are numbered
     * breadth-first, so a chain whose transitions move between neighbouring levels — a loss
     * system, several classes sharing a pool — stays banded and is solved directly, however slowly
     * it mixes); Gauss-Seidel when the fill-in would grow past it.
     */
    public static double[] solve(TangibleChain chain) {
        if (chain.size() <= DENSE_MAX) {
            return gth(chain);
        }
        double[] pi = sparseGth(chain, SPARSE_FILL_MAX);
        return pi != null ? pi : gaussSeidel(chain, ITERATIONS_MAX);
    }

    /**
     * GTH (state reduction without subtractions) on the sparse generator, eliminating the states
     * from the last to the second; null when the entries, fill-in included, would pass
     * {@code fillMax}.
     */
    public static double[] sparseGth(TangibleChain chain, long fillMax) {
        int n = chain.size();
        Generator generator = Generator.of(chain);
        generator.requireIrreducible(chain);
        SparseRow[] rows = new SparseRow[n];
        IntList[] lowerSources = new IntList[n]; // for j: the states i < j with an entry i -> j
        long entries = 0;
        for (int i = 0; i < n; i++) {
            int count = generator.rowStart[i + 1] - generator.rowStart[i];
            rows[i] = new SparseRow(count);
            for (int k = generator.rowStart[i]; k < generator.rowStart[i + 1]; k++) {
                int j = generator.column[k];
                rows[i].add(j, generator.rate[k]);
                if (i < j) {
                    (lowerSources[j] == null ? lowerSources[j] = new IntList() : lowerSources[j]).add(i);
                }
            }
            entries += count;
        }
        // what back substitution needs: for each j, the states i < j and the factor q(i,j) / leave(j)
        int[][] fromOf = new int[n][];
        double[][] factorOf = new double[n][];
        int[] pivotColumns = new int[16];
        double[] pivotRates = new double[16];
        for (int k = n - 1; k >= 1; k--) {
            SparseRow pivot = rows[k];
            int count = 0;
            double leave = 0;
            for (int e = 0; e < pivot.keys.length; e++) {
                int j = pivot.keys[e];
                if (j >= 0 && j < k) {
                    if (count == pivotColumns.length) {
                        pivotColumns = Arrays.copyOf(pivotColumns, count * 2);
                        pivotRates = Arrays.copyOf(pivotRates, count * 2);
                    }
                    pivotColumns[count] = j;
                    pivotRates[count++] = pivot.values[e];
                    leave += pivot.values[e];
                }
            }
            if (!(leave > 0)) {
                throw new IllegalStateException("state " + k + " cannot reach lower states: the chain is not irreducible");
            }
            IntList sources = lowerSources[k] == null ? new IntList() : lowerSources[k];
            int[] from = new int[sources.size];
            double[] factors = new double[sources.size];
            for (int s = 0; s < sources.size; s++) {
                int i = sources.values[s];
                SparseRow row = rows[i];
                double factor = row.remove(k) / leave;
                entries--;
                from[s] = i;
                factors[s] = factor;
                for (int c = 0; c < count; c++) {
                    int j = pivotColumns[c];
                    if (j == i) {
                        continue; // a path back to itself is no transition
                    }
                    if (row.add(j, factor * pivotRates[c])) {
                        entries++;
                        if (i < j) {
                            (lowerSources[j] == null ? lowerSources[j] = new IntList() : lowerSources[j]).add(i);
                        }
                    }
                }
            }
            if (entries > fillMax) {
                return null;
            }
            fromOf[k] = from;
            factorOf[k] = factors;
            entries -= pivot.size;
            rows[k] = null;
            lowerSources[k] = null;
        }
        double[] pi = new double[n];
        pi[0] = 1;
        for (int j = 1; j < n; j++) {
            double sum = 0;
            for (int s = 0; s < fromOf[j].length; s++) {
                sum += pi[fromOf[j][s]] * factorOf[j][s];
            }
            pi[j] = sum;
            if (sum > RESCALE_ABOVE) {
                for (int i = 0; i <= j; i++) {
                    pi[i] /= sum;
                }
            }
        }
        return normalised(pi);
    }

    /** A row of the generator as an open-addressing map from column to rate (keys -1 when free). */
    private static final class SparseRow {
        int[] keys;
        double[] values;
        int size;

        SparseRow(int expected) {
            int capacity = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
            keys = new int[capacity];
            values = new double[capacity];
            Arrays.fill(keys, -1);
        }

        /** Adds to the entry; true when it is new. */
        boolean add(int key, double value) {
            if ((size + 1) * 4 > keys.length * 3) {
                grow();
            }
            int mask = keys.length - 1;
            int at = (key * 0x9E3779B9) >>> 7 & mask;
            while (keys[at] >= 0) {
                if (keys[at] == key) {
                    values[at] += value;
                    return false;
                }
                at = (at + 1) & mask;
            }
            keys[at] = key;
            values[at] = value;
            size++;
            return true;
        }

        /** Removes the entry and answers its value (0 when absent); backward-shift deletion keeps probing intact. */
        double remove(int key) {
            int mask = keys.length - 1;
            int at = (key * 0x9E3779B9) >>> 7 & mask;
            while (keys[at] >= 0 && keys[at] != key) {
                at = (at + 1) & mask;
            }
            if (keys[at] < 0) {
                return 0;
            }
            double value = values[at];
            size--;
            int gap = at;
            int next = (gap + 1) & mask;
            while (keys[next] >= 0) {
                int home = (keys[next] * 0x9E3779B9) >>> 7 & mask;
                // move the entry back into the gap unless its home lies cyclically in (gap, next]
                boolean stays = gap <= next ? home > gap && home <= next : home > gap || home <= next;
                if (!stays) {
                    keys[gap] = keys[next];
                    values[gap] = values[next];
                    gap = next;
                }
                next = (next + 1) & mask;
            }
            keys[gap] = -1;
            values[gap] = 0;
            return value;
        }

        private void grow() {
            int[] oldKeys = keys;
            double[] oldValues = values;
            keys = new int[oldKeys.length * 2];
            values = new double[oldKeys.length * 2];
            Arrays.fill(keys, -1);
            size = 0;
            for (int e = 0; e < oldKeys.length; e++) {
                if (oldKeys[e] >= 0) {
                    add(oldKeys[e], oldValues[e]);
                }
            }
        }
    }

    private static final class IntList {
        int[] values = new int[4];
        int size;

        void add(int value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }
    }

    /** Grassmann-Taksar-Heyman elimination on the dense generator. */
    public static double[] gth(TangibleChain chain) {
        int n = chain.size();
        if (n > GTH_MAX) {
            throw new IllegalArgumentException("GTH holds the generator densely; " + n + " states is more than " + GTH_MAX);
        }
        Generator generator = Generator.of(chain);
        generator.requireIrreducible(chain);
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int k = generator.rowStart[i]; k < generator.rowStart[i + 1]; k++) {
                a[i][generator.column[k]] = generator.rate[k];
            }
        }
        int[] nonZero = new int[n];
        for (int k = n - 1; k >= 1; k--) {
            double[] pivotRow = a[k];
            double leave = 0;
            int count = 0;
            for (int j = 0; j < k; j++) {
                if (pivotRow[j] != 0) {
                    leave += pivotRow[j];
                    nonZero[count++] = j;
                }
            }
            if (!(leave > 0)) {
                throw new IllegalStateException("state " + k + " cannot reach lower states: the chain is not irreducible");
            }
            for (int i = 0; i < k; i++) {
                double toPivot = a[i][k];
                if (toPivot == 0) {
                    continue;
                }
                double factor = toPivot / leave;
                a[i][k] = factor;
                double[] row = a[i];
                for (int c = 0; c < count; c++) {
                    int j = nonZero[c];
                    row[j] += factor * pivotRow[j];
                }
            }
        }
        double[] pi = new double[n];
        pi[0] = 1;
        for (int j = 1; j < n; j++) {
            double sum = 0;
            for (int i = 0; i < j; i++) {
                sum += pi[i] * a[i][j];
            }
            pi[j] = sum;
            // Unnormalised weights grow like a^k / k! (e^1900 for 2,000 servers); rescale before they overflow.
            if (sum > RESCALE_ABOVE) {
                for (int i = 0; i <= j; i++) {
                    pi[i] /= sum;
                }
            }
        }
        return normalised(pi);
    }

    /**
     * Gauss-Seidel on pi Q = 0, sweeping forward and backward in turn (a birth-death chain then carries
     * information both ways each round), normalising after every sweep.
     *
     * @throws NotConverged if {@code iterationsMax} sweeps do not meet both stopping criteria
     */
    public static double[] gaussSeidel(TangibleChain chain, int iterationsMax) {
        if (iterationsMax < 1) {
            throw new IllegalArgumentException("iterationsMax must be >= 1, was " + iterationsMax);
        }
        int n = chain.size();
        Generator generator = Generator.of(chain);
        generator.requireIrreducible(chain);
        if (n == 1) {
            return new double[] {1};
        }
        double[] pi = new double[n];
        Arrays.fill(pi, 1.0 / n);
        double change = Double.POSITIVE_INFINITY;
        double residual = Double.NaN;
        for (int iteration = 1; iteration <= iterationsMax; iteration++) {
            change = sweep(generator, pi, iteration % 2 == 1);
            pi = normalised(pi);
            if (change < RELATIVE_CHANGE_MAX) {
                residual = residual(chain, pi);
                if (residual < RESIDUAL_MAX * generator.meanExitRate(pi)) {
                    return pi;
                }
            }
        }
        throw new NotConverged(iterationsMax, residual(chain, pi), change);
    }

    /** ||pi Q||_1: how far pi is from balancing inflow and outflow, summed over states. */
    public static double residual(TangibleChain chain, double[] pi) {
        int n = chain.size();
        if (pi.length != n) {
            throw new IllegalArgumentException("pi has " + pi.length + " entries, the chain " + n + " states");
        }
        double[] flow = new double[n];
        for (int i = 0; i < n; i++) {
            int[] targets = chain.targets(i);
            double[] rates = chain.rates(i);
            for (int k = 0; k < targets.length; k++) {
                double moved = pi[i] * rates[k];
                flow[targets[k]] += moved;
                flow[i] -= moved;
            }
        }
        double sum = 0;
        for (double f : flow) {
            sum += Math.abs(f);
        }
        return sum;
    }

    /** One sweep; returns the largest relative change of any pi(j). */
    private static double sweep(Generator generator, double[] pi, boolean forward) {
        int n = pi.length;
        double changeMax = 0;
        for (int step = 0; step < n; step++) {
            int j = forward ? step : n - 1 - step;
            double inflow = 0;
            for (int k = generator.inStart[j]; k < generator.inStart[j + 1]; k++) {
                inflow += pi[generator.inFrom[k]] * generator.inRate[k];
            }
            double next = inflow / generator.outRate[j];
            // relative to the state's share, but not below 1e-6 of the whole: a state with a
            // probability of 1e-200 may converge slowly without moving any measure
            double change = Math.abs(next - pi[j]) / Math.max(next, CHANGE_FLOOR);
            changeMax = Math.max(changeMax, change);
            pi[j] = next;
        }
        return changeMax;
    }

    private static double[] normalised(double[] pi) {
        double sum = 0;
        for (double p : pi) {
            if (!(p >= 0) || Double.isInfinite(p)) {
                throw new IllegalStateException("steady-state solver produced probability " + p);
            }
            sum += p;
        }
        if (!(sum > 0) || Double.isInfinite(sum)) {
            throw new IllegalStateException("steady-state solver produced a vector summing to " + sum);
        }
        for (int i = 0; i < pi.length; i++) {
            pi[i] /= sum;
        }
        return pi;
    }

    /** The generator in compressed rows (outgoing) and compressed columns (incoming). */
    private record Generator(int[] rowStart, int[] column, double[] rate,
                             int[] inStart, int[] inFrom, double[] inRate, double[] outRate) {

        static Generator of(TangibleChain chain) {
            int n = chain.size();
            int[] rowStart = new int[n + 1];
            int[] inCount = new int[n + 1];
            for (int i = 0; i < n; i++) {
                int[] targets = chain.targets(i);
                rowStart[i + 1] = rowStart[i] + targets.length;
                for (int target : targets) {
                    inCount[target + 1]++;
                }
            }
            int entries = rowStart[n];
            int[] column = new int[entries];
            double[] rate = new double[entries];
            double[] outRate = new double[n];
            int[] inStart = new int[n + 1];
            for (int j = 0; j < n; j++) {
                inStart[j + 1] = inStart[j] + inCount[j + 1];
            }
            int[] inFill = Arrays.copyOf(inStart, n);
            int[] inFrom = new int[entries];
            double[] inRate = new double[entries];
            for (int i = 0; i < n; i++) {
                int[] targets = chain.targets(i);
                double[] rates = chain.rates(i);
                for (int k = 0; k < targets.length; k++) {
                    column[rowStart[i] + k] = targets[k];
                    rate[rowStart[i] + k] = rates[k];
                    outRate[i] += rates[k];
                    int at = inFill[targets[k]]++;
                    inFrom[at] = i;
                    inRate[at] = rates[k];
                }
            }
            return new Generator(rowStart, column, rate, inStart, inFrom, inRate, outRate);
        }

        /** Every state reachable from state 0 and able to return to it: one closed class, so pi is unique. */
        void requireIrreducible(TangibleChain chain) {
            int n = outRate.length;
            int unreached = firstUnvisited(n, rowStart, column);
            if (unreached >= 0) {
                throw new IllegalStateException("state " + unreached + " [" + describe(chain, unreached)
                        + "] is not reachable from state 0: the chain is not irreducible");
            }
            int stuck = firstUnvisited(n, inStart, inFrom);
            if (stuck >= 0) {
                throw new IllegalStateException("state " + stuck + " [" + describe(chain, stuck)
                        + "] cannot return to state 0: the chain is not irreducible (a trap or a transient start)");
            }
        }

        double meanExitRate(double[] pi) {
            double sum = 0;
            for (int i = 0; i < pi.length; i++) {
                sum += pi[i] * outRate[i];
            }
            return sum;
        }

        private static String describe(TangibleChain chain, int state) {
            return chain.net().describe(chain.marking(state));
        }

        /** Depth-first search from state 0 over compressed adjacency; the first state not met, or -1. */
        private static int firstUnvisited(int n, int[] start, int[] adjacent) {
            boolean[] seen = new boolean[n];
            int[] stack = new int[n];
            int top = 0;
            stack[top++] = 0;
            seen[0] = true;
            while (top > 0) {
                int state = stack[--top];
                for (int k = start[state]; k < start[state + 1]; k++) {
                    int next = adjacent[k];
                    if (!seen[next]) {
                        seen[next] = true;
                        stack[top++] = next;
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                if (!seen[i]) {
                    return i;
                }
            }
            return -1;
        }
    }
}
