package io.credence.journal;

import io.credence.journal.JournalTestSupport.LedgerState;
import io.credence.journal.JournalTestSupport.RecordOnDisk;
import io.credence.ledger.LedgerView;
import io.credence.ledger.Ledger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static io.credence.journal.JournalTestSupport.append;
import static io.credence.journal.JournalTestSupport.applyAccepted;
import static io.credence.journal.JournalTestSupport.commit;
import static io.credence.journal.JournalTestSupport.copyDirectory;
import static io.credence.journal.JournalTestSupport.crashImage;
import static io.credence.journal.JournalTestSupport.create;
import static io.credence.journal.JournalTestSupport.createOperator;
import static io.credence.journal.JournalTestSupport.lastSegment;
import static io.credence.journal.JournalTestSupport.query;
import static io.credence.journal.JournalTestSupport.records;
import static io.credence.journal.JournalTestSupport.reserve;
import static io.credence.journal.JournalTestSupport.topUp;
import static io.credence.journal.JournalTestSupport.transfer;
import static io.credence.journal.JournalTestSupport.truncate;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A crash in the middle of an append leaves a torn tail: part of the last record, or bytes the
 * file system allocated but never filled. Recovery cuts exactly that, reports it, and the journal
 * goes on from the cut.
 */
class TornTailTest {
    static final List<String> ACCOUNTS = List.of("system", "alice", "bob", "op");
    static final Function<LedgerView, LedgerState> STATE = LedgerState.of(ACCOUNTS, 3);

    final JournalTestSupport support = new JournalTestSupport();

    @TempDir
    Path dir;

    @TempDir
    Path work;

    /** A crash image whose last record is the transfer "x-last". */
    Path image;
    LedgerState beforeLast;
    LedgerState afterLast;
    int commandsBeforeLast;
    RecordOnDisk last;

    @BeforeEach
    void journalWhoseLastRecordIsATransfer() throws IOException {
        try (DurableEngine ledger = support.open(dir)) {
            applyAccepted(ledger, create("c-alice", "alice"));
            applyAccepted(ledger, create("c-bob", "bob"));
            applyAccepted(ledger, createOperator("c-op", "op"));
            applyAccepted(ledger, topUp("t-alice", "alice", 1_000));
            applyAccepted(ledger, reserve("r-1", "alice", "op", 300, 60_000));
            applyAccepted(ledger, commit("k-1", 1, 100));
            commandsBeforeLast = 6;
            beforeLast = query(ledger, STATE);
            applyAccepted(ledger, transfer("x-last", "alice", "bob", 250));
            afterLast = query(ledger, STATE);
            image = crashImage(ledger, dir, work.resolve("image"));
        }
        List<RecordOnDisk> all = records(lastSegment(image));
        assertThat(all).hasSize(commandsBeforeLast + 1);
        last = all.get(all.size() - 1);
        assertThat(beforeLast).isNotEqualTo(afterLast);
    }

    @AfterEach
    void nothingFatal() {
        assertThat(support.fatal).isEmpty();
    }

    /**
     * Every cut inside the last record (header, checksum, seq, time, command), checked at the
     * scanner: a torn tail of exactly the bytes after the last whole record, and only the whole
     * records handed on.
     */
    @Test
    void everyCutInsideTheLastRecordIsATornTailOfExactlyThoseBytes() throws IOException {
        Path segment = work.resolve("scanned.log");
        byte[] whole = Files.readAllBytes(lastSegment(image));
        SegmentScanner scanner = new SegmentScanner(JournalTestSupport.CONFIG.recordBytesMax());
        for (long cut = last.offset() + 1; cut < last.end(); cut++) {
            Files.write(segment, java.util.Arrays.copyOf(whole, (int) cut));
            List<Long> seen = new java.util.ArrayList<>();
            SegmentScanner.Result result = scanner.scan(segment, 1, (seq, at, bytes, offset, length) -> seen.add(seq));
            assertThat(result.lastSeq()).as("cut at %d", cut).isEqualTo(commandsBeforeLast);
            assertThat(result.validBytes()).as("cut at %d", cut).isEqualTo(last.offset());
            assertThat(result.tailBytes()).as("cut at %d", cut).isEqualTo(cut - last.offset());
            assertThat(result.tailReason()).as("cut at %d", cut).isNotBlank();
            assertThat(seen).hasSize(commandsBeforeLast).last().isEqualTo((long) commandsBeforeLast);
        }
    }

    /**
     * Cuts in each field of the last record, end to end: reopen succeeds, reports the cut, cuts the
     * file back to the last whole record and has the state from before the torn command.
     */
    @Test
    void aCutInAnyFieldRecoversTheStateBeforeTheTornCommand() throws IOException {
        int header = JournalFormat.HEADER_BYTES;
        long[] intoRecord = {1, 3, 4, 7, 8, 12, header - 1, header, header + 7, header + 8, header + 9,
                last.length() + header - 1};
        for (long into : intoRecord) {
            long cut = last.offset() + into;
            Path copy = freshCopy("cut-" + cut);
            Path segment = lastSegment(copy);
            truncate(segment, cut);
            try (DurableEngine ledger = support.open(copy)) {
                RecoveryReport report = ledger.recovery();
                assertThat(report.tailBytesCut()).as("cut at %d", cut).isEqualTo(into);
                assertThat(report.tailReason()).as("cut at %d", cut).isNotBlank();
                assertThat(report.tailFile()).isEqualTo(segment.toString());
                assertThat(report.lastSeq()).isEqualTo(commandsBeforeLast);
                assertThat(report.describe()).contains("torn tail of " + into + " bytes");
                assertThat(Files.size(segment)).as("file cut back to the last whole record").isEqualTo(last.offset());
                assertThat(query(ledger, STATE)).as("cut at %d", cut).isEqualTo(beforeLast);
            }
        }
    }

    @Test
    void aCutExactlyBetweenRecordsIsNoTearAtAll() throws IOException {
        Path copy = freshCopy("clean-cut");
        truncate(lastSegment(copy), last.offset());
        try (DurableEngine ledger = support.open(copy)) {
            assertThat(ledger.recovery().tailBytesCut()).isZero();
            assertThat(ledger.recovery().tailReason()).isNull();
            assertThat(query(ledger, STATE)).isEqualTo(beforeLast);
        }
    }

    /**
     * After the cut, new commands are appended where the torn record was, numbered after the last
     * whole one, and they survive a crash and a clean restart.
     */
    @Test
    void newCommandsAppendAfterTheCutAndSurviveTwoMoreRestarts() throws IOException {
        long[] cuts = {last.offset() + 1, last.offset() + JournalFormat.HEADER_BYTES - 1,
                last.offset() + JournalFormat.HEADER_BYTES + 8, last.end() - 1};
        for (long cut : cuts) {
            Path copy = freshCopy("resume-" + cut);
            truncate(lastSegment(copy), cut);
            LedgerState afterRetry;
            Path crash = work.resolve("resume-crash-" + cut);
            try (DurableEngine ledger = support.open(copy)) {
                // the client never got an answer for x-last, so it retries; now it is applied
                applyAccepted(ledger, transfer("x-last", "alice", "bob", 250));
                afterRetry = query(ledger, STATE);
                crashImage(ledger, copy, crash);
            }
            assertThat(afterRetry).isEqualTo(afterLast);
            List<RecordOnDisk> onDisk = records(lastSegment(crash));
            assertThat(onDisk).hasSize(commandsBeforeLast + 1);
            assertThat(onDisk.get(commandsBeforeLast).offset()).isEqualTo(last.offset());
            assertThat(onDisk.get(commandsBeforeLast).seq()).isEqualTo(commandsBeforeLast + 1);
            try (DurableEngine ledger = support.open(crash)) {
                assertThat(ledger.recovery().tailBytesCut()).isZero();
                assertThat(query(ledger, STATE)).isEqualTo(afterLast);
            }
            try (DurableEngine ledger = support.open(copy)) {
                assertThat(query(ledger, STATE)).isEqualTo(afterLast);
            }
        }
    }

    /** Space the file system extended but never wrote (zeros), of any length, is a torn tail too. */
    @Test
    void zerosAfterTheLastRecordAreCut() throws IOException {
        int[] lengths = {1, 7, 15, 16, 24, 100, 4096, 70_000};
        for (int length : lengths) {
            Path copy = freshCopy("zeros-" + length);
            append(lastSegment(copy), new byte[length]);
            try (DurableEngine ledger = support.open(copy)) {
                assertThat(ledger.recovery().tailBytesCut()).as("%d zeros", length).isEqualTo(length);
                assertThat(ledger.recovery().lastSeq()).isEqualTo(commandsBeforeLast + 1);
                assertThat(query(ledger, STATE)).isEqualTo(afterLast);
            }
        }
    }

    @Test
    void garbageAfterTheLastRecordIsCut() throws IOException {
        Random random = new Random(20_240_601);
        for (int round = 0; round < 12; round++) {
            byte[] garbage = new byte[1 + random.nextInt(round < 6 ? 40 : 3_000)];
            random.nextBytes(garbage);
            Path copy = freshCopy("garbage-" + round);
            append(lastSegment(copy), garbage);
            try (DurableEngine ledger = support.open(copy)) {
                assertThat(ledger.recovery().tailBytesCut()).as("round %d", round).isEqualTo(garbage.length);
                assertThat(query(ledger, STATE)).isEqualTo(afterLast);
            }
        }
    }

    /** A repeat of the last record (a retried write that landed twice) is not a new record. */
    @Test
    void aDuplicateOfTheLastRecordIsCut() throws IOException {
        Path copy = freshCopy("duplicate");
        Path segment = lastSegment(copy);
        byte[] bytes = Files.readAllBytes(segment);
        byte[] lastRecord = java.util.Arrays.copyOfRange(bytes, (int) last.offset(), (int) last.end());
        append(segment, lastRecord);
        try (DurableEngine ledger = support.open(copy)) {
            assertThat(ledger.recovery().tailBytesCut()).isEqualTo(lastRecord.length);
            assertThat(ledger.recovery().tailReason()).contains("sequence");
            assertThat(query(ledger, STATE)).isEqualTo(afterLast);
        }
    }

    /** A torn last record plus zeros behind it (a torn write into preallocated space). */
    @Test
    void aTornRecordFollowedByZerosIsCut() throws IOException {
        Path copy = freshCopy("torn-and-zeros");
        Path segment = lastSegment(copy);
        long cut = last.offset() + 20;
        truncate(segment, cut);
        append(segment, new byte[512]);
        try (DurableEngine ledger = support.open(copy)) {
            assertThat(ledger.recovery().tailBytesCut()).isEqualTo(cut - last.offset() + 512);
            assertThat(query(ledger, STATE)).isEqualTo(beforeLast);
        }
    }

    private Path freshCopy(String name) throws IOException {
        Path copy = work.resolve(name);
        copyDirectory(image, copy);
        return copy;
    }
}
