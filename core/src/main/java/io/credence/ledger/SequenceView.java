package io.credence.ledger;

/**
 * A sequence stream as seen from outside: the last sequence number accepted and the sum of the
 * amounts reported with the accepted ones.
 */
public record SequenceView(String stream, long lastSeq, long total) {}
