package io.credence.plan.net;

/**
 * What entering one vanishing marking leads to: the probability of each tangible state the immediate
 * firings end in, and how many times each immediate transition fires on the way, in expectation. Both
 * are sparse (only non-zero entries), in matching parallel arrays.
 */
record VanishingOutcome(int[] tangibleStates, double[] probabilities, int[] immediateTransitions, double[] expectedFirings) {

    VanishingOutcome {
        if (tangibleStates.length != probabilities.length || immediateTransitions.length != expectedFirings.length) {
            throw new IllegalArgumentException("outcome arrays differ in length");
        }
        if (tangibleStates.length == 0) {
            throw new IllegalArgumentException("a vanishing marking must lead to at least one tangible state");
        }
    }
}
