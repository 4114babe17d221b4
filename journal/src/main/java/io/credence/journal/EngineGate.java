package io.credence.journal;

import io.credence.charging.EngineCommand;
import io.credence.charging.EngineOutcome;
import io.credence.charging.EngineView;
import io.credence.ledger.Command;
import io.credence.ledger.LedgerView;
import io.credence.ledger.Outcome;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The way into the charging engine for the protocol adapters: commands in, outcomes out, reads
 * that see exactly what was acknowledged. One node's journaled writer ({@link DurableEngine}) and
 * a replica of a Raft group (the cluster module) both offer it, so an adapter does not know, or
 * need to know, whether its answer waited for one disk or for a majority of machines.
 */
public interface EngineGate extends AutoCloseable {
    /** Queues a ledger command; the answer completes once it is durable. */
    Submission<Outcome> submit(Command command);

    /** Queues an engine command; the answer completes once it is durable. */
    Submission<EngineOutcome> submit(EngineCommand command);

    /**
     * Queues a command whose outcome goes to {@code then}, run on {@code answers} once the command
     * is durable; {@code then} gets the outcome, or the failure that kept it from being applied.
     */
    Submission<Void> submit(EngineCommand command, Executor answers, BiConsumer<EngineOutcome, Throwable> then);

    /** Commands applied in this order and answered together once all are durable. */
    Submission<EngineOutcome[]> submitAll(List<? extends EngineCommand> commands);

    /** A read in order with the commands: it sees exactly the acknowledged state. Keep it short. */
    <T> Submission<T> queryEngine(Function<EngineView, T> query);

    default <T> Submission<T> query(Function<LedgerView, T> query) {
        return queryEngine(view -> query.apply(view.ledger()));
    }

    /** As {@link #queryEngine}, as a future: one that fails when the engine is busy or stopped. */
    default <T> CompletableFuture<T> ask(Function<EngineView, T> query) {
        return switch (queryEngine(query)) {
            case Submission.Accepted<T> accepted -> accepted.answer();
            case Submission.Busy<T> busy -> CompletableFuture.failedFuture(new IllegalStateException(
                    "engine queue full (" + busy.queueMax() + ")"));
            case Submission.Stopped<T> stopped -> CompletableFuture.failedFuture(new IllegalStateException(
                    stopped.reason()));
            case Submission.TooLarge<T> impossible -> throw new IllegalStateException("a query has no record");
        };
    }

    /** Commands and reads waiting. */
    int queueDepth();

    /** Whether it accepts work: false once it failed or was closed. */
    boolean writerAlive();

    /** The most commands {@link #submitAll} takes at once. */
    int batchMax();

    /** How the engine is replicated now (role, term, indexes), for /health; empty for a single node's journal. */
    default java.util.Map<String, Object> replication() {
        return java.util.Map.of();
    }

    /** How this engine came up (what recovery read and replayed, or the replica it is), for logs and /health. */
    String startReport();

    /** Stops taking work, answers or fails what is queued, and releases what it holds. */
    @Override
    void close() throws java.io.IOException;
}
