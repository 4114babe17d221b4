package io.credence.ledger;

import java.util.ArrayList;

/**
 * How to take back each mutation of a linked chain, in order, so that a later step's rejection
 * can return the ledger to where the chain began. Outside a chain it records nothing: every
 * mutation asks {@link #recording()} first, so a single command allocates no undo step.
 */
final class UndoLog {
    /** Non-null while a linked chain runs. */
    private ArrayList<Runnable> steps;

    boolean recording() {
        return steps != null;
    }

    /** Only while {@link #recording()}: the caller checks first, and allocates the step only then. */
    void add(Runnable step) {
        steps.add(step);
    }

    void begin() {
        LedgerInvariants.check(steps == null, "linked chains do not nest");
        steps = new ArrayList<>();
    }

    /** Takes back every mutation since {@link #begin()}, newest first. */
    void rollback() {
        for (int u = steps.size() - 1; u >= 0; u--) {
            steps.get(u).run();
        }
    }

    void end() {
        steps = null;
    }
}
