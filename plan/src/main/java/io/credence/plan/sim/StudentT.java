package io.credence.plan.sim;

/**
 * Quantiles of Student's t distribution, for confidence intervals from a handful of batch means. The
 * distribution function is 1 - I_x(df/2, 1/2) / 2 with x = df / (df + t^2), I the regularized incomplete
 * beta function evaluated by its continued fraction; the quantile is found by bisection, which cannot
 * diverge and reaches 1e-12 relative in about 60 steps.
 */
public final class StudentT {

    /** Bisection steps; each halves the bracket, so 200 is far beyond double precision. */
    private static final int BISECTION_STEPS_MAX = 200;
    /** Continued-fraction terms; it converges in a few dozen for the arguments used here. */
    private static final int FRACTION_TERMS_MAX = 10_000;
    private static final double FRACTION_EPSILON = 1e-15;
    /** Keeps Lentz's method from dividing by zero. */
    private static final double TINY = 1e-300;

    private StudentT() {
    }

    /** The t with P(T <= t) = p for {@code degreesOfFreedom} degrees of freedom; e.g. quantile(0.995, 29) = 2.7564. */
    public static double quantile(double p, int degreesOfFreedom) {
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("p must be in (0, 1), was " + p);
        }
        checkDegrees(degreesOfFreedom);
        if (p == 0.5) {
            return 0;
        }
        if (p < 0.5) {
            return -quantile(1 - p, degreesOfFreedom);
        }
        double low = 0;
        double high = 1;
        while (cdf(high, degreesOfFreedom) < p) {
            low = high;
            high *= 2;
            if (Double.isInfinite(high)) {
                throw new IllegalStateException("no finite t quantile for p = " + p + ", df = " + degreesOfFreedom);
            }
        }
        for (int step = 0; step < BISECTION_STEPS_MAX && high - low > 1e-13 * high; step++) {
            double middle = 0.5 * (low + high);
            if (cdf(middle, degreesOfFreedom) < p) {
                low = middle;
            } else {
                high = middle;
            }
        }
        return 0.5 * (low + high);
    }

    /** P(T <= t) for Student's t with {@code degreesOfFreedom} degrees of freedom. */
    public static double cdf(double t, int degreesOfFreedom) {
        checkDegrees(degreesOfFreedom);
        if (Double.isNaN(t)) {
            throw new IllegalArgumentException("t is NaN");
        }
        double df = degreesOfFreedom;
        double x = df / (df + t * t);
        double tail = 0.5 * regularizedIncompleteBeta(x, df / 2, 0.5);
        return t >= 0 ? 1 - tail : tail;
    }

    /** I_x(a, b), switching to 1 - I_{1-x}(b, a) where the continued fraction would converge slowly. */
    static double regularizedIncompleteBeta(double x, double a, double b) {
        if (x <= 0) {
            return 0;
        }
        if (x >= 1) {
            return 1;
        }
        double logFront = a * Math.log(x) + b * Math.log1p(-x) - logBeta(a, b);
        if (x < (a + 1) / (a + b + 2)) {
            return Math.exp(logFront) * continuedFraction(x, a, b) / a;
        }
        return 1 - Math.exp(logFront) * continuedFraction(1 - x, b, a) / b;
    }

    /**
     * The continued fraction 1 / (1 + d1 / (1 + d2 / (1 + ...))) of the incomplete beta function, with
     * d(2m+1) = -(a+m)(a+b+m)x / ((a+2m)(a+2m+1)) and d(2m) = m(b-m)x / ((a+2m-1)(a+2m)), evaluated
     * front to back by the modified Lentz method.
     */
    private static double continuedFraction(double x, double a, double b) {
        double c = 1;
        double d = nonZero(1 - (a + b) * x / (a + 1));
        d = 1 / d;
        double value = d;
        for (int m = 1; m <= FRACTION_TERMS_MAX; m++) {
            double even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
            d = 1 / nonZero(1 + even * d);
            c = nonZero(1 + even / c);
            value *= d * c;
            double odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
            d = 1 / nonZero(1 + odd * d);
            c = nonZero(1 + odd / c);
            double factor = d * c;
            value *= factor;
            if (Math.abs(factor - 1) < FRACTION_EPSILON) {
                return value;
            }
        }
        throw new IllegalStateException("incomplete beta continued fraction did not converge for x=" + x + ", a=" + a + ", b=" + b);
    }

    private static double nonZero(double value) {
        return Math.abs(value) < TINY ? TINY : value;
    }

    private static double logBeta(double a, double b) {
        return logGamma(a) + logGamma(b) - logGamma(a + b);
    }

    /**
     * ln Gamma(x) for x > 0: shift x up to at least 15 with Gamma(x) = Gamma(x + k) / (x (x+1) ... (x+k-1)),
     * then Stirling's series to the x^-9 term, whose error there is below 1e-14.
     */
    static double logGamma(double x) {
        if (!(x > 0) || Double.isInfinite(x)) {
            throw new IllegalArgumentException("logGamma needs a finite x > 0, was " + x);
        }
        double shift = 0;
        double z = x;
        while (z < 15) {
            shift += Math.log(z);
            z += 1;
        }
        double inverse = 1 / z;
        double inverseSquare = inverse * inverse;
        double series = inverse * (1.0 / 12 - inverseSquare * (1.0 / 360 - inverseSquare * (1.0 / 1260
                - inverseSquare * (1.0 / 1680 - inverseSquare / 1188))));
        return (z - 0.5) * Math.log(z) - z + 0.5 * Math.log(2 * Math.PI) + series - shift;
    }

    private static void checkDegrees(int degreesOfFreedom) {
        if (degreesOfFreedom < 1) {
            throw new IllegalArgumentException("degrees of freedom must be >= 1, was " + degreesOfFreedom);
        }
    }
}
