package io.credence.ledger;

/**
 * One named sequence stream of an account (see {@link Operation.Advance}). Owned and mutated only
 * by the {@link Ledger} thread; a small class rather than a record because an advance changes it
 * in place, and an account keeps a few of them for as long as it exists.
 */
final class SequenceStream {
    final String name;
    /** The last accepted sequence number; 0 only before the first advance (never seen outside). */
    long lastSeq;
    /** The sum of the amounts of every accepted advance. */
    long total;

    SequenceStream(String name) {
        this.name = name;
    }

    SequenceView view() {
        return new SequenceView(name, lastSeq, total);
    }
}
