package io.credence.records.file;

import io.credence.records.UsageRecord;
import io.credence.records.UsageSink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Appends usage records to rotated JSON lines files in one directory (format: {@link UsageRecordFile}).
 *
 * <p>Durability: {@link #accept} returns only after the whole line has been handed to the operating
 * system with one {@code write}, so a killed process loses nothing it acknowledged; the file is
 * forced to disk when it is rotated and on {@link #close}, and whenever the owner calls
 * {@link #force} (a server that wants a bound on what a power cut can take schedules that). Records
 * are not forced one by one because the ledger journal, not this file, is the record of truth: a
 * CDR lost to a power cut can be rebuilt from it.
 *
 * <p>Files: each writer starts a new file (never appending to, or overwriting, an older one, which may
 * end in a line torn by a crash) and creates it only when the first record arrives, so restarts leave
 * no empty files. A file is closed before a line would take it past {@code rotateBytes}, or when a
 * record arrives and the file is {@code rotateAge} old; an idle writer keeps its file open. One
 * writer per directory: two would interleave their sequence numbers.
 *
 * <p>Thread-safe: records are encoded on the calling thread and written under a lock, one whole line
 * per write, so lines from many threads never interleave.
 */
public final class RecordWriter implements UsageSink, AutoCloseable {
    /** Attempts to find a free file name; more than a few means something else writes here. */
    private static final int CREATE_ATTEMPTS_MAX = 16;

    private final RecordWriterConfig config;
    private final InstantSource clock;
    private final Path tornAtStart;
    private final ReentrantLock lock = new ReentrantLock();
    private FileChannel channel;
    private Path current;
    private long currentBytes;
    private long currentCreatedMillis;
    private long nextSequence;
    private boolean failed;
    private boolean closed;
    private long recordsWritten;

    private RecordWriter(RecordWriterConfig config, InstantSource clock, Path tornAtStart, long nextSequence) {
        this.config = config;
        this.clock = clock;
        this.tornAtStart = tornAtStart;
        this.nextSequence = nextSequence;
    }

    public static RecordWriter open(RecordWriterConfig config) throws IOException {
        return open(config, InstantSource.system());
    }

    /** @param clock names files and decides age rotation; tests pass a settable one instead of sleeping */
    public static RecordWriter open(RecordWriterConfig config, InstantSource clock) throws IOException {
        if (config == null || clock == null) {
            throw new IllegalArgumentException("config and clock must not be null");
        }
        Files.createDirectories(config.dir());
        List<Path> existing = UsageRecordFile.list(config.dir());
        Path torn = null;
        long nextSequence = 1;
        if (!existing.isEmpty()) {
            Path newest = existing.getLast();
            nextSequence = UsageRecordFile.sequence(newest) + 1;
            torn = endsTorn(newest) ? newest : null;
        }
        return new RecordWriter(config, clock, torn, nextSequence);
    }

    /**
     * @return the newest older file when it ended in a torn line at start (a process killed mid-write);
     *         readers skip that line, and this writer has left the file alone
     */
    public Optional<Path> tornFileAtStart() {
        return Optional.ofNullable(tornAtStart);
    }

    /**
     * Writes one record as one line before returning.
     *
     * @throws IllegalArgumentException when the record's line is longer than {@code lineMax}
     * @throws UncheckedIOException when the file cannot be written; the next record starts a new file
     * @throws IllegalStateException after {@link #close}
     */
    @Override
    public void accept(UsageRecord record) {
        if (record == null) {
            throw new IllegalArgumentException("record must not be null");
        }
        byte[] line = UsageRecordFile.encodeLine(record);
        if (line.length > config.lineMax()) {
            throw new IllegalArgumentException("usage record " + record.recordId() + " is " + line.length
                    + " bytes as a line, more than lineMax " + config.lineMax());
        }
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("record writer for " + config.dir() + " is closed");
            }
            long now = clock.millis();
            if (current != null && (failed || mustRotate(line.length, now))) {
                closeCurrent();
            }
            if (current == null) {
                createFile(now);
            }
            write(line);
            recordsWritten++;
        } catch (IOException e) {
            throw new UncheckedIOException("usage record " + record.recordId() + " not written to " + current, e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The records of one batch of charges, written with one write where they fit one file: the
     * engine hands a batch's records over before answering it, so this is on its path.
     */
    @Override
    public void acceptAll(java.util.List<UsageRecord> records) {
        if (records.size() == 1) {
            accept(records.get(0));
            return;
        }
        java.io.ByteArrayOutputStream lines = new java.io.ByteArrayOutputStream(records.size() * 512);
        int count = 0;
        for (UsageRecord record : records) {
            byte[] line = UsageRecordFile.encodeLine(record);
            if (line.length > config.lineMax()) {
                throw new IllegalArgumentException("usage record " + record.recordId() + " is " + line.length
                        + " bytes as a line, more than lineMax " + config.lineMax());
            }
            if (count > 0 && lines.size() + line.length > config.rotateBytes() / 2) {
                writeLines(lines.toByteArray(), count);
                lines.reset();
                count = 0;
            }
            lines.writeBytes(line);
            count++;
        }
        if (count > 0) {
            writeLines(lines.toByteArray(), count);
        }
    }

    /** Whole lines, as one write; a file rotates only between such writes. */
    private void writeLines(byte[] bytes, int count) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("record writer for " + config.dir() + " is closed");
            }
            long now = clock.millis();
            if (current != null && (failed || mustRotate(bytes.length, now))) {
                closeCurrent();
            }
            if (current == null) {
                createFile(now);
            }
            write(bytes);
            recordsWritten += count;
        } catch (IOException e) {
            throw new UncheckedIOException(count + " usage records not written to " + current, e);
        } finally {
            lock.unlock();
        }
    }

    private boolean mustRotate(int lineBytes, long nowMillis) {
        boolean full = currentBytes > 0 && currentBytes + lineBytes > config.rotateBytes();
        // A clock that stepped back gives a negative age: the file is not old, keep it.
        boolean old = nowMillis - currentCreatedMillis >= config.rotateAge().toMillis();
        return full || old;
    }

    private void write(byte[] line) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(line);
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } catch (IOException e) {
            // Part of the line may be in the file: never append after it, or the next line would be glued on.
            failed = true;
            throw e;
        }
        currentBytes += line.length;
        assert currentBytes <= config.rotateBytes() || currentBytes == line.length : "file past rotateBytes";
    }

    private void createFile(long nowMillis) throws IOException {
        for (int attempt = 0; attempt < CREATE_ATTEMPTS_MAX; attempt++) {
            Path file = config.dir().resolve(UsageRecordFile.fileName(Instant.ofEpochMilli(nowMillis), nextSequence++));
            try {
                // CREATE_NEW: an existing file is never opened, so never overwritten or appended to.
                channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND);
            } catch (FileAlreadyExistsException taken) {
                continue;
            }
            current = file;
            currentBytes = 0;
            currentCreatedMillis = nowMillis;
            failed = false;
            forceDirectory();
            return;
        }
        throw new IOException("no free records file name in " + config.dir() + " after " + CREATE_ATTEMPTS_MAX
                + " attempts; is another writer using this directory?");
    }

    /** Makes the new file's name durable, so a forced file is not lost with its directory entry. */
    private void forceDirectory() throws IOException {
        try (FileChannel dir = FileChannel.open(config.dir(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException notOnThisPlatform) {
            // Some platforms (Windows) cannot open a directory; the file's own force still holds its data.
        }
    }

    private void closeCurrent() throws IOException {
        FileChannel closing = channel;
        channel = null;
        current = null;
        try (closing) {
            if (!failed) {
                closing.force(true);
            }
        }
    }

    /** Forces the current file's records to disk; for a caller that wants a bound on power-cut loss. */
    public void force() throws IOException {
        lock.lock();
        try {
            if (channel != null && !failed) {
                channel.force(false);
            }
        } finally {
            lock.unlock();
        }
    }

    /** @return the file records go to now, or null before the first record and after a rotation */
    public Path currentFile() {
        lock.lock();
        try {
            return current;
        } finally {
            lock.unlock();
        }
    }

    public long recordsWritten() {
        lock.lock();
        try {
            return recordsWritten;
        } finally {
            lock.unlock();
        }
    }

    /** Forces and closes the current file; records accepted after this are refused. */
    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (current != null) {
                closeCurrent();
            }
        } finally {
            lock.unlock();
        }
    }

    private static boolean endsTorn(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) {
                return false;
            }
            ByteBuffer last = ByteBuffer.allocate(1);
            ch.read(last, size - 1);
            return last.get(0) != '\n';
        }
    }
}
