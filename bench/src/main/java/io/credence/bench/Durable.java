package io.credence.bench;

import io.credence.journal.DurableEngine;
import io.credence.journal.JournalConfig;
import io.credence.journal.Submission;
import io.credence.ledger.Command;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Outcome;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/** Helpers shared by the programs that drive a {@link DurableEngine}. */
final class Durable {
    private Durable() {}

    static LedgerLimits limits(int accounts, int requestIdsMax, long retentionMillis, int transfersRetainedMax) {
        return new LedgerLimits(accounts + 16, 32, 1_000_000, 24 * 3600_000L, requestIdsMax, retentionMillis,
                transfersRetainedMax);
    }

    static DurableEngine open(Path dir, JournalConfig config, LedgerLimits limits) throws IOException {
        return DurableEngine.open(dir, config, limits, System::currentTimeMillis, failure -> {
            System.err.println("FATAL: ledger writer failed: " + failure);
            failure.printStackTrace();
            Runtime.getRuntime().halt(3);
        });
    }

    /** Submits, retrying while the queue is full; {@code busy} counts the refusals. */
    static CompletableFuture<Outcome> submit(DurableEngine ledger, Command command, LongAdder busy) {
        while (true) {
            switch (ledger.submit(command)) {
                case Submission.Accepted<Outcome>(CompletableFuture<Outcome> answer) -> {
                    return answer;
                }
                case Submission.Busy<Outcome> ignored -> {
                    busy.increment();
                    Thread.yield();
                }
                case Submission.TooLarge<Outcome>(int bytes, int max) ->
                        throw new IllegalStateException("command of " + bytes + " bytes over " + max);
                case Submission.Stopped<Outcome>(String reason) -> throw new IllegalStateException(reason);
            }
        }
    }

    /**
     * Creates the operator and {@code accounts} subscribers through the journal, keeping up to
     * {@code window} submissions in flight.
     */
    static void setUpSubscribers(DurableEngine ledger, int accounts, long startMillis, int window) {
        LongAdder busy = new LongAdder();
        expectAccepted(submit(ledger, Subscribers.createOperator(), busy).join());
        ArrayDeque<CompletableFuture<Outcome>> inFlight = new ArrayDeque<>();
        for (int i = 0; i < accounts; i++) {
            for (Command c : Subscribers.setUp(i, startMillis)) {
                inFlight.add(submit(ledger, c, busy));
                while (inFlight.size() > window) {
                    expectAccepted(inFlight.poll().join());
                }
            }
        }
        while (!inFlight.isEmpty()) {
            expectAccepted(inFlight.poll().join());
        }
    }

    private static void expectAccepted(Outcome outcome) {
        if (!outcome.accepted()) {
            throw new IllegalStateException("set-up command rejected: " + outcome);
        }
    }
}
