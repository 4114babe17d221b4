package io.credence.records.file;

import io.credence.records.UsageRecord;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Reads a records directory: queries, the last records, and new records as they are written.
 *
 * <p>Lines that are not records are skipped and reported to {@code onSkipped}, never fatal: a torn
 * last line (a process killed mid-write, or a line still being written), a line longer than lineMax,
 * or a line that is not a valid record. One bad line must not hide a month of CDRs.
 *
 * <p>De-duplication by recordId (a retried commit writes its record again with the same id) keeps the
 * ids of the last {@code dedupeWindow} records returned, no more: a retry lands within seconds of the
 * first copy (the ledger remembers request ids for minutes), so a window of a million ids — about
 * 100 MB at worst — catches it, while a query over a year of files still runs in bounded memory.
 * A copy further back than the window would be returned twice.
 */
public final class RecordReader {
    public static final int DEDUPE_WINDOW_DEFAULT = 1 << 20;
    public static final int DEDUPE_WINDOW_MAX = 1 << 24;
    /** Most records {@link #tail} keeps in memory. */
    public static final int TAIL_MAX = 1_000_000;

    /** A line that was not read as a record, and why. */
    public record Skipped(Path file, long lineNumber, String reason) {
        @Override
        public String toString() {
            return file + ":" + lineNumber + ": " + reason;
        }
    }

    /**
     * Which records a query returns; null matches anything. Time is {@code [from, to)} on atMillis.
     *
     * @param limit the most records returned, at least 1
     */
    public record Filter(String accountId, String sessionId, String service, Instant from, Instant to, long limit) {
        public static final Filter ALL = new Filter(null, null, null, null, null, Long.MAX_VALUE);

        public Filter {
            if (limit < 1) {
                throw new IllegalArgumentException("limit must be >= 1, was " + limit);
            }
            if (from != null && to != null && !from.isBefore(to)) {
                throw new IllegalArgumentException("from must be before to, was from " + from + " to " + to);
            }
        }

        /**
         * An account's records are those about it and those that moved its balances: a data share's
         * record is about the borrower and also charges the supplier's bytes (and pays it the fee),
         * so the supplier finds what it shared under its own account too.
         */
        public boolean matches(UsageRecord r) {
            return (accountId == null || accountId.equals(r.accountId())
                    || r.balances().stream().anyMatch(b -> accountId.equals(b.accountId())))
                    && (sessionId == null || sessionId.equals(r.sessionId()))
                    && (service == null || service.equals(r.service()))
                    && (from == null || r.atMillis() >= from.toEpochMilli())
                    && (to == null || r.atMillis() < to.toEpochMilli());
        }
    }

    private final Path dir;
    private final int lineMax;
    private final int dedupeWindow;
    private final Consumer<Skipped> onSkipped;

    /**
     * @param lineMax      lines longer than this are skipped unread (use the writer's lineMax)
     * @param dedupeWindow how many recent record ids a query remembers to drop repeats
     */
    public RecordReader(Path dir, int lineMax, int dedupeWindow, Consumer<Skipped> onSkipped) {
        if (dir == null || onSkipped == null) {
            throw new IllegalArgumentException("dir and onSkipped must not be null");
        }
        if (lineMax < RecordWriterConfig.LINE_MAX_MIN || lineMax > RecordWriterConfig.LINE_MAX_MAX) {
            throw new IllegalArgumentException("lineMax must be " + RecordWriterConfig.LINE_MAX_MIN + ".."
                    + RecordWriterConfig.LINE_MAX_MAX + ", was " + lineMax);
        }
        if (dedupeWindow < 1 || dedupeWindow > DEDUPE_WINDOW_MAX) {
            throw new IllegalArgumentException("dedupeWindow must be 1.." + DEDUPE_WINDOW_MAX + ", was " + dedupeWindow);
        }
        this.dir = dir;
        this.lineMax = lineMax;
        this.dedupeWindow = dedupeWindow;
        this.onSkipped = onSkipped;
    }

    /** A reader with the writer's default lineMax and a window of a million ids. */
    public static RecordReader of(Path dir, Consumer<Skipped> onSkipped) {
        return new RecordReader(dir, RecordWriterConfig.LINE_MAX_DEFAULT, DEDUPE_WINDOW_DEFAULT, onSkipped);
    }

    /** @return the records files, oldest first */
    public List<Path> files() throws IOException {
        return UsageRecordFile.list(dir);
    }

    /**
     * Streams matching records, oldest first, each recordId once (within the window). Files are read
     * lazily, one open at a time: close the stream (try-with-resources) to close it.
     */
    public Stream<UsageRecord> query(Filter filter) throws IOException {
        if (filter == null) {
            throw new IllegalArgumentException("filter must not be null");
        }
        Scan scan = new Scan(files(), onSkipped);
        RecentIds seen = new RecentIds(dedupeWindow);
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(scan, Spliterator.ORDERED | Spliterator.NONNULL), false)
                .onClose(scan::close)
                .filter(filter::matches)
                .filter(r -> seen.firstSighting(r.recordId()))
                .limit(filter.limit());
    }

    /**
     * @return the last {@code n} records, oldest first, each recordId once (its first copy, as a query
     *         would return it); reads only the newest files that hold them, so the cost follows n,
     *         not the size of the directory
     */
    public List<UsageRecord> tail(int n) throws IOException {
        if (n < 0 || n > TAIL_MAX) {
            throw new IllegalArgumentException("n must be 0.." + TAIL_MAX + ", was " + n);
        }
        if (n == 0) {
            return List.of();
        }
        List<Path> files = files();
        // Take in twice as many of the newest files each round until they hold n distinct records:
        // a few rounds at most, and the files are read forward so repeats are dropped as a query drops them.
        int count = 1;
        while (true) {
            int start = Math.max(0, files.size() - count);
            List<Skipped> skippedThisRound = new ArrayList<>();
            List<UsageRecord> last = lastOf(files.subList(start, files.size()), n, skippedThisRound::add);
            if (last.size() == n || start == 0) {
                // Reported once, from the round that counts, though earlier rounds saw some of them too.
                skippedThisRound.forEach(onSkipped);
                return last;
            }
            count *= 2;
        }
    }

    private List<UsageRecord> lastOf(List<Path> files, int n, Consumer<Skipped> report) {
        ArrayDeque<UsageRecord> last = new ArrayDeque<>(n);
        RecentIds seen = new RecentIds(dedupeWindow);
        try (Scan scan = new Scan(files, report)) {
            while (scan.hasNext()) {
                UsageRecord r = scan.next();
                if (seen.firstSighting(r.recordId())) {
                    last.addLast(r);
                    if (last.size() > n) {
                        last.removeFirst();
                    }
                }
            }
        }
        assert last.size() <= n : "tail kept more than n";
        return List.copyOf(last);
    }

    /**
     * Follows the directory like {@code tail -f}: delivers the last {@code n} records now, then each new
     * record as it is written, across rotations. A line is delivered only once its {@code '\n'} is
     * written, so a write in progress is read whole on a later poll.
     */
    public Follower follow(int n, Consumer<UsageRecord> sink) throws IOException {
        if (sink == null) {
            throw new IllegalArgumentException("sink must not be null");
        }
        List<Path> files = files();
        Follower follower = new Follower(sink);
        if (!files.isEmpty()) {
            // Position first, tail second: a record written in between is in both, and dropped as a repeat.
            follower.startAtEndOf(files.getLast());
        }
        for (UsageRecord r : tail(n)) {
            follower.deliver(r);
        }
        return follower;
    }

    /** New records as they are written; {@link #poll} once, or {@link #run} until {@link #stop}. */
    public final class Follower implements AutoCloseable {
        private final Consumer<UsageRecord> sink;
        private final RecentIds seen = new RecentIds(dedupeWindow);
        private final CountDownLatch stopped = new CountDownLatch(1);
        private Path file;
        private long position;
        private long lineNumber;

        private Follower(Consumer<UsageRecord> sink) {
            this.sink = sink;
        }

        private void startAtEndOf(Path newest) throws IOException {
            file = newest;
            readFrom(false, false);
        }

        private boolean deliver(UsageRecord r) {
            if (!seen.firstSighting(r.recordId())) {
                return false;
            }
            sink.accept(r);
            return true;
        }

        /** @return how many new records were delivered */
        public int poll() throws IOException {
            // List before reading: a file that is not the newest in this listing was closed before the
            // listing was taken, so once read to its end it holds nothing more.
            List<Path> files = files();
            if (files.isEmpty()) {
                return 0;
            }
            if (file == null) {
                file = files.getFirst();
                position = 0;
                lineNumber = 0;
            }
            int delivered = 0;
            while (true) {
                Path next = UsageRecordFile.after(files, file);
                delivered += readFrom(true, next != null);
                if (next == null) {
                    return delivered;
                }
                file = next;
                position = 0;
                lineNumber = 0;
            }
        }

        /** Polls every {@code pollEvery} until {@link #stop} or interruption. */
        public void run(Duration pollEvery) throws IOException, InterruptedException {
            if (pollEvery == null || pollEvery.isNegative() || pollEvery.isZero()) {
                throw new IllegalArgumentException("pollEvery must be > 0, was " + pollEvery);
            }
            do {
                poll();
            } while (!stopped.await(pollEvery.toNanos(), TimeUnit.NANOSECONDS));
        }

        /** Ends {@link #run} at its next wait; safe from any thread. */
        public void stop() {
            stopped.countDown();
        }

        @Override
        public void close() {
            stop();
        }

        /** Reads the current file from the position on; a final line without '\n' is left for later, or skipped when finished. */
        private int readFrom(boolean deliver, boolean finished) throws IOException {
            int delivered = 0;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                ch.position(position);
                LineReader lines = new LineReader(new BufferedInputStream(Channels.newInputStream(ch), 1 << 16),
                        lineMax, position, lineNumber);
                for (LineReader.Line line = lines.next(); line != null; line = lines.next()) {
                    switch (line) {
                        case LineReader.Complete c -> {
                            UsageRecord r = decode(file, c, onSkipped);
                            if (r != null && deliver && deliver(r)) {
                                delivered++;
                            }
                            position = c.end();
                            lineNumber = c.lineNumber();
                        }
                        case LineReader.TooLong t -> {
                            skipped(file, t.lineNumber(), "line longer than lineMax " + lineMax + " bytes");
                            position = t.end();
                            lineNumber = t.lineNumber();
                        }
                        case LineReader.Incomplete i -> {
                            if (finished) {
                                skipped(file, i.lineNumber(), "torn last line (" + i.length() + " bytes without a line end)");
                            }
                        }
                    }
                }
            } catch (NoSuchFileException gone) {
                skipped(file, lineNumber, "file removed while being followed");
            }
            return delivered;
        }
    }

    private static UsageRecord decode(Path file, LineReader.Complete line, Consumer<Skipped> report) {
        try {
            return UsageRecordFile.decode(line.bytes(), line.length());
        } catch (UsageRecordFile.Invalid invalid) {
            report.accept(new Skipped(file, line.lineNumber(), "not a usage record: " + invalid.getMessage()));
            return null;
        }
    }

    private void skipped(Path file, long lineNumber, String reason) {
        onSkipped.accept(new Skipped(file, lineNumber, reason));
    }

    /** The records of some files in order, one file open at a time. */
    private final class Scan implements Iterator<UsageRecord>, Closeable {
        private final Iterator<Path> files;
        private final Consumer<Skipped> report;
        private Path file;
        private InputStream in;
        private LineReader lines;
        private UsageRecord next;

        Scan(List<Path> files, Consumer<Skipped> report) {
            this.files = files.iterator();
            this.report = report;
        }

        @Override
        public boolean hasNext() {
            try {
                while (next == null) {
                    if (lines == null && !openNext()) {
                        return false;
                    }
                    LineReader.Line line = lines.next();
                    switch (line) {
                        case null -> closeFile();
                        case LineReader.Complete c -> next = decode(file, c, report);
                        case LineReader.TooLong t -> report.accept(new Skipped(file, t.lineNumber(),
                                "line longer than lineMax " + lineMax + " bytes"));
                        case LineReader.Incomplete i -> report.accept(new Skipped(file, i.lineNumber(), "incomplete last line ("
                                + i.length() + " bytes without a line end: torn by a crash, or still being written)"));
                    }
                }
                return true;
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + file, e);
            }
        }

        @Override
        public UsageRecord next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            UsageRecord r = next;
            next = null;
            return r;
        }

        private boolean openNext() throws IOException {
            while (files.hasNext()) {
                file = files.next();
                try {
                    in = new BufferedInputStream(Channels.newInputStream(FileChannel.open(file, StandardOpenOption.READ)), 1 << 16);
                } catch (NoSuchFileException gone) {
                    report.accept(new Skipped(file, 0, "file removed before it was read"));
                    continue;
                }
                lines = new LineReader(in, lineMax, 0, 0);
                return true;
            }
            return false;
        }

        private void closeFile() throws IOException {
            lines = null;
            InputStream closing = in;
            in = null;
            if (closing != null) {
                closing.close();
            }
        }

        @Override
        public void close() {
            try {
                closeFile();
            } catch (IOException e) {
                throw new UncheckedIOException("closing " + file, e);
            }
        }
    }

    /** The last {@code max} ids seen, oldest forgotten first. */
    private static final class RecentIds {
        private final int max;
        private final LinkedHashSet<String> ids = new LinkedHashSet<>();

        RecentIds(int max) {
            this.max = max;
        }

        boolean firstSighting(String id) {
            if (!ids.add(id)) {
                return false;
            }
            if (ids.size() > max) {
                ids.removeFirst();
            }
            return true;
        }
    }
}
