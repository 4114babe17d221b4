package io.credence.journal;

import io.credence.journal.JournalTestSupport.RecordOnDisk;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.credence.journal.JournalTestSupport.START_MILLIS;
import static io.credence.journal.JournalTestSupport.applyAccepted;
import static io.credence.journal.JournalTestSupport.create;
import static io.credence.journal.JournalTestSupport.flipByte;
import static io.credence.journal.JournalTestSupport.moneyTotal;
import static io.credence.journal.JournalTestSupport.records;
import static io.credence.journal.JournalTestSupport.topUp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * The background check beside a running ledger: it finds a byte flipped after a clean stop in a
 * segment start-up skipped, logs it with file and offset, reports it for the health endpoint,
 * runs again on its schedule, and stops promptly.
 */
class JournalCheckTest {
    private static final Logger CHECK_LOG = Logger.getLogger(JournalCheck.class.getName());

    final JournalTestSupport support = new JournalTestSupport();
    final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private Level levelBefore;

    @TempDir
    Path dir;

    @BeforeEach
    void captureTheLog() {
        levelBefore = CHECK_LOG.getLevel();
        CHECK_LOG.setLevel(Level.ALL); // the journal tests silence io.credence.journal below SEVERE
        CHECK_LOG.addHandler(capture);
    }

    @AfterEach
    void restoreTheLog() {
        CHECK_LOG.removeHandler(capture);
        CHECK_LOG.setLevel(levelBefore);
        assertThat(support.fatal).isEmpty();
    }

    /** Snapshots 10 and 12, sealed segment 11 behind snapshot 12, empty segment 13 (see JournalVerifierTest). */
    private void cleanlyStopped() throws IOException {
        try (DurableEngine ledger = support.open(dir, JournalTestSupport.CONFIG.withSnapshotEveryRecords(5))) {
            applyAccepted(ledger, create("c-alice", "alice"));
            for (int i = 0; i < 11; i++) {
                applyAccepted(ledger, topUp("t-" + i, "alice", 10));
            }
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void aByteFlippedAfterACleanStopIsFoundBesideTheRunningLedgerAndLoggedWithFileAndOffset() throws Exception {
        cleanlyStopped();
        Path segment = JournalFormat.segment(dir, 11);
        RecordOnDisk second = records(segment).get(1);
        flipByte(segment, second.offset() + 27, 0x08);

        try (DurableEngine ledger = support.open(dir);
             JournalCheck check = JournalCheck.start(dir, new JournalCheck.Settings(Duration.ZERO, Duration.ofHours(24),
                     64L << 20))) {
            assertThat(ledger.recovery().snapshotSeq()).as("start-up never read segment 11").isEqualTo(12);
            applyAccepted(ledger, topUp("t-live", "alice", 5));
            await(() -> check.runs() >= 1, "the first check completed");
            applyAccepted(ledger, topUp("t-after", "alice", 5));
            assertThat(moneyTotal(ledger, "alice")).as("the ledger works on, undisturbed").isEqualTo(120);

            assertThat(check.damaged()).isTrue();
            String where = segment + " at byte " + second.offset();
            assertThat(check.problems()).singleElement().asString().startsWith("journal-damaged: " + where + ": ")
                    .contains("checksum mismatch");
            Map<String, Object> described = check.describe();
            assertThat(described).containsEntry("status", "damaged").containsEntry("segments", 1L)
                    .containsEntry("snapshots", 2L).containsEntry("everySeconds", 86_400L);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> damage = (List<Map<String, Object>>) described.get("damage");
            assertThat(damage).singleElement().satisfies(d -> {
                assertThat(d).containsEntry("file", segment.toString()).containsEntry("offset", second.offset())
                        .containsEntry("blocksStartUp", false);
                assertThat((String) d.get("problem")).contains("checksum mismatch");
            });
            assertThat(logged).filteredOn(r -> r.getLevel() == Level.WARNING)
                    .anyMatch(r -> r.getMessage().contains("DAMAGE in " + where + ": "));
        }
    }

    /**
     * Every {@code every} the directory is read again: damage made after a clean run shows at
     * the next run, and once it is repaired the run after that reports clean again.
     */
    @Test
    void periodicRunsSeeDamageAppearAndGo() throws Exception {
        cleanlyStopped();
        Path segment = JournalFormat.segment(dir, 11);
        try (JournalCheck check = JournalCheck.start(dir, new JournalCheck.Settings(Duration.ZERO,
                Duration.ofMillis(50), 64L << 20))) {
            await(() -> check.runs() >= 1, "the first check completed");
            assertThat(check.damaged()).isFalse();
            assertThat(check.describe()).containsEntry("status", "clean").containsEntry("damage", List.of());
            assertThat(logged).anyMatch(r -> r.getLevel() == Level.INFO && r.getMessage().endsWith(": clean"));

            flipByte(segment, 3, 0x20);
            await(check::damaged, "a later run found the flipped byte");
            assertThat(check.describe()).containsEntry("status", "damaged");

            flipByte(segment, 3, 0x20);
            await(() -> !check.damaged(), "a later run found it repaired");
            assertThat(check.problems()).isEmpty();
        }
    }

    /** Closing interrupts a slow run at once; the interrupted run reports nothing. */
    @Test
    void closeStopsARunInProgressPromptly() throws Exception {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        long seq = 1;
        while (file.size() < 6 << 20) {
            file.write(ScannerContractTest.record(seq, START_MILLIS, ScannerContractTest.payload(seq, 60_000)));
            seq++;
        }
        Files.write(JournalFormat.segment(dir, 1), file.toByteArray());
        Files.write(JournalFormat.segment(dir, seq), new byte[0]); // the one being written: segment 1 is sealed
        JournalCheck check = JournalCheck.start(dir, new JournalCheck.Settings(Duration.ZERO, Duration.ofHours(1),
                1L << 20));
        await(() -> Boolean.TRUE.equals(check.describe().get("running")), "the run began");
        Thread.sleep(200);

        long started = System.nanoTime();
        check.close();
        long closeMillis = (System.nanoTime() - started) / 1_000_000;

        assertThat(closeMillis).as("a 6-second run stopped at once").isLessThan(2_000);
        assertThat(check.runs()).isZero();
        assertThat(check.describe()).containsEntry("status", "pending").containsEntry("running", false);
        assertThat(logged).as("stopping is not a failure").noneMatch(r -> r.getLevel().intValue() >= Level.WARNING.intValue());
    }

    @Test
    void settingsRefuseWhatWouldNeverFinishOrNeverStart() {
        assertThatThrownBy(() -> new JournalCheck.Settings(Duration.ofSeconds(-1), Duration.ZERO, 1L << 20))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new JournalCheck.Settings(Duration.ZERO, Duration.ofHours(-1), 1L << 20))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new JournalCheck.Settings(Duration.ZERO, Duration.ZERO, 1000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 MiB/s");
    }
}
