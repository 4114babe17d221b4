package io.credence.journal;

import io.credence.ledger.ByteArrayDataInput;
import io.credence.ledger.ByteArrayDataOutput;
import io.credence.ledger.Command;
import io.credence.ledger.CommandCodec;
import io.credence.ledger.Ledger;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Outcome;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * The ledger made durable: one writer thread owns the {@link Ledger}; any number of threads submit
 * commands and queries to a bounded queue and wait on a future. The writer drains up to
 * {@code batchMax} tasks, applies them in order, appends the batch's records to the journal,
 * forces the file once (group commit) and only then completes the batch's futures. So an answer
 * a caller has seen is on disk, and a query never reveals state that is not.
 *
 * <p>A failed write or force is fatal: the in-memory state is ahead of the disk, so the writer
 * stops accepting and reports through {@code onFatal} (the server halts the process).
 */
public final class DurableLedger implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DurableLedger.class.getName());

    private sealed interface Task {}

    private record CommandTask(Command command, byte[] encoded, long fingerprint, CompletableFuture<Outcome> answer)
            implements Task {}

    private record QueryTask<T>(Function<Ledger, T> query, CompletableFuture<T> answer) implements Task {}

    /**
     * Directories open in this JVM. The LOCK file's lock is per process: a second open here would
     * get OverlappingFileLockException, and closing its channel would drop the first one's lock.
     */
    private static final Set<Path> OPEN_DIRECTORIES = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final Path directoryKey;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final JournalConfig config;
    private final LongSupplier clockMillis;
    private final Consumer<Throwable> onFatal;
    private final ArrayBlockingQueue<Task> queue;
    private final SnapshotStore snapshots;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final RecoveryReport recovery;
    private final Thread writer;
    private final ByteArrayDataOutput batchBytes;
    private final Ledger ledger;
    private volatile String stopReason;
    private volatile LongConsumer forceObserver = nanos -> { };
    private FileChannel segment;
    private long lastSeq;
    /** Written by the writer thread; read by {@link #lastSnapshotRecord} (after close, for the shutdown line). */
    private volatile long lastSnapshotSeq;
    private long lastMillis;

    private DurableLedger(Path dir, JournalConfig config, LedgerLimits limits, LongSupplier clockMillis,
                          Consumer<Throwable> onFatal) throws IOException {
        this.dir = dir;
        this.config = config;
        this.clockMillis = clockMillis;
        this.onFatal = onFatal;
        this.queue = new ArrayBlockingQueue<>(config.queueMax());
        this.snapshots = new SnapshotStore(dir);
        this.batchBytes = new ByteArrayDataOutput(config.batchMax() * 128);
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
            this.lock = acquired;
            Recovery recovered = recover(limits);
            this.ledger = recovered.ledger;
            this.recovery = recovered.report;
        } catch (IOException | RuntimeException | Error failed) {
            // a refused start-up must leave the directory free for the next attempt
            closeAfterFailedOpen(segment, failed);
            closeAfterFailedOpen(channel, failed);
            OPEN_DIRECTORIES.remove(directoryKey);
            throw failed;
        }
        this.lastSnapshotSeq = recovery.snapshotSeq();
        this.lastMillis = ledger.nowMillis();
        this.writer = Thread.ofPlatform().name("credence-ledger-writer").unstarted(this::run);
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

    /** Recovers the ledger from {@code dir} (snapshot + journal replay) and starts the writer. */
    public static DurableLedger open(Path dir, JournalConfig config, LedgerLimits limits, LongSupplier clockMillis,
                                     Consumer<Throwable> onFatal) throws IOException {
        DurableLedger durable = new DurableLedger(dir, config, limits, clockMillis, onFatal);
        durable.writer.start();
        return durable;
    }

    public RecoveryReport recovery() {
        return recovery;
    }

    /** The journal record the latest snapshot covers (after {@link #close}, the final one). */
    public long lastSnapshotRecord() {
        return lastSnapshotSeq;
    }

    public JournalConfig config() {
        return config;
    }

    /** Queues a command; the answer completes once it is on disk. */
    public Submission<Outcome> submit(Command command) {
        byte[] encoded = encode(command);
        if (encoded.length + 8 > config.recordBytesMax()) {
            return new Submission.TooLarge<>(encoded.length + 8, config.recordBytesMax());
        }
        int operationOffset = 2 + (((encoded[0] & 0xFF) << 8) | (encoded[1] & 0xFF));
        long fingerprint = CommandCodec.fingerprint(encoded, operationOffset, encoded.length - operationOffset);
        CompletableFuture<Outcome> answer = new CompletableFuture<>();
        return offer(new CommandTask(command, encoded, fingerprint, answer), answer);
    }

    /**
     * Runs {@code query} on the writer thread, in order with commands, so it sees exactly the
     * acknowledged state. Keep queries short: the writer does nothing else meanwhile.
     */
    public <T> Submission<T> query(Function<Ledger, T> query) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        return offer(new QueryTask<>(query, answer), answer);
    }

    public int queueDepth() {
        return queue.size();
    }

    /** Whether the writer thread runs and accepts work: false once it failed or was closed. */
    public boolean writerAlive() {
        return stopReason == null && writer.isAlive();
    }

    /** Told, on the writer thread, how many nanoseconds each journal force took; keep it cheap. */
    public void observeForce(LongConsumer observer) {
        this.forceObserver = java.util.Objects.requireNonNull(observer);
    }

    private <T> Submission<T> offer(Task task, CompletableFuture<T> answer) {
        String stopped = stopReason;
        if (stopped != null) {
            return new Submission.Stopped<>(stopped);
        }
        if (!queue.offer(task)) {
            return new Submission.Busy<>(config.queueMax());
        }
        if (stopReason != null && queue.remove(task)) {
            // stopping began while we queued and the writer may have drained for the last time;
            // had it taken the task, remove() would fail and the writer would answer it
            return new Submission.Stopped<>(stopReason);
        }
        return new Submission.Accepted<>(answer);
    }

    private static byte[] encode(Command command) {
        ByteArrayDataOutput out = new ByteArrayDataOutput(128);
        try {
            CommandCodec.write(out, command);
        } catch (IOException impossible) {
            throw new UncheckedIOException("in-memory output cannot fail", impossible);
        }
        return java.util.Arrays.copyOf(out.array(), out.size());
    }

    // ---------------------------------------------------------------- the writer thread

    private void run() {
        List<Task> batch = new ArrayList<>(config.batchMax());
        Object[] results = new Object[config.batchMax()];
        try {
            while (true) {
                Task first = queue.poll(config.idleTickMillis(), TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (stopReason != null) {
                        break;
                    }
                    ledger.advanceTo(now());
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, config.batchMax() - 1);
                applyAndForce(batch, results);
                complete(batch, results);
                batch.clear();
                if (config.snapshotEveryRecords() > 0 && lastSeq - lastSnapshotSeq >= config.snapshotEveryRecords()) {
                    snapshotAndRoll();
                }
            }
            if (lastSeq > lastSnapshotSeq) {
                snapshotAndRoll();
            }
            refuseLeftovers();
        } catch (IOException | RuntimeException | Error failure) {
            fail(batch, failure);
        } catch (InterruptedException interrupted) {
            fail(batch, interrupted);
        }
    }

    private void applyAndForce(List<Task> batch, Object[] results) throws IOException {
        long now = now();
        // queries see the clock's time too, even when they keep the writer from ever idling
        ledger.advanceTo(now);
        batchBytes.reset();
        for (int i = 0; i < batch.size(); i++) {
            switch (batch.get(i)) {
                case CommandTask task -> {
                    appendRecord(task.encoded(), now);
                    results[i] = ledger.apply(task.command(), now, task.fingerprint());
                }
                case QueryTask<?> task -> results[i] = runQuery(task);
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

    private Object runQuery(QueryTask<?> task) {
        try {
            return task.query().apply(ledger);
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

    @SuppressWarnings("unchecked")
    private static void complete(List<Task> batch, Object[] results) {
        for (int i = 0; i < batch.size(); i++) {
            Object result = results[i];
            results[i] = null;
            switch (batch.get(i)) {
                case CommandTask task -> task.answer().complete((Outcome) result);
                case QueryTask<?> task -> {
                    CompletableFuture<Object> answer = (CompletableFuture<Object>) task.answer();
                    if (result instanceof RuntimeException failed) {
                        answer.completeExceptionally(failed);
                    } else {
                        answer.complete(result);
                    }
                }
            }
        }
    }

    /** Tasks that slipped in while the writer was stopping get a clear failure, not silence. */
    private void refuseLeftovers() {
        List<Task> leftovers = new ArrayList<>();
        queue.drainTo(leftovers);
        IllegalStateException stopped = new IllegalStateException(stopReason);
        for (Task task : leftovers) {
            switch (task) {
                case CommandTask t -> t.answer().completeExceptionally(stopped);
                case QueryTask<?> t -> t.answer().completeExceptionally(stopped);
            }
        }
    }

    private void fail(List<Task> batch, Throwable failure) {
        stopReason = "ledger writer failed: " + failure;
        LOG.log(System.Logger.Level.ERROR, stopReason, failure);
        List<Task> pending = new ArrayList<>(batch);
        queue.drainTo(pending);
        for (Task task : pending) {
            switch (task) {
                case CommandTask t -> t.answer().completeExceptionally(failure);
                case QueryTask<?> t -> t.answer().completeExceptionally(failure);
            }
        }
        onFatal.accept(failure);
    }

    private long now() {
        lastMillis = Math.max(lastMillis, clockMillis.getAsLong());
        return lastMillis;
    }

    // ---------------------------------------------------------------- snapshots and segments

    /**
     * Writes a snapshot of the state after {@code lastSeq}, starts a new segment after it, and
     * deletes what the previous snapshot no longer needs (two snapshots are kept, so a damaged
     * newest one still leaves a way back).
     */
    private void snapshotAndRoll() throws IOException {
        long started = System.nanoTime();
        snapshots.write(lastSeq, ledger);
        segment.close();
        segment = openSegment(lastSeq + 1);
        List<Long> kept = snapshots.list();
        // with one snapshot only, keep the whole journal: it is the way back if that snapshot is damaged
        long oldestKept = kept.size() >= 2 ? kept.get(1) : 0;
        for (int i = 2; i < kept.size(); i++) {
            snapshots.delete(kept.get(i));
        }
        List<Long> segments = segmentSeqs();
        for (int i = 0; i + 1 < segments.size(); i++) {
            if (segments.get(i + 1) <= oldestKept + 1) {
                Files.deleteIfExists(JournalFormat.segment(dir, segments.get(i)));
            }
        }
        lastSnapshotSeq = lastSeq;
        LOG.log(System.Logger.Level.INFO, "snapshot at record {0} written in {1} ms", lastSeq,
                (System.nanoTime() - started) / 1_000_000);
    }

    private FileChannel openSegment(long firstSeq) throws IOException {
        FileChannel channel = FileChannel.open(JournalFormat.segment(dir, firstSeq), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        channel.position(channel.size());
        SnapshotStore.forceDirectory(dir);
        return channel;
    }

    private List<Long> segmentSeqs() throws IOException {
        List<Long> seqs = new ArrayList<>();
        try (var files = Files.list(dir)) {
            files.forEach(f -> {
                long seq = JournalFormat.seqOf(f, JournalFormat.SEGMENT_PREFIX, JournalFormat.SEGMENT_SUFFIX);
                if (seq >= 0) {
                    seqs.add(seq);
                }
            });
        }
        seqs.sort(null);
        return seqs;
    }

    // ---------------------------------------------------------------- recovery

    private record Recovery(Ledger ledger, RecoveryReport report) {}

    private Recovery recover(LedgerLimits limits) throws IOException {
        long started = System.nanoTime();
        Ledger base = null;
        long snapshotSeq = 0;
        List<Long> damagedSnapshots = new ArrayList<>();
        for (long seq : snapshots.list()) {
            try {
                base = snapshots.read(seq, limits);
                snapshotSeq = seq;
                break;
            } catch (IOException | RuntimeException damaged) {
                LOG.log(System.Logger.Level.WARNING, "snapshot " + seq + " unusable, trying an older one: " + damaged);
                damagedSnapshots.add(seq);
            }
        }
        Ledger replayed = base != null ? base : new Ledger(limits);
        lastSeq = snapshotSeq;
        Replayer replayer = new Replayer(replayed, snapshotSeq);
        // the format's bound, not this run's setting: a record written under a larger setting is still valid
        SegmentScanner scanner = new SegmentScanner(JournalFormat.RECORD_BYTES_MAX);
        List<Long> segments = segmentSeqs();
        long tailCut = 0;
        String tailReason = null;
        String tailFile = null;
        for (int i = 0; i < segments.size(); i++) {
            long first = segments.get(i);
            boolean lastSegment = i == segments.size() - 1;
            Path file = JournalFormat.segment(dir, first);
            if (!lastSegment && segments.get(i + 1) - 1 <= snapshotSeq) {
                continue;
            }
            if (first > lastSeq + 1) {
                throw new JournalCorruptException(file, 0, "segment starts at record " + first + " but the journal has "
                        + "only " + lastSeq + " records before it");
            }
            SegmentScanner.Result result = scanner.scan(file, first, replayer);
            if (!lastSegment && (result.tailBytes() > 0 || result.lastSeq() != segments.get(i + 1) - 1)) {
                throw new JournalCorruptException(file, result.validBytes(), "segment ends at record "
                        + result.lastSeq() + " (" + result.tailReason() + ") but the next starts at " + segments.get(i + 1));
            }
            lastSeq = Math.max(lastSeq, result.lastSeq());
            if (lastSegment) {
                if (result.tailBytes() > 0) {
                    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                        channel.truncate(result.validBytes());
                        channel.force(true);
                    }
                    tailCut = result.tailBytes();
                    tailReason = result.tailReason();
                    tailFile = file.toString();
                    LOG.log(System.Logger.Level.WARNING, "cut torn journal tail: {0} bytes of {1} ({2})", tailCut, file,
                            tailReason);
                }
                segment = openSegment(first);
            }
        }
        if (segment == null) {
            segment = openSegment(lastSeq + 1);
        }
        replayed.verifyInvariants();
        setAside(damagedSnapshots);
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
        return new Recovery(replayed, new RecoveryReport(snapshotSeq, replayer.applied, lastSeq, tailCut, tailReason,
                tailFile, elapsedMillis));
    }

    /**
     * Renames snapshots that could not be read, once recovery has succeeded without them, so that
     * they are not counted as one of the two kept (the evidence stays for the operator).
     */
    private void setAside(List<Long> damagedSnapshots) throws IOException {
        for (long seq : damagedSnapshots) {
            Path file = JournalFormat.snapshot(dir, seq);
            Files.move(file, file.resolveSibling(file.getFileName() + ".damaged"), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!damagedSnapshots.isEmpty()) {
            SnapshotStore.forceDirectory(dir);
        }
    }

    /** Applies journal records after the snapshot to the recovering ledger. */
    private static final class Replayer implements SegmentScanner.RecordHandler {
        private final Ledger ledger;
        private final long snapshotSeq;
        private final ByteArrayDataInput input = new ByteArrayDataInput();
        long applied;

        Replayer(Ledger ledger, long snapshotSeq) {
            this.ledger = ledger;
            this.snapshotSeq = snapshotSeq;
        }

        @Override
        public void record(long seq, long atMillis, byte[] bytes, int offset, int length) throws IOException {
            if (seq <= snapshotSeq) {
                return;
            }
            input.reset(bytes, offset, length);
            Command command = CommandCodec.read(input);
            if (input.remaining() != 0) {
                throw new IOException("record " + seq + " has " + input.remaining() + " bytes after its command");
            }
            int operationOffset = offset + 2 + (((bytes[offset] & 0xFF) << 8) | (bytes[offset + 1] & 0xFF));
            long fingerprint = CommandCodec.fingerprint(bytes, operationOffset, offset + length - operationOffset);
            ledger.apply(command, atMillis, fingerprint);
            applied++;
        }
    }

    // ---------------------------------------------------------------- shutdown

    /** Stops accepting, answers everything queued, writes a final snapshot and releases the directory. */
    @Override
    public void close() throws IOException {
        if (stopReason == null) {
            stopReason = "ledger is shut down";
        }
        try {
            writer.join();
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
