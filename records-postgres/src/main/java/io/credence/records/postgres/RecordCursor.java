package io.credence.records.postgres;

import io.credence.records.UsageRecord;
import io.credence.records.file.LineReader;
import io.credence.records.file.UsageRecordFile;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Reads the records files forward from a position, across rotations, the way {@code RecordReader}'s
 * follower does, but keeps its position as a {@link Checkpoint} so it can be stored and resumed.
 *
 * <p>A line counts once its {@code '\n'} is there. A line without one at the end of the newest file is
 * being written (or was torn by a crash): it is waited on. At the end of a file that is no longer the
 * newest (the writer moved on, or a new writer started after a crash) it can never be finished: it is
 * skipped and reported. Lines that are too long or not records are skipped and reported, never fatal.
 */
final class RecordCursor {
    /** A line that was not shipped, and why. */
    record Skipped(Path file, long lineNumber, String reason) {}

    interface SkipListener {
        void skipped(Skipped skipped);
    }

    private final Path dir;
    private final int lineMax;
    private final SkipListener onSkipped;
    private Checkpoint position;

    RecordCursor(Path dir, int lineMax, Checkpoint from, SkipListener onSkipped) {
        this.dir = dir;
        this.lineMax = lineMax;
        this.position = from;
        this.onSkipped = onSkipped;
    }

    /** @return the position after the last line read */
    Checkpoint position() {
        return position;
    }

    /**
     * Appends the records after the position to {@code batch} until it holds {@code sizeMax}, or no
     * complete line is left; the position moves past every line read, skipped lines included.
     */
    void readInto(List<UsageRecord> batch, int sizeMax) throws IOException {
        // List before reading: a file that is not the newest in this listing was closed before the listing
        // was taken, so once read to its end it holds nothing more and a torn tail in it is final.
        List<Path> files = UsageRecordFile.list(dir);
        Path file = current(files);
        while (file != null && batch.size() < sizeMax) {
            Path next = UsageRecordFile.after(files, file);
            boolean atEnd = readFile(file, next != null, batch, sizeMax);
            if (!atEnd || next == null) {
                return;
            }
            position = new Checkpoint(next.getFileName().toString(), 0, 0);
            file = next;
        }
    }

    /** @return true when the file was read to its end (a torn tail of a finished file skipped) */
    private boolean readFile(Path file, boolean finished, List<UsageRecord> batch, int sizeMax) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.position(position.offset());
            LineReader lines = new LineReader(new BufferedInputStream(Channels.newInputStream(ch), 1 << 16), lineMax,
                    position.offset(), position.lineNumber());
            String name = file.getFileName().toString();
            while (batch.size() < sizeMax) {
                LineReader.Line line = lines.next();
                switch (line) {
                    case null -> {
                        return true;
                    }
                    case LineReader.Complete c -> {
                        try {
                            batch.add(UsageRecordFile.decode(c.bytes(), c.length()));
                        } catch (UsageRecordFile.Invalid invalid) {
                            onSkipped.skipped(new Skipped(file, c.lineNumber(), "not a usage record: " + invalid.getMessage()));
                        }
                        position = new Checkpoint(name, c.end(), c.lineNumber());
                    }
                    case LineReader.TooLong t -> {
                        onSkipped.skipped(new Skipped(file, t.lineNumber(), "line longer than lineMax " + lineMax + " bytes"));
                        position = new Checkpoint(name, t.end(), t.lineNumber());
                    }
                    case LineReader.Incomplete i -> {
                        if (!finished) {
                            return false; // still being written: read it whole on a later poll
                        }
                        onSkipped.skipped(new Skipped(file, i.lineNumber(),
                                "torn last line (" + i.length() + " bytes without a line end)"));
                        position = new Checkpoint(name, i.start() + i.length(), i.lineNumber());
                        return true;
                    }
                }
            }
            return false;
        } catch (NoSuchFileException gone) {
            onSkipped.skipped(new Skipped(file, position.lineNumber(), "file removed before it was shipped to its end"));
            return true;
        }
    }

    /** @return the file at the position, or the first one after it when it is gone, or null */
    private Path current(List<Path> files) {
        if (files.isEmpty()) {
            return null;
        }
        if (position.file() == null) {
            Path first = files.getFirst();
            position = new Checkpoint(first.getFileName().toString(), 0, 0);
            return first;
        }
        Path at = dir.resolve(position.file());
        if (files.contains(at)) {
            return at;
        }
        Path next = UsageRecordFile.after(files, at);
        if (next != null) {
            onSkipped.skipped(new Skipped(at, position.lineNumber(), "file removed before it was shipped to its end"));
            position = new Checkpoint(next.getFileName().toString(), 0, 0);
        }
        return next;
    }

    /** @return bytes in the files after {@code from}: what is not yet in the database */
    static long bytesAfter(Path dir, Checkpoint from) throws IOException {
        long bytes = 0;
        long fromSequence = from.file() == null ? -1 : UsageRecordFile.sequence(Path.of(from.file()));
        for (Path f : UsageRecordFile.list(dir)) {
            long sequence = UsageRecordFile.sequence(f);
            try {
                if (f.getFileName().toString().equals(from.file())) {
                    bytes += Math.max(0, java.nio.file.Files.size(f) - from.offset());
                } else if (sequence > fromSequence) {
                    bytes += java.nio.file.Files.size(f);
                }
            } catch (NoSuchFileException gone) {
                // removed while we listed: nothing left to ship from it
            }
        }
        return bytes;
    }
}
