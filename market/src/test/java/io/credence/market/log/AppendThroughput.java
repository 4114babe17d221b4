package io.credence.market.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * Measures durable append throughput; a program, not a test (nothing here runs in the build).
 *
 * <pre>
 *   java -cp market/target/classes:market/target/test-classes:$BCPROV io.credence.market.log.AppendThroughput \
 *        [entries=200000] [threads=4] [inFlightPerThread=1] [directory=a fresh temp dir, deleted after]
 * </pre>
 *
 * Each thread submits 200-byte entries and keeps at most {@code inFlightPerThread} unanswered at a
 * time: 1 is a caller that waits for each append to be durable (the batch then holds at most one
 * entry per thread), larger values are callers that pipeline. Every answered entry is on disk
 * (forced). Prints appends per second, forces and the mean batch, then the time to reopen.
 */
public final class AppendThroughput {
    static final int ENTRY_BYTES = 200;

    private AppendThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int entries = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int inFlight = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        boolean temporary = args.length <= 3;
        Path dir = temporary ? Files.createTempDirectory("merkle-log-throughput") : Path.of(args[3]);
        LogLimits limits = new LogLimits(1024, Math.max(entries, 1) + 1_000_000L, 65_536, 4_096);
        LogKey key = LogKey.generate(new SecureRandom());
        try {
            long started = System.nanoTime();
            long forces;
            long size;
            try (MerkleLog log = MerkleLog.open(dir, limits, key, InstantSource.system())) {
                long before = log.size();
                List<Thread> workers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int share = entries / threads + (t < entries % threads ? 1 : 0);
                    int thread = t;
                    workers.add(Thread.ofPlatform().start(() -> submit(log, thread, share, inFlight)));
                }
                for (Thread worker : workers) {
                    worker.join();
                }
                forces = log.forceCount();
                size = log.size();
                if (size - before != entries) {
                    throw new IllegalStateException("appended " + (size - before) + ", expected " + entries);
                }
                log.treeHead();
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("%,d entries of %d bytes, %d threads, %d in flight per thread: %.2f s, %,.0f appends/s, "
                            + "%,d forces (mean batch %.1f)%n", entries, ENTRY_BYTES, threads, inFlight, seconds,
                    entries / seconds, forces, forces == 0 ? 0.0 : (double) entries / forces);
            long reopening = System.nanoTime();
            try (MerkleLog log = MerkleLog.open(dir, limits, key, InstantSource.system())) {
                System.out.printf("reopen (scan, CRC and hash %,d entries): %.2f s%n", log.size(),
                        (System.nanoTime() - reopening) / 1e9);
            }
        } finally {
            if (temporary) {
                deleteTree(dir);
            }
        }
    }

    static void submit(MerkleLog log, int thread, int count, int inFlight) {
        ArrayDeque<CompletableFuture<Long>> unanswered = new ArrayDeque<>();
        for (int i = 0; i < count; i++) {
            byte[] entry = ByteBuffer.allocate(ENTRY_BYTES).putInt(thread).putInt(i).array();
            while (true) {
                if (unanswered.size() >= inFlight) {
                    unanswered.removeFirst().join();
                }
                MerkleLog.Submission submission = log.submit(entry);
                switch (submission) {
                    case MerkleLog.Accepted accepted -> unanswered.addLast(accepted.index());
                    case MerkleLog.Busy busy -> {
                        if (unanswered.isEmpty()) {
                            Thread.onSpinWait();
                        } else {
                            unanswered.removeFirst().join();
                        }
                    }
                    case MerkleLog.Refused refused -> throw new IllegalStateException(refused.reason());
                }
                if (submission instanceof MerkleLog.Accepted) {
                    break;
                }
            }
        }
        unanswered.forEach(CompletableFuture::join);
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
