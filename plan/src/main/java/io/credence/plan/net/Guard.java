package io.credence.plan.net;

/**
 * An enabling condition beyond the input arcs, for rules arcs cannot say (for instance "only while the
 * pool is more than 80 % free"). It must not change the marking it is given.
 */
@FunctionalInterface
public interface Guard {

    boolean test(int[] marking);
}
