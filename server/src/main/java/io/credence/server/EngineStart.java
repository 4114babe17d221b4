package io.credence.server;

import io.credence.charging.EngineCommand;
import io.credence.charging.EngineConfig;
import io.credence.charging.EngineOutcome;
import io.credence.journal.EngineGate;
import io.credence.journal.Submission;

import java.util.concurrent.TimeUnit;

/** What the server tells the engine as it starts, and on a catalog reload: each a journaled command. */
final class EngineStart {
    private static final long ANSWER_SECONDS = 30;

    private EngineStart() {}

    /** The serve options' configuration, when it differs from what the engine has (no record for nothing). */
    static void configure(EngineGate engine, EngineConfig config) throws Exception {
        EngineConfig current = untilAnswered(() -> await(engine.queryEngine(view -> view.config())));
        if (!current.equals(config)) {
            untilAnswered(() -> await(engine.submit(new EngineCommand.Configure(config))));
        }
    }

    /** How long a starting node of a Raft group waits for a majority of its peers to be up. */
    private static final long QUORUM_WAIT_SECONDS = 300;

    /**
     * Asks again while the engine fails to answer: a node of a Raft group that starts before a
     * majority of its peers has no leader to answer it yet (its client gives up after ~10 s). A
     * single node's journal answers at once or has failed for good, and that failure is final.
     */
    private static <T> T untilAnswered(java.util.concurrent.Callable<T> ask) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(QUORUM_WAIT_SECONDS);
        while (true) {
            try {
                return ask.call();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException noLeaderYet) {
                if (System.nanoTime() > deadline) {
                    throw noLeaderYet;
                }
                System.getLogger(EngineStart.class.getName()).log(System.Logger.Level.WARNING,
                        "the engine did not answer at start-up, asking again (a Raft node waits for a majority of "
                                + "its peers): " + noLeaderYet.getMessage());
            }
        }
    }

    /** Puts a catalog's source in force: null when it is, else why the engine refused it. */
    static String install(EngineGate engine, byte[] source) {
        try {
            EngineOutcome.CatalogInstalled installed = (EngineOutcome.CatalogInstalled)
                    await(engine.submit(new EngineCommand.InstallCatalog(source)));
            return installed.refusal();
        } catch (Exception failed) {
            return failed.getMessage();
        }
    }

    private static <T> T await(Submission<T> submission) throws Exception {
        return switch (submission) {
            case Submission.Accepted<T> accepted -> accepted.answer().get(ANSWER_SECONDS, TimeUnit.SECONDS);
            case Submission.Busy<T> busy -> throw new IllegalStateException("engine busy (" + busy.queueMax() + ")");
            case Submission.Stopped<T> stopped -> throw new IllegalStateException(stopped.reason());
            case Submission.TooLarge<T> tooLarge -> throw new IllegalStateException("a command of " + tooLarge.bytes()
                    + " bytes exceeds a journal record (" + tooLarge.recordBytesMax() + ")");
        };
    }
}
