package io.credence.journal;

import java.util.concurrent.CompletableFuture;

/**
 * What a submitter gets back at once: either a future answer, or Busy when the bounded queue is
 * full (back-pressure is a value, so the edge maps it to Diameter 3004 or HTTP 503 in one place).
 */
public sealed interface Submission<T> {
    record Accepted<T>(CompletableFuture<T> answer) implements Submission<T> {}

    record Busy<T>(int queueMax) implements Submission<T> {}

    /** Refused before queueing: the encoded command is larger than a journal record may be. */
    record TooLarge<T>(int bytes, int recordBytesMax) implements Submission<T> {}

    /** The writer stopped (shut down, or a disk failure made it stop accepting). */
    record Stopped<T>(String reason) implements Submission<T> {}
}
