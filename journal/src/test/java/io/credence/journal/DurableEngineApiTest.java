package io.credence.journal;

import io.credence.charging.CatalogReader;
import io.credence.charging.ChargingRequest;
import io.credence.charging.ChargingResult;
import io.credence.charging.EngineCodec;
import io.credence.charging.EngineCommand;
import io.credence.charging.EngineConfig;
import io.credence.charging.EngineOutcome;
import io.credence.charging.ServiceKey;
import io.credence.ledger.Command;
import io.credence.ledger.IdentityType;
import io.credence.ledger.Ids;
import io.credence.ledger.Operation;
import io.credence.ledger.Outcome;
import io.credence.ledger.ReservationStatus;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;
import io.credence.records.UsageRecord;
import io.credence.records.UsageSink;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;

import static io.credence.journal.JournalTestSupport.allRecords;
import static io.credence.journal.JournalTestSupport.answer;
import static io.credence.journal.JournalTestSupport.applyAccepted;
import static io.credence.journal.JournalTestSupport.barrier;
import static io.credence.journal.JournalTestSupport.create;
import static io.credence.journal.JournalTestSupport.moneyTotal;
import static io.credence.journal.JournalTestSupport.query;
import static io.credence.journal.JournalTestSupport.reserve;
import static io.credence.journal.JournalTestSupport.createOperator;
import static io.credence.journal.JournalTestSupport.topUp;
import static io.credence.journal.JournalTestSupport.transfer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * The durable engine's ways in and out beyond single ledger commands: batches handed over
 * together, commands answered on an executor, engine queries and futures, the refusals (busy, too
 * large, stopped) of each, the force per batch, usage records written before answers and again on
 * replay, and what close() leaves behind.
 */
class DurableEngineApiTest {
    final JournalTestSupport support = new JournalTestSupport();

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- helpers

    static EngineCommand ledger(Command command) {
        return new EngineCommand.LedgerCommand(command);
    }

    static Outcome ledgerOutcome(EngineOutcome outcome) {
        return ((EngineOutcome.LedgerOutcome) outcome).outcome();
    }

    /** Holds the writer inside a query until closed, so that what is submitted meanwhile waits in the queue. */
    static final class Hold implements AutoCloseable {
        private final CountDownLatch entered = new CountDownLatch(1);
        private final CountDownLatch proceed = new CountDownLatch(1);
        private final Submission<Boolean> held;

        Hold(DurableEngine engine) throws InterruptedException {
            held = engine.query(l -> {
                entered.countDown();
                try {
                    return proceed.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            });
            assertThat(held).isInstanceOf(Submission.Accepted.class);
            assertThat(entered.await(5, TimeUnit.SECONDS)).as("the writer took the holding query").isTrue();
        }

        @Override
        public void close() {
            proceed.countDown();
            assertThat(answer(held)).isTrue();
        }
    }

    static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            JournalTestSupport.sleepMillis(2);
        }
    }

    /** An executor that runs each task at once, on the writer, counting the answers each task carries. */
    static final class CountingExecutor implements Executor {
        final List<Integer> answersPerTask = new CopyOnWriteArrayList<>();
        final AtomicInteger answered = new AtomicInteger();

        @Override
        public void execute(Runnable task) {
            int before = answered.get();
            task.run();
            answersPerTask.add(answered.get() - before);
        }
    }

    record Answer(EngineOutcome outcome, Throwable failure) {}

    /** Eight linked top-ups of 1 to alice under a request id padded so the encoded engine command is {@code bytes} long. */
    static EngineCommand linkedTopUpsOfSize(int bytes) {
        int base = EngineCodec.encode(ledger(linkedTopUps("x"))).length;
        String requestId = "x".repeat(bytes - base + 1);
        assertThat(requestId.length()).isBetween(1, Ids.REQUEST_ID_LENGTH_MAX);
        EngineCommand command = ledger(linkedTopUps(requestId));
        assertThat(EngineCodec.encode(command)).hasSize(bytes);
        return command;
    }

    private static Command linkedTopUps(String requestId) {
        List<Operation.Step> steps = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            steps.add(new Operation.TopUp("system", "alice", Unit.MONEY, 1, null));
        }
        return new Command(requestId, new Operation.Linked(steps));
    }

    // ---------------------------------------------------------------- submitAll

    @Test
    void aBatchIsAppliedInOrderJournaledRecordByRecordForcedOnceAndAnsweredTogether() throws Exception {
        List<Long> forces = new CopyOnWriteArrayList<>();
        try (DurableEngine engine = support.open(dir)) {
            engine.observeForce(forces::add);
            long started = System.nanoTime();
            EngineOutcome[] outcomes = answer(engine.submitAll(List.of(ledger(create("c-alice", "alice")),
                    ledger(topUp("t-1", "alice", 10)), ledger(topUp("t-2", "alice", 20)),
                    ledger(transfer("x-1", "alice", "nobody", 5)))));
            long elapsed = System.nanoTime() - started;

            assertThat(outcomes).hasSize(4);
            assertThat(ledgerOutcome(outcomes[0]).accepted()).isTrue();
            assertThat(ledgerOutcome(outcomes[1])).isInstanceOf(Outcome.ToppedUp.class);
            assertThat(ledgerOutcome(outcomes[2])).isInstanceOf(Outcome.ToppedUp.class);
            assertThat(ledgerOutcome(outcomes[3]).accepted()).as("no such account").isFalse();
            assertThat(moneyTotal(engine, "alice")).isEqualTo(30);
            assertThat(forces).as("one force for the whole batch").hasSize(1);
            assertThat(forces.get(0)).isBetween(0L, elapsed);
            assertThat(allRecords(dir)).extracting(JournalTestSupport.RecordOnDisk::seq).containsExactly(1L, 2L, 3L, 4L);

            // a query alone writes nothing, so it forces nothing
            int accounts = query(engine, l -> l.accountCount());
            assertThat(accounts).isEqualTo(2);
            assertThat(engine.ask(v -> v.ledger().accountCount()).get(5, TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(forces).hasSize(1);
            assertThat(engine.config()).isSameAs(JournalTestSupport.CONFIG);
        }
    }

    @Test
    void withoutFsyncNothingIsForcedButEverythingIsWritten() throws Exception {
        JournalConfig noFsync = new JournalConfig(1024, 64, 4096, 0, 2, false);
        List<Long> forces = new CopyOnWriteArrayList<>();
        try (DurableEngine engine = support.open(dir, noFsync)) {
            engine.observeForce(forces::add);
            answer(engine.submitAll(List.of(ledger(create("c-alice", "alice")), ledger(topUp("t-1", "alice", 10)))));
            assertThat(forces).isEmpty();
            assertThat(allRecords(dir)).hasSize(2);
        }
    }

    @Test
    void aBatchHoldsOneToBatchMaxCommands() throws Exception {
        try (DurableEngine engine = support.open(dir)) {
            int batchMax = JournalTestSupport.CONFIG.batchMax();
            assertThatThrownBy(() -> engine.submitAll(List.of())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("a batch holds 1.." + batchMax + " commands, not 0");
            List<EngineCommand> tooMany = new ArrayList<>();
            for (int i = 0; i <= batchMax; i++) {
                tooMany.add(ledger(create("c-" + i, "a" + i)));
            }
            assertThatThrownBy(() -> engine.submitAll(tooMany)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("a batch holds 1.." + batchMax + " commands, not " + (batchMax + 1));
            assertThat(engine.queueDepth()).isZero();

            EngineOutcome[] full = answer(engine.submitAll(tooMany.subList(0, batchMax)));
            assertThat(full).hasSize(batchMax).allSatisfy(o -> assertThat(ledgerOutcome(o).accepted()).isTrue());
            EngineOutcome[] one = answer(engine.submitAll(List.of(ledger(create("c-last", "last")))));
            assertThat(one).hasSize(1);
            barrier(engine);
            assertThat(allRecords(dir)).hasSize(batchMax + 1);
        }
    }

    @Test
    void aBatchWithACommandOverTheRecordBoundIsRefusedWholeAndOneAtTheBoundIsKept() throws Exception {
        JournalConfig small = new JournalConfig(64, 8, 256, 0, 2, true);
        try (DurableEngine engine = support.open(dir, small)) {
            applyAccepted(engine, create("c-alice", "alice"));
            EngineCommand atLimit = linkedTopUpsOfSize(256 - 8);
            EngineCommand overLimit = linkedTopUpsOfSize(256 - 7);

            Submission<EngineOutcome[]> refused = engine.submitAll(List.of(ledger(topUp("t-1", "alice", 5)), overLimit));
            assertThat(refused).isEqualTo(new Submission.TooLarge<EngineOutcome[]>(257, 256));
            assertThat(engine.queueDepth()).isZero();

            EngineOutcome[] kept = answer(engine.submitAll(List.of(ledger(topUp("t-1", "alice", 5)), atLimit)));
            assertThat(ledgerOutcome(kept[1])).isInstanceOf(Outcome.LinkedApplied.class);
            assertThat(moneyTotal(engine, "alice")).isEqualTo(5 + 8);
            barrier(engine);
            assertThat(allRecords(dir)).hasSize(3);
            assertThat(allRecords(dir).get(2).length()).isEqualTo(256);

            // the same bounds for a command answered on an executor
            assertThat(engine.submit(overLimit, Runnable::run, (o, t) -> { }))
                    .isEqualTo(new Submission.TooLarge<Void>(257, 256));
            List<Answer> answers = new CopyOnWriteArrayList<>();
            Submission<Void> accepted = engine.submit(linkedTopUpsOfSize(256 - 8), Runnable::run,
                    (o, t) -> answers.add(new Answer(o, t)));
            assertThat(accepted).isInstanceOf(Submission.Accepted.class);
            await(() -> answers.size() == 1, "the handed answer");
            assertThat(ledgerOutcome(answers.get(0).outcome())).isInstanceOf(Outcome.LinkedApplied.class);
            // and for one alone
            assertThat(engine.submit(overLimit)).isEqualTo(new Submission.TooLarge<EngineOutcome>(257, 256));
        }
    }

    /** Queue accounting counts a batch's commands, a handed command and a query as what they are. */
    @Test
    void theQueueCountsEveryCommandOfABatchAndRefusesWhatWouldOverfillIt() throws Exception {
        JournalConfig config = new JournalConfig(6, 6, 4096, 0, 2, true);
        try (DurableEngine engine = support.open(dir, config)) {
            applyAccepted(engine, create("c-alice", "alice"));
            CountingExecutor executor = new CountingExecutor();
            Submission<EngineOutcome[]> batch;
            Submission<Void> handed;
            Submission<Integer> counted;
            try (Hold hold = new Hold(engine)) {
                batch = engine.submitAll(List.of(ledger(topUp("t-1", "alice", 1)), ledger(topUp("t-2", "alice", 2)),
                        ledger(topUp("t-3", "alice", 3))));
                assertThat(engine.queueDepth()).isEqualTo(3);
                handed = engine.submit(ledger(topUp("t-4", "alice", 4)), executor, (o, t) -> executor.answered.incrementAndGet());
                assertThat(((Submission.Accepted<Void>) handed).answer()).isDone();
                assertThat(engine.queueDepth()).isEqualTo(4);
                counted = engine.queryEngine(v -> v.ledger().accountCount());
                assertThat(engine.queueDepth()).isEqualTo(5);

                assertThat(engine.submitAll(List.of(ledger(topUp("t-5", "alice", 5)), ledger(topUp("t-6", "alice", 6)))))
                        .isEqualTo(new Submission.Busy<EngineOutcome[]>(6));
                assertThat(engine.queueDepth()).as("a refused batch leaves no count behind").isEqualTo(5);
                assertThat(engine.submit(ledger(topUp("t-7", "alice", 7)))).isInstanceOf(Submission.Accepted.class);
                assertThat(engine.queueDepth()).isEqualTo(6);
                assertThat(engine.submit(ledger(topUp("t-8", "alice", 8)), executor, (o, t) -> { }))
                        .isEqualTo(new Submission.Busy<Void>(6));
                assertThat(engine.queryEngine(v -> 1)).isEqualTo(new Submission.Busy<Integer>(6));
                CompletableFuture<Integer> asked = engine.ask(v -> 1);
                assertThat(asked).isCompletedExceptionally();
                assertThatThrownBy(asked::join).hasCauseInstanceOf(IllegalStateException.class)
                        .cause().hasMessage("engine queue full (6)");
            }
            assertThat(answer(batch)).hasSize(3);
            assertThat(answer(counted)).isEqualTo(2);
            await(() -> executor.answered.get() == 1, "the handed answer");
            assertThat(moneyTotal(engine, "alice")).isEqualTo(1 + 2 + 3 + 4 + 7);
            assertThat(engine.queueDepth()).isZero();
        }
    }

    // ---------------------------------------------------------------- answers on an executor

    @Test
    void handedAnswersOfOneBatchGoToEachExecutorAsOneTaskInOrder() throws Exception {
        JournalConfig config = new JournalConfig(64, 4, 4096, 0, 2, true);
        try (DurableEngine engine = support.open(dir, config)) {
            applyAccepted(engine, create("c-alice", "alice"));
            CountingExecutor first = new CountingExecutor();
            CountingExecutor second = new CountingExecutor();
            List<Long> firstAmounts = new CopyOnWriteArrayList<>();
            List<Answer> all = new CopyOnWriteArrayList<>();
            try (Hold hold = new Hold(engine)) {
                for (int i = 1; i <= 3; i++) {
                    long amount = i;
                    engine.submit(ledger(topUp("a-" + i, "alice", amount)), first, (o, t) -> {
                        firstAmounts.add(amount);
                        all.add(new Answer(o, t));
                        first.answered.incrementAndGet();
                    });
                }
                engine.submit(ledger(topUp("b-1", "alice", 100)), second, (o, t) -> {
                    all.add(new Answer(o, t));
                    second.answered.incrementAndGet();
                });
                // the next batch: batchMax is 4
                for (int i = 4; i <= 5; i++) {
                    long amount = i;
                    engine.submit(ledger(topUp("a-" + i, "alice", amount)), first, (o, t) -> {
                        firstAmounts.add(amount);
                        all.add(new Answer(o, t));
                        first.answered.incrementAndGet();
                    });
                }
                assertThat(engine.queueDepth()).isEqualTo(6);
            }
            await(() -> all.size() == 6, "six handed answers");
            assertThat(first.answersPerTask).as("one task per batch for each executor").containsExactly(3, 2);
            assertThat(second.answersPerTask).containsExactly(1);
            assertThat(firstAmounts).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(all).allSatisfy(a -> {
                assertThat(a.failure()).isNull();
                assertThat(ledgerOutcome(a.outcome())).isInstanceOf(Outcome.ToppedUp.class);
            });
            assertThat(moneyTotal(engine, "alice")).isEqualTo(115);
        }
    }

    /** A batch is cut at batchMax commands: six queued commands with batchMax 4 are two batches of 4 and 2. */
    @Test
    void aBatchIsCutAtBatchMax() throws Exception {
        JournalConfig config = new JournalConfig(64, 4, 4096, 0, 2, true);
        List<Long> forces = new CopyOnWriteArrayList<>();
        try (DurableEngine engine = support.open(dir, config)) {
            applyAccepted(engine, create("c-alice", "alice"));
            engine.observeForce(forces::add);
            CountingExecutor executor = new CountingExecutor();
            try (Hold hold = new Hold(engine)) {
                for (int i = 0; i < 6; i++) {
                    engine.submit(ledger(topUp("t-" + i, "alice", 1)), executor, (o, t) -> executor.answered.incrementAndGet());
                }
            }
            await(() -> executor.answered.get() == 6, "six answers");
            assertThat(executor.answersPerTask).containsExactly(4, 2);
            assertThat(forces).hasSize(2);
        }
    }

    @Test
    void anExecutorThatRefusesOrAHandlerThatThrowsDoesNotStopTheWriter() throws Exception {
        try (LogCapture log = LogCapture.of(DurableEngine.class); DurableEngine engine = support.open(dir)) {
            applyAccepted(engine, create("c-alice", "alice"));
            Executor refusing = task -> {
                throw new RejectedExecutionException("shut down");
            };
            assertThat(engine.submit(ledger(topUp("t-1", "alice", 1)), refusing, (o, t) -> { }))
                    .isInstanceOf(Submission.Accepted.class);
            String notHanded = "1 answers not handed on: java.util.concurrent.RejectedExecutionException: shut down";
            // logged once the batch's answers are handed off, which a query in the same batch does not wait for
            await(() -> log.messages(Level.WARNING).contains(notHanded), "the refusal is logged");

            CountingExecutor executor = new CountingExecutor();
            List<String> reached = new CopyOnWriteArrayList<>();
            try (Hold hold = new Hold(engine)) {
                engine.submit(ledger(topUp("t-2", "alice", 2)), executor, (o, t) -> {
                    reached.add("first");
                    throw new IllegalStateException("handler bug");
                });
                engine.submit(ledger(topUp("t-3", "alice", 3)), executor, (o, t) -> reached.add("second"));
            }
            await(() -> reached.size() == 2, "both handlers ran");
            assertThat(reached).containsExactly("first", "second");
            assertThat(log.records).anySatisfy(r -> {
                assertThat(r.getMessage()).isEqualTo("an answer's handler failed");
                assertThat(r.getThrown()).hasMessage("handler bug");
            });
            assertThat(engine.writerAlive()).isTrue();
            assertThat(moneyTotal(engine, "alice")).isEqualTo(6);
        }
        assertThat(support.fatal).isEmpty();
    }

    // ---------------------------------------------------------------- failure and stop

    /**
     * The journal cannot be written: every task of the failed batch and every one still queued gets
     * the failure (a handed one through its handler on its executor), the writer stops, onFatal
     * hears once, and from then on everything is Stopped with the reason.
     */
    @Test
    void aWriteFailureFailsEveryKindOfTaskAndStopsTheWriter() throws Exception {
        Path devFull = Path.of("/dev/full");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(devFull), "needs Linux /dev/full");
        Files.createSymbolicLink(JournalFormat.segment(dir, 1), devFull);
        JournalConfig config = new JournalConfig(64, 2, 4096, 0, 2, true);
        DurableEngine engine = support.open(dir, config);
        try (LogCapture log = LogCapture.of(DurableEngine.class)) {
            assertThat(engine.writerAlive()).isTrue();
            CountingExecutor executor = new CountingExecutor();
            List<Answer> handed = new CopyOnWriteArrayList<>();
            Submission<Void> h;
            Submission<EngineOutcome[]> batch;
            Submission<Outcome> single;
            Submission<Integer> asked;
            try (Hold hold = new Hold(engine)) {
                h = engine.submit(ledger(create("c-alice", "alice")), executor, (o, t) -> {
                    handed.add(new Answer(o, t));
                    executor.answered.incrementAndGet();
                });
                batch = engine.submitAll(List.of(ledger(create("c-bob", "bob")), ledger(create("c-carol", "carol"))));
                single = engine.submit(create("c-dave", "dave"));
                asked = engine.queryEngine(v -> v.ledger().accountCount());
            }
            assertThat(h).isInstanceOf(Submission.Accepted.class);
            await(() -> !support.fatal.isEmpty(), "onFatal");
            await(() -> handed.size() == 1, "the handed failure");
            assertThat(handed.get(0).outcome()).isNull();
            assertThat(handed.get(0).failure()).isInstanceOf(IOException.class);
            assertThat(executor.answersPerTask).containsExactly(1);
            for (CompletableFuture<?> f : List.of(((Submission.Accepted<EngineOutcome[]>) batch).answer(),
                    ((Submission.Accepted<Outcome>) single).answer(), ((Submission.Accepted<Integer>) asked).answer())) {
                assertThat(f).failsWithin(5, TimeUnit.SECONDS).withThrowableThat().havingCause()
                        .isInstanceOf(IOException.class);
            }
            assertThat(support.fatal).hasSize(1).first().isInstanceOf(IOException.class);
            await(() -> !engine.writerAlive(), "the writer stops");
            String reason = "engine writer failed: " + support.fatal.get(0);
            assertThat(log.messages(Level.SEVERE)).contains(reason);
            assertThat(engine.submit(create("c-eve", "eve"))).isEqualTo(new Submission.Stopped<Outcome>(reason));
            assertThat(engine.submitAll(List.of(ledger(create("c-eve", "eve")))))
                    .isEqualTo(new Submission.Stopped<EngineOutcome[]>(reason));
            assertThat(engine.submit(ledger(create("c-eve", "eve")), executor, (o, t) -> { }))
                    .isEqualTo(new Submission.Stopped<Void>(reason));
            assertThat(engine.queueDepth()).isZero();
            assertThatThrownBy(() -> engine.ask(v -> 1).join()).hasCauseInstanceOf(IllegalStateException.class)
                    .cause().hasMessage(reason);
        } finally {
            engine.close();
        }
    }

    @Test
    void afterCloseTheWriterIsGoneEveryWayInIsStoppedAndTheSnapshotThreadEnds() throws Exception {
        JournalConfig config = JournalTestSupport.CONFIG.withSnapshotEveryRecords(3);
        Set<Thread> before = snapshotThreads();
        DurableEngine engine = support.open(dir, config);
        assertThat(engine.writerAlive()).isTrue();
        assertThat(engine.lastSnapshotRecord()).isZero();
        for (int i = 0; i < 4; i++) {
            applyAccepted(engine, create("c-" + i, "a" + i));
        }
        barrier(engine);
        assertThat(engine.lastSnapshotRecord()).as("every 3 records").isEqualTo(3);
        assertThat(JournalFormat.snapshot(dir, 3)).as("on disk once the barrier returns").exists();
        Set<Thread> mine = snapshotThreads();
        mine.removeAll(before);
        assertThat(mine).as("the snapshot was written beside the writer").isNotEmpty();
        applyAccepted(engine, create("c-4", "a4"));
        engine.close();

        assertThat(engine.writerAlive()).isFalse();
        assertThat(engine.lastSnapshotRecord()).as("the final snapshot").isEqualTo(5);
        assertThat(RecoveryEdgesTest.openHandlesOf(JournalFormat.segment(dir, 6))).as("the segment is closed").isEmpty();
        assertThat(RecoveryEdgesTest.openHandlesOf(dir.resolve("LOCK"))).as("LOCK is closed").isEmpty();
        await(() -> mine.stream().noneMatch(Thread::isAlive), "the snapshot thread ends with the engine");
        String reason = "engine is shut down";
        assertThat(engine.submit(create("c-x", "x"))).isEqualTo(new Submission.Stopped<Outcome>(reason));
        assertThat(engine.submitAll(List.of(ledger(create("c-x", "x"))))).isEqualTo(new Submission.Stopped<EngineOutcome[]>(reason));
        assertThat(engine.submit(ledger(create("c-x", "x")), Runnable::run, (o, t) -> { }))
                .isEqualTo(new Submission.Stopped<Void>(reason));
        assertThat(engine.queryEngine(v -> 1)).isEqualTo(new Submission.Stopped<Integer>(reason));
        CompletableFuture<Integer> asked = engine.ask(v -> 1);
        assertThatThrownBy(asked::join).hasCauseInstanceOf(IllegalStateException.class).cause().hasMessage(reason);
        engine.close();
        assertThat(support.fatal).isEmpty();
    }

    /**
     * A snapshot still being written when close() begins, with no record after it (so no final
     * snapshot), fails at its very end (its name is taken by a directory that is not empty): the
     * writer waits for it before it stops, and reports the failure, whenever the failure comes.
     */
    @Test
    void aSnapshotInFlightAtCloseIsWaitedForAndItsFailureReported() throws Exception {
        int batches = 40;
        JournalConfig config = JournalTestSupport.CONFIG.withSnapshotEveryRecords(64L * batches);
        DurableEngine engine = support.open(dir, config);
        // after start-up, which would set a snapshot it cannot read aside
        Files.createDirectories(JournalFormat.snapshot(dir, 64L * batches).resolve("taken"));
        for (int b = 0; b < batches; b++) {
            int batch = b;
            answer(engine.submitAll(java.util.stream.IntStream.range(0, 64)
                    .mapToObj(i -> ledger(create("c-" + batch + "-" + i, "account-with-a-longer-name-" + batch + "-" + i)))
                    .toList()));
        }
        engine.close(); // the last batch started the snapshot; nothing follows it
        assertThat(support.fatal).as("reported by the time close() returns").singleElement()
                .isInstanceOf(IOException.class);
        assertThat(engine.lastSnapshotRecord()).isEqualTo(64L * batches);
        support.fatal.clear();
    }

    /** Interrupting the writer (nobody should) stops it like any failure: reported, and everything after is Stopped. */
    @Test
    void anInterruptedWriterStopsAndSaysSo() throws Exception {
        Set<Thread> before = threadsNamed("credence-engine-writer");
        DurableEngine engine = support.open(dir);
        try {
            applyAccepted(engine, create("c-alice", "alice"));
            Set<Thread> mine = threadsNamed("credence-engine-writer");
            mine.removeAll(before);
            assertThat(mine).hasSize(1);
            mine.iterator().next().interrupt(); // it is idle, waiting for work
            await(() -> !support.fatal.isEmpty(), "onFatal");
            assertThat(support.fatal).singleElement().isInstanceOf(InterruptedException.class);
            await(() -> !engine.writerAlive(), "the writer stops");
            assertThat(engine.submit(create("c-bob", "bob")))
                    .isEqualTo(new Submission.Stopped<Outcome>("engine writer failed: java.lang.InterruptedException"));
        } finally {
            engine.close();
        }
        support.fatal.clear();
        try (DurableEngine reopened = support.open(dir)) {
            assertThat(reopened.recovery().lastSeq()).isEqualTo(1);
        }
    }

    /** close() interrupted while it waits for the writer keeps the interrupt; a second close() waits. */
    @Test
    void aCloseInterruptedWhileWaitingKeepsTheInterrupt() throws Exception {
        DurableEngine engine = support.open(dir);
        applyAccepted(engine, create("c-alice", "alice"));
        Thread.currentThread().interrupt();
        try {
            engine.close();
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        engine.close();
        assertThat(engine.writerAlive()).isFalse();
    }

    private static Set<Thread> threadsNamed(String name) {
        Set<Thread> threads = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(name) && t.isAlive()) {
                threads.add(t);
            }
        }
        return threads;
    }

    private static Set<Thread> snapshotThreads() {
        Set<Thread> threads = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("credence-snapshot-writer") && t.isAlive()) {
                threads.add(t);
            }
        }
        return threads;
    }

    @Test
    void askAnswersWithTheEngineViewInOrderWithCommands() throws Exception {
        try (DurableEngine engine = support.open(dir)) {
            Submission<Outcome> created = engine.submit(create("c-alice", "alice"));
            CompletableFuture<Integer> accounts = engine.ask(v -> v.ledger().accountCount());
            CompletableFuture<EngineConfig> config = engine.ask(v -> v.config());
            assertThat(accounts.get(5, TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(config.get(5, TimeUnit.SECONDS)).isEqualTo(EngineConfig.defaults());
            assertThat(answer(created).accepted()).isTrue();
            boolean catalog = answer(engine.queryEngine(v -> v.catalogVersion().isPresent()));
            assertThat(catalog).isFalse();
        }
    }

    // ---------------------------------------------------------------- time

    /**
     * An idle writer advances the engine's time: a reservation whose time ran out while nothing
     * was submitted is expired in the state the final snapshot keeps, even when the clock reads
     * earlier after the restart.
     */
    @Test
    void anIdleWriterAdvancesTimeIntoTheFinalSnapshot() throws Exception {
        long ttl = 60_000;
        try (DurableEngine engine = support.open(dir)) {
            applyAccepted(engine, create("c-alice", "alice"));
            applyAccepted(engine, createOperator("c-op", "op"));
            applyAccepted(engine, topUp("t-1", "alice", 1_000));
            applyAccepted(engine, reserve("r-1", "alice", "op", 400, ttl));
            support.clock.addAndGet(ttl + 1);
            // nothing is submitted now: only the idle tick (every 2 ms) can advance the engine
            JournalTestSupport.sleepMillis(200);
        }
        support.clock.set(JournalTestSupport.START_MILLIS);
        try (DurableEngine engine = support.open(dir)) {
            assertThat(engine.recovery().recordsReplayed()).isZero();
            ReservationStatus status = query(engine, l -> l.reservation(1).orElseThrow().status());
            assertThat(status).isEqualTo(ReservationStatus.EXPIRED);
            long available = answer(engine.queryEngine(v -> v.ledger().available("alice", Unit.MONEY, ServiceRef.ANY)
                    .orElseThrow()));
            assertThat(available).isEqualTo(1_000L);
        }
    }

    // ---------------------------------------------------------------- usage records

    private static final String MSISDN = "491700000001";

    private static List<EngineCommand> subscriberWithBytes(long bytes) {
        String account = "acct-1";
        return List.of(ledger(new Command("s-1", new Operation.CreateAccount(account, io.credence.ledger.AccountKind.SUBSCRIBER,
                        Map.of()))),
                ledger(new Command("s-2", new Operation.TopUp(Ids.SYSTEM_ACCOUNT, account, Unit.BYTES, bytes, null))),
                ledger(new Command("s-3", new Operation.BindIdentity(IdentityType.E164, MSISDN, account))));
    }

    private static EngineCommand charge(String session, ChargingRequest.Kind kind, long number, boolean identify,
                                        Long requested, Long used) {
        List<ChargingRequest.Identity> identities = identify
                ? List.of(new ChargingRequest.Identity(IdentityType.E164, MSISDN)) : List.of();
        ChargingRequest.ServiceUsage usage = new ChargingRequest.ServiceUsage(ServiceKey.of(10, ServiceRef.NONE, null),
                requested == null ? null : Map.of(Unit.BYTES, requested), used == null ? null : Map.of(Unit.BYTES, used),
                null);
        return new EngineCommand.Charge(new ChargingRequest(session, kind, number, number, 0, false,
                ChargingRequest.EventAction.NONE, identities, EngineConfig.CONTEXT_PS, List.of(usage), null,
                new ChargingRequest.Origin("diameter", "pgw", "pgw", "operator.test", -1)));
    }

    /** What the engine's outputs received, batch by batch, and whether the charge's answer was out then. */
    static final class Outputs implements UsageSink {
        final List<List<UsageRecord>> batches = new CopyOnWriteArrayList<>();
        final List<ChargingResult.Unrecovered> unrecovered = new CopyOnWriteArrayList<>();
        final AtomicReference<CompletableFuture<?>> watched = new AtomicReference<>();
        final List<Boolean> answeredWhenWritten = new CopyOnWriteArrayList<>();
        volatile RuntimeException failWith;

        @Override
        public void accept(UsageRecord record) {
            acceptAll(List.of(record));
        }

        @Override
        public void acceptAll(List<UsageRecord> records) {
            batches.add(List.copyOf(records));
            CompletableFuture<?> f = watched.get();
            if (f != null) {
                answeredWhenWritten.add(f.isDone());
            }
            if (failWith != null) {
                throw failWith;
            }
        }

        EngineSetup setup() {
            return new EngineSetup(CatalogReader.NONE, this, unrecovered::add);
        }

        List<String> ids() {
            return batches.stream().flatMap(List::stream).map(UsageRecord::recordId).toList();
        }
    }

    private DurableEngine open(Path at, Outputs outputs) throws IOException {
        return DurableEngine.open(at, JournalTestSupport.CONFIG, JournalTestSupport.LIMITS, support.clock::get,
                support.fatal::add, outputs.setup());
    }

    @Test
    void usageRecordsAreWrittenOnceBeforeTheAnswerAndAgainOnReplay() throws Exception {
        Outputs outputs = new Outputs();
        Path image = dir.resolve("image");
        List<String> written;
        try (DurableEngine engine = open(dir.resolve("live"), outputs)) {
            answer(engine.submitAll(subscriberWithBytes(10_000)));
            answer(engine.submit(charge("s1", ChargingRequest.Kind.INITIAL, 0, true, 4_000L, null)));
            assertThat(outputs.batches).as("no records, no call").isEmpty();

            CompletableFuture<EngineOutcome> update;
            try (Hold hold = new Hold(engine)) {
                update = ((Submission.Accepted<EngineOutcome>) engine.submit(
                        charge("s1", ChargingRequest.Kind.UPDATE, 1, false, 4_000L, 3_000L))).answer();
                outputs.watched.set(update);
            }
            EngineOutcome updated = update.get(5, TimeUnit.SECONDS);
            assertThat(updated.records()).hasSize(1);
            assertThat(outputs.answeredWhenWritten).as("written before the answer").containsExactly(false);
            outputs.watched.set(null);
            assertThat(outputs.batches).hasSize(1);
            assertThat(outputs.batches.get(0)).containsExactlyElementsOf(updated.records());

            // usage past the balance: a record and an unrecovered amount, each delivered once
            EngineOutcome ended = answer(engine.submit(charge("s1", ChargingRequest.Kind.TERMINATE, 2, false, null, 8_000L)));
            assertThat(((EngineOutcome.Charged) ended).result().unrecovered()).hasSize(1);
            applyAccepted(engine, create("c-later", "later"));
            barrier(engine);
            assertThat(outputs.batches).hasSize(2);
            assertThat(outputs.unrecovered).singleElement().satisfies(u -> {
                assertThat(u.amount()).isEqualTo(1_000);
                assertThat(u.unit()).isEqualTo(Unit.BYTES);
            });
            written = outputs.ids();
            assertThat(written).hasSize(2).doesNotHaveDuplicates();
            JournalTestSupport.crashImage(engine, dir.resolve("live"), image);
        }

        Outputs replayed = new Outputs();
        try (DurableEngine engine = open(image, replayed)) {
            assertThat(engine.recovery().recordsReplayed()).isEqualTo(3 + 3 + 1);
            assertThat(replayed.ids()).as("the same records, same ids, again").containsExactlyElementsOf(written);
            assertThat(replayed.batches).as("only charges with records write").hasSize(2);
        }
    }

    @Test
    void aFailingUsageSinkIsLoggedAndTheChargeStillStandsAndIsAnswered() throws Exception {
        Outputs outputs = new Outputs();
        try (LogCapture log = LogCapture.of(DurableEngine.class); DurableEngine engine = open(dir, outputs)) {
            answer(engine.submitAll(subscriberWithBytes(10_000)));
            answer(engine.submit(charge("s1", ChargingRequest.Kind.INITIAL, 0, true, 4_000L, null)));
            outputs.failWith = new IllegalStateException("disk of records full");
            EngineOutcome updated = answer(engine.submit(charge("s1", ChargingRequest.Kind.UPDATE, 1, false, 1_000L,
                    3_000L)));
            assertThat(updated.records()).hasSize(1);
            assertThat(log.messages(Level.SEVERE)).contains(
                    "1 usage records not written: java.lang.IllegalStateException: disk of records full");
            outputs.failWith = null;
            applyAccepted(engine, create("c-next", "next"));
            barrier(engine);
            assertThat(outputs.batches).as("not written again with the next batch").hasSize(1);
            assertThat(engine.writerAlive()).isTrue();
        }
        assertThat(support.fatal).isEmpty();
    }

    @Test
    void anUnrecoveredListenerThatThrowsIsLoggedAndTheWriterGoesOn() throws Exception {
        List<ChargingResult.Unrecovered> told = new CopyOnWriteArrayList<>();
        EngineSetup setup = new EngineSetup(CatalogReader.NONE, UsageSink.NONE, u -> {
            told.add(u);
            throw new IllegalStateException("metric bug");
        });
        try (LogCapture log = LogCapture.of(DurableEngine.class);
             DurableEngine engine = DurableEngine.open(dir, JournalTestSupport.CONFIG, JournalTestSupport.LIMITS,
                     support.clock::get, support.fatal::add, setup)) {
            answer(engine.submitAll(subscriberWithBytes(1_000)));
            answer(engine.submit(charge("s1", ChargingRequest.Kind.INITIAL, 0, true, 1_000L, null)));
            answer(engine.submit(charge("s1", ChargingRequest.Kind.TERMINATE, 1, false, null, 1_400L)));
            applyAccepted(engine, create("c-next", "next"));
            barrier(engine);
            assertThat(told).singleElement().satisfies(u -> assertThat(u.amount()).isEqualTo(400));
            assertThat(log.records).anySatisfy(r -> {
                assertThat(r.getMessage()).isEqualTo("unrecovered usage listener failed");
                assertThat(r.getThrown()).hasMessage("metric bug");
            });
        }
        assertThat(support.fatal).isEmpty();
    }

    @Test
    void anEngineSetupNeedsAllThreeParts() {
        assertThatThrownBy(() -> new EngineSetup(null, UsageSink.NONE, u -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("catalogReader, records and unrecovered");
        assertThatThrownBy(() -> new EngineSetup(CatalogReader.NONE, null, u -> { }))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EngineSetup(CatalogReader.NONE, UsageSink.NONE, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new EngineSetup(CatalogReader.NONE, UsageSink.NONE, u -> { }).records()).isSameAs(UsageSink.NONE);
    }
}
