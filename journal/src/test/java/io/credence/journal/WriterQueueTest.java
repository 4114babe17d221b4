package io.credence.journal;

import io.credence.ledger.ByteArrayDataOutput;
import io.credence.ledger.Command;
import io.credence.ledger.CommandCodec;
import io.credence.ledger.Operation;
import io.credence.ledger.Outcome;
import io.credence.ledger.Unit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.credence.journal.JournalTestSupport.CONFIG;
import static io.credence.journal.JournalTestSupport.allRecords;
import static io.credence.journal.JournalTestSupport.answer;
import static io.credence.journal.JournalTestSupport.apply;
import static io.credence.journal.JournalTestSupport.applyAccepted;
import static io.credence.journal.JournalTestSupport.barrier;
import static io.credence.journal.JournalTestSupport.create;
import static io.credence.journal.JournalTestSupport.moneyTotal;
import static io.credence.journal.JournalTestSupport.query;
import static io.credence.journal.JournalTestSupport.topUp;
import static io.credence.journal.JournalTestSupport.transfer;
import static org.assertj.core.api.Assertions.assertThat;

/** The single writer and its bounded queue: group commit, back-pressure, size limits, shutdown. */
class WriterQueueTest {
    static final int SUBMITTERS = 64;
    static final int COMMANDS_EACH = 40;

    final JournalTestSupport support = new JournalTestSupport();

    @TempDir
    Path dir;

    @AfterEach
    void nothingFatal() {
        assertThat(support.fatal).isEmpty();
    }

    /**
     * 64 virtual threads submit at once. Each gets its own answers; the journal holds exactly one
     * record per command, in one gap-free sequence; the balances are the same after a reopen.
     */
    @Test
    void manyConcurrentSubmittersAllGetAnswersAndEveryCommandIsOneRecord() throws Exception {
        long[] expected = new long[SUBMITTERS];
        long poolExpected = (long) SUBMITTERS * (COMMANDS_EACH / 4);
        try (DurableEngine ledger = support.open(dir, CONFIG.withQueueMax(4096))) {
            applyAccepted(ledger, create("c-pool", "pool"));
            for (int t = 0; t < SUBMITTERS; t++) {
                applyAccepted(ledger, create("c-" + t, "sub-" + t));
            }
            int setup = 1 + SUBMITTERS;
            List<Future<List<Outcome>>> results = new ArrayList<>();
            CountDownLatch start = new CountDownLatch(1);
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int t = 0; t < SUBMITTERS; t++) {
                    int thread = t;
                    results.add(threads.submit(() -> {
                        start.await();
                        List<CompletableFuture<Outcome>> mine = new ArrayList<>();
                        for (int i = 0; i < COMMANDS_EACH; i++) {
                            Command command = i % 4 == 3
                                    ? transfer("x-" + thread + "-" + i, "sub-" + thread, "pool", 1)
                                    : topUp("t-" + thread + "-" + i, "sub-" + thread, i + 1);
                            mine.add(((Submission.Accepted<Outcome>) ledger.submit(command)).answer());
                        }
                        List<Outcome> outcomes = new ArrayList<>();
                        for (CompletableFuture<Outcome> f : mine) {
                            outcomes.add(f.get(10, TimeUnit.SECONDS));
                        }
                        return outcomes;
                    }));
                }
                start.countDown();
                for (int t = 0; t < SUBMITTERS; t++) {
                    List<Outcome> outcomes = results.get(t).get(20, TimeUnit.SECONDS);
                    assertThat(outcomes).hasSize(COMMANDS_EACH).allMatch(Outcome::accepted);
                }
            }
            for (int t = 0; t < SUBMITTERS; t++) {
                for (int i = 0; i < COMMANDS_EACH; i++) {
                    expected[t] += i % 4 == 3 ? -1 : i + 1;
                }
                assertThat(moneyTotal(ledger, "sub-" + t)).isEqualTo(expected[t]);
            }
            assertThat(moneyTotal(ledger, "pool")).isEqualTo(poolExpected);

            barrier(ledger);
            List<JournalTestSupport.RecordOnDisk> records = allRecords(dir);
            assertThat(records).hasSize(setup + SUBMITTERS * COMMANDS_EACH);
            for (int i = 0; i < records.size(); i++) {
                assertThat(records.get(i).seq()).isEqualTo(i + 1);
            }
        }
        try (DurableEngine ledger = support.open(dir)) {
            assertThat(ledger.recovery().lastSeq()).isEqualTo(1 + SUBMITTERS + SUBMITTERS * COMMANDS_EACH);
            for (int t = 0; t < SUBMITTERS; t++) {
                assertThat(moneyTotal(ledger, "sub-" + t)).isEqualTo(expected[t]);
            }
            assertThat(moneyTotal(ledger, "pool")).isEqualTo(poolExpected);
        }
    }

    /**
     * The writer is held inside a query; the queue fills up; from then on every submission is
     * Busy at once, and a Busy command leaves no trace: not applied, not journaled, its request id
     * still free.
     */
    @Test
    void aFullQueueAnswersBusyAtOnceAndBusyCommandsChangeNothing() throws Exception {
        int queueMax = 4;
        JournalConfig config = new JournalConfig(queueMax, 2, 4096, 0, 2, true);
        try (DurableEngine ledger = support.open(dir, config)) {
            applyAccepted(ledger, create("c-alice", "alice"));
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch proceed = new CountDownLatch(1);
            Submission<Boolean> blocker = ledger.query(l -> {
                entered.countDown();
                try {
                    return proceed.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            });
            assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();

            List<CompletableFuture<Outcome>> queued = new ArrayList<>();
            for (int i = 0; i < queueMax; i++) {
                Submission<Outcome> s = ledger.submit(topUp("t-" + i, "alice", 10));
                assertThat(s).isInstanceOf(Submission.Accepted.class);
                queued.add(((Submission.Accepted<Outcome>) s).answer());
            }
            assertThat(ledger.queueDepth()).isEqualTo(queueMax);

            long started = System.nanoTime();
            Submission<Outcome> busy = ledger.submit(topUp("t-busy", "alice", 1_000));
            Submission<Long> busyQuery = ledger.query(l -> 1L);
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertThat(busy).isEqualTo(new Submission.Busy<Outcome>(queueMax));
            assertThat(busyQuery).isEqualTo(new Submission.Busy<Long>(queueMax));
            assertThat(elapsedMillis).as("Busy is immediate, not a wait").isLessThan(1_000);
            assertThat(queued).noneMatch(CompletableFuture::isDone);

            proceed.countDown();
            assertThat(answer(blocker)).isTrue();
            for (CompletableFuture<Outcome> f : queued) {
                assertThat(f.get(10, TimeUnit.SECONDS).accepted()).isTrue();
            }
            assertThat(moneyTotal(ledger, "alice")).isEqualTo(10L * queueMax);
            barrier(ledger);
            assertThat(allRecords(dir)).as("Busy command not journaled").hasSize(1 + queueMax);
            // the Busy request id was never recorded, so a different operation under it is new
            assertThat(applyAccepted(ledger, topUp("t-busy", "alice", 5))).isInstanceOf(Outcome.ToppedUp.class);
            assertThat(moneyTotal(ledger, "alice")).isEqualTo(10L * queueMax + 5);
        }
    }

    @Test
    void anOversizeCommandIsRefusedBeforeQueueingAndOneAtTheLimitIsKept() throws Exception {
        int recordBytesMax = 256;
        JournalConfig config = new JournalConfig(64, 8, recordBytesMax, 0, 2, true);
        List<Operation.Step> steps = new ArrayList<>();
        for (int i = 0; i < Operation.Linked.STEPS_MAX; i++) {
            steps.add(new Operation.TopUp("system", "alice", Unit.MONEY, 1, null));
        }
        Command huge = new Command("linked-1", new Operation.Linked(steps));
        Command atLimit = linkedTopUpsOfSize(recordBytesMax - 8);
        Command overLimit = linkedTopUpsOfSize(recordBytesMax - 7);
        assertThat(encodedBytes(atLimit)).isEqualTo(recordBytesMax - 8);
        try (DurableEngine ledger = support.open(dir, config)) {
            applyAccepted(ledger, create("c-alice", "alice"));

            Submission<Outcome> refused = ledger.submit(huge);
            assertThat(refused).isEqualTo(new Submission.TooLarge<Outcome>(encodedBytes(huge) + 8, recordBytesMax));
            assertThat(ledger.submit(overLimit))
                    .isEqualTo(new Submission.TooLarge<Outcome>(recordBytesMax + 1, recordBytesMax));
            assertThat(applyAccepted(ledger, atLimit)).isInstanceOf(Outcome.LinkedApplied.class);
            assertThat(moneyTotal(ledger, "alice")).isEqualTo(8);
            barrier(ledger);
            assertThat(allRecords(dir)).hasSize(2);
            assertThat(allRecords(dir).get(1).length()).isEqualTo(recordBytesMax);
            JournalTestSupport.crashImage(ledger, dir, dir.resolve("crash"));
        }
        try (DurableEngine ledger = support.open(dir.resolve("crash"), config)) {
            assertThat(ledger.recovery().recordsReplayed()).as("a record of exactly recordBytesMax replays").isEqualTo(2);
            assertThat(moneyTotal(ledger, "alice")).isEqualTo(8);
        }
    }

    /**
     * Eight linked top-ups of 1 to alice under a request id padded so that the encoded command is
     * exactly {@code bytes} long (a request id alone cannot reach 248 bytes).
     */
    private static Command linkedTopUpsOfSize(int bytes) {
        int base = encodedBytes(linkedTopUps("x"));
        String requestId = "x".repeat(bytes - base + 1);
        assertThat(requestId.length()).isBetween(1, io.credence.ledger.Ids.REQUEST_ID_LENGTH_MAX);
        return linkedTopUps(requestId);
    }

    private static Command linkedTopUps(String requestId) {
        List<Operation.Step> steps = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            steps.add(new Operation.TopUp("system", "alice", Unit.MONEY, 1, null));
        }
        return new Command(requestId, new Operation.Linked(steps));
    }

    private static int encodedBytes(Command command) {
        ByteArrayDataOutput out = new ByteArrayDataOutput(256);
        try {
            CommandCodec.write(out, command);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        return out.size();
    }

    /**
     * close() while the writer is held and commands are queued: the queued ones are applied,
     * answered and durable; anything submitted once close() has begun is Stopped.
     */
    @Test
    void closeAnswersEverythingQueuedAndLaterSubmissionsAreStopped() throws Exception {
        int queued = 50;
        DurableEngine ledger = support.open(dir);
        applyAccepted(ledger, create("c-alice", "alice"));
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        ledger.query(l -> {
            entered.countDown();
            try {
                return proceed.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return false;
            }
        });
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
        List<CompletableFuture<Outcome>> answers = new ArrayList<>();
        for (int i = 0; i < queued; i++) {
            answers.add(((Submission.Accepted<Outcome>) ledger.submit(topUp("t-" + i, "alice", 1))).answer());
        }
        CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> {
            try {
                ledger.close();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        List<CompletableFuture<Outcome>> probes = new ArrayList<>();
        Submission<Outcome> late = awaitStopped(ledger, probes);
        assertThat(((Submission.Stopped<Outcome>) late).reason()).contains("shut down");
        assertThat(closing).isNotDone();

        proceed.countDown();
        closing.get(10, TimeUnit.SECONDS);
        for (CompletableFuture<Outcome> f : answers) {
            assertThat(f).isDone();
            assertThat(f.get().accepted()).isTrue();
        }
        for (CompletableFuture<Outcome> f : probes) {
            assertThat(f).isDone();
            assertThat(f.get().accepted()).isTrue();
        }
        assertThat(ledger.submit(topUp("t-after", "alice", 1))).isInstanceOf(Submission.Stopped.class);
        assertThat(ledger.query(l -> 1)).isInstanceOf(Submission.Stopped.class);

        try (DurableEngine reopened = support.open(dir)) {
            assertThat(moneyTotal(reopened, "alice")).isEqualTo(queued);
            assertThat(reopened.recovery().lastSeq()).isEqualTo(1 + queued + probes.size());
        }
    }

    /** Submits probes until close() has begun; probes accepted before that are applied like any command. */
    private static Submission<Outcome> awaitStopped(DurableEngine ledger, List<CompletableFuture<Outcome>> accepted) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            int probe = accepted.size();
            Submission<Outcome> s = ledger.submit(create("probe-" + probe, "probe-" + probe));
            switch (s) {
                case Submission.Stopped<Outcome> stopped -> {
                    return stopped;
                }
                case Submission.Accepted<Outcome> a -> accepted.add(a.answer());
                case Submission.Busy<Outcome> busy -> { } // the writer is held; a slow close() lets the queue fill
                case Submission.TooLarge<Outcome> tooLarge -> throw new AssertionError(tooLarge.toString());
            }
            JournalTestSupport.sleepMillis(2);
        }
        throw new AssertionError("close() never stopped submissions");
    }

    /** A query that throws fails only its own future; the writer carries on. */
    @Test
    void aFailingQueryFailsOnlyItsOwnAnswer() throws Exception {
        try (DurableEngine ledger = support.open(dir)) {
            Submission<Object> bad = ledger.query(l -> {
                throw new IllegalArgumentException("query bug");
            });
            CompletableFuture<Object> failed = ((Submission.Accepted<Object>) bad).answer();
            assertThat(failed).failsWithin(5, TimeUnit.SECONDS).withThrowableThat()
                    .havingCause().isInstanceOf(IllegalArgumentException.class).withMessage("query bug");
            assertThat(apply(ledger, create("c-alice", "alice")).accepted()).isTrue();
            int accounts = query(ledger, l -> l.accountCount());
            assertThat(accounts).isEqualTo(2);
        }
    }

    /**
     * Submitters racing with close(): every submission is either Stopped or Accepted, and every
     * Accepted one gets an answer (an outcome, or a clear failure), never silence.
     */
    @Test
    void submissionsRacingCloseAreNeverLeftUnanswered() throws Exception {
        for (int round = 0; round < 5; round++) {
            Path roundDir = dir.resolve("round-" + round);
            DurableEngine ledger = support.open(roundDir);
            applyAccepted(ledger, create("c-alice", "alice"));
            List<CompletableFuture<Outcome>> accepted = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch go = new CountDownLatch(1);
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int t = 0; t < 16; t++) {
                    int thread = t;
                    threads.submit(() -> {
                        go.await();
                        for (int i = 0; ; i++) {
                            Submission<Outcome> s = ledger.submit(topUp("t-" + thread + "-" + i, "alice", 1));
                            if (s instanceof Submission.Accepted<Outcome> a) {
                                accepted.add(a.answer());
                            } else if (s instanceof Submission.Stopped<Outcome>) {
                                return null;
                            }
                        }
                    });
                }
                go.countDown();
                JournalTestSupport.sleepMillis(20);
                ledger.close();
            }
            long applied = 0;
            for (CompletableFuture<Outcome> f : accepted) {
                // an outcome, or the clear "shut down" failure for one that slipped in late
                CompletableFuture<Boolean> settled = f.handle((outcome, failure) -> outcome != null);
                assertThat(settled).as("an accepted submission is answered").succeedsWithin(5, TimeUnit.SECONDS);
                applied += settled.get() ? 1 : 0;
            }
            try (DurableEngine reopened = support.open(roundDir)) {
                assertThat(moneyTotal(reopened, "alice")).isEqualTo(applied);
            }
        }
    }
}
