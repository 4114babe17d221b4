package io.credence.bench;

import io.credence.journal.DurableEngine;
import io.credence.journal.JournalConfig;
import io.credence.journal.RecoveryReport;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Outcome;
import io.credence.ledger.Outcome.Reserved;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Recovery time of a large journal, in two steps run as separate processes:
 *
 * <pre>
 *   generate --dir=D --ops=10000000 --snapshot-every=0   # writes the journal through DurableEngine, then halts
 *   recover  --dir=D                                      # times DurableEngine.open on it, then halts
 * </pre>
 *
 * {@code generate} ends with {@link Runtime#halt}, like a SIGKILL after the last answer: a clean
 * {@code close()} would write a final snapshot and delete the journal it covers, leaving nothing to
 * replay. {@code recover} exits without closing either, so it can be repeated on the same directory. Both must be
 * given the same {@code --accounts}, {@code --request-ids-max} and {@code --retention-millis},
 * because the ledger limits are part of what replay reproduces.
 *
 * <p>The journal holds the set-up (1 + 3 commands per subscriber), then reserve / commit pairs
 * from {@code --submitters} closed-loop clients until exactly {@code --ops} records exist.
 */
public final class RecoveryBench {
    private RecoveryBench() {}

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        String step = args.positional().isEmpty() ? "" : args.positional().getFirst();
        Path dir = Path.of(args.string("dir", "/tmp/credence-recovery"));
        int accounts = args.intValue("accounts", 100_000);
        int requestIdsMax = args.intValue("request-ids-max", 4_000_000);
        long retentionMillis = args.longValue("retention-millis", 10_000);
        LedgerLimits limits = Durable.limits(accounts, requestIdsMax, retentionMillis,
                LedgerLimits.DEFAULTS.transfersRetainedMax());
        switch (step) {
            case "generate" -> {
                long ops = args.longValue("ops", 10_000_000);
                long snapshotEvery = args.longValue("snapshot-every", 0);
                int submitters = args.intValue("submitters", 1024);
                boolean fsync = args.flag("fsync", true);
                args.requireAllUsed();
                header(args, limits);
                generate(dir, limits, accounts, ops, snapshotEvery, submitters, fsync);
            }
            case "recover" -> {
                args.requireAllUsed();
                header(args, limits);
                recover(dir, limits);
            }
            default -> {
                System.err.println("usage: RecoveryBench generate|recover [--dir=D] [--ops=N] [--snapshot-every=N] ...");
                System.exit(2);
            }
        }
    }

    private static void header(Args args, LedgerLimits limits) {
        System.out.println("# RecoveryBench " + args.positional() + " " + args.describe());
        System.out.println("# " + Environment.describe());
        System.out.println("# " + limits);
    }

    static void generate(Path dir, LedgerLimits limits, int accounts, long ops, long snapshotEvery, int submitters,
                         boolean fsync) throws Exception {
        Environment.deleteTree(dir);
        JournalConfig config = new JournalConfig(JournalConfig.DEFAULTS.queueMax(), JournalConfig.DEFAULTS.batchMax(),
                JournalConfig.DEFAULTS.recordBytesMax(), snapshotEvery, JournalConfig.DEFAULTS.idleTickMillis(), fsync);
        System.out.println("# " + config);
        long started = System.nanoTime();
        DurableEngine ledger = Durable.open(dir, config, limits);
        Durable.setUpSubscribers(ledger, accounts, System.currentTimeMillis(), 8192);
        AtomicLong issued = new AtomicLong(3L * accounts + 1);
        LongAdder busy = new LongAdder();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < submitters; t++) {
            int me = t;
            threads.add(Thread.ofVirtual().start(() -> {
                SplittableRandom random = new SplittableRandom(me);
                long seq = 0;
                while (issued.incrementAndGet() <= ops) {
                    String account = Subscribers.accountId(random.nextInt(accounts));
                    Outcome reserved = Durable.submit(ledger, Subscribers.reserveData("G" + me + "-" + seq++, account),
                            busy).join();
                    if (reserved instanceof Reserved r && issued.incrementAndGet() <= ops) {
                        Durable.submit(ledger, Subscribers.commitData("G" + me + "-" + seq++, r.reservationId()), busy)
                                .join();
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        long records = ledger.query(l -> l.lastTransferSeq()) instanceof io.credence.journal.Submission.Accepted<Long> a
                ? a.answer().join() : -1;
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("generated %,d records in %.1f s (%,.0f records/s; %,d transfers), journal %s, %s%n", ops,
                seconds, ops / seconds, records, describeDir(dir), Environment.load());
        System.out.flush();
        // No close(): its final snapshot would make the journal unnecessary and delete it.
        Runtime.getRuntime().halt(0);
    }

    static void recover(Path dir, LedgerLimits limits) throws Exception {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + " does not exist; run generate first");
        }
        System.out.println("# before: " + describeDir(dir) + ", " + Environment.load());
        long started = System.nanoTime();
        DurableEngine ledger = Durable.open(dir, JournalConfig.DEFAULTS, limits);
        long elapsedNanos = System.nanoTime() - started;
        RecoveryReport report = ledger.recovery();
        System.out.printf("DurableEngine.open took %.2f s: %s; %,.0f records/s%s; heap used %d MiB; %s%n",
                elapsedNanos / 1e9, report.describe(),
                report.recordsReplayed() / (report.elapsedMillis() / 1000.0),
                report.snapshotSeq() > 0 ? " (snapshot load included)" : " replayed",
                (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20, Environment.load());
        System.out.flush();
        // exit, not close(): the shutdown snapshot would replace the journal. Shutdown hooks still
        // run, so a -XX:StartFlightRecording profile is written.
        System.exit(0);
    }

    /** The directory's non-empty files with their sizes, for the benchmark's report. */
    static String describeDir(Path dir) throws Exception {
        StringBuilder b = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                if (Files.isRegularFile(f) && Files.size(f) > 0) {
                    b.append(b.isEmpty() ? "" : ", ").append(f.getFileName()).append(" ")
                            .append(Files.size(f) >> 20).append(" MiB");
                }
            }
        }
        return b.toString();
    }
}
