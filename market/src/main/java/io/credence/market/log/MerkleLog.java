package io.credence.market.log;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.zip.CRC32C;

/**
 * The durable, append-only Merkle log: entries in {@code <dir>/entries.log}, their tree in memory
 * ({@link MerkleTree}, plus an 8-byte file offset per entry for {@link #entry}), heads signed with
 * a {@link LogKey}. The file, big-endian throughout, entry i being leaf i:
 *
 * <pre>
 *   +--------+-----------------+
 *   | "CRDL" | version u32 = 1 |                                        header, 8 bytes
 *   +--------+-----------------+------------------------------------+
 *   | length u32 | entry (1..entryBytesMax) | CRC-32C(length, entry) |   one record per entry
 *   +------------+--------------------------+------------------------+
 * </pre>
 *
 * <h2>Writing: one writer, group commit</h2>
 * Any thread may {@link #submit} an entry or {@link #append} a list. Requests wait in a queue
 * bounded by {@code queueMax} entries; when it is full the caller gets {@link Busy} at once. One
 * writer thread takes up to {@code batchEntriesMax} entries, writes their records with one write,
 * forces the file once ({@code force(false)}: the data and the file size, not the timestamps),
 * then adds the leaves to the tree and only then answers. So an index a caller has seen is on
 * disk, and a root, proof or tree head never covers an entry that is not. A failed write or force
 * stops the log: what reached the disk is unknown, so it refuses everything until reopened,
 * when recovery decides. Futures are completed on the writer thread; attach no slow callbacks.
 *
 * <h2>Opening: recovery after a crash</h2>
 * {@link #open} rebuilds the tree from the file and truncates a tail that a crash can have torn;
 * other damage is refused with {@link LogCorruptException} ({@link LogRecovery} tells them apart).
 *
 * <p>Reading ({@link #entry}, roots, proofs, heads) is safe from any thread at any time.
 */
public final class MerkleLog implements AutoCloseable {
    /** What a {@link #submit} gets back at once. */
    public sealed interface Submission permits Accepted, Busy, Refused {}

    /** What an {@link #append} returns once the entries are durable, or at once when not accepted. */
    public sealed interface AppendResult permits Appended, Busy, Refused {}

    /** Queued; {@code index} completes with the entry's leaf index once it is on disk. */
    public record Accepted(CompletableFuture<Long> index) implements Submission {}

    /** The entries are leaves {@code firstIndex .. firstIndex + count - 1}, on disk. */
    public record Appended(long firstIndex, int count) implements AppendResult {
        public Appended {
            if (firstIndex < 0 || count < 1) {
                throw new IllegalArgumentException("an append covers at least one leaf from a non-negative index");
            }
        }

        public long[] indexes() {
            long[] indexes = new long[count];
            Arrays.setAll(indexes, i -> firstIndex + i);
            return indexes;
        }
    }

    /** The queue holds {@code queueMax} entries already; try again later. */
    public record Busy(int queueMax) implements Submission, AppendResult {}

    /** Not accepted and retrying will not help: too large, empty, the log full, stopped or closed. */
    public record Refused(String reason) implements Submission, AppendResult {
        public Refused {
            if (reason == null || reason.isBlank()) {
                throw new IllegalArgumentException("a refusal needs a reason");
            }
        }
    }

    /** What {@link #open} found: entries recovered and what it cut off the end of the file. */
    public record Recovery(long entries, long truncatedBytes, String truncatedBecause) {}

    private record Request(List<byte[]> entries, CompletableFuture<Long> firstIndex) {}

    private static final Request STOP = new Request(List.of(), new CompletableFuture<>());

    /**
     * Logs open in this JVM. A file lock belongs to the process: a second open here could not see
     * the first one's lock, and closing its channel would release it.
     */
    private static final Set<Path> OPEN_LOGS = ConcurrentHashMap.newKeySet();

    private final Path file;
    private final Path registeredAs;
    private final LogLimits limits;
    private final LogKey key;
    private final InstantSource clock;
    private final FileChannel channel;
    private final FileLock fileLock;
    private final Recovery recovery;
    private final Thread writer;
    private final ArrayBlockingQueue<Request> queue;
    private final Semaphore queuedEntries;
    private final AtomicLong reservedLeaves;
    private final ReentrantReadWriteLock treeLock = new ReentrantReadWriteLock();
    private final ReentrantLock headLock = new ReentrantLock();
    private final ReentrantLock closeLock = new ReentrantLock();

    // guarded by treeLock: written by the writer thread, read by everyone
    private final MerkleTree tree;
    private long[] offsets;

    // owned by the writer thread
    private final CRC32C crc = new CRC32C();
    private byte[] batchBytes = new byte[64 * 1024];
    private long fileEnd;
    /** Where the entries the tree holds end in the file (guarded by treeLock): a copy up to here is the log at size(). */
    private long publishedEnd;

    private volatile long forces;
    private volatile String stopReason;
    private volatile IOException writeFailure;
    private SignedTreeHead head; // guarded by headLock
    private boolean stopQueued; // guarded by closeLock

    private MerkleLog(Path file, Path registeredAs, LogLimits limits, LogKey key, InstantSource clock,
                      FileChannel channel, FileLock fileLock, LogRecovery.Recovered recovered) {
        this.file = file;
        this.registeredAs = registeredAs;
        this.limits = limits;
        this.key = key;
        this.clock = clock;
        this.channel = channel;
        this.fileLock = fileLock;
        this.tree = recovered.tree();
        this.offsets = recovered.offsets();
        this.fileEnd = recovered.fileEnd();
        this.publishedEnd = recovered.fileEnd();
        this.recovery = new Recovery(recovered.tree().size(), recovered.truncatedBytes(), recovered.truncatedBecause());
        this.queue = new ArrayBlockingQueue<>(limits.queueMax() + 1); // + 1: room for STOP, always
        this.queuedEntries = new Semaphore(limits.queueMax());
        this.reservedLeaves = new AtomicLong(tree.size());
        this.writer = Thread.ofPlatform().name("merkle-log-writer").daemon(true).unstarted(this::runWriter);
    }

    /**
     * Opens (creating if needed) the log in {@code dir}, recovers it as the class comment says and
     * starts its writer. Throws {@link LogCorruptException} for damage a crash cannot explain.
     */
    public static MerkleLog open(Path dir, LogLimits limits, LogKey key, InstantSource clock) throws IOException {
        Files.createDirectories(dir);
        Path registeredAs = dir.toRealPath();
        if (!OPEN_LOGS.add(registeredAs)) {
            throw new IOException("log " + dir + " is already open in this process");
        }
        Path file = dir.resolve(EntryFile.FILE_NAME);
        FileChannel channel = null;
        try {
            boolean created = !Files.exists(file);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock fileLock = lockOrRefuse(channel, dir);
            if (created) {
                forceDirectory(dir);
            }
            LogRecovery.Recovered recovered = LogRecovery.recover(file, channel, limits);
            MerkleLog log = new MerkleLog(file, registeredAs, limits, key, clock, channel, fileLock, recovered);
            log.writer.start();
            return log;
        } catch (IOException | RuntimeException | Error failed) {
            // a refused open must leave the directory free for the next attempt
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException alsoFailed) {
                    failed.addSuppressed(alsoFailed);
                }
            }
            OPEN_LOGS.remove(registeredAs);
            throw failed;
        }
    }

    private static FileLock lockOrRefuse(FileChannel channel, Path dir) throws IOException {
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException heldHere) {
            throw new IOException("log " + dir + " is locked by this process", heldHere);
        }
        if (lock == null) {
            throw new IOException("log " + dir + " is in use by another process");
        }
        return lock;
    }

    /** Makes a newly created file's directory entry durable (Linux: fsync on the directory). */
    private static void forceDirectory(Path dir) throws IOException {
        try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
            directory.force(true);
        }
    }

    // ------------------------------------------------------------------ writing

    /**
     * Queues one entry (copied). The future completes with its leaf index once it is on disk, or
     * exceptionally with the {@link IOException} that stopped the log.
     */
    public Submission submit(byte[] entry) {
        String invalid = invalidEntry(entry);
        if (invalid != null) {
            return new Refused(invalid);
        }
        return offer(List.of(entry.clone()));
    }

    /**
     * Appends {@code entries} (copied) as consecutive leaves, waiting until they are on disk; at
     * most {@code batchEntriesMax} of them. Throws the {@link IOException} that stopped the log.
     * An interrupt ends the wait, not the append: the entries may still become leaves.
     */
    public AppendResult append(List<byte[]> entries) throws IOException, InterruptedException {
        if (entries.isEmpty() || entries.size() > limits.batchEntriesMax()) {
            return new Refused("an append brings 1.." + limits.batchEntriesMax() + " entries, not " + entries.size());
        }
        List<byte[]> copies = new ArrayList<>(entries.size());
        for (byte[] entry : entries) {
            String invalid = invalidEntry(entry);
            if (invalid != null) {
                return new Refused("entry " + copies.size() + ": " + invalid);
            }
            copies.add(entry.clone());
        }
        return switch (offer(copies)) {
            case Accepted accepted -> new Appended(await(accepted.index()), copies.size());
            case Busy busy -> busy;
            case Refused refused -> refused;
        };
    }

    private static long await(CompletableFuture<Long> index) throws IOException, InterruptedException {
        try {
            return index.get();
        } catch (ExecutionException failed) {
            if (failed.getCause() instanceof IOException io) {
                throw new IOException("append failed: " + io.getMessage(), io);
            }
            throw new IllegalStateException("merkle log writer failed", failed.getCause());
        }
    }

    private String invalidEntry(byte[] entry) {
        if (entry == null || entry.length == 0) {
            return "empty entry";
        }
        if (entry.length > limits.entryBytesMax()) {
            return "entry has " + entry.length + " bytes, more than entryBytesMax " + limits.entryBytesMax();
        }
        return null;
    }

    private Submission offer(List<byte[]> entries) {
        int count = entries.size();
        String stopped = stopReason;
        if (stopped != null) {
            return new Refused("log stopped: " + stopped);
        }
        if (!queuedEntries.tryAcquire(count)) {
            return new Busy(limits.queueMax());
        }
        if (!reserveLeaves(count)) {
            queuedEntries.release(count);
            return new Refused("log full: leavesMax " + limits.leavesMax() + " reached");
        }
        Request request = new Request(entries, new CompletableFuture<>());
        boolean queued = queue.offer(request);
        Check.state(queued, "queue has room for every entry permit plus STOP");
        if (stopReason != null && queue.remove(request)) {
            // stopping began meanwhile and the writer may have drained for the last time; had it
            // taken the request, remove() would have failed and the writer would answer it
            queuedEntries.release(count);
            reservedLeaves.addAndGet(-count);
            return new Refused("log stopped: " + stopReason);
        }
        return new Accepted(request.firstIndex());
    }

    private boolean reserveLeaves(int count) {
        long reserved;
        do {
            reserved = reservedLeaves.get();
            if (reserved + count > limits.leavesMax()) {
                return false;
            }
        } while (!reservedLeaves.compareAndSet(reserved, reserved + count));
        return true;
    }

    private void runWriter() {
        boolean stoppedCleanly = false;
        List<Request> batch = new ArrayList<>();
        try {
            boolean stop = false;
            while (!stop) {
                Request first = queue.take();
                if (first == STOP) {
                    break;
                }
                batch.add(first);
                int entries = first.entries().size();
                Request next;
                while ((next = queue.peek()) != null && entries + next.entries().size() <= limits.batchEntriesMax()) {
                    queue.poll();
                    if (next == STOP) {
                        stop = true;
                        break;
                    }
                    batch.add(next);
                    entries += next.entries().size();
                }
                writeBatch(batch, entries);
                batch.clear();
            }
            stoppedCleanly = true;
        } catch (InterruptedException interrupted) {
            // nothing interrupts the writer but a JVM shutting down; the finally block answers
            Thread.currentThread().interrupt();
        } finally {
            if (!stoppedCleanly) {
                // a bug or an interrupt: nobody may be left waiting for an answer that never comes
                IOException ended = new IOException("merkle log writer thread ended unexpectedly");
                batch.forEach(request -> request.firstIndex().completeExceptionally(ended));
                failQueued(ended);
            }
        }
    }

    /** Writes, forces, publishes and answers one batch; on an I/O failure stops the log. */
    private void writeBatch(List<Request> batch, int entries) {
        IOException failure = writeFailure;
        if (failure == null) {
            long firstIndex = tree.size(); // only this thread changes the size, so no lock needed to read it
            byte[][] leafHashes = new byte[entries][];
            long[] recordOffsets = new long[entries];
            int bytes = encode(batch, leafHashes, recordOffsets);
            try {
                EntryFile.writeFully(channel, ByteBuffer.wrap(batchBytes, 0, bytes), fileEnd);
                channel.force(false);
                forces++; // only the writer thread writes it
            } catch (IOException failed) {
                failure = failed;
                stop(failed);
            }
            if (failure == null) {
                fileEnd += bytes;
                publish(leafHashes, recordOffsets, fileEnd);
                queuedEntries.release(entries);
                long index = firstIndex;
                for (Request request : batch) {
                    request.firstIndex().complete(index);
                    index += request.entries().size();
                }
                return;
            }
        }
        queuedEntries.release(entries);
        for (Request request : batch) {
            request.firstIndex().completeExceptionally(failure);
        }
    }

    private int encode(List<Request> batch, byte[][] leafHashes, long[] recordOffsets) {
        int bytes = 0;
        for (Request request : batch) {
            for (byte[] entry : request.entries()) {
                bytes += EntryFile.RECORD_OVERHEAD_BYTES + entry.length;
            }
        }
        if (batchBytes.length < bytes) {
            batchBytes = new byte[Math.max(bytes, batchBytes.length * 2)];
        }
        int at = 0;
        int i = 0;
        for (Request request : batch) {
            for (byte[] entry : request.entries()) {
                recordOffsets[i] = fileEnd + at;
                leafHashes[i] = MerkleHashes.leafHash(entry);
                at += EntryFile.encodeRecord(entry, batchBytes, at, crc);
                i++;
            }
        }
        Check.state(at == bytes && i == leafHashes.length, "batch encoded as sized");
        return bytes;
    }

    private void publish(byte[][] leafHashes, long[] recordOffsets, long durableEnd) {
        treeLock.writeLock().lock();
        try {
            publishedEnd = durableEnd;
            long first = tree.size();
            offsets = EntryFile.ensureCapacity(offsets, first + leafHashes.length, limits.leavesMax());
            for (int i = 0; i < leafHashes.length; i++) {
                boolean appended = tree.append(leafHashes[i]);
                Check.state(appended, "leaves were reserved before queueing");
                offsets[(int) (first + i)] = recordOffsets[i];
            }
        } finally {
            treeLock.writeLock().unlock();
        }
    }

    private void stop(IOException failure) {
        writeFailure = failure;
        if (stopReason == null) {
            stopReason = "write failed: " + failure.getMessage();
        }
    }

    private void failQueued(IOException failure) {
        stop(failure);
        Request request;
        while ((request = queue.poll()) != null) {
            request.firstIndex().completeExceptionally(failure);
        }
    }

    // ------------------------------------------------------------------ reading

    public long size() {
        treeLock.readLock().lock();
        try {
            return tree.size();
        } finally {
            treeLock.readLock().unlock();
        }
    }

    public byte[] root() {
        treeLock.readLock().lock();
        try {
            return tree.root();
        } finally {
            treeLock.readLock().unlock();
        }
    }

    public byte[] root(long treeSize) {
        treeLock.readLock().lock();
        try {
            return tree.root(treeSize);
        } finally {
            treeLock.readLock().unlock();
        }
    }

    public byte[] leafHash(long index) {
        treeLock.readLock().lock();
        try {
            return tree.leafHash(index);
        } finally {
            treeLock.readLock().unlock();
        }
    }

    /** See {@link MerkleTree#inclusionProof}; requires {@code index < treeSize <= size()}. */
    public List<byte[]> inclusionProof(long index, long treeSize) {
        treeLock.readLock().lock();
        try {
            return tree.inclusionProof(index, treeSize);
        } finally {
            treeLock.readLock().unlock();
        }
    }

    /** See {@link MerkleTree#consistencyProof}; requires {@code 0 < size1 <= size2 <= size()}. */
    public List<byte[]> consistencyProof(long size1, long size2) {
        treeLock.readLock().lock();
        try {
            return tree.consistencyProof(size1, size2);
        } finally {
            treeLock.readLock().unlock();
        }
    }

    /** Refused by {@link #fileBytes}: a copy that large is taken from the data directory, not over the API. */
    public static final long COPY_BYTES_MAX = 256L * 1024 * 1024;

    /**
     * The log file as it stands at {@link #size()} — header and every whole record the tree holds —
     * so a copy verifies offline against the current tree head. Refuses copies over
     * {@link #COPY_BYTES_MAX}.
     */
    public byte[] fileBytes() throws IOException {
        long end;
        treeLock.readLock().lock();
        try {
            end = publishedEnd;
        } finally {
            treeLock.readLock().unlock();
        }
        if (end > COPY_BYTES_MAX) {
            throw new IOException("the log is " + end + " bytes, more than a copy over the API may be ("
                    + COPY_BYTES_MAX + "); copy " + file + " instead");
        }
        ByteBuffer copy = ByteBuffer.allocate((int) end);
        while (copy.hasRemaining()) {
            if (channel.read(copy, copy.position()) < 0) {
                throw new IOException(file + " ended at " + copy.position() + " of " + end + " bytes");
            }
        }
        return copy.array();
    }

    /**
     * Reads entry {@code index} back from the file, checking its CRC and that it still hashes to
     * its leaf: a change made after open, even with a recomputed CRC, is refused here.
     */
    public byte[] entry(long index) throws IOException {
        long offset;
        byte[] leafHash;
        treeLock.readLock().lock();
        try {
            if (index < 0 || index >= tree.size()) {
                throw new IllegalArgumentException("entry " + index + " outside 0.." + (tree.size() - 1));
            }
            offset = offsets[(int) index];
            leafHash = tree.leafHash(index);
        } finally {
            treeLock.readLock().unlock();
        }
        ByteBuffer lengthField = ByteBuffer.allocate(EntryFile.LENGTH_BYTES);
        readFully(lengthField, index, offset);
        int length = lengthField.getInt(0);
        if (length <= 0 || length > limits.entryBytesMax()) {
            throw new LogCorruptException(file, index, offset, "length field " + Integer.toUnsignedString(length)
                    + " changed after open");
        }
        byte[] record = new byte[EntryFile.RECORD_OVERHEAD_BYTES + length];
        readFully(ByteBuffer.wrap(record), index, offset);
        CRC32C check = new CRC32C();
        check.update(record, 0, EntryFile.LENGTH_BYTES + length);
        if ((int) check.getValue() != EntryFile.getInt(record, EntryFile.LENGTH_BYTES + length)
                || !MessageDigest.isEqual(leafHash, MerkleHashes.leafHash(record, EntryFile.LENGTH_BYTES, length))) {
            throw new LogCorruptException(file, index, offset, "entry changed after open");
        }
        return Arrays.copyOfRange(record, EntryFile.LENGTH_BYTES, EntryFile.LENGTH_BYTES + length);
    }

    private void readFully(ByteBuffer into, long index, long position) throws IOException {
        long at = position;
        while (into.hasRemaining()) {
            int read = channel.read(into, at);
            if (read < 0) {
                throw new LogCorruptException(file, index, position, "file shorter than its index says");
            }
            at += read;
        }
    }

    /**
     * The head for the current size, signed; the same object until the size changes. Timestamps
     * never go backwards even if the clock does, so a later head never looks older.
     */
    public SignedTreeHead treeHead() {
        headLock.lock();
        try {
            long size;
            byte[] root;
            treeLock.readLock().lock();
            try {
                size = tree.size();
                if (head != null && head.size() == size) {
                    return head;
                }
                root = tree.root();
            } finally {
                treeLock.readLock().unlock();
            }
            long timestamp = Math.max(clock.millis(), head == null ? 0 : head.timestampMillis());
            SignedTreeHead signed = SignedTreeHead.sign(key, size, timestamp, root);
            Check.state(head == null || head.size() < size, "heads only grow");
            head = signed;
            return signed;
        } finally {
            headLock.unlock();
        }
    }

    public byte[] publicKey() {
        return key.publicKey();
    }

    public LogLimits limits() {
        return limits;
    }

    public Recovery recovery() {
        return recovery;
    }

    /** How many batches the writer has forced to disk since open: appended entries / forces = mean batch. */
    public long forceCount() {
        return forces;
    }

    /** The reason the log stopped accepting, or null while it accepts. */
    public String stopReason() {
        return stopReason;
    }

    /**
     * Stops accepting, lets the writer finish everything already queued (those callers get their
     * answers), then closes the file. Idempotent; after an interrupt, calling it again finishes.
     */
    @Override
    public void close() throws IOException {
        closeLock.lock();
        try {
            if (!stopQueued) {
                stopQueued = true;
                if (stopReason == null) {
                    stopReason = "closed";
                }
                boolean queued = queue.offer(STOP);
                Check.state(queued, "queue keeps room for STOP");
            }
            writer.join();
            if (channel.isOpen()) {
                channel.close(); // also releases the file lock
            }
            OPEN_LOGS.remove(registeredAs);
            Check.state(!fileLock.isValid() && !writer.isAlive(), "closed log holds no lock and no thread");
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while the merkle log writer finished");
        } finally {
            closeLock.unlock();
        }
    }
}
