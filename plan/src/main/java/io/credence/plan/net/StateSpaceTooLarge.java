package io.credence.plan.net;

/**
 * The reachable tangible markings outnumber the limit the caller set. Checked, because it is an expected
 * outcome of a large model: the caller can raise the limit, shrink the model or simulate instead.
 */
public final class StateSpaceTooLarge extends Exception {

    private final int limit;

    public StateSpaceTooLarge(int limit) {
        super("more than " + limit + " tangible markings (exploration stopped there; raise the limit, "
                + "shrink the model or simulate it)");
        this.limit = limit;
    }

    public int limit() {
        return limit;
    }
}
