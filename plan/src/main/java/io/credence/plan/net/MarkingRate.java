package io.credence.plan.net;

/**
 * The exponential rate of a timed transition in a marking, so that a pool of n busy servers can
 * finish at n times the single rate. Must be finite and >= 0; 0 means "not enabled here". It must not
 * change the marking it is given.
 */
@FunctionalInterface
public interface MarkingRate {

    double at(int[] marking);
}
