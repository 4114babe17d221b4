package io.credence.plan.net;

/**
 * An arc between a place and a transition: as an input, the transition needs and takes {@code weight}
 * tokens from the place; as an output, it puts {@code weight} tokens there.
 */
public record Arc(int place, int weight) {

    public Arc {
        if (place < 0) {
            throw new IllegalArgumentException("arc place index must be >= 0, was " + place);
        }
        if (weight < 1) {
            throw new IllegalArgumentException("arc weight must be >= 1, was " + weight + " (place " + place + ")");
        }
    }
}
