package io.credence.records.file;

import io.credence.ledger.Unit;
import io.credence.records.UsageRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The writer: what it accepts is in the file at once, files rotate by size and age, crashes leave readable files. */
class RecordWriterTest {
    @TempDir
    Path dir;

    final List<RecordReader.Skipped> skipped = new ArrayList<>();

    @Test
    void recordsAreReadableAsSoonAsAcceptReturnsAndAfterClose() throws IOException {
        TestRecords.Clock clock = new TestRecords.Clock(1_000);
        List<UsageRecord> written = List.of(TestRecords.record("r1"), TestRecords.record("r2"), TestRecords.record("r3"));
        try (RecordWriter writer = RecordWriter.open(RecordWriterConfig.defaults(dir), clock)) {
            assertThat(writer.currentFile()).as("no file before the first record").isNull();
            written.forEach(writer::accept);
            // Not closed, not flushed by us: accept already handed each line to the OS.
            assertThat(readAll()).isEqualTo(written);
            assertThat(writer.currentFile().getFileName().toString()).isEqualTo("usage-19700101-000001-000-000001.jsonl");
            assertThat(writer.recordsWritten()).isEqualTo(3);
        }
        assertThat(readAll()).isEqualTo(written);
        assertThat(skipped).isEmpty();
    }

    @Test
    void rotatesBeforeAFileWouldPassRotateBytes() throws IOException {
        RecordWriterConfig config = new RecordWriterConfig(dir, 1024, Duration.ofHours(1), 1024);
        List<UsageRecord> written = new ArrayList<>();
        try (RecordWriter writer = RecordWriter.open(config, new TestRecords.Clock(0))) {
            for (int i = 0; i < 20; i++) {
                UsageRecord r = TestRecords.record("r" + i);
                writer.accept(r);
                written.add(r);
            }
        }
        List<Path> files = UsageRecordFile.list(dir);
        int lineBytes = UsageRecordFile.encodeLine(written.getFirst()).length;
        int perFile = 1024 / lineBytes;
        assertThat(files).hasSize((20 + perFile - 1) / perFile);
        for (Path f : files) {
            assertThat(Files.size(f)).isLessThanOrEqualTo(1024).isGreaterThan(0);
        }
        assertThat(readAll()).isEqualTo(written);
    }

    @Test
    void rotatesWhenARecordArrivesAndTheFileIsRotateAgeOld() throws IOException {
        TestRecords.Clock clock = new TestRecords.Clock(1_000);
        RecordWriterConfig config = new RecordWriterConfig(dir, 1 << 20, Duration.ofMinutes(10), 4096);
        try (RecordWriter writer = RecordWriter.open(config, clock)) {
            writer.accept(TestRecords.record("r1"));
            clock.advance(Duration.ofMinutes(10).toMillis() - 1);
            writer.accept(TestRecords.record("r2"));
            assertThat(UsageRecordFile.list(dir)).hasSize(1);
            clock.advance(1);
            writer.accept(TestRecords.record("r3"));
            assertThat(UsageRecordFile.list(dir)).hasSize(2);
            assertThat(writer.currentFile().getFileName().toString()).startsWith("usage-19700101-001001-000-000002");
        }
        assertThat(readAll()).extracting(UsageRecord::recordId).containsExactly("r1", "r2", "r3");
    }

    @Test
    void neverTouchesOlderFilesAndContinuesTheirSequence() throws IOException {
        Path older = dir.resolve("usage-20260101-000000-000-000007.jsonl");
        byte[] olderBytes = UsageRecordFile.encodeLine(TestRecords.record("old"));
        Files.write(older, olderBytes);
        Files.writeString(dir.resolve("notes.txt"), "not ours");
        try (RecordWriter writer = RecordWriter.open(RecordWriterConfig.defaults(dir), new TestRecords.Clock(0))) {
            assertThat(writer.tornFileAtStart()).isEmpty();
            writer.accept(TestRecords.record("new"));
            assertThat(UsageRecordFile.sequence(writer.currentFile())).isEqualTo(8);
        }
        assertThat(Files.readAllBytes(older)).isEqualTo(olderBytes);
        assertThat(readAll()).extracting(UsageRecord::recordId).containsExactly("old", "new");
    }

    @Test
    void aTornLastLineIsReportedSkippedAndTheRetriedRecordReadOnce() throws IOException {
        Path first;
        try (RecordWriter writer = RecordWriter.open(RecordWriterConfig.defaults(dir), new TestRecords.Clock(0))) {
            writer.accept(TestRecords.record("r1"));
            writer.accept(TestRecords.record("r2"));
            first = writer.currentFile();
        }
        // The process was killed halfway through writing r3.
        byte[] r3 = UsageRecordFile.encodeLine(TestRecords.record("r3"));
        Files.write(first, java.util.Arrays.copyOf(r3, r3.length / 2), StandardOpenOption.APPEND);

        try (RecordWriter writer = RecordWriter.open(RecordWriterConfig.defaults(dir), new TestRecords.Clock(5))) {
            assertThat(writer.tornFileAtStart()).contains(first);
            // The charging code retries the commit: same record id.
            writer.accept(TestRecords.record("r3"));
            writer.accept(TestRecords.record("r2"));
            assertThat(writer.currentFile()).isNotEqualTo(first);
        }
        assertThat(readAll()).extracting(UsageRecord::recordId).containsExactly("r1", "r2", "r3");
        assertThat(skipped).singleElement().satisfies(s -> {
            assertThat(s.file()).isEqualTo(first);
            assertThat(s.lineNumber()).isEqualTo(3);
            assertThat(s.reason()).contains("incomplete last line");
        });
    }

    @Test
    void manyThreadsWriteEveryRecordExactlyOnceAndNoLineIsTorn() throws Exception {
        int threads = 32;
        int each = 400;
        RecordWriterConfig config = new RecordWriterConfig(dir, 64 << 10, Duration.ofHours(1), 4096);
        try (RecordWriter writer = RecordWriter.open(config);
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        writer.accept(TestRecords.record("t" + thread + "-" + i, i, "acct" + thread, "s", "data"));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            assertThat(writer.recordsWritten()).isEqualTo((long) threads * each);
        }
        assertThat(UsageRecordFile.list(dir)).hasSizeGreaterThan(1);
        List<String> ids = new ArrayList<>();
        // Read every line, without the reader's de-duplication, to see each record is there exactly once.
        for (Path f : UsageRecordFile.list(dir)) {
            assertThat(Files.size(f)).isLessThanOrEqualTo(64 << 10);
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                ids.add(UsageRecordFile.decode(line).recordId());
            }
        }
        Map<String, Long> counts = ids.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(counts).hasSize(threads * each).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
        // Each thread's records in its own order.
        for (int t = 0; t < threads; t++) {
            String prefix = "t" + t + "-";
            assertThat(ids.stream().filter(id -> id.startsWith(prefix)).toList())
                    .isEqualTo(Stream.iterate(0, i -> i + 1).limit(each).map(i -> prefix + i).toList());
        }
    }

    @Test
    void refusesARecordLongerThanLineMaxAndWritesNothing() throws IOException {
        Map<String, String> big = new HashMap<>();
        for (int i = 0; i < 10; i++) {
            big.put("k" + i, "v".repeat(200));
        }
        UsageRecord tooBig = new UsageRecord("big", 0, "alice", "http", null, "data", 1, big, null, null,
                UsageRecord.FREE, Unit.BYTES, 0, 0, 0, null, null, null);
        try (RecordWriter writer = RecordWriter.open(new RecordWriterConfig(dir, 1 << 20, Duration.ofHours(1), 1024))) {
            assertThatThrownBy(() -> writer.accept(tooBig)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("usage record big is").hasMessageContaining("more than lineMax 1024");
            writer.accept(TestRecords.record("small"));
        }
        assertThat(readAll()).extracting(UsageRecord::recordId).containsExactly("small");
    }

    @Test
    void refusesRecordsAfterClose() throws IOException {
        RecordWriter writer = RecordWriter.open(RecordWriterConfig.defaults(dir));
        writer.accept(TestRecords.record("r1"));
        writer.force();
        writer.close();
        writer.close();
        assertThatThrownBy(() -> writer.accept(TestRecords.record("r2"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void configRefusesUnboundedOrInconsistentSettings() {
        assertThat(RecordWriterConfig.defaults(dir).rotateBytes()).isEqualTo(64L << 20);
        assertThatThrownBy(() -> new RecordWriterConfig(null, 1 << 20, Duration.ofHours(1), 4096))
                .hasMessageContaining("dir");
        assertThatThrownBy(() -> new RecordWriterConfig(dir, 1000, Duration.ofHours(1), 4096))
                .hasMessageContaining("rotateBytes must be lineMax (4096)");
        assertThatThrownBy(() -> new RecordWriterConfig(dir, 1 << 20, Duration.ofMillis(10), 4096))
                .hasMessageContaining("rotateAge");
        assertThatThrownBy(() -> new RecordWriterConfig(dir, 1 << 20, null, 4096)).hasMessageContaining("rotateAge");
        assertThatThrownBy(() -> new RecordWriterConfig(dir, 1 << 20, Duration.ofHours(1), 10))
                .hasMessageContaining("lineMax must be");
    }

    private List<UsageRecord> readAll() throws IOException {
        try (Stream<UsageRecord> records = RecordReader.of(dir, skipped::add).query(RecordReader.Filter.ALL)) {
            return records.toList();
        }
    }
}
