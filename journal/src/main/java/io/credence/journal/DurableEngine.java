package io.credence.journal;

import io.credence.charging.ChargingEngine;
import io.credence.charging.ChargingResult;
import io.credence.charging.EngineCodec;
import io.credence.charging.EngineCommand;
import io.credence.charging.EngineOutcome;
import io.credence.charging.EngineView;
import io.credence.ledger.ByteArrayDataOutput;
import io.credence.ledger.Command;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.LedgerView;
import io.credence.ledger.Outcome;
import io.credence.records.UsageRecord;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * The charging engine made durable: one writer thread owns the {@link ChargingEngine} (and its
 * ledger); any number of threads hand it commands, alone or in batches, and queries. The writer
 * takes up to {@code batchMax} commands at once, applies them in order, appends their records to
 * the journal, forces the file once (group commit), writes the batch's usage records, and only
 * then answers. So an answer anyone has seen is on disk, and a query never reveals state that is not.
 *
 * <p>A batch handed over together is answered together: one hand-off to the writer, one back.
 *
 * <p>A failed write or force is fatal: the in-memory state is ahead of the disk, so the writer
 * stops accepting and reports through {@code onFatal} (the server halts the process).
 */
public final class DurableEngine implements AutoCloseable, EngineGate {
    private static final System.Logger LOG = System.getLogger(DurableEngine.class.getName());

    private sealed interface Task {
        /** How many of {@code queueMax} and {@code batchMax} the task takes. */
        int size();
    }

    /** One command; {@code ledgerOnly}: answered with the ledger's {@link Outcome} rather than the engine's. */
    private record Single(EngineCommand command, byte[] encoded, long fingerprint, boolean ledgerOnly,
                          CompletableFuture<Object> answer) implements Task {
        @Override
        public int size() {
            return 1;
        }
    }

    private record Batch(EngineCommand[] commands, byte[][] encoded, CompletableFuture<EngineOutcome[]> answer)
            implements Task {
        @Override
        public int size() {
            return commands.length;
        }
    }

    /** One command whose outcome is handed to {@code then} on {@code answers}, together with the batch's others. */
    private record Handed(EngineCommand command, byte[] encoded, long fingerprint, Executor answers,
                          BiConsumer<EngineOutcome, Throwable> then) implements Task {
        @Override
        public int size() {
            return 1;
        }
    }

    private record Query(Function<EngineView, ?> query, CompletableFuture<Object> answer) implements Task {
        @Override
        public int size() {
            return 1;
        }
    }

    /**
     * Directories open in this JVM. The LOCK file's lock is per process: a second open here would
     * get OverlappingFileLockException, and closing its channel would drop the first one's lock.
     */
    private static final Set<Path> OPEN_DIRECTORIES = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final Path directoryKey;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final JournalConfig config;
    private final EngineSetup setup;
    private final LongSupplier clockMillis;
    private final Consumer<Throwable> onFatal;
    private final ArrayBlockingQueue<Task> queue;
    /** Commands (and queries) queued: what {@code queueMax} bounds; a batch counts its commands. */
    private final AtomicInteger queued = new AtomicInteger();
    private final SnapshotStore snapshots;
    private final FileChannel lockChannel;
    private final RecoveryReport recovery;
    private final Thread writer;
    private final ByteArrayDataOutput batchBytes;
    private final ChargingEngine engine;
    private final List<UsageRecord> batchRecords = new ArrayList<>();
    private final List<ChargingResult.Unrecovered> batchUnrecovered = new ArrayList<>();
    private volatile String stopReason;
    private volatile LongConsumer forceObserver = nanos -> { };
    private FileChannel segment;
    private long lastSeq;
    private final SnapshotTaker snapshotTaker;
    private long lastMillis;

    private DurableEngine(Path dir, JournalConfig config, LedgerLimits limits, LongSupplier clockMillis,
                          Consumer<Throwable> onFatal, EngineSetup setup) throws IOException {
        this.dir = dir;
        this.config = config;
        this.setup = setup;
        this.clockMillis = clockMillis;
        this.onFatal = onFatal;
        this.queue = new ArrayBlockingQueue<>(config.queueMax());
        this.snapshots = new SnapshotStore(dir);
        this.batchBytes = new ByteArrayDataOutput(config.batchMax() * 256);
        Files.createDirectories(dir);
        this.directoryKey = dir.toRealPath();
        if (!OPEN_DIRECTORIES.add(directoryKey)) {
            throw new DataDirectoryInUse("data directory " + dir + " is already open in this process (LOCK)",
                    ProcessHandle.current().pid());
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(dir.resolve("LOCK"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock acquired = channel.tryLock();
            if (acquired == null) {
                long holder = DataDirectoryInUse.holderOf(channel);
                throw new DataDirectoryInUse("data directory " + dir + " is in use by "
                        + (holder > 0 ? "process " + holder : "another process") + " (LOCK)", holder);
            }
            DataDirectoryInUse.recordHolder(channel);
            this.lockChannel = channel;
            EngineRecovery.Recovered recovered = EngineRecovery.recover(dir, snapshots, limits, setup.catalogReader(),
                    this::replayed);
            this.engine = recovered.engine();
            this.segment = recovered.segment();
            this.lastSeq = recovered.lastSeq();
            this.recovery = recovered.report();
        } catch (IOException | RuntimeException | Error failed) {
            // a refused start-up must leave the directory free for the next attempt
            closeAfterFailedOpen(channel, failed);
            OPEN_DIRECTORIES.remove(directoryKey);
            throw failed;
        }
        this.snapshotTaker = new SnapshotTaker(dir, snapshots, recovery.snapshotSeq(), limits, setup.catalogReader());
        this.lastMillis = engine.nowMillis();
        this.writer = Thread.ofPlatform().name("credence-engine-writer").unstarted(this::run);
    }

    private static void closeAfterFailedOpen(FileChannel channel, Throwable failed) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException alsoFailed) {
            failed.addSuppressed(alsoFailed);
        }
    }

    /** A charge replayed at start-up writes its usage records again (same ids), so none is lost. */
    private void replayed(EngineOutcome outcome) {
        List<UsageRecord> records = outcome.records();
        if (!records.isEmpty()) {
            setup.records().acceptAll(records);
        }
    }

    /** Recovers the engine from {@code dir} (snapshot + journal replay) and starts the writer. */
    public static DurableEngine open(Path dir, JournalConfig config, LedgerLimits limits, LongSupplier clockMillis,
                                     Consumer<Throwable> onFatal, EngineSetup setup) throws IOException {
        DurableEngine durable = new DurableEngine(dir, config, limits, clockMillis, onFatal, setup);
        durable.writer.start();
        return durable;
    }

    /** Without a catalog reader or outputs: for the ledger alone (tools, tests, benchmarks of the ledger). */
    public static DurableEngine open(Path dir, JournalConfig config, LedgerLimits limits, LongSupplier clockMillis,
                                     Consumer<Throwable> onFatal) throws IOException {
        return open(dir, config, limits, clockMillis, onFatal, EngineSetup.NONE);
    }

    public RecoveryReport recovery() {
        return recovery;
    }

    /** The journal record the latest snapshot covers (after {@link #close}, the final one). */
    public long lastSnapshotRecord() {
        return snapshotTaker.lastSeq();
    }

    /** Waits until a snapshot being written beside the writer (if any) is on disk or has failed (tests). */
    void awaitSnapshotWritten() {
        snapshotTaker.awaitWritten();
    }

    /**
     * Returns once everything submitted before the call is applied and a snapshot it made due is on
     * disk (or failed): for tests and tools that count snapshot files, since the writer starts a
     * snapshot only while none is being written.
     */
    public void awaitSettled(long timeoutMillis) throws Exception {
        ask(view -> Boolean.TRUE).get(timeoutMillis, TimeUnit.MILLISECONDS);
        snapshotTaker.awaitWritten();
    }

    public JournalConfig config() {
        return config;
    }

    @Override
    public int batchMax() {
        return config.batchMax();
    }

    @Override
    public String startReport() {
        return recovery.describe();
    }

    // ---------------------------------------------------------------- submitting

    /** Queues a ledger command; the answer completes once it is on disk. */
    @SuppressWarnings("unchecked")
    @Override
    public Submission<Outcome> submit(Command command) {
        return (Submission<Outcome>) (Submission<?>) single(new EngineCommand.LedgerCommand(command), true);
    }

    /** Queues an engine command; the answer completes once it is on disk. */
    @SuppressWarnings("unchecked")
    @Override
    public Submission<EngineOutcome> submit(EngineCommand command) {
        return (Submission<EngineOutcome>) (Submission<?>) single(command, false);
    }

    private Submission<Object> single(EngineCommand command, boolean ledgerOnly) {
        byte[] encoded = EngineCodec.encode(command);
        int limit = limitFor(command);
        if (encoded.length + 8 > limit) {
            return new Submission.TooLarge<>(encoded.length + 8, limit);
        }
        long fingerprint = EngineCodec.ledgerFingerprint(encoded, 0, encoded.length);
        CompletableFuture<Object> answer = new CompletableFuture<>();
        return offer(new Single(command, encoded, fingerprint, ledgerOnly, answer), answer);
    }

    /**
     * Queues a command whose outcome goes to {@code then}, run on {@code answers} once the command
     * is on disk. All such outcomes of one batch for the same executor are handed to it as one
     * task: one hand-off back per batch, however many requests it held. {@code then} gets the
     * outcome, or the failure that stopped the writer.
     */
    @Override
    public Submission<Void> submit(EngineCommand command, Executor answers, BiConsumer<EngineOutcome, Throwable> then) {
        byte[] encoded = EngineCodec.encode(command);
        int limit = limitFor(command);
        if (encoded.length + 8 > limit) {
            return new Submission.TooLarge<>(encoded.length + 8, limit);
        }
        long fingerprint = EngineCodec.ledgerFingerprint(encoded, 0, encoded.length);
        return offer(new Handed(command, encoded, fingerprint, answers, then), HANDED);
    }

    /** What an accepted {@link #submit(EngineCommand, Executor, BiConsumer)} holds: its answer goes elsewhere. */
    private static final CompletableFuture<Void> HANDED = CompletableFuture.completedFuture(null);

    /**
     * Queues commands to be applied in this order and answered together, once all are on disk:
     * the answer holds their outcomes in the same order. At most {@code batchMax} commands; the
     * future completes on the writer thread, so what follows it should only hand the answers on.
     */
    @Override
    public Submission<EngineOutcome[]> submitAll(List<? extends EngineCommand> commands) {
        if (commands.isEmpty() || commands.size() > config.batchMax()) {
            throw new IllegalArgumentException("a batch holds 1.." + config.batchMax() + " commands, not "
                    + commands.size());
        }
        EngineCommand[] array = commands.toArray(EngineCommand[]::new);
        byte[][] encoded = new byte[array.length][];
        for (int i = 0; i < array.length; i++) {
            encoded[i] = EngineCodec.encode(array[i]);
            int limit = limitFor(array[i]);
            if (encoded[i].length + 8 > limit) {
                return new Submission.TooLarge<>(encoded[i].length + 8, limit);
            }
        }
        CompletableFuture<EngineOutcome[]> answer = new CompletableFuture<>();
        return offer(new Batch(array, encoded, answer), answer);
    }

    /** A catalog may be larger than a charging command: it is bounded by the record format alone. */
    private int limitFor(EngineCommand command) {
        return command instanceof EngineCommand.InstallCatalog ? JournalFormat.RECORD_BYTES_MAX : config.recordBytesMax();
    }

    /**
     * Runs {@code query} on the writer thread, in order with commands, so it sees exactly the
     * acknowledged state. Keep queries short: the writer does nothing else meanwhile.
     */
    @Override
    @SuppressWarnings("unchecked")
    public <T> Submission<T> queryEngine(Function<EngineView, T> query) {
        CompletableFuture<Object> answer = new CompletableFuture<>();
        return (Submission<T>) (Submission<?>) offer(new Query(query, answer), answer);
    }

    /** Commands and queries waiting for the writer. */
    @Override
    public int queueDepth() {
        return queued.get();
    }

    /** Whether the writer thread runs and accepts work: false once it failed or was closed. */
    @Override
    public boolean writerAlive() {
        return stopReason == null && writer.isAlive();
    }

    /** Told, on the writer thread, how many nanoseconds each journal force took; keep it cheap. */
    public void observeForce(LongConsumer observer) {
        this.forceObserver = java.util.Objects.requireNonNull(observer);
    }

    private <T> Submission<T> offer(Task task, CompletableFuture<?> answer) {
        String stopped = stopReason;
        if (stopped != null) {
            return new Submission.Stopped<>(stopped);
        }
        int commands = task.size();
        if (queued.addAndGet(commands) > config.queueMax()) {
            queued.addAndGet(-commands);
            return new Submission.Busy<>(config.queueMax());
        }
        if (!queue.offer(task)) { // cannot happen: every task counts at least one of queueMax
            queued.addAndGet(-commands);
            return new Submission.Busy<>(config.queueMax());
        }
        if (stopReason != null && queue.remove(task)) {
            // stopping began while we queued and the writer may have drained for the last time;
            // had it taken the task, remove() would fail and the writer would answer it
            queued.addAndGet(-commands);
            return new Submission.Stopped<>(stopReason);
        }
        @SuppressWarnings("unchecked")
        CompletableFuture<T> typed = (CompletableFuture<T>) answer;
        return new Submission.Accepted<>(typed);
    }

    // ---------------------------------------------------------------- the writer thread

    private void run() {
        List<Task> batch = new ArrayList<>(config.batchMax());
        List<Object> results = new ArrayList<>(config.batchMax());
        try {
            while (true) {
                Task first = queue.poll(config.idleTickMillis(), TimeUnit.MILLISECONDS);
                snapshotTaker.failIfFailed();
                if (first == null) {
                    if (stopReason != null) {
                        break;
                    }
                    engine.advanceTo(now());
                    continue;
                }
                batch.add(first);
                int commands = first.size();
                while (commands < config.batchMax()) {
                    Task next = queue.poll();
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                    commands += next.size();
                }
                queued.addAndGet(-commands);
                applyAndForce(batch, results);
                deliverOutputs();
                complete(batch, results);
                handOff();
                batch.clear();
                results.clear();
                segment = snapshotTaker.afterBatch(lastSeq, segment, config.snapshotEveryRecords());
            }
            snapshotTaker.awaitInFlight();
            if (lastSeq > snapshotTaker.lastSeq()) {
                segment = snapshotTaker.takeFinal(engine, lastSeq, segment);
            }
            refuseLeftovers();
        } catch (IOException | RuntimeException | Error failure) {
            fail(batch, failure);
        } catch (InterruptedException interrupted) {
            fail(batch, interrupted);
        }
    }

    private void applyAndForce(List<Task> batch, List<Object> results) throws IOException {
        long now = now();
        // queries see the clock's time too, even when they keep the writer from ever idling
        engine.advanceTo(now);
        batchBytes.reset();
        for (Task task : batch) {
            switch (task) {
                case Single single -> {
                    appendRecord(single.encoded(), now);
                    EngineOutcome outcome = collect(engine.apply(single.command(), now, single.fingerprint()));
                    results.add(single.ledgerOnly() ? ((EngineOutcome.LedgerOutcome) outcome).outcome() : outcome);
                }
                case Batch many -> {
                    EngineOutcome[] outcomes = new EngineOutcome[many.commands().length];
                    for (int i = 0; i < outcomes.length; i++) {
                        byte[] encoded = many.encoded()[i];
                        appendRecord(encoded, now);
                        outcomes[i] = collect(engine.apply(many.commands()[i], now,
                                EngineCodec.ledgerFingerprint(encoded, 0, encoded.length)));
                    }
                    results.add(outcomes);
                }
                case Handed handed -> {
                    appendRecord(handed.encoded(), now);
                    results.add(collect(engine.apply(handed.command(), now, handed.fingerprint())));
                }
                case Query query -> results.add(runQuery(query));
            }
        }
        if (batchBytes.size() > 0) {
            ByteBuffer bytes = ByteBuffer.wrap(batchBytes.array(), 0, batchBytes.size());
            while (bytes.hasRemaining()) {
                segment.write(bytes);
            }
            if (config.fsync()) {
                long started = System.nanoTime();
                segment.force(false);
                forceObserver.accept(System.nanoTime() - started);
            }
        }
    }

    /** Keeps what a charge produced beside its answer, to hand on once the batch is durable. */
    private EngineOutcome collect(EngineOutcome outcome) {
        batchRecords.addAll(outcome.records());
        if (outcome instanceof EngineOutcome.Charged charged) {
            batchUnrecovered.addAll(charged.result().unrecovered());
        }
        return outcome;
    }

    /**
     * The batch's usage records and unrecovered usage, before anyone is answered: a record is in
     * its file (in the OS) before its charge is acknowledged.
     */
    private void deliverOutputs() {
        try {
            if (!batchRecords.isEmpty()) {
                setup.records().acceptAll(batchRecords);
            }
        } catch (RuntimeException failed) {
            // the charges stand (they are in the journal, and a restart writes their records again)
            LOG.log(System.Logger.Level.ERROR, batchRecords.size() + " usage records not written: " + failed, failed);
        } finally {
            batchRecords.clear();
        }
        for (ChargingResult.Unrecovered u : batchUnrecovered) {
            try {
                setup.unrecovered().accept(u);
            } catch (RuntimeException failed) {
                LOG.log(System.Logger.Level.ERROR, "unrecovered usage listener failed", failed);
            }
        }
        batchUnrecovered.clear();
    }

    private Object runQuery(Query task) {
        try {
            return task.query().apply(engine);
        } catch (RuntimeException failed) {
            return failed;
        }
    }

    private void appendRecord(byte[] command, long atMillis) {
        int start = batchBytes.size();
        long seq = ++lastSeq;
        batchBytes.writeInt(8 + command.length);
        batchBytes.writeInt(0); // checksum, filled in below
        batchBytes.writeLong(seq);
        batchBytes.writeLong(atMillis);
        batchBytes.write(command);
        byte[] array = batchBytes.array();
        JournalFormat.putInt(array, start + 4, JournalFormat.crc(array, start + 8, 16 + command.length));
    }

    private void complete(List<Task> batch, List<Object> results) {
        for (int i = 0; i < batch.size(); i++) {
            Object result = results.get(i);
            switch (batch.get(i)) {
                case Handed task -> handOn(task, (EngineOutcome) result, null);
                case Single task -> task.answer().complete(result);
                case Batch task -> task.answer().complete((EngineOutcome[]) result);
                case Query task -> {
                    if (result instanceof RuntimeException failed) {
                        task.answer().completeExceptionally(failed);
                    } else {
                        task.answer().complete(result);
                    }
                }
            }
        }
    }

    /** Outcomes for the same executor, gathered while a batch completes; handed on as one task each. */
    private final java.util.IdentityHashMap<Executor, List<Runnable>> handing = new java.util.IdentityHashMap<>();

    private void handOn(Handed task, EngineOutcome outcome, Throwable failure) {
        handing.computeIfAbsent(task.answers(), e -> new ArrayList<>()).add(() -> task.then().accept(outcome, failure));
    }

    /** One task per executor for everything of this batch it answers. */
    private void handOff() {
        if (handing.isEmpty()) {
            return;
        }
        for (var each : handing.entrySet()) {
            List<Runnable> answers = each.getValue();
            try {
                each.getKey().execute(() -> {
                    for (Runnable answer : answers) {
                        try {
                            answer.run();
                        } catch (RuntimeException bug) {
                            LOG.log(System.Logger.Level.ERROR, "an answer's handler failed", bug);
                        }
                    }
                });
            } catch (RuntimeException refused) { // an executor shut down: its answers go nowhere
                LOG.log(System.Logger.Level.WARNING, answers.size() + " answers not handed on: " + refused);
            }
        }
        handing.clear();
    }

    private void failTask(Task task, Throwable failure) {
        switch (task) {
            case Handed t -> {
                handOn(t, null, failure);
                handOff();
            }
            case Single t -> t.answer().completeExceptionally(failure);
            case Batch t -> t.answer().completeExceptionally(failure);
            case Query t -> t.answer().completeExceptionally(failure);
        }
    }

    /** Tasks that slipped in while the writer was stopping get a clear failure, not silence. */
    private void refuseLeftovers() {
        List<Task> leftovers = new ArrayList<>();
        queue.drainTo(leftovers);
        IllegalStateException stopped = new IllegalStateException(stopReason);
        for (Task task : leftovers) {
            queued.addAndGet(-task.size());
            failTask(task, stopped);
        }
    }

    private void fail(List<Task> batch, Throwable failure) {
        stopReason = "engine writer failed: " + failure;
        LOG.log(System.Logger.Level.ERROR, stopReason, failure);
        List<Task> pending = new ArrayList<>(batch);
        List<Task> queuedTasks = new ArrayList<>();
        queue.drainTo(queuedTasks);
        for (Task task : queuedTasks) {
            queued.addAndGet(-task.size()); // the batch's were counted off when it was taken
        }
        pending.addAll(queuedTasks);
        for (Task task : pending) {
            failTask(task, failure);
        }
        onFatal.accept(failure);
    }

    private long now() {
        lastMillis = Math.max(lastMillis, clockMillis.getAsLong());
        return lastMillis;
    }

    // ---------------------------------------------------------------- shutdown

    /** Stops accepting, answers everything queued, writes a final snapshot and releases the directory. */
    @Override
    public void close() throws IOException {
        if (stopReason == null) {
            stopReason = "engine is shut down";
        }
        try {
            writer.join();
            snapshotTaker.shutdown(); // the writer waited for its last snapshot unless it failed first
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            if (segment != null) {
                segment.close();
            }
        } finally {
            lockChannel.close(); // releases the lock
            OPEN_DIRECTORIES.remove(directoryKey);
        }
    }
}
