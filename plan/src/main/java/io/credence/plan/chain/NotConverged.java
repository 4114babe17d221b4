package io.credence.plan.chain;

/**
 * The iterative steady-state solver hit its iteration cap before pi settled: a slowly mixing chain (or
 * one nearly decomposable). The caller may allow more iterations or report the model as too stiff.
 */
public final class NotConverged extends IllegalStateException {

    private final int iterations;
    private final double residual;

    public NotConverged(int iterations, double residual, double relativeChange) {
        super("steady state not converged after " + iterations + " iterations: residual ||pi Q||_1 = " + residual
                + ", last max relative change " + relativeChange);
        this.iterations = iterations;
        this.residual = residual;
    }

    public int iterations() {
        return iterations;
    }

    /** ||pi Q||_1 of the last iterate. */
    public double residual() {
        return residual;
    }
}
