package io.credence.devices;

import io.credence.journal.EngineGate;
import io.credence.journal.Submission;
import io.credence.ledger.LedgerView;
import io.credence.ledger.Command;
import io.credence.ledger.Ledger;
import io.credence.ledger.Outcome;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/** Submits to the durable ledger and waits; a full queue or a stopped writer becomes {@link LedgerUnavailable}. */
final class LedgerGate {
    static final long ANSWER_TIMEOUT_SECONDS = 30;

    private final EngineGate ledger;

    LedgerGate(EngineGate ledger) {
        this.ledger = ledger;
    }

    Outcome submit(Command command) {
        return await(ledger.submit(command));
    }

    io.credence.charging.EngineOutcome apply(io.credence.charging.EngineCommand command) {
        return await(ledger.submit(command));
    }

    <T> T query(Function<LedgerView, T> query) {
        return await(ledger.query(query));
    }

    <T> T queryEngine(Function<io.credence.charging.EngineView, T> query) {
        return await(ledger.queryEngine(query));
    }

    private static <T> T await(Submission<T> submission) {
        CompletableFuture<T> answer = switch (submission) {
            case Submission.Accepted<T> accepted -> accepted.answer();
            case Submission.Busy<T> busy -> throw new LedgerUnavailable("the ledger queue is full (" + busy.queueMax()
                    + " waiting); retry shortly", true);
            case Submission.TooLarge<T> tooLarge -> throw new IllegalStateException("a device command encodes to "
                    + tooLarge.bytes() + " bytes, more than a journal record (" + tooLarge.recordBytesMax() + ")");
            case Submission.Stopped<T> stopped -> throw new LedgerUnavailable(stopped.reason(), false);
        };
        try {
            return answer.get(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException slow) {
            throw new LedgerUnavailable("no answer from the ledger within " + ANSWER_TIMEOUT_SECONDS + " s", true);
        } catch (ExecutionException failed) {
            throw new LedgerUnavailable("the ledger failed: " + failed.getCause().getMessage(), false);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new LedgerUnavailable("interrupted while waiting for the ledger", false);
        }
    }
}
