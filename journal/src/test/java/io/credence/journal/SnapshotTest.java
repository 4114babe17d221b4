package io.credence.journal;

import io.credence.journal.JournalTestSupport.LedgerState;
import io.credence.ledger.LedgerView;
import io.credence.ledger.Command;
import io.credence.ledger.Ledger;
import io.credence.ledger.Outcome;
import io.credence.ledger.Rejection;
import io.credence.ledger.ReservationStatus;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static io.credence.journal.JournalTestSupport.apply;
import static io.credence.journal.JournalTestSupport.awaitOnWriter;
import static io.credence.journal.JournalTestSupport.barrier;
import static io.credence.journal.JournalTestSupport.create;
import static io.credence.journal.JournalTestSupport.createOperator;
import static io.credence.journal.JournalTestSupport.fileNames;
import static io.credence.journal.JournalTestSupport.flipByte;
import static io.credence.journal.JournalTestSupport.moneyAvailable;
import static io.credence.journal.JournalTestSupport.query;
import static io.credence.journal.JournalTestSupport.reserve;
import static io.credence.journal.JournalTestSupport.segments;
import static io.credence.journal.JournalTestSupport.snapshots;
import static io.credence.journal.JournalTestSupport.topUp;
import static io.credence.journal.JournalTestSupport.transfer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Snapshots every N records, segment roll and clean-up, and the way back from a damaged snapshot. */
class SnapshotTest {
    static final int EVERY = 10;
    static final JournalConfig ROLLING = JournalTestSupport.CONFIG.withSnapshotEveryRecords(EVERY);
    static final List<String> ACCOUNTS = List.of("system", "a0", "a1", "a2", "a3", "a4", "op");
    static final Function<LedgerView, LedgerState> STATE = LedgerState.of(ACCOUNTS, 3);
    static final long TTL_MILLIS = 120_000;
    /** Reservation 1 is taken by record 20 (inside the snapshots), reservation 2 by record 52 (after them). */
    static final int RESERVE_EARLY = 20;
    static final int RESERVE_LATE = 52;

    final JournalTestSupport support = new JournalTestSupport();

    @TempDir
    Path dir;

    @AfterEach
    void nothingFatal() {
        assertThat(support.fatal).isEmpty();
    }

    /** Record {@code seq} of a deterministic workload (one command per record, applied one at a time). */
    static Command command(int seq) {
        if (seq <= 5) {
            return create("c-" + seq, "a" + (seq - 1));
        }
        if (seq == 6) {
            return createOperator("c-op", "op");
        }
        if (seq <= 11) {
            return topUp("t-" + seq, "a" + (seq - 7), 100_000);
        }
        if (seq == RESERVE_EARLY) {
            return reserve("r-early", "a0", "op", 1_000, TTL_MILLIS);
        }
        if (seq == RESERVE_LATE) {
            return reserve("r-late", "a1", "op", 2_000, TTL_MILLIS);
        }
        return transfer("x-" + seq, "a" + seq % 5, "a" + (seq + 1) % 5, seq);
    }

    /** Applies records {@code from..to} one at a time; returns each command with its answer. */
    static Map<Command, Outcome> run(DurableEngine ledger, int from, int to) {
        Map<Command, Outcome> answers = new LinkedHashMap<>();
        for (int seq = from; seq <= to; seq++) {
            Command command = command(seq);
            Outcome outcome = apply(ledger, command);
            assertThat(outcome.accepted()).as("record %d: %s", seq, outcome).isTrue();
            answers.put(command, outcome);
        }
        return answers;
    }

    private static String snapshotName(long seq) {
        return JournalFormat.snapshot(Path.of("."), seq).getFileName().toString();
    }

    private static String segmentName(long seq) {
        return JournalFormat.segment(Path.of("."), seq).getFileName().toString();
    }

    @Test
    void snapshotsRollTheJournalAndKeepOnlyWhatTheTwoNewestNeed() throws IOException {
        LedgerState before;
        try (DurableEngine ledger = support.open(dir, ROLLING)) {
            run(ledger, 1, 25);
            barrier(ledger);
            assertThat(fileNames(dir)).containsExactlyInAnyOrder("LOCK", segmentName(11), segmentName(21), snapshotName(10),
                    snapshotName(20));
            run(ledger, 26, 55);
            barrier(ledger);
            // snapshots 40 and 50 remain; the journal from 41 on is what they need
            assertThat(fileNames(dir)).containsExactlyInAnyOrder("LOCK", segmentName(41), segmentName(51), snapshotName(40),
                    snapshotName(50));
            assertThat(JournalTestSupport.allRecords(dir)).extracting(JournalTestSupport.RecordOnDisk::seq)
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(41, 55).boxed().toList());
            before = query(ledger, STATE);
        }
        // close() snapshots the last 5 records too, and the clean-up moves on
        assertThat(fileNames(dir)).containsExactlyInAnyOrder("LOCK", segmentName(51), segmentName(56), snapshotName(50),
                snapshotName(55));
        try (DurableEngine ledger = support.open(dir, ROLLING)) {
            assertThat(ledger.recovery().snapshotSeq()).isEqualTo(55);
            assertThat(ledger.recovery().recordsReplayed()).isZero();
            assertThat(ledger.recovery().lastSeq()).isEqualTo(55);
            assertThat(query(ledger, STATE)).isEqualTo(before);
        }
        assertThat(snapshots(dir)).as("a restart without new records writes no snapshot").hasSize(2);
        assertThat(fileNames(dir)).doesNotContain(snapshotName(55) + ".tmp");
    }

    @Test
    void everySnapshotIsFollowedByASegmentStartingRightAfterIt() throws IOException {
        // with bursts, a snapshot comes after the batch that crosses the mark, wherever that ends
        try (DurableEngine ledger = support.open(dir, ROLLING)) {
            run(ledger, 1, 11);
            List<java.util.concurrent.CompletableFuture<Outcome>> burst = new ArrayList<>();
            for (int seq = 12; seq <= 40; seq++) {
                burst.add(((Submission.Accepted<Outcome>) ledger.submit(command(seq))).answer());
            }
            burst.forEach(java.util.concurrent.CompletableFuture::join);
            barrier(ledger);
            assertThat(snapshots(dir)).hasSizeBetween(1, 2);
            for (Path snapshot : snapshots(dir)) {
                long seq = JournalFormat.seqOf(snapshot, JournalFormat.SNAPSHOT_PREFIX, JournalFormat.SNAPSHOT_SUFFIX);
                assertThat(segments(dir)).as("a segment starts right after snapshot %d", seq)
                        .contains(JournalFormat.segment(dir, seq + 1));
            }
        }
    }

    /**
     * The newest snapshot is damaged: recovery takes the older one, replays the journal after it,
     * and reaches the same state. Reservations held in the snapshot and in the replayed part still
     * expire on time, and retries of requests from both parts still get their first answers.
     */
    @Test
    void aDamagedNewestSnapshotFallsBackToTheOlderOneAndReplays() throws IOException {
        Map<Command, Outcome> answers;
        LedgerState before;
        try (DurableEngine ledger = support.open(dir, ROLLING)) {
            answers = run(ledger, 1, 55);
            before = query(ledger, STATE);
        }
        Path newest = JournalFormat.snapshot(dir, 55);
        flipByte(newest, Files.size(newest) / 2, 0x10);

        try (DurableEngine ledger = support.open(dir, ROLLING)) {
            RecoveryReport report = ledger.recovery();
            assertThat(report.snapshotSeq()).isEqualTo(50);
            assertThat(report.recordsReplayed()).isEqualTo(5);
            assertThat(report.lastSeq()).isEqualTo(55);
            assertThat(query(ledger, STATE)).isEqualTo(before);
            assertRetriesGetFirstAnswers(ledger, answers);

            long a0Available = moneyAvailable(ledger, "a0");
            long a1Available = moneyAvailable(ledger, "a1");
            support.clock.addAndGet(TTL_MILLIS);
            awaitOnWriter(ledger, l -> l.openReservationCount() == 0, "both reservations expire");
            ReservationStatus early = query(ledger, l -> l.reservation(1).orElseThrow().status());
            ReservationStatus late = query(ledger, l -> l.reservation(2).orElseThrow().status());
            assertThat(early).isEqualTo(ReservationStatus.EXPIRED);
            assertThat(late).isEqualTo(ReservationStatus.EXPIRED);
            assertThat(moneyAvailable(ledger, "a0")).isEqualTo(a0Available + 1_000);
            assertThat(moneyAvailable(ledger, "a1")).isEqualTo(a1Available + 2_000);
            assertRetriesGetFirstAnswers(ledger, answers);
        }
    }

    private static void assertRetriesGetFirstAnswers(DurableEngine ledger, Map<Command, Outcome> answers) {
        for (Map.Entry<Command, Outcome> e : answers.entrySet()) {
            assertThat(apply(ledger, e.getKey())).as("retry of %s", e.getKey().requestId()).isEqualTo(e.getValue());
        }
        assertThat(apply(ledger, topUp("t-7", "a0", 1))).isEqualTo(new Rejection.DuplicateRequest("t-7"));
    }

    @Test
    void anEmptyOrTruncatedNewestSnapshotFallsBackToo() throws IOException {
        LedgerState before;
        try (DurableEngine ledger = support.open(dir, ROLLING)) {
            run(ledger, 1, 55);
            before = query(ledger, STATE);
        }
        Path newest = JournalFormat.snapshot(dir, 55);
        byte[] whole = Files.readAllBytes(newest);
        for (int length : new int[] {0, 11, 12, whole.length / 2, whole.length - 1}) {
            Files.write(newest, java.util.Arrays.copyOf(whole, length));
            try (DurableEngine ledger = support.open(dir, ROLLING)) {
                assertThat(ledger.recovery().snapshotSeq()).as("newest cut to %d bytes", length).isEqualTo(50);
                assertThat(query(ledger, STATE)).isEqualTo(before);
            }
            assertThat(newest).as("close() wrote snapshot 55 again from the recovered state").exists();
        }
    }

    /**
     * A damaged count in the newest snapshot is a damaged snapshot like any other: fall back. (With
     * accounts only, no transfers are retained, so that count sits just before END and the trailer.)
     */
    @Test
    void aNewestSnapshotWithAHugeDamagedCountFallsBack() throws IOException {
        try (DurableEngine ledger = support.open(dir, ROLLING)) {
            for (int i = 0; i < 15; i++) {
                assertThat(apply(ledger, create("c-" + i, "n" + i)).accepted()).isTrue();
            }
        }
        Path newest = JournalFormat.snapshot(dir, 15);
        byte[] damaged = Files.readAllBytes(newest);
        assertThat(JournalFormat.getInt(damaged, damaged.length - 20)).as("the retained-transfers count").isZero();
        JournalFormat.putInt(damaged, damaged.length - 20, 0x7FFF_FFF0);
        Files.write(newest, damaged);
        // caught here: an OutOfMemoryError escaping a test would abort the whole test run
        DurableEngine[] opened = new DurableEngine[1];
        Throwable failed = catchThrowable(() -> opened[0] = support.open(dir, ROLLING));
        assertThat(failed).as("open falls back instead of failing").isNull();
        try (DurableEngine ledger = opened[0]) {
            assertThat(ledger.recovery().snapshotSeq()).isEqualTo(10);
            assertThat(ledger.recovery().recordsReplayed()).isEqualTo(5);
            int accounts = query(ledger, LedgerView::accountCount);
            assertThat(accounts).isEqualTo(16);
        }
    }

    /**
     * Only one snapshot exists (the default cadence snapshots at shutdown) and it is damaged. The
     * promise is that a damaged newest snapshot still leaves a way back: the journal it covers
     * must not have been deleted while it was the only one.
     */
    @Test
    void aDamagedOnlySnapshotStillLeavesAWayBack() throws IOException {
        LedgerState before;
        try (DurableEngine ledger = support.open(dir)) {
            run(ledger, 1, 15);
            before = query(ledger, STATE);
        }
        assertThat(snapshots(dir)).containsExactly(JournalFormat.snapshot(dir, 15));
        Path only = JournalFormat.snapshot(dir, 15);
        flipByte(only, Files.size(only) / 2, 0x10);

        try (DurableEngine ledger = support.open(dir)) {
            assertThat(ledger.recovery().snapshotSeq()).isZero();
            assertThat(ledger.recovery().recordsReplayed()).isEqualTo(15);
            assertThat(query(ledger, STATE)).isEqualTo(before);
        }
    }

    /**
     * After falling back from a damaged snapshot the ledger runs on and snapshots again. The
     * damaged file must not count as one of the two kept, or the next damage has no way back.
     */
    @Test
    void aDamagedSnapshotIsNotCountedAsOneOfTheTwoKept() throws IOException {
        LedgerState before;
        try (DurableEngine ledger = support.open(dir, ROLLING)) {
            run(ledger, 1, 55);
        }
        Path snapshot55 = JournalFormat.snapshot(dir, 55);
        flipByte(snapshot55, Files.size(snapshot55) / 2, 0x10);
        try (DurableEngine ledger = support.open(dir, ROLLING)) {
            assertThat(ledger.recovery().snapshotSeq()).isEqualTo(50);
            run(ledger, 56, 58);
            before = query(ledger, STATE);
        }
        // close() snapshotted record 58; snapshots 58, 55 (damaged) and 50 were candidates to keep
        Path snapshot58 = JournalFormat.snapshot(dir, 58);
        assertThat(snapshot58).exists();
        flipByte(snapshot58, Files.size(snapshot58) / 2, 0x10);
        try (DurableEngine ledger = support.open(dir, ROLLING)) {
            assertThat(ledger.recovery().snapshotSeq()).isLessThan(58);
            assertThat(query(ledger, STATE)).isEqualTo(before);
        }
    }
}
