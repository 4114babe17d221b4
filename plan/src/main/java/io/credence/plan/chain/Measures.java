package io.credence.plan.chain;

import io.credence.plan.net.TangibleChain;

import java.util.Objects;
import java.util.function.ToDoubleFunction;

/** What operators read off a solved chain: expected rewards of the marking and transition throughputs. */
public final class Measures {

    private Measures() {
    }

    /** Sum over states of pi(s) times the reward of the state's marking (each reward sees a copy). */
    public static double expectation(TangibleChain chain, double[] pi, ToDoubleFunction<int[]> reward) {
        checkPi(chain, pi);
        Objects.requireNonNull(reward, "reward");
        double sum = 0;
        for (int s = 0; s < pi.length; s++) {
            sum += pi[s] * reward.applyAsDouble(chain.marking(s));
        }
        return sum;
    }

    /** Firings of the transition per unit time: sum pi(s) firingRate(t, s), self loops and immediate firings included. */
    public static double throughput(TangibleChain chain, double[] pi, int transition) {
        checkPi(chain, pi);
        double sum = 0;
        for (int s = 0; s < pi.length; s++) {
            sum += pi[s] * chain.firingRate(transition, s);
        }
        return sum;
    }

    private static void checkPi(TangibleChain chain, double[] pi) {
        if (pi.length != chain.size()) {
            throw new IllegalArgumentException("pi has " + pi.length + " entries, the chain " + chain.size() + " states");
        }
    }
}
