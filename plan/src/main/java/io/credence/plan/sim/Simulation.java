package io.credence.plan.sim;

import io.credence.plan.net.PetriNet;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * Discrete-event simulation of a net itself (not its chain), to check the exact solution and to estimate
 * models whose state space is too large to explore. Timed transitions race with exponential delays whose
 * rates are re-evaluated after every firing; vanishing markings are resolved at once by priority, then by
 * weight. After a warm-up the run is cut into batches of equal length, and each estimate is the mean of
 * the batch means with a 99 % Student-t half-width.
 */
public final class Simulation {

    /** Immediate firings in a row before the run is declared stuck in a vanishing loop. */
    public static final int IMMEDIATE_FIRINGS_IN_ROW_MAX = 100_000;
    /** All firings of one run; a rate far larger than the model intends would otherwise run for ever. */
    public static final long FIRINGS_MAX = 2_000_000_000L;
    /** Batches of one run; more only costs memory (rewards x batches doubles), not accuracy. */
    public static final int BATCHES_MAX = 10_000;
    /** Two-sided 99 % intervals. */
    private static final double QUANTILE_PROBABILITY = 0.995;

    private Simulation() {
    }

    /** A point estimate and the half-width of its 99 % confidence interval. */
    public record Estimate(double mean, double halfWidth) {
        public boolean covers(double x) {
            return Math.abs(x - mean) <= halfWidth;
        }
    }

    /**
     * Time averages of each reward and the throughput of every transition (by name), with the number of
     * firings over the whole run (warm-up included) and the simulated time (warm-up plus batches).
     */
    public record Result(Map<String, Estimate> rewards, Map<String, Estimate> throughputs, long firings, double simulatedTime) {
        public Result {
            rewards = Collections.unmodifiableMap(new LinkedHashMap<>(rewards));
            throughputs = Collections.unmodifiableMap(new LinkedHashMap<>(throughputs));
        }
    }

    /**
     * Time averages of each reward and the throughput of every transition (by name), each with a 99 %
     * confidence half-width by batch means (t quantile, batches - 1 degrees of freedom). Seeded: same
     * seed, same numbers.
     *
     * @throws IllegalStateException on a dead marking, an immediate loop that does not end within
     *         {@link #IMMEDIATE_FIRINGS_IN_ROW_MAX} firings, or more than {@link #FIRINGS_MAX} firings
     */
    public static Result run(PetriNet net, Map<String, ToDoubleFunction<int[]>> rewards, long seed,
                             double warmupTime, int batches, double batchTime) {
        Objects.requireNonNull(net, "net");
        Objects.requireNonNull(rewards, "rewards");
        if (!(warmupTime >= 0) || Double.isInfinite(warmupTime)) {
            throw new IllegalArgumentException("warmupTime must be finite and >= 0, was " + warmupTime);
        }
        if (batches < 2 || batches > BATCHES_MAX) {
            throw new IllegalArgumentException("batches must be 2.." + BATCHES_MAX + " (an interval needs two), was " + batches);
        }
        if (!(batchTime > 0) || Double.isInfinite(batchTime)) {
            throw new IllegalArgumentException("batchTime must be finite and > 0, was " + batchTime);
        }
        return new Run(net, rewards, seed, new BatchClock(warmupTime, batches, batchTime)).execute();
    }

    /** One run's mutable state. */
    private static final class Run {

        private final PetriNet net;
        private final String[] rewardNames;
        private final ToDoubleFunction<int[]>[] rewardFunctions;
        private final SplittableRandom random;
        private final BatchClock clock;
        private final double[][] rewardIntegrals;
        private final long[][] firingCounts;
        private final int[] timed;
        private final double[] timedRates;
        private int[] marking;
        private double time;
        private long firings;

        @SuppressWarnings("unchecked")
        Run(PetriNet net, Map<String, ToDoubleFunction<int[]>> rewards, long seed, BatchClock clock) {
            this.net = net;
            this.rewardNames = rewards.keySet().toArray(String[]::new);
            this.rewardFunctions = rewards.values().toArray(ToDoubleFunction[]::new);
            this.random = new SplittableRandom(seed);
            this.clock = clock;
            this.rewardIntegrals = new double[rewardNames.length][clock.batches()];
            this.firingCounts = new long[net.transitionCount()][clock.batches()];
            int timedCount = 0;
            int[] timedTransitions = new int[net.transitionCount()];
            for (int t = 0; t < net.transitionCount(); t++) {
                if (!net.isImmediate(t)) {
                    timedTransitions[timedCount++] = t;
                }
            }
            this.timed = Arrays.copyOf(timedTransitions, timedCount);
            this.timedRates = new double[timedCount];
            this.marking = net.initialMarking();
        }

        Result execute() {
            while (true) {
                resolveVanishing();
                double totalRate = 0;
                for (int k = 0; k < timed.length; k++) {
                    timedRates[k] = net.rate(timed[k], marking);
                    totalRate += timedRates[k];
                }
                if (!(totalRate > 0)) {
                    throw new IllegalStateException("dead marking [" + net.describe(marking) + "] at time " + time);
                }
                // 1 - u lies in (0, 1], so the logarithm is finite.
                double next = time - Math.log(1 - random.nextDouble()) / totalRate;
                accumulateRewards(time, Math.min(next, clock.end()));
                if (next >= clock.end()) {
                    return result();
                }
                time = next;
                fire(timed[pick(timedRates, timed.length, totalRate)]);
            }
        }

        private void resolveVanishing() {
            int inRow = 0;
            int[] firable;
            while ((firable = net.firableImmediate(marking)).length > 0) {
                if (++inRow > IMMEDIATE_FIRINGS_IN_ROW_MAX) {
                    throw new IllegalStateException("more than " + IMMEDIATE_FIRINGS_IN_ROW_MAX + " immediate firings in a row"
                            + " at time " + time + ", now among " + namesOf(firable) + " in [" + net.describe(marking) + "]");
                }
                double[] weights = new double[firable.length];
                double weightSum = 0;
                for (int k = 0; k < firable.length; k++) {
                    weights[k] = net.weight(firable[k]);
                    weightSum += weights[k];
                }
                fire(firable[pick(weights, firable.length, weightSum)]);
            }
        }

        /** Index k with probability values[k] / sum. */
        private int pick(double[] values, int count, double sum) {
            double u = random.nextDouble() * sum;
            int last = -1;
            for (int k = 0; k < count; k++) {
                if (values[k] > 0) {
                    last = k;
                    u -= values[k];
                    if (u < 0) {
                        return k;
                    }
                }
            }
            return last; // rounding left u a hair above zero: the last candidate
        }

        private void fire(int t) {
            if (++firings > FIRINGS_MAX) {
                throw new IllegalStateException("more than " + FIRINGS_MAX + " firings in one run (at time " + time + ")");
            }
            marking = net.fire(t, marking);
            int batch = clock.batchAt(time);
            if (batch >= 0) {
                firingCounts[t][batch]++;
            }
        }

        /** Adds the current marking's rewards over [from, to), split at batch boundaries. */
        private void accumulateRewards(double from, double to) {
            if (to <= clock.warmupTime() || rewardNames.length == 0) {
                return;
            }
            double[] values = new double[rewardNames.length];
            for (int r = 0; r < values.length; r++) {
                values[r] = rewardFunctions[r].applyAsDouble(marking.clone());
            }
            double start = Math.max(from, clock.warmupTime());
            while (start < to) {
                int batch = clock.batchAt(start);
                double stop = Math.min(to, clock.batchEnd(batch));
                for (int r = 0; r < values.length; r++) {
                    rewardIntegrals[r][batch] += values[r] * (stop - start);
                }
                if (stop <= start) {
                    break; // batch end rounded onto start; the remaining sliver is below double resolution
                }
                start = stop;
            }
        }

        private Result result() {
            Map<String, Estimate> rewards = new LinkedHashMap<>();
            for (int r = 0; r < rewardNames.length; r++) {
                rewards.put(rewardNames[r], estimate(rewardIntegrals[r]));
            }
            Map<String, Estimate> throughputs = new LinkedHashMap<>();
            for (int t = 0; t < firingCounts.length; t++) {
                double[] counts = new double[clock.batches()];
                for (int b = 0; b < counts.length; b++) {
                    counts[b] = firingCounts[t][b];
                }
                throughputs.put(net.transitionName(t), estimate(counts));
            }
            return new Result(rewards, throughputs, firings, clock.end());
        }

        /** Mean of the per-batch time averages and the t-based 99 % half-width. */
        private Estimate estimate(double[] perBatchTotals) {
            int batches = perBatchTotals.length;
            double sum = 0;
            for (double total : perBatchTotals) {
                sum += total / clock.batchTime();
            }
            double mean = sum / batches;
            double squares = 0;
            for (double total : perBatchTotals) {
                double deviation = total / clock.batchTime() - mean;
                squares += deviation * deviation;
            }
            double standardError = Math.sqrt(squares / (batches - 1) / batches);
            return new Estimate(mean, StudentT.quantile(QUANTILE_PROBABILITY, batches - 1) * standardError);
        }

        private TreeSet<String> namesOf(int[] transitions) {
            TreeSet<String> names = new TreeSet<>();
            for (int t : transitions) {
                names.add(net.transitionName(t));
            }
            return names;
        }
    }

    /** Warm-up then {@code batches} windows of {@code batchTime}; boundaries computed, not accumulated. */
    private record BatchClock(double warmupTime, int batches, double batchTime) {

        double end() {
            return batchEnd(batches - 1);
        }

        double batchEnd(int batch) {
            return warmupTime + (batch + 1) * batchTime;
        }

        /** The batch holding time {@code t}, or -1 during warm-up or after the end. */
        int batchAt(double t) {
            if (t < warmupTime || t >= end()) {
                return -1;
            }
            int batch = (int) ((t - warmupTime) / batchTime);
            // Division can round across a boundary either way; settle on the window that holds t.
            if (batch > 0 && t < batchEnd(batch - 1)) {
                batch--;
            } else if (batch < batches - 1 && t >= batchEnd(batch)) {
                batch++;
            }
            return Math.min(batch, batches - 1);
        }
    }
}
