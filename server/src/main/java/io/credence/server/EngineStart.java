package io.credence.server;

import io.credence.charging.EngineCommand;
import io.credence.charging.EngineConfig;
import io.credence.charging.EngineOutcome;
import io.credence.journal.DurableEngine;
import io.credence.journal.Submission;

import java.util.concurrent.TimeUnit;

/** What the server tells the engine as it starts, and on a catalog reload: each a journaled command. */
final class EngineStart {
    private static final long ANSWER_SECONDS = 30;

    private EngineStart() {}

    /** The serve options' configuration, when it differs from what the engine has (no record for nothing). */
    static void configure(DurableEngine engine, EngineConfig config) throws Exception {
        EngineConfig current = await(engine.queryEngine(view -> view.config()));
        if (!current.equals(config)) {
            await(engine.submit(new EngineCommand.Configure(config)));
        }
    }

    /** Puts a catalog's source in force: null when it is, else why the engine refused it. */
    static String install(DurableEngine engine, byte[] source) {
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
