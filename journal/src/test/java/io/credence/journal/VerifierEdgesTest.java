package io.credence.journal;

import io.credence.journal.JournalVerifier.Damage;
import io.credence.journal.JournalVerifier.Report;
import io.credence.journal.JournalVerifier.Scope;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;

import static io.credence.journal.JournalTestSupport.START_MILLIS;
import static io.credence.journal.ScannerContractTest.payload;
import static io.credence.journal.ScannerContractTest.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;

/**
 * The verifier's and the background check's edges, on hand-made directories: files that cannot be
 * read or vanish, snapshots set aside, segments that overlap or leave a gap, the wording of the
 * summary, an interrupted run, and the check's thread, failures and log.
 */
class VerifierEdgesTest {
    static final long FAST = Long.MAX_VALUE;

    @TempDir
    Path dir;

    /** A segment of records {@code first..last} (random command bytes: the verifier does not parse them). */
    private static byte[] records(long first, long last) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (long seq = first; seq <= last; seq++) {
            out.write(record(seq, START_MILLIS, payload(seq, 20)));
        }
        return out.toByteArray();
    }

    /** A snapshot file the verifier finds intact: an empty body with its trailer (it checks trailers only). */
    private static byte[] intactSnapshot() {
        return ByteBuffer.allocate(12).putLong(0).putInt(0).array(); // CRC32C of nothing is 0
    }

    private void segment(long first, long last) throws IOException {
        Files.write(JournalFormat.segment(dir, first), records(first, last));
    }

    @Test
    void theSummaryCountsInTheSingularAndPlural() throws IOException {
        segment(1, 3);
        Files.write(JournalFormat.snapshot(dir, 3), intactSnapshot());
        long started = System.nanoTime();
        Report one = JournalVerifier.verify(dir, Scope.ALL, FAST);
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + 1;
        assertThat(one.clean()).isTrue();
        assertThat(one.elapsedMillis()).isBetween(0L, elapsedMillis);
        assertThat(one.summary()).matches("1 segment \\(3 records\\) and 1 snapshot, [0-9,]+ bytes, read in [0-9]+ ms: clean");

        segment(4, 5);
        Files.write(JournalFormat.snapshot(dir, 5), intactSnapshot());
        Files.write(JournalFormat.segment(dir, 9), records(9, 9));
        Report two = JournalVerifier.verify(dir, Scope.ALL, FAST);
        assertThat(two.summary()).matches("3 segments \\(6 records\\) and 2 snapshots, [0-9,]+ bytes, read in [0-9]+ ms: "
                + "1 damaged place");
    }

    @Test
    void segmentAndSnapshotNumberZeroAreTheirs() throws IOException {
        Files.write(JournalFormat.segment(dir, 0), new byte[0]);
        Files.write(JournalFormat.snapshot(dir, 0), intactSnapshot());
        Report report = JournalVerifier.verify(dir, Scope.ALL, FAST);
        assertThat(report.segments()).isEqualTo(1);
        assertThat(report.snapshots()).isEqualTo(1);
    }

    @Test
    void snapshotsSetAsideAreNotedInNameOrderAndOtherFilesAreNot() throws IOException {
        segment(1, 2);
        for (long seq : new long[] {40, 7, 300, 12, 5000, 61}) {
            Files.write(dir.resolve(JournalFormat.snapshot(dir, seq).getFileName() + ".damaged"), new byte[] {1});
        }
        Files.write(dir.resolve("notes.damaged"), new byte[] {1});
        Report report = JournalVerifier.verify(dir, Scope.ALL, FAST);
        assertThat(report.clean()).isTrue();
        List<String> expected = java.util.stream.LongStream.of(7, 12, 40, 61, 300, 5000)
                .mapToObj(seq -> dir.resolve(JournalFormat.snapshot(dir, seq).getFileName() + ".damaged")
                        + " was set aside by an earlier start-up as unreadable (kept as evidence)")
                .toList();
        assertThat(report.notes()).containsExactlyElementsOf(expected);
    }

    /** Which snapshot is the newest decides what damage to it means; listing order must not. */
    @Test
    void damageToTheNewestSnapshotAndToAnOlderOneMeanDifferentThings() throws IOException {
        segment(1, 9);
        for (long seq = 1; seq <= 9; seq++) {
            Files.write(JournalFormat.snapshot(dir, seq), intactSnapshot());
        }
        byte[] damaged = ByteBuffer.allocate(12).putLong(0).putInt(1).array();
        Files.write(JournalFormat.snapshot(dir, 9), damaged);
        Files.write(JournalFormat.snapshot(dir, 4), damaged);
        Report report = JournalVerifier.verify(dir, Scope.ALL, FAST);
        assertThat(report.damage()).hasSize(2);
        Damage newest = report.damage().stream().filter(d -> d.file().equals(JournalFormat.snapshot(dir, 9))).findFirst()
                .orElseThrow();
        Damage older = report.damage().stream().filter(d -> d.file().equals(JournalFormat.snapshot(dir, 4))).findFirst()
                .orElseThrow();
        assertThat(newest.impact()).isEqualTo("the next start-up sets this snapshot aside and recovers from an older one "
                + "and the journal");
        assertThat(older.impact()).isEqualTo("an older snapshot, kept as the way back should the newest be lost: it "
                + "cannot serve");
    }

    @Test
    void filesThatCannotBeReadAreDamageAndFilesThatVanishAreNotes() throws IOException {
        segment(1, 2);
        Files.write(JournalFormat.snapshot(dir, 2), intactSnapshot());
        Path unreadableSnapshot = Files.createDirectories(JournalFormat.snapshot(dir, 1));
        Path unreadableSegment = Files.createDirectories(JournalFormat.segment(dir, 3));
        Files.write(JournalFormat.segment(dir, 5), new byte[0]);
        Path goneSnapshot = Files.createSymbolicLink(JournalFormat.snapshot(dir, 0), dir.resolve("nowhere.snap"));
        Path goneSegment = Files.createSymbolicLink(JournalFormat.segment(dir, 4), dir.resolve("nowhere.log"));

        Report report = JournalVerifier.verify(dir, Scope.ALL, FAST);

        assertThat(report.damage()).extracting(Damage::file).contains(unreadableSnapshot, unreadableSegment);
        assertThat(report.damage()).filteredOn(d -> d.file().equals(unreadableSnapshot)).singleElement().satisfies(d -> {
            assertThat(d.offset()).isEqualTo(-1);
            assertThat(d.problem()).startsWith("cannot be read: ");
        });
        assertThat(report.damage()).filteredOn(d -> d.file().equals(unreadableSegment)).singleElement().satisfies(d -> {
            assertThat(d.offset()).isEqualTo(-1);
            assertThat(d.problem()).startsWith("cannot be read: ");
        });
        assertThat(report.files()).filteredOn(c -> c.file().equals(unreadableSegment)).singleElement()
                .satisfies(c -> assertThat(c.outcome()).isEqualTo("DAMAGED: cannot be read"));
        assertThat(report.files()).filteredOn(c -> c.file().equals(unreadableSnapshot)).singleElement()
                .satisfies(c -> assertThat(c.outcome()).isEqualTo("DAMAGED: cannot be read"));
        assertThat(report.notes()).contains(
                goneSnapshot + " was deleted while being verified (journal clean-up after a snapshot)",
                goneSegment + " was deleted while being verified (journal clean-up after a snapshot)");
        assertThat(report.damage()).extracting(Damage::file).doesNotContain(goneSnapshot, goneSegment);
    }

    @Test
    void segmentsThatOverlapOrLeaveAGapAreNamedSo() throws IOException {
        segment(1, 3);
        Files.write(JournalFormat.segment(dir, 3), records(3, 4));
        Report overlap = JournalVerifier.verify(dir, Scope.ALL, FAST);
        assertThat(overlap.damage()).singleElement().satisfies(d -> assertThat(d.problem())
                .isEqualTo("the segment ends at record 3 but the next one starts at record 3 (they overlap)"));

        Files.delete(JournalFormat.segment(dir, 3));
        segment(6, 7);
        Report gap = JournalVerifier.verify(dir, Scope.ALL, FAST);
        assertThat(gap.damage()).singleElement().satisfies(d -> assertThat(d.problem())
                .isEqualTo("the segment ends at record 3 but the next one starts at record 6 (records 4..5 are missing)"));
    }

    @Test
    void aTornEndInASealedSegmentNamesTheRecordThatShouldStartThere() throws IOException {
        byte[] sealed = records(1, 3);
        Path first = JournalFormat.segment(dir, 1);
        Files.write(first, java.util.Arrays.copyOf(sealed, sealed.length + 5));
        segment(4, 4);
        Report report = JournalVerifier.verify(dir, Scope.ALL, FAST);
        assertThat(report.damage()).singleElement().satisfies(d -> {
            assertThat(d.file()).isEqualTo(first);
            assertThat(d.offset()).isEqualTo(sealed.length);
            assertThat(d.problem()).isEqualTo("partial record header (5 bytes) where record 4 should start, in a sealed "
                    + "segment (only the segment being written can have a torn tail)");
            assertThat(d.blocksStartUp()).isTrue();
        });
    }

    /** Damage in the first (here the only) segment, which start-up reads, blocks it. */
    @Test
    void damageInTheFirstSegmentStartUpReadsBlocksIt() throws IOException {
        byte[] bytes = records(1, 4);
        bytes[record(1, START_MILLIS, payload(1, 20)).length + 30] ^= 1; // record 2's command
        Files.write(JournalFormat.segment(dir, 1), bytes);
        Report report = JournalVerifier.verify(dir, Scope.ALL, FAST);
        assertThat(report.damage()).singleElement().satisfies(d -> {
            assertThat(d.blocksStartUp()).isTrue();
            assertThat(d.impact()).isEqualTo("the next start-up reads this and will refuse to start until it is restored");
        });
    }

    @Test
    void aSnapshotThatCannotBeReadWhileInterruptedStopsTheRunInsteadOfBeingDamage() throws IOException {
        Files.createDirectories(JournalFormat.snapshot(dir, 3)); // unreadable: reading it fails
        Thread.currentThread().interrupt();
        try {
            Throwable stopped = catchThrowable(() -> JournalVerifier.verify(dir, Scope.ALL, FAST));
            assertThat(stopped).isInstanceOf(IOException.class);
        } finally {
            Thread.interrupted();
        }
    }

    /** A segment numbered 0 is a segment, not a snapshot, when its damage is explained. */
    @Test
    void damageInSegmentZeroIsExplainedAsASegments() throws IOException {
        byte[] bytes = records(0, 3);
        bytes[record(0, START_MILLIS, payload(0, 20)).length + 30] ^= 1; // record 1's command
        Files.write(JournalFormat.segment(dir, 0), bytes);
        Report report = JournalVerifier.verify(dir, Scope.ALL, FAST);
        assertThat(report.damage()).singleElement().satisfies(d -> assertThat(d.impact())
                .isEqualTo("the next start-up reads this and will refuse to start until it is restored"));
    }

    @Test
    void anInterruptedVerificationStopsInsteadOfReportingDamage() throws IOException {
        segment(1, 3);
        Thread.currentThread().interrupt();
        try {
            Throwable stopped = catchThrowable(() -> JournalVerifier.verify(dir, Scope.ALL, FAST));
            assertThat(stopped).isInstanceOf(IOException.class);
        } finally {
            Thread.interrupted();
        }
    }

    /**
     * A snapshot appears while the verification runs (it waits for its slow read rate): the
     * listing afterwards differs, so the start-up view is not judged, and the report says why.
     */
    @Test
    void aSnapshotWrittenDuringTheRunIsNotedAndTheStartUpViewLeftToTheNext() throws Exception {
        // on its own, a segment start-up could not use (records 1..4 are missing), and damaged in the middle
        byte[] bytes = records(5, 7);
        bytes[record(5, START_MILLIS, payload(5, 20)).length + 30] ^= 1; // record 6's command
        Files.write(JournalFormat.segment(dir, 5), bytes);
        java.util.concurrent.CompletableFuture<Report> running = new java.util.concurrent.CompletableFuture<>();
        Thread verifier = new Thread(() -> {
            try {
                running.complete(JournalVerifier.verify(dir, Scope.ALL, 100)); // 132 bytes: a wait of over a second
            } catch (Throwable failed) {
                running.completeExceptionally(failed);
            }
        });
        verifier.start();
        await(() -> verifier.getState() == Thread.State.TIMED_WAITING || running.isDone(), "the read waits for its rate");
        assertThat(running).as("still waiting").isNotDone();
        Files.write(JournalFormat.snapshot(dir, 4), intactSnapshot());
        Report report = running.get(10, TimeUnit.SECONDS);
        assertThat(report.notes()).contains("the writer wrote a snapshot during the verification, so whether start-up "
                + "finds every record it needs is left to the next run");
        assertThat(report.damage()).as("the damage, but no verdict on missing records").singleElement().satisfies(d -> {
            assertThat(d.problem()).contains("followed by a valid one");
            assertThat(d.blocksStartUp()).as("the newest segment is read at start-up").isTrue();
        });

        Files.delete(JournalFormat.snapshot(dir, 4));
        assertThat(JournalVerifier.verify(dir, Scope.ALL, FAST).damage()).extracting(Damage::problem)
                .anySatisfy(p -> assertThat(p).startsWith("start-up needs record 1"));
    }

    // ---------------------------------------------------------------- the background check

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            JournalTestSupport.sleepMillis(5);
        }
    }

    private static Set<Thread> checkThreads() {
        Set<Thread> threads = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("credence-journal-check") && t.isAlive()) {
                threads.add(t);
            }
        }
        return threads;
    }

    @Test
    void theCheckRunsOnALowPriorityDaemonThread() throws Exception {
        Set<Thread> before = checkThreads();
        JournalCheck.Settings settings = new JournalCheck.Settings(Duration.ofHours(1), Duration.ZERO, 1L << 20);
        try (JournalCheck check = JournalCheck.start(dir, settings)) {
            assertThat(check.settings()).isSameAs(settings);
            assertThat(check.lastReport()).isNull();
            Set<Thread> mine = checkThreads();
            mine.removeAll(before);
            assertThat(mine).singleElement().satisfies(t -> {
                assertThat(t.isDaemon()).isTrue();
                assertThat(t.getPriority()).isEqualTo(Thread.MIN_PRIORITY);
            });
        }
    }

    @Test
    void aCheckThatCannotListTheDirectoryReportsFailedAndLogsIt() throws Exception {
        Path missing = dir.resolve("missing");
        try (LogCapture log = LogCapture.of(JournalCheck.class);
             JournalCheck check = JournalCheck.start(missing, new JournalCheck.Settings(Duration.ZERO, Duration.ZERO, 1L << 20))) {
            await(() -> check.runs() == 1, "the one run");
            assertThat(check.lastReport()).isNull();
            var described = check.describe();
            assertThat(described).containsEntry("status", "failed").containsEntry("running", false);
            assertThat((String) described.get("error")).startsWith("java.nio.file.NoSuchFileException");
            assertThat((String) described.get("failedAt")).isNotEqualTo("null");
            assertThat(log.messages(Level.WARNING)).singleElement().satisfies(m -> assertThat(m)
                    .startsWith("journal check of " + missing.toAbsolutePath() + " could not run: java.nio.file.NoSuchFileException"));
        }
    }

    @Test
    void aCleanCheckLogsItsNotesAndSummary() throws Exception {
        segment(1, 2);
        segment(3, 3);
        try (LogCapture log = LogCapture.of(JournalCheck.class);
             JournalCheck check = JournalCheck.start(dir, new JournalCheck.Settings(Duration.ZERO, Duration.ZERO, 1L << 20))) {
            await(() -> check.runs() == 1, "the one run");
            assertThat(check.lastReport()).isNotNull();
            assertThat(check.describe()).containsEntry("status", "clean").doesNotContainKey("error");
            assertThat(log.messages(Level.FINE)).contains("journal check: " + JournalFormat.segment(dir.toAbsolutePath(), 3)
                    + " is being written, so left out (start-up read it in full)");
            assertThat(log.messages(Level.INFO)).singleElement().satisfies(m -> assertThat(m)
                    .startsWith("journal check of " + dir.toAbsolutePath() + ": 1 segment (2 records)"));
        }
    }

    @Test
    void closingWhileInterruptedKeepsTheInterrupt() {
        JournalCheck check = JournalCheck.start(dir, new JournalCheck.Settings(Duration.ofHours(1), Duration.ZERO, 1L << 20));
        Thread.currentThread().interrupt();
        try {
            check.close();
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }
}
