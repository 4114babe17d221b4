package io.credence.market.log;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Eight threads submit 10,000 entries each, as fast as the queue lets them (retrying on Busy):
 * every entry gets its own index, every index holds exactly the entry its submitter was told,
 * and the root equals a tree built from the file by a parser that is not the log's own.
 */
class MerkleLogConcurrencyTest {
    static final int THREADS = 8;
    static final int PER_THREAD = 10_000;

    @TempDir
    Path dir;

    @Test
    void eightyThousandEntriesFromEightThreads() throws Exception {
        // a queue much smaller than the load, so submitters meet Busy and batches fill up
        LogLimits limits = new LogLimits(1024, 1_000_000, 256, 128);
        AtomicLong busy = new AtomicLong();
        Map<Long, byte[]> byIndex = new HashMap<>();
        try (MerkleLog log = MerkleLog.open(dir, limits, LogTestSupport.KEY, LogTestSupport.CLOCK);
             ExecutorService threads = Executors.newFixedThreadPool(THREADS)) {
            List<Future<List<Submitted>>> submitters = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                submitters.add(threads.submit(() -> submitAll(log, thread, busy)));
            }
            for (Future<List<Submitted>> submitter : submitters) {
                for (Submitted submitted : submitter.get()) {
                    byte[] previous = byIndex.put(submitted.index().join(), submitted.entry());
                    assertThat(previous).as("index given twice").isNull();
                }
            }
            assertThat(byIndex).hasSize(THREADS * PER_THREAD);
            assertThat(byIndex.keySet()).allMatch(index -> index >= 0 && index < THREADS * PER_THREAD);
            assertThat(log.size()).isEqualTo(THREADS * PER_THREAD);

            List<LogTestSupport.RecordOnDisk> records = LogTestSupport.records(dir.resolve("entries.log"));
            assertThat(records).hasSize(THREADS * PER_THREAD);
            for (int i = 0; i < records.size(); i++) {
                assertThat(records.get(i).entry()).as("entry %d", i).isEqualTo(byIndex.get((long) i));
            }
            assertThat(log.root()).isEqualTo(LogTestSupport.treeOf(records).root());
            assertThat(log.entry(12_345)).isEqualTo(byIndex.get(12_345L));
            SignedTreeHead head = log.treeHead();
            assertThat(LogVerifier.verify(dir, log.publicKey(), head).ok()).isTrue();
        }
        assertThat(busy.get()).as("the small queue pushed back").isPositive();
    }

    record Submitted(byte[] entry, CompletableFuture<Long> index) {}

    static List<Submitted> submitAll(MerkleLog log, int thread, AtomicLong busy) {
        List<Submitted> submitted = new ArrayList<>(PER_THREAD);
        for (int i = 0; i < PER_THREAD; i++) {
            byte[] entry = ByteBuffer.allocate(40).putInt(thread).putInt(i).array();
            while (true) {
                MerkleLog.Submission submission = log.submit(entry);
                if (submission instanceof MerkleLog.Accepted accepted) {
                    submitted.add(new Submitted(entry, accepted.index()));
                    break;
                }
                if (!(submission instanceof MerkleLog.Busy)) {
                    throw new AssertionError("unexpected " + submission);
                }
                busy.incrementAndGet();
                Thread.onSpinWait();
            }
        }
        return submitted;
    }
}
