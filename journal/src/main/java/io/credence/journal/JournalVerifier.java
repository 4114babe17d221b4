package io.credence.journal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads every segment and snapshot of a data directory and checks every record (length,
 * checksum, sequence number), that the segments join up, and every snapshot's trailer checksum.
 *
 * <p>Start-up reads only what it needs: a segment whose records all lie before the newest
 * snapshot is skipped, so a byte that rots there after a clean stop goes unnoticed until the
 * snapshot is lost and that segment is suddenly the only way back. This reads those too.
 *
 * <p>It only reads, by path, with its own file handles: it takes no LOCK, truncates nothing,
 * renames nothing and shares nothing with a {@link DurableEngine}, so it may run beside a live
 * writer (see {@link Scope#SEALED}) or from another process. Memory is bounded by the scanner's
 * window (a few MiB) whatever the size of the files.
 */
public final class JournalVerifier {
    /** Which segments to read. */
    public enum Scope {
        /**
         * Beside the running writer: all but the newest segment, which the writer is appending to
         * (a read could catch a batch half-written). Start-up read that one in full before the
         * writer began, so nothing written before start-up goes unread.
         */
        SEALED,
        /**
         * Offline: every segment. Bytes after the newest segment's last whole record are a torn
         * tail, which the next start-up cuts: reported as a note, not as damage.
         */
        ALL
    }

    /**
     * One damaged place.
     *
     * @param offset        the byte where the damage starts (the first bad record; for a snapshot,
     *                      its trailer, since its checksum covers the whole body), -1 when the file
     *                      could not be read at all
     * @param blocksStartUp the next start-up reads this and will refuse to start (else the damage
     *                      is latent: only the loss of a snapshot would make it matter)
     * @param impact        what it means for the next start-up, in words
     */
    public record Damage(Path file, long offset, String problem, boolean blocksStartUp, String impact) {
        public String describe() {
            return file + (offset >= 0 ? " at byte " + offset : "") + ": " + problem + "; " + impact;
        }
    }

    /** One file read: its size, its records (-1 for a snapshot) and what was found, in words. */
    public record Checked(Path file, long bytes, long records, boolean damaged, String outcome) {}

    /** What one verification found; {@link #clean()} when no damage. */
    public record Report(Path dir, Scope scope, Instant finishedAt, long elapsedMillis, List<Checked> files,
                         List<Damage> damage, List<String> notes) {
        public boolean clean() {
            return damage.isEmpty();
        }

        public long segments() {
            return files.stream().filter(f -> f.records() >= 0).count();
        }

        public long snapshots() {
            return files.stream().filter(f -> f.records() < 0).count();
        }

        public long records() {
            return files.stream().mapToLong(f -> Math.max(0, f.records())).sum();
        }

        public long bytes() {
            return files.stream().mapToLong(Checked::bytes).sum();
        }

        public String summary() {
            return String.format("%s (%,d records) and %s, %,d bytes, read in %d ms: %s", count(segments(), "segment"),
                    records(), count(snapshots(), "snapshot"), bytes(), elapsedMillis,
                    clean() ? "clean" : count(damage.size(), "damaged place"));
        }

        private static String count(long n, String thing) {
            return n + " " + thing + (n == 1 ? "" : "s");
        }
    }

    private JournalVerifier() {}

    /** The journal's files in a directory: segments (oldest first) and snapshots (newest first). */
    private record Listing(List<Long> segments, List<Long> snapshots, List<Path> setAside) {
        static Listing of(Path dir) throws IOException {
            List<Long> segments = new ArrayList<>();
            List<Long> snapshots = new ArrayList<>();
            List<Path> setAside = new ArrayList<>();
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    long segment = JournalFormat.seqOf(f, JournalFormat.SEGMENT_PREFIX, JournalFormat.SEGMENT_SUFFIX);
                    long snapshot = JournalFormat.seqOf(f, JournalFormat.SNAPSHOT_PREFIX, JournalFormat.SNAPSHOT_SUFFIX);
                    if (segment >= 0) {
                        segments.add(segment);
                    } else if (snapshot >= 0) {
                        snapshots.add(snapshot);
                    } else if (f.getFileName().toString().endsWith(JournalFormat.SNAPSHOT_SUFFIX + ".damaged")) {
                        setAside.add(f);
                    }
                }
            }
            segments.sort(null);
            snapshots.sort(Comparator.reverseOrder());
            setAside.sort(null);
            return new Listing(List.copyOf(segments), List.copyOf(snapshots), List.copyOf(setAside));
        }
    }

    /**
     * @param bytesPerSecond average read rate ({@link Long#MAX_VALUE}: as fast as the disk goes)
     * @throws IOException when the directory cannot be listed, or the reading thread was interrupted
     *                     ({@link InterruptedIOException}); damage in a file is reported, not thrown
     */
    public static Report verify(Path dir, Scope scope, long bytesPerSecond) throws IOException {
        long started = System.nanoTime();
        Run run = new Run(dir, new RatePacer(bytesPerSecond));
        Listing listing = Listing.of(dir);
        for (Path aside : listing.setAside()) {
            run.notes.add(aside + " was set aside by an earlier start-up as unreadable (kept as evidence)");
        }
        long newestIntact = run.snapshots(listing.snapshots());
        SegmentScanner.Result[] read = run.segments(listing.segments(), scope);
        run.joins(listing.segments(), read);
        if (Listing.of(dir).equals(listing)) {
            run.startUpView(listing.segments(), newestIntact, true);
        } else {
            // A snapshot was written (and old files deleted) meanwhile. The listing may then not be
            // of one moment (a directory is not read atomically): it can show a new segment but miss
            // the snapshot before it, and a "missing record" found on it would be a false alarm.
            // Names only grow, so an unchanged listing after the run proves it was of one moment.
            run.notes.add("the writer wrote a snapshot during the verification, so whether start-up finds "
                    + "every record it needs is left to the next run");
            run.startUpView(listing.segments(), newestIntact, false);
        }
        run.files.sort(Comparator.comparing(c -> c.file().getFileName().toString()));
        return new Report(dir, scope, Instant.now(), (System.nanoTime() - started) / 1_000_000, List.copyOf(run.files),
                run.damage(), List.copyOf(run.notes));
    }

    /** The findings of one verification, in the making. */
    private static final class Run {
        private final Path dir;
        private final RatePacer pacer;
        private final SegmentScanner scanner;
        final List<Checked> files = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        /** Damage found, before the start-up view says what each one means. */
        private final List<Damage> found = new ArrayList<>();
        private final List<Long> foundInSegment = new ArrayList<>(); // first seq of its segment, -1 for none
        private boolean[] readAtStartUp = new boolean[0];
        private List<Long> segmentSeqs = List.of();
        private long newestIntact;
        private long newestSnapshot;

        Run(Path dir, RatePacer pacer) {
            this.dir = dir;
            this.pacer = pacer;
            // the format's bound, as in recovery: a record written under a larger setting is valid
            this.scanner = new SegmentScanner(JournalFormat.RECORD_BYTES_MAX, pacer);
        }

        /** Checks every snapshot's trailer; returns the newest intact one's number, 0 if none. */
        long snapshots(List<Long> newestFirst) throws IOException {
            long intact = 0;
            for (long seq : newestFirst) {
                Path file = JournalFormat.snapshot(dir, seq);
                long size = 0;
                try {
                    size = Files.size(file);
                    SnapshotStore.Damage damage = SnapshotStore.checksumDamage(file, pacer);
                    if (damage == null) {
                        files.add(new Checked(file, size, -1, false, "intact: the state after record " + seq));
                        intact = Math.max(intact, seq);
                    } else {
                        files.add(new Checked(file, size, -1, true, "DAMAGED at byte " + damage.offset()));
                        found(file, damage.offset(), damage.problem(), -1);
                    }
                } catch (NoSuchFileException gone) {
                    vanished(file);
                } catch (IOException unreadable) {
                    rethrowIfStopping(unreadable);
                    files.add(new Checked(file, size, -1, true, "DAMAGED: cannot be read"));
                    found(file, -1, "cannot be read: " + unreadable, -1);
                }
            }
            newestSnapshot = newestFirst.isEmpty() ? 0 : newestFirst.get(0);
            return intact;
        }

        /** Scans each segment in scope; a result where the segment was read to a clean end, else null. */
        SegmentScanner.Result[] segments(List<Long> seqs, Scope scope) throws IOException {
            SegmentScanner.Result[] results = new SegmentScanner.Result[seqs.size()];
            int inScope = scope == Scope.SEALED ? seqs.size() - 1 : seqs.size();
            if (scope == Scope.SEALED && !seqs.isEmpty()) {
                notes.add(JournalFormat.segment(dir, seqs.get(seqs.size() - 1)) + " is being written, so left out "
                        + "(start-up read it in full)");
            }
            for (int i = 0; i < inScope; i++) {
                long first = seqs.get(i);
                Path file = JournalFormat.segment(dir, first);
                boolean newest = i == seqs.size() - 1;
                long[] records = {0};
                long size = 0;
                try {
                    size = Files.size(file);
                    SegmentScanner.Result r = scanner.scan(file, first, (seq, at, b, o, l) -> records[0]++);
                    String span = records[0] == 0 ? "no records" : "records " + first + ".." + r.lastSeq();
                    if (r.tailBytes() == 0) {
                        results[i] = r;
                        files.add(new Checked(file, size, records[0], false, span));
                    } else if (newest) {
                        results[i] = r;
                        files.add(new Checked(file, size, records[0], false, span + ", then a torn tail of "
                                + r.tailBytes() + " bytes"));
                        notes.add(file + ": a torn tail of " + r.tailBytes() + " bytes at byte " + r.validBytes() + " ("
                                + r.tailReason() + "), after record " + r.lastSeq() + ": an interrupted write that was "
                                + "never acknowledged; the next start-up cuts it");
                    } else {
                        files.add(new Checked(file, size, records[0], true, "DAMAGED at byte " + r.validBytes()));
                        found(file, r.validBytes(), r.tailReason() + " where record " + (r.lastSeq() + 1) + " should "
                                + "start, in a sealed segment (only the segment being written can have a torn tail)", first);
                    }
                } catch (NoSuchFileException gone) {
                    vanished(file);
                } catch (JournalCorruptException corrupt) {
                    files.add(new Checked(file, size, records[0], true, "DAMAGED at byte " + corrupt.offset()));
                    found(file, corrupt.offset(), corrupt.reason(), first);
                } catch (IOException unreadable) {
                    rethrowIfStopping(unreadable);
                    files.add(new Checked(file, size, records[0], true, "DAMAGED: cannot be read"));
                    found(file, -1, "cannot be read: " + unreadable, first);
                }
            }
            return results;
        }

        /** Each segment read to its end must end just before the next one starts. */
        void joins(List<Long> seqs, SegmentScanner.Result[] read) {
            for (int i = 0; i + 1 < seqs.size(); i++) {
                if (read[i] == null || read[i].lastSeq() + 1 == seqs.get(i + 1)) {
                    continue;
                }
                long last = read[i].lastSeq();
                long next = seqs.get(i + 1);
                found(JournalFormat.segment(dir, seqs.get(i)), read[i].validBytes(), "the segment ends at record " + last
                        + " but the next one starts at record " + next + (next > last + 1 ? " (records " + (last + 1)
                        + ".." + (next - 1) + " are missing)" : " (they overlap)"), seqs.get(i));
            }
        }

        /**
         * Works out, as recovery would, which segments the next start-up reads: those holding
         * records after the newest intact snapshot. Damage there stops the start-up; damage
         * elsewhere waits for the day that snapshot is lost.
         */
        void startUpView(List<Long> seqs, long intact, boolean checkFirstNeeded) {
            this.segmentSeqs = seqs;
            this.newestIntact = intact;
            readAtStartUp = new boolean[seqs.size()];
            int firstRead = -1;
            for (int i = 0; i < seqs.size(); i++) {
                readAtStartUp[i] = i == seqs.size() - 1 || seqs.get(i + 1) - 1 > intact;
                if (readAtStartUp[i] && firstRead < 0) {
                    firstRead = i;
                }
            }
            if (checkFirstNeeded && firstRead >= 0 && seqs.get(firstRead) > intact + 1) {
                found(JournalFormat.segment(dir, seqs.get(firstRead)), 0, "start-up needs record " + (intact + 1)
                        + (intact == 0 ? " (there is no intact snapshot)" : " (after snapshot " + intact
                        + ", the newest intact one)") + " but the journal from there starts at record "
                        + seqs.get(firstRead), seqs.get(firstRead));
            }
        }

        List<Damage> damage() {
            List<Damage> out = new ArrayList<>();
            for (int i = 0; i < found.size(); i++) {
                Damage d = found.get(i);
                long segment = foundInSegment.get(i);
                int index = segmentSeqs.indexOf(segment);
                boolean blocks = index >= 0 && readAtStartUp[index];
                String impact;
                if (segment < 0) {
                    impact = snapshotOf(d.file()) == newestSnapshot
                            ? "the next start-up sets this snapshot aside and recovers from an older one and the journal"
                            : "an older snapshot, kept as the way back should the newest be lost: it cannot serve";
                } else if (blocks) {
                    impact = "the next start-up reads this and will refuse to start until it is restored";
                } else {
                    impact = "not read at start-up while snapshot " + newestIntact + " is intact; needed only if that "
                            + "snapshot is lost";
                }
                out.add(new Damage(d.file(), d.offset(), d.problem(), blocks, impact));
            }
            return List.copyOf(out);
        }

        private void found(Path file, long offset, String problem, long segmentFirstSeq) {
            found.add(new Damage(file, offset, problem, false, ""));
            foundInSegment.add(segmentFirstSeq);
        }

        private void vanished(Path file) {
            // the writer deletes what two newer snapshots make unnecessary; a gone file is no damage
            notes.add(file + " was deleted while being verified (journal clean-up after a snapshot)");
        }

        private static long snapshotOf(Path file) {
            return JournalFormat.seqOf(file, JournalFormat.SNAPSHOT_PREFIX, JournalFormat.SNAPSHOT_SUFFIX);
        }

        /** Being stopped is not damage: the interrupt must end the run, not be reported as a bad file. */
        private static void rethrowIfStopping(IOException failure) throws IOException {
            if (failure instanceof InterruptedIOException || failure instanceof ClosedByInterruptException
                    || Thread.currentThread().isInterrupted()) {
                throw failure;
            }
        }
    }
}
