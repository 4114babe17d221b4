package io.credence.records.file;

import io.credence.records.UsageRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The reader: filters, de-duplication, the last records, and following new ones across rotations. */
class RecordReaderTest {
    @TempDir
    Path dir;

    final List<RecordReader.Skipped> skipped = new ArrayList<>();
    final TestRecords.Clock clock = new TestRecords.Clock(0);
    /** Small files, so that most tests cross several rotations. */
    RecordWriterConfig config() {
        return new RecordWriterConfig(dir, 1024, Duration.ofHours(1), 1024);
    }

    @Test
    void queryFiltersByAccountSessionServiceAndHalfOpenTimeWindow() throws IOException {
        try (RecordWriter w = RecordWriter.open(config(), clock)) {
            w.accept(TestRecords.record("a1", 1_000, "alice", "s1", "data"));
            w.accept(TestRecords.record("b1", 2_000, "bob", "s2", "data"));
            w.accept(TestRecords.record("a2", 3_000, "alice", "s3", "voice"));
            w.accept(TestRecords.record("a3", 4_000, "alice", "s1", "data"));
            w.accept(TestRecords.record("a4", 5_000, "alice", "s4", "data"));
        }
        assertThat(ids(new RecordReader.Filter("alice", null, null, null, null, 100))).containsExactly("a1", "a2", "a3", "a4");
        assertThat(ids(new RecordReader.Filter(null, "s1", null, null, null, 100))).containsExactly("a1", "a3");
        assertThat(ids(new RecordReader.Filter(null, null, "voice", null, null, 100))).containsExactly("a2");
        assertThat(ids(new RecordReader.Filter(null, null, null, Instant.ofEpochMilli(2_000), Instant.ofEpochMilli(4_000), 100)))
                .as("from inclusive, to exclusive").containsExactly("b1", "a2");
        assertThat(ids(new RecordReader.Filter("alice", null, "data", Instant.ofEpochMilli(1_001), null, 100)))
                .containsExactly("a3", "a4");
        assertThat(ids(new RecordReader.Filter("alice", null, null, null, null, 2))).containsExactly("a1", "a2");
        assertThat(ids(new RecordReader.Filter("carol", null, null, null, null, 2))).isEmpty();
        assertThat(UsageRecordFile.list(dir)).hasSizeGreaterThan(1);
        assertThat(skipped).isEmpty();
    }

    @Test
    void anAccountAlsoFindsTheRecordsThatMovedItsBalances() throws IOException {
        UsageRecord share = new UsageRecord("sh1", 1_000, "bob", "share", "share-1", "data-share", 10,
                java.util.Map.of("supplierSim", "sim-alice"), null, null, UsageRecord.CHARGED, io.credence.ledger.Unit.BYTES,
                500, 500, 5, null, List.of(new UsageRecord.BalanceChange("alice", io.credence.ledger.Unit.BYTES, -500),
                new UsageRecord.BalanceChange("bob", io.credence.ledger.Unit.MONEY, -5),
                new UsageRecord.BalanceChange("alice", io.credence.ledger.Unit.MONEY, 5)), List.of("sh1"));
        try (RecordWriter w = RecordWriter.open(config(), clock)) {
            w.accept(TestRecords.record("b1", 500, "bob", "s2", "data"));
            w.accept(share);
        }
        assertThat(ids(new RecordReader.Filter("bob", null, null, null, null, 100))).containsExactly("b1", "sh1");
        assertThat(ids(new RecordReader.Filter("alice", null, null, null, null, 100)))
                .as("the supplier, whose bytes the share charged").containsExactly("sh1");
        assertThat(ids(new RecordReader.Filter("carol", null, null, null, null, 100))).isEmpty();
    }

    @Test
    void filterRefusesAnEmptyWindowAndANonPositiveLimit() {
        assertThatThrownBy(() -> new RecordReader.Filter(null, null, null, Instant.ofEpochMilli(5), Instant.ofEpochMilli(5), 1))
                .hasMessageContaining("from must be before to");
        assertThatThrownBy(() -> new RecordReader.Filter(null, null, null, null, null, 0)).hasMessageContaining("limit");
    }

    @Test
    void repeatedRecordIdsAreReturnedOnceWithinTheWindow() throws IOException {
        try (RecordWriter w = RecordWriter.open(config(), clock)) {
            for (String id : List.of("r1", "r2", "r1", "r3", "r2", "r4", "r1")) {
                w.accept(TestRecords.record(id));
            }
        }
        assertThat(ids(RecordReader.Filter.ALL)).containsExactly("r1", "r2", "r3", "r4");
        // A window of two ids forgets r1 by the time its last copy comes; the bound is what it says.
        RecordReader narrow = new RecordReader(dir, RecordWriterConfig.LINE_MAX_DEFAULT, 2, skipped::add);
        try (Stream<UsageRecord> s = narrow.query(RecordReader.Filter.ALL)) {
            assertThat(s.map(UsageRecord::recordId)).containsExactly("r1", "r2", "r3", "r4", "r1");
        }
    }

    @Test
    void tailReturnsTheLastDistinctRecordsAcrossFiles() throws IOException {
        try (RecordWriter w = RecordWriter.open(config(), clock)) {
            for (int i = 0; i < 30; i++) {
                w.accept(TestRecords.record("r" + i));
            }
            w.accept(TestRecords.record("r29"));
            w.accept(TestRecords.record("r28"));
        }
        assertThat(UsageRecordFile.list(dir)).hasSizeGreaterThan(3);
        RecordReader reader = RecordReader.of(dir, skipped::add);
        assertThat(reader.tail(8)).extracting(UsageRecord::recordId)
                .containsExactly("r22", "r23", "r24", "r25", "r26", "r27", "r28", "r29");
        assertThat(reader.tail(0)).isEmpty();
        assertThat(reader.tail(100)).hasSize(30);
        assertThatThrownBy(() -> reader.tail(-1)).hasMessageContaining("n must be");
    }

    @Test
    void skipsAndReportsLinesThatAreNotRecordsOrTooLong() throws IOException {
        Path file = dir.resolve(UsageRecordFile.fileName(Instant.EPOCH, 1));
        String good = UsageRecordFile.toJsonString(TestRecords.record("r1"));
        String good2 = UsageRecordFile.toJsonString(TestRecords.record("r2"));
        Files.writeString(file, good + "\n{broken\n" + "x".repeat(5000) + "\n" + good2 + "\n", StandardCharsets.UTF_8);
        RecordReader reader = new RecordReader(dir, 1024, 16, skipped::add);
        try (Stream<UsageRecord> s = reader.query(RecordReader.Filter.ALL)) {
            assertThat(s.map(UsageRecord::recordId)).containsExactly("r1", "r2");
        }
        assertThat(skipped).extracting(RecordReader.Skipped::lineNumber).containsExactly(2L, 3L);
        assertThat(skipped.get(0).reason()).contains("not a usage record: not JSON");
        assertThat(skipped.get(1).reason()).contains("longer than lineMax 1024");
    }

    @Test
    void followDeliversTheTailThenNewRecordsAcrossRotationsAndWaitsForWholeLines() throws IOException {
        List<String> seen = new ArrayList<>();
        RecordReader reader = RecordReader.of(dir, skipped::add);
        try (RecordWriter w = RecordWriter.open(config(), clock)) {
            RecordReader.Follower nothingYet = reader.follow(5, r -> seen.add(r.recordId()));
            assertThat(nothingYet.poll()).isZero();
            for (int i = 0; i < 4; i++) {
                w.accept(TestRecords.record("r" + i));
            }
            RecordReader.Follower follower = reader.follow(2, r -> seen.add(r.recordId()));
            assertThat(seen).containsExactly("r2", "r3");
            assertThat(follower.poll()).isZero();

            for (int i = 4; i < 20; i++) {
                w.accept(TestRecords.record("r" + i));
            }
            w.accept(TestRecords.record("r5"));
            assertThat(follower.poll()).isEqualTo(16);
            assertThat(seen).containsExactlyElementsOf(
                    Stream.iterate(2, i -> i + 1).limit(18).map(i -> "r" + i).toList());

            // A line half written is not delivered until its end arrives.
            Path current = w.currentFile();
            byte[] line = UsageRecordFile.encodeLine(TestRecords.record("r20"));
            Files.write(current, Arrays.copyOf(line, 10), StandardOpenOption.APPEND);
            assertThat(follower.poll()).isZero();
            Files.write(current, Arrays.copyOfRange(line, 10, line.length), StandardOpenOption.APPEND);
            assertThat(follower.poll()).isEqualTo(1);
            assertThat(seen.getLast()).isEqualTo("r20");
        }
        assertThat(skipped).isEmpty();
    }

    @Test
    void followSkipsATornLineOnceANewerFileExists() throws IOException {
        List<String> seen = new ArrayList<>();
        RecordReader reader = RecordReader.of(dir, skipped::add);
        Path first;
        try (RecordWriter w = RecordWriter.open(config(), clock)) {
            w.accept(TestRecords.record("r1"));
            first = w.currentFile();
        }
        RecordReader.Follower follower = reader.follow(10, r -> seen.add(r.recordId()));
        Files.write(first, "{\"recordId\":\"r2".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
        assertThat(follower.poll()).isZero();
        assertThat(skipped).isEmpty();
        try (RecordWriter w = RecordWriter.open(config(), clock)) {
            w.accept(TestRecords.record("r2"));
        }
        assertThat(follower.poll()).isEqualTo(1);
        assertThat(seen).containsExactly("r1", "r2");
        assertThat(skipped).singleElement().satisfies(s -> assertThat(s.reason()).contains("torn last line"));
    }

    @Test
    void runPollsUntilStopped() throws Exception {
        RecordReader reader = RecordReader.of(dir, skipped::add);
        List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.CountDownLatch got = new java.util.concurrent.CountDownLatch(1);
        RecordReader.Follower follower = reader.follow(0, r -> {
            seen.add(r.recordId());
            got.countDown();
        });
        Thread runner = Thread.ofVirtual().start(() -> {
            try {
                follower.run(Duration.ofMillis(5));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        try (RecordWriter w = RecordWriter.open(config(), clock)) {
            w.accept(TestRecords.record("r1"));
        }
        got.await();
        follower.stop();
        runner.join();
        assertThat(seen).containsExactly("r1");
    }

    private List<String> ids(RecordReader.Filter filter) throws IOException {
        try (Stream<UsageRecord> s = RecordReader.of(dir, skipped::add).query(filter)) {
            return s.map(UsageRecord::recordId).toList();
        }
    }
}
