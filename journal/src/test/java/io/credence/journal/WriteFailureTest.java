package io.credence.journal;

import io.credence.ledger.Outcome;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.credence.journal.JournalTestSupport.applyAccepted;
import static io.credence.journal.JournalTestSupport.create;
import static io.credence.journal.JournalTestSupport.moneyTotal;
import static io.credence.journal.JournalTestSupport.sleepMillis;
import static io.credence.journal.JournalTestSupport.topUp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real write failures, no mocks: a journal segment that is Linux's /dev/full (every write fails
 * with ENOSPC, as on a full disk), and a snapshot whose temporary file cannot be created.
 */
class WriteFailureTest {
    static final Path DEV_FULL = Path.of("/dev/full");

    final JournalTestSupport support = new JournalTestSupport();

    @TempDir
    Path dir;

    /**
     * The disk is full: the batch's answer is a failure, never an outcome (the state in memory is
     * ahead of the disk), onFatal hears about it once, and from then on everything is Stopped.
     */
    @Test
    void aFailedJournalWriteIsFatalAndNoAnswerLeaves() throws Exception {
        assumeTrue(Files.isWritable(DEV_FULL), "needs Linux /dev/full");
        Files.createSymbolicLink(JournalFormat.segment(dir, 1), DEV_FULL);
        DurableEngine ledger = support.open(dir);
        try {
            Submission<Outcome> submitted = ledger.submit(create("c-alice", "alice"));
            CompletableFuture<Outcome> answer = ((Submission.Accepted<Outcome>) submitted).answer();
            assertThat(answer).failsWithin(10, TimeUnit.SECONDS).withThrowableThat()
                    .havingCause().isInstanceOf(IOException.class);

            awaitFatal();
            assertThat(support.fatal).hasSize(1).first().isInstanceOf(IOException.class);
            Submission<Outcome> after = ledger.submit(create("c-bob", "bob"));
            assertThat(after).isInstanceOf(Submission.Stopped.class);
            assertThat(((Submission.Stopped<Outcome>) after).reason()).contains("failed");
            assertThat(ledger.query(l -> l.accountCount())).isInstanceOf(Submission.Stopped.class);
        } finally {
            ledger.close();
        }
        assertThat(support.fatal).hasSize(1);
    }

    /**
     * A snapshot cannot be written (its temporary name is taken by a directory). The commands
     * were answered from the forced journal, so nothing acknowledged is lost; the writer stops.
     */
    @Test
    void aFailedSnapshotIsFatalButEveryAnsweredCommandSurvives() throws Exception {
        JournalConfig config = JournalTestSupport.CONFIG.withSnapshotEveryRecords(3);
        Path blocker = dir.resolve(JournalFormat.snapshot(dir, 3).getFileName() + ".tmp");
        Files.createDirectories(blocker);
        DurableEngine ledger = support.open(dir, config);
        try {
            applyAccepted(ledger, create("c-alice", "alice"));
            applyAccepted(ledger, topUp("t-1", "alice", 10));
            applyAccepted(ledger, topUp("t-2", "alice", 20));
            awaitFatal();
            assertThat(support.fatal).hasSize(1).first().isInstanceOf(IOException.class);
            assertThat(ledger.submit(topUp("t-3", "alice", 40))).isInstanceOf(Submission.Stopped.class);
        } finally {
            ledger.close();
        }
        Files.delete(blocker);
        support.fatal.clear();
        try (DurableEngine reopened = support.open(dir, config)) {
            assertThat(reopened.recovery().lastSeq()).isEqualTo(3);
            assertThat(moneyTotal(reopened, "alice")).isEqualTo(30);
        }
        assertThat(support.fatal).isEmpty();
    }

    /** onFatal runs on the writer thread after the failed answers are out; wait for it. */
    private void awaitFatal() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (support.fatal.isEmpty() && System.nanoTime() < deadline) {
            sleepMillis(5);
        }
    }
}
