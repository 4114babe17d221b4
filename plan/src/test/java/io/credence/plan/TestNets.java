package io.credence.plan;

import io.credence.plan.net.Arc;
import io.credence.plan.net.PetriNet;

import java.util.List;

/** The nets the engine tests share: a loss system, two classes on one pool, and a pool with a periodic flush. */
public final class TestNets {

    private TestNets() {
    }

    /**
     * M/M/c/c: {@code arrive} puts a token in the vanishing place {@code request}; {@code accept}
     * (priority 2) takes it with a {@code free} token into {@code busy}; {@code reject} (priority 1) drops
     * it; {@code finish} returns a busy token at rate busy x mu.
     */
    public static PetriNet lossSystem(int servers, double lambda, double mu) {
        PetriNet.Builder builder = PetriNet.builder();
        int free = builder.place("free", servers);
        int request = builder.place("request", 0);
        int busy = builder.place("busy", 0);
        builder.timed("arrive", List.of(), List.of(new Arc(request, 1)), null, m -> lambda);
        builder.immediate("accept", List.of(new Arc(request, 1), new Arc(free, 1)), List.of(new Arc(busy, 1)), null, 2, 1);
        builder.immediate("reject", List.of(new Arc(request, 1)), List.of(), null, 1, 1);
        builder.timed("finish", List.of(new Arc(busy, 1)), List.of(new Arc(free, 1)), null, m -> m[busy] * mu);
        return builder.build();
    }

    /**
     * Two classes on one pool of {@code units}: class 1 takes 1 unit per session, class 2 takes 3, each
     * with its own arrival and service rate. Transitions {@code arrive1}, {@code accept1}, ... and
     * places {@code busy1}, {@code busy2} count sessions, not units.
     */
    public static PetriNet twoClasses(int units, double lambda1, double mu1, double lambda2, double mu2) {
        PetriNet.Builder builder = PetriNet.builder();
        int free = builder.place("free", units);
        addClass(builder, free, "1", 1, lambda1, mu1);
        addClass(builder, free, "2", 3, lambda2, mu2);
        return builder.build();
    }

    private static void addClass(PetriNet.Builder builder, int free, String name, int size, double lambda, double mu) {
        int request = builder.place("request" + name, 0);
        int busy = builder.place("busy" + name, 0);
        builder.timed("arrive" + name, List.of(), List.of(new Arc(request, 1)), null, m -> lambda);
        builder.immediate("accept" + name, List.of(new Arc(request, 1), new Arc(free, size)), List.of(new Arc(busy, 1)), null, 2, 1);
        builder.immediate("reject" + name, List.of(new Arc(request, 1)), List.of(), null, 1, 1);
        builder.timed("finish" + name, List.of(new Arc(busy, 1)), List.of(new Arc(free, size)), null, m -> m[busy] * mu);
    }

    /**
     * A pool whose finished sessions turn {@code stale} with probability {@code staleShare} (immediate
     * {@code goStale} / {@code goFree}, weights a and 1 - a) and come back only at maintenance:
     * {@code maintain} (rate 1 / period) marks {@code control}, {@code return} (priority 2) moves stale
     * tokens to {@code free} one by one while control is marked, {@code done} (priority 1) clears it.
     */
    public static PetriNet periodicFlush(int servers, double lambda, double mu, double staleShare, double period) {
        PetriNet.Builder builder = PetriNet.builder();
        int free = builder.place("free", servers);
        int request = builder.place("request", 0);
        int busy = builder.place("busy", 0);
        int ended = builder.place("ended", 0);
        int stale = builder.place("stale", 0);
        int control = builder.place("control", 0);
        builder.timed("arrive", List.of(), List.of(new Arc(request, 1)), null, m -> lambda);
        builder.immediate("accept", List.of(new Arc(request, 1), new Arc(free, 1)), List.of(new Arc(busy, 1)), null, 2, 1);
        builder.immediate("reject", List.of(new Arc(request, 1)), List.of(), null, 1, 1);
        builder.timed("finish", List.of(new Arc(busy, 1)), List.of(new Arc(ended, 1)), null, m -> m[busy] * mu);
        builder.immediate("goStale", List.of(new Arc(ended, 1)), List.of(new Arc(stale, 1)), null, 1, staleShare);
        builder.immediate("goFree", List.of(new Arc(ended, 1)), List.of(new Arc(free, 1)), null, 1, 1 - staleShare);
        builder.timed("maintain", List.of(), List.of(new Arc(control, 1)), null, m -> 1 / period);
        builder.immediate("return", List.of(new Arc(stale, 1), new Arc(control, 1)),
                List.of(new Arc(free, 1), new Arc(control, 1)), null, 2, 1);
        builder.immediate("done", List.of(new Arc(control, 1)), List.of(), null, 1, 1);
        return builder.build();
    }

    /** P(k busy) of M/M/c/c, the Poisson(a) law truncated to 0..c, computed in logs so c = 2,000 does not overflow. */
    public static double[] truncatedPoisson(int servers, double offeredErlang) {
        double[] logWeight = new double[servers + 1];
        double max = Double.NEGATIVE_INFINITY;
        double logFactorial = 0;
        for (int k = 0; k <= servers; k++) {
            if (k > 0) {
                logFactorial += Math.log(k);
            }
            logWeight[k] = k * Math.log(offeredErlang) - logFactorial;
            max = Math.max(max, logWeight[k]);
        }
        double sum = 0;
        double[] p = new double[servers + 1];
        for (int k = 0; k <= servers; k++) {
            p[k] = Math.exp(logWeight[k] - max);
            sum += p[k];
        }
        for (int k = 0; k <= servers; k++) {
            p[k] /= sum;
        }
        return p;
    }

    /**
     * Stationary law of a small dense generator by plain Gaussian elimination with partial pivoting on
     * Q^T with one equation replaced by sum pi = 1: a reference independent of the engine's GTH.
     */
    public static double[] referenceSteadyState(double[][] offDiagonalRates) {
        int n = offDiagonalRates.length;
        double[][] a = new double[n][n + 1];
        for (int i = 0; i < n; i++) {
            double out = 0;
            for (int j = 0; j < n; j++) {
                if (j != i) {
                    a[j][i] += offDiagonalRates[i][j];
                    out += offDiagonalRates[i][j];
                }
            }
            a[i][i] -= out;
        }
        for (int j = 0; j <= n; j++) {
            a[n - 1][j] = 1;
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
                    pivot = r;
                }
            }
            double[] swap = a[col];
            a[col] = a[pivot];
            a[pivot] = swap;
            for (int r = 0; r < n; r++) {
                if (r != col) {
                    double factor = a[r][col] / a[col][col];
                    for (int j = col; j <= n; j++) {
                        a[r][j] -= factor * a[col][j];
                    }
                }
            }
        }
        double[] pi = new double[n];
        for (int i = 0; i < n; i++) {
            pi[i] = a[i][n] / a[i][i];
        }
        return pi;
    }
}
