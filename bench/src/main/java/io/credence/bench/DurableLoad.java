package io.credence.bench;

import io.credence.journal.DurableEngine;
import io.credence.journal.JournalConfig;
import io.credence.ledger.Command;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Outcome;
import io.credence.ledger.Outcome.Reserved;
import io.credence.ledger.Rejection;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * End-to-end load through the single writer and the journal, fsync on: every answer counted
 * here was on disk before it was given. One operation is one durable command (a reserve or a
 * commit); a subscriber's session alternates them as a PGW's CCR-Updates do.
 *
 * <ul>
 *   <li>Closed loop: N submitters, each waits for its answer before sending the next command.
 *       Latency is submit to answer, as the submitter sees it (wake-up included).</li>
 *   <li>Open loop: commands are due at a fixed rate whatever the answers do; latency is from the
 *       time a command was <em>due</em> to its answer, so a stall delays every command due
 *       during it (no coordinated omission).</li>
 * </ul>
 *
 * <pre>
 *   java -Xms4g -Xmx4g -cp bench/target/benchmarks.jar io.credence.bench.DurableLoad \
 *        --dir=/tmp/credence-load --closed=1,16,256 --open-rate=50000
 * </pre>
 */
public final class DurableLoad {
    private static final long HISTOGRAM_MAX_NANOS = 10_000_000_000L;

    record Result(String name, long ops, double seconds, Histogram latencyNanos, long busy, Map<String, Long> rejected,
                  String load) {
        double opsPerSecond() {
            return ops / seconds;
        }

        String describe() {
            return String.format("%-22s %,10.0f ops/s  p50 %8.3f ms  p99 %8.3f ms  p99.9 %8.3f ms  max %8.3f ms"
                            + "  (%,d ops in %.1f s, busy %d, rejected %s, %s)",
                    name, opsPerSecond(), ms(latencyNanos.getValueAtPercentile(50)),
                    ms(latencyNanos.getValueAtPercentile(99)), ms(latencyNanos.getValueAtPercentile(99.9)),
                    ms(latencyNanos.getMaxValue()), ops, seconds, busy, rejected, load);
        }
    }

    private DurableLoad() {}

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        Path dir = Path.of(args.string("dir", "/tmp/credence-load"));
        int accounts = args.intValue("accounts", 100_000);
        String closed = args.string("closed", "1,16,256");
        long openRate = args.longValue("open-rate", 50_000);
        long warmupMillis = args.longValue("warmup-seconds", 3) * 1000;
        long measureMillis = args.longValue("seconds", 10) * 1000;
        boolean virtualThreads = args.flag("virtual-threads", true);
        int requestIdsMax = args.intValue("request-ids-max", 4_000_000);
        long retentionMillis = args.longValue("retention-millis", 10_000);
        int transfersRetainedMax = args.intValue("transfers-retained-max",
                LedgerLimits.DEFAULTS.transfersRetainedMax());
        long snapshotEvery = args.longValue("snapshot-every", JournalConfig.DEFAULTS.snapshotEveryRecords());
        boolean fsync = args.flag("fsync", true);
        boolean keep = args.flag("keep", false);
        args.requireAllUsed();

        System.out.println("# DurableLoad " + args.describe());
        System.out.println("# " + Environment.describe());
        System.out.println("# data dir " + dir.toAbsolutePath() + " on " + Files.getFileStore(
                Files.createDirectories(dir.getParent() == null ? dir : dir.getParent())));
        Environment.deleteTree(dir);
        Files.createDirectories(dir);
        System.out.println("fsync probe (512-byte append + force, 2000 times): " + fsyncProbe(dir));

        JournalConfig config = new JournalConfig(JournalConfig.DEFAULTS.queueMax(), JournalConfig.DEFAULTS.batchMax(),
                JournalConfig.DEFAULTS.recordBytesMax(), snapshotEvery, JournalConfig.DEFAULTS.idleTickMillis(), fsync);
        LedgerLimits limits = Durable.limits(accounts, requestIdsMax, retentionMillis, transfersRetainedMax);
        System.out.println("# " + config);
        System.out.println("# " + limits);
        List<Result> results = new ArrayList<>();
        try (DurableEngine ledger = Durable.open(dir, config, limits)) {
            long started = System.nanoTime();
            Durable.setUpSubscribers(ledger, accounts, System.currentTimeMillis(), 8192);
            System.out.printf("set up %,d subscribers (%,d commands) in %.1f s%n", accounts, 3L * accounts + 1,
                    (System.nanoTime() - started) / 1e9);
            settle();
            int run = 0;
            for (String n : closed.split(",")) {
                if (n.isBlank()) {
                    continue;
                }
                Result r = closedLoop(ledger, Integer.parseInt(n.trim()), accounts, warmupMillis, measureMillis,
                        virtualThreads, ++run);
                System.out.println(r.describe());
                results.add(r);
                settle();
            }
            if (openRate > 0) {
                Result r = openLoop(ledger, openRate, accounts, warmupMillis, measureMillis);
                System.out.println(r.describe());
                results.add(r);
            }
        }
        System.out.println();
        System.out.println("| run | durable ops/s | p50 ms | p99 ms | p99.9 ms | max ms | load |");
        System.out.println("|---|---:|---:|---:|---:|---:|---|");
        for (Result r : results) {
            System.out.printf("| %s | %,.0f | %.3f | %.3f | %.3f | %.3f | %s |%n", r.name(), r.opsPerSecond(),
                    ms(r.latencyNanos().getValueAtPercentile(50)), ms(r.latencyNanos().getValueAtPercentile(99)),
                    ms(r.latencyNanos().getValueAtPercentile(99.9)), ms(r.latencyNanos().getMaxValue()), r.load());
        }
        if (!keep) {
            Environment.deleteTree(dir);
        }
    }

    /**
     * Between runs, outside any measurement: a full collection moves the state built so far to the
     * old generation, as it would be in a server that has run for a while; otherwise the first
     * young collections of the next run copy the set-up's accounts and bill their pause to it.
     */
    private static void settle() throws InterruptedException {
        System.gc();
        Thread.sleep(500);
    }

    // ---------------------------------------------------------------- closed loop

    static Result closedLoop(DurableEngine ledger, int submitters, int accounts, long warmupMillis, long measureMillis,
                             boolean virtualThreads, int run) throws InterruptedException {
        AtomicInteger phase = new AtomicInteger(0); // 0 warm-up, 1 measuring, 2 stop
        LongAdder busy = new LongAdder();
        ConcurrentHashMap<String, LongAdder> rejected = new ConcurrentHashMap<>();
        // One shared wait-free recorder: a histogram per submitter would be 1024 cold arrays.
        Recorder recorder = new Recorder(HISTOGRAM_MAX_NANOS, 3);
        LongAdder ops = new LongAdder();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < submitters; t++) {
            int me = t;
            Runnable loop = () -> {
                SplittableRandom random = new SplittableRandom(run * 1_000_003L + me);
                String prefix = "L" + run + "-" + me + "-";
                long seq = 0;
                while (phase.get() != 2) {
                    String account = Subscribers.accountId(random.nextInt(accounts));
                    Outcome reserved = timed(ledger, Subscribers.reserveData(prefix + seq++, account), phase,
                            recorder, ops, busy);
                    if (reserved instanceof Reserved r) {
                        Outcome committed = timed(ledger, Subscribers.commitData(prefix + seq++, r.reservationId()),
                                phase, recorder, ops, busy);
                        countRejection(committed, rejected);
                    } else {
                        countRejection(reserved, rejected);
                    }
                }
            };
            threads.add(virtualThreads ? Thread.ofVirtual().name("submitter-" + t).start(loop)
                    : Thread.ofPlatform().name("submitter-" + t).start(loop));
        }
        Thread.sleep(warmupMillis);
        phase.set(1);
        long measureStart = System.nanoTime();
        recorder.reset();
        Thread.sleep(measureMillis);
        phase.set(2);
        long measureEnd = System.nanoTime();
        String load = Environment.load();
        for (Thread t : threads) {
            t.join();
        }
        Histogram all = recorder.getIntervalHistogram();
        return new Result("closed, " + submitters + " submitters", ops.sum(), (measureEnd - measureStart) / 1e9, all,
                busy.sum(), snapshot(rejected), load);
    }

    private static Outcome timed(DurableEngine ledger, Command command, AtomicInteger phase, Recorder recorder,
                                 LongAdder ops, LongAdder busy) {
        long start = System.nanoTime();
        Outcome outcome = Durable.submit(ledger, command, busy).join();
        long end = System.nanoTime();
        if (phase.get() == 1) {
            recorder.recordValue(Math.min(end - start, HISTOGRAM_MAX_NANOS));
            ops.increment();
        }
        return outcome;
    }

    // ---------------------------------------------------------------- open loop

    static Result openLoop(DurableEngine ledger, long ratePerSecond, int accounts, long warmupMillis,
                           long measureMillis) throws InterruptedException {
        Recorder recorder = new Recorder(HISTOGRAM_MAX_NANOS, 3);
        ConcurrentLinkedQueue<Long> toCommit = new ConcurrentLinkedQueue<>();
        ConcurrentHashMap<String, LongAdder> rejected = new ConcurrentHashMap<>();
        LongAdder busy = new LongAdder();
        AtomicLong outstanding = new AtomicLong();
        AtomicLong measuredDone = new AtomicLong();
        SplittableRandom random = new SplittableRandom(7);
        long start = System.nanoTime() + 1_000_000;
        long measureFrom = start + warmupMillis * 1_000_000;
        long end = measureFrom + measureMillis * 1_000_000;
        long measuredSent = 0;
        for (long i = 0; ; i++) {
            long due = start + i * 1_000_000_000L / ratePerSecond;
            if (due >= end) {
                break;
            }
            waitUntil(due);
            Long reservationId = toCommit.poll();
            boolean reserve = reservationId == null;
            Command command = reserve
                    ? Subscribers.reserveData("O-" + i, Subscribers.accountId(random.nextInt(accounts)))
                    : Subscribers.commitData("O-" + i, reservationId);
            var submission = ledger.submit(command);
            if (!(submission instanceof io.credence.journal.Submission.Accepted<Outcome>(
                    CompletableFuture<Outcome> answer))) {
                busy.increment(); // an open-loop client does not retry: a refusal is a lost request
                continue;
            }
            boolean measured = due >= measureFrom;
            measuredSent += measured ? 1 : 0;
            outstanding.incrementAndGet();
            answer.whenComplete((outcome, failure) -> {
                long done = System.nanoTime();
                if (measured) {
                    recorder.recordValue(Math.min(done - due, HISTOGRAM_MAX_NANOS));
                    measuredDone.incrementAndGet();
                }
                if (outcome instanceof Reserved r) {
                    toCommit.add(r.reservationId());
                } else {
                    countRejection(outcome, rejected);
                }
                outstanding.decrementAndGet();
            });
        }
        String load = Environment.load();
        long drainUntil = System.nanoTime() + 10_000_000_000L;
        while (outstanding.get() > 0 && System.nanoTime() < drainUntil) {
            Thread.sleep(1);
        }
        Histogram latency = recorder.getIntervalHistogram();
        if (measuredDone.get() != measuredSent) {
            System.out.println("warning: " + (measuredSent - measuredDone.get()) + " measured commands unanswered");
        }
        return new Result("open, " + ratePerSecond + "/s offered", measuredSent, measureMillis / 1000.0, latency,
                busy.sum(), snapshot(rejected), load);
    }

    /**
     * Parks until {@code dueNanos}. The timer overshoots by some tens of microseconds, so commands
     * leave in small bursts; spinning instead would take one of the two cores from the writer.
     * Latency is counted from the due time either way.
     */
    private static void waitUntil(long dueNanos) {
        long left;
        while ((left = dueNanos - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }

    // ---------------------------------------------------------------- fsync probe

    /** What one small append + force costs on this disk: the floor under every durable latency. */
    static String fsyncProbe(Path dir) throws IOException {
        Path file = dir.resolve("fsync-probe.bin");
        Histogram h = new Histogram(HISTOGRAM_MAX_NANOS, 3);
        ByteBuffer block = ByteBuffer.allocate(512);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            for (int i = 0; i < 2000; i++) {
                block.clear();
                long t0 = System.nanoTime();
                channel.write(block);
                channel.force(false);
                h.recordValue(System.nanoTime() - t0);
            }
        }
        Files.delete(file);
        return String.format("p50 %.3f ms, p99 %.3f ms, max %.3f ms, %s", ms(h.getValueAtPercentile(50)),
                ms(h.getValueAtPercentile(99)), ms(h.getMaxValue()), Environment.load());
    }

    // ---------------------------------------------------------------- helpers

    private static void countRejection(Outcome outcome, ConcurrentHashMap<String, LongAdder> rejected) {
        if (outcome instanceof Rejection rejection) {
            rejected.computeIfAbsent(rejection.getClass().getSimpleName(), k -> new LongAdder()).increment();
        }
    }

    private static Map<String, Long> snapshot(ConcurrentHashMap<String, LongAdder> counts) {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }
}
