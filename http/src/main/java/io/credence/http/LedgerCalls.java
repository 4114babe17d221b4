package io.credence.http;

import io.credence.journal.EngineGate;
import io.credence.journal.Submission;
import io.credence.ledger.Command;
import io.credence.ledger.LedgerView;
import io.credence.ledger.Operation;
import io.credence.ledger.Outcome;
import io.credence.ledger.Rejection;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The API's way into the ledger: commands and questions join the durable engine's queue and the
 * HTTP worker waits for the answer. A full queue, a command too large to journal, a stopped
 * engine or a late answer each become a problem (503, 413, 504) rather than a request left hanging.
 */
final class LedgerCalls {
    /** How long a worker waits for an answer: from the ledger, or from a Diameter peer ({@link SessionsApi}). */
    static final long ANSWER_TIMEOUT_SECONDS = 30;

    private final EngineGate ledger;

    LedgerCalls(EngineGate ledger) {
        this.ledger = ledger;
    }

    /**
     * One ledger command; a rejection becomes its problem document, an outcome the answer with
     * {@code successStatus}, led by the request id.
     */
    Reply command(String requestId, Operation operation, int successStatus) {
        Outcome outcome = submit(new Command(requestId, operation));
        if (outcome instanceof Rejection rejection) {
            return Reply.problem(Problem.of(rejection));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("requestId", requestId);
        body.putAll(Views.outcome(outcome));
        return Reply.json(successStatus, body);
    }

    /** The outcome as it is, for a caller that reads more into it than {@link #command} does. */
    Outcome submit(Command command) {
        return await(ledger.submit(command));
    }

    <T> T query(Function<LedgerView, T> question) {
        return await(ledger.query(question));
    }

    private static <T> T await(Submission<T> submission) {
        CompletableFuture<T> answer = switch (submission) {
            case Submission.Accepted<T> accepted -> accepted.answer();
            case Submission.Busy<T> busy -> throw new ApiError(503, "busy", null,
                    "the ledger queue is full (" + busy.queueMax() + " waiting); retry shortly");
            case Submission.TooLarge<T> tooLarge -> throw new ApiError(413, "too-large", null,
                    "the command encodes to " + tooLarge.bytes() + " bytes, more than " + tooLarge.recordBytesMax());
            case Submission.Stopped<T> stopped -> throw new ApiError(503, "stopped", null, stopped.reason());
        };
        try {
            return answer.get(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException slow) {
            throw new ApiError(504, "timeout", null, "no answer from the ledger within " + ANSWER_TIMEOUT_SECONDS + " s");
        } catch (ExecutionException failed) {
            throw new ApiError(503, "stopped", null, "the ledger failed: " + failed.getCause().getMessage());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "stopped", null, "interrupted while waiting for the ledger");
        }
    }
}
