package io.credence.journal;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.stream.Stream;

import static io.credence.journal.JournalTestSupport.applyAccepted;
import static io.credence.journal.JournalTestSupport.create;
import static io.credence.journal.JournalTestSupport.flipByte;
import static io.credence.journal.JournalTestSupport.moneyTotal;
import static io.credence.journal.JournalTestSupport.topUp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Start-up's edges: a snapshot that covers part of the segment being written, a failure after
 * the segment was opened (nothing may stay open), what it tells the operator, and its own timing.
 */
class RecoveryEdgesTest {
    final JournalTestSupport support = new JournalTestSupport();

    @TempDir
    Path dir;

    @TempDir
    Path work;

    @AfterEach
    void nothingFatal() {
        assertThat(support.fatal).isEmpty();
    }

    /** Open files of this process that are {@code file}. */
    static List<Path> openHandlesOf(Path file) throws IOException {
        Path real = file.toRealPath();
        List<Path> open = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).equals(real)) {
                        open.add(fd);
                    }
                } catch (IOException gone) {
                    // the listing's own handle, closed meanwhile
                }
            }
        }
        return open;
    }

    /**
     * A snapshot that lies inside the newest segment (its records before it are there too): only
     * the records after it are replayed, the one it ends with included in it.
     */
    @Test
    void recordsUpToTheSnapshotAreSkippedAndOnlyLaterOnesReplayed() throws IOException {
        Path three = work.resolve("three");
        try (DurableEngine engine = support.open(three)) {
            applyAccepted(engine, create("c-alice", "alice"));
            applyAccepted(engine, topUp("t-1", "alice", 10));
            applyAccepted(engine, topUp("t-2", "alice", 20));
        } // close() snapshots record 3
        Path live = work.resolve("live");
        try (DurableEngine engine = support.open(live)) {
            applyAccepted(engine, create("c-alice", "alice"));
            applyAccepted(engine, topUp("t-1", "alice", 10));
            applyAccepted(engine, topUp("t-2", "alice", 20));
            applyAccepted(engine, topUp("t-3", "alice", 40));
            applyAccepted(engine, topUp("t-4", "alice", 80));
            JournalTestSupport.crashImage(engine, live, dir);
        }
        assertThat(JournalTestSupport.segments(dir)).containsExactly(JournalFormat.segment(dir, 1));
        Files.copy(JournalFormat.snapshot(three, 3), JournalFormat.snapshot(dir, 3));

        long started = System.nanoTime();
        try (DurableEngine engine = support.open(dir)) {
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + 1;
            RecoveryReport report = engine.recovery();
            assertThat(report.snapshotSeq()).isEqualTo(3);
            assertThat(report.recordsReplayed()).isEqualTo(2);
            assertThat(report.lastSeq()).isEqualTo(5);
            assertThat(report.elapsedMillis()).isBetween(0L, elapsedMillis);
            assertThat(moneyTotal(engine, "alice")).isEqualTo(150);
        }
    }

    /**
     * The damaged snapshot cannot be set aside (its ".damaged" name is taken by a directory that is
     * not empty): start-up fails with that, and leaves neither the segment nor LOCK open.
     */
    @Test
    void aStartUpThatFailsAfterOpeningTheSegmentClosesIt() throws IOException {
        try (DurableEngine engine = support.open(dir)) {
            applyAccepted(engine, create("c-alice", "alice"));
            applyAccepted(engine, topUp("t-1", "alice", 10));
        }
        Path snapshot = JournalFormat.snapshot(dir, 2);
        flipByte(snapshot, Files.size(snapshot) / 2, 0x20);
        Path taken = dir.resolve(snapshot.getFileName() + ".damaged");
        Files.createDirectories(taken.resolve("inside"));

        try (LogCapture log = LogCapture.of(EngineRecovery.class)) {
            Throwable refused = catchThrowable(() -> support.open(dir));
            assertThat(refused).isInstanceOf(DirectoryNotEmptyException.class);
            assertThat(log.messages(Level.WARNING)).anySatisfy(m -> assertThat(m)
                    .startsWith("snapshot 2 unusable, trying an older one: java.io.IOException: " + snapshot));
        }
        assertThat(openHandlesOf(JournalFormat.segment(dir, 3))).as("the segment opened for writing").isEmpty();
        assertThat(openHandlesOf(dir.resolve("LOCK"))).isEmpty();

        Files.delete(taken.resolve("inside"));
        try (DurableEngine engine = support.open(dir)) {
            assertThat(engine.recovery().snapshotSeq()).isZero();
            assertThat(engine.recovery().recordsReplayed()).isEqualTo(2);
        }
        assertThat(taken).isRegularFile();
    }

    @Test
    void aCutTornTailIsLoggedWithItsSizeFileAndReason() throws IOException {
        Path image = work.resolve("image");
        try (DurableEngine engine = support.open(dir)) {
            applyAccepted(engine, create("c-alice", "alice"));
            JournalTestSupport.crashImage(engine, dir, image);
        }
        Path segment = JournalFormat.segment(image, 1);
        JournalTestSupport.append(segment, new byte[] {1, 2, 3});
        try (LogCapture log = LogCapture.of(EngineRecovery.class); DurableEngine engine = support.open(image)) {
            assertThat(engine.recovery().tailBytesCut()).isEqualTo(3);
            List<LogRecord> cut = log.startingWith("cut torn journal tail");
            assertThat(cut).hasSize(1);
            assertThat(new java.util.logging.SimpleFormatter().formatMessage(cut.get(0)))
                    .isEqualTo("cut torn journal tail: 3 bytes of " + segment + " (partial record header (3 bytes))");
        }
    }

    @Test
    void aFailedOpenReleasesTheLockFileHandle() throws IOException {
        Files.createDirectories(dir);
        // a segment that starts past the records before it: refused after LOCK was taken
        Files.write(JournalFormat.segment(dir, 5), new byte[0]);
        Throwable refused = catchThrowable(() -> support.open(dir));
        assertThat(refused).isInstanceOf(JournalCorruptException.class)
                .hasMessageContaining("segment starts at record 5 but the journal has only 0 records before it");
        assertThat(openHandlesOf(dir.resolve("LOCK"))).isEmpty();
    }
}
