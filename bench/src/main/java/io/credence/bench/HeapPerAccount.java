package io.credence.bench;

import io.credence.ledger.Command;
import io.credence.ledger.Ledger;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Outcome;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Retained heap per subscriber account with two buckets (a money main balance and a 30-day data
 * pack for rating group 10), at a million accounts.
 *
 * <p>Method: build an empty {@link Ledger}, collect, measure; apply the set-up commands for
 * {@code --accounts} subscribers; move ledger time past the request-id retention so the
 * idempotency table is empty again (its size depends on traffic, not on accounts); collect,
 * measure. Heap used after full collections comes from {@link MemoryMXBean}; the breakdown is the
 * difference of two class histograms (the {@code GC.class_histogram} diagnostic command, which
 * counts live objects only).
 *
 * <pre>
 *   java -Xms3g -Xmx3g -cp bench/target/benchmarks.jar io.credence.bench.HeapPerAccount --accounts=1000000
 * </pre>
 */
public final class HeapPerAccount {
    private static final long START_MILLIS = 1_767_225_600_000L;

    private HeapPerAccount() {}

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        int accounts = args.intValue("accounts", 1_000_000);
        long retentionMillis = args.longValue("retention-millis", 60_000);
        int transfersRetainedMax = args.intValue("transfers-retained-max", 200_000);
        int top = args.intValue("top", 20);
        args.requireAllUsed();
        System.out.println("# HeapPerAccount " + args.describe());
        System.out.println("# " + Environment.describe());
        LedgerLimits limits = new LedgerLimits(accounts + 16, 32, 1_000_000, 24 * 3600_000L, 3 * accounts + 16,
                retentionMillis, transfersRetainedMax);
        System.out.println("# " + limits);

        Ledger ledger = new Ledger(limits);
        long before = usedAfterGc();
        Map<String, long[]> histogramBefore = histogram();

        long started = System.nanoTime();
        expect(ledger.apply(Subscribers.createOperator(), START_MILLIS));
        for (int i = 0; i < accounts; i++) {
            for (Command c : Subscribers.setUp(i, START_MILLIS)) {
                expect(ledger.apply(c, START_MILLIS));
            }
        }
        ledger.advanceTo(START_MILLIS + retentionMillis + 1);
        if (ledger.requestIdCount() != 0) {
            throw new IllegalStateException("request ids still remembered: " + ledger.requestIdCount());
        }
        ledger.verifyInvariants();
        System.out.printf("built %,d accounts in %.1f s%n", ledger.accountCount(), (System.nanoTime() - started) / 1e9);

        long after = usedAfterGc();
        Map<String, long[]> histogramAfter = histogram();
        long retained = after - before;
        System.out.printf("retained heap: %,d bytes for %,d accounts = %.1f bytes/account (%s)%n", retained, accounts,
                (double) retained / accounts, Environment.load());
        printBreakdown(histogramBefore, histogramAfter, accounts, top);
        System.out.println("# ledger still reachable: " + ledger.accountCount() + " accounts");
    }

    private static void expect(Outcome outcome) {
        if (!outcome.accepted()) {
            throw new IllegalStateException("set-up command rejected: " + outcome);
        }
    }

    /** Heap used after full collections, once it stops shrinking. */
    static long usedAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            Thread.sleep(100);
            long now = memory.getHeapMemoryUsage().getUsed();
            if (i >= 3 && now >= used) {
                return Math.min(now, used);
            }
            used = Math.min(used, now);
        }
        return used;
    }

    /** Class name to {instances, bytes}, live objects only (the diagnostic command collects first). */
    static Map<String, long[]> histogram() throws Exception {
        String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        Map<String, long[]> classes = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[0].endsWith(":")) {
                classes.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
            }
        }
        return classes;
    }

    private static void printBreakdown(Map<String, long[]> before, Map<String, long[]> after, int accounts, int top) {
        record Row(String name, long instances, long bytes) {}
        List<Row> rows = new ArrayList<>();
        long total = 0;
        for (var e : after.entrySet()) {
            long[] b = before.getOrDefault(e.getKey(), new long[2]);
            long bytes = e.getValue()[1] - b[1];
            long instances = e.getValue()[0] - b[0];
            if (bytes != 0) {
                rows.add(new Row(e.getKey(), instances, bytes));
                total += bytes;
            }
        }
        rows.sort((x, y) -> Long.compare(y.bytes(), x.bytes()));
        System.out.printf("class histogram difference: %,d bytes = %.1f bytes/account%n", total, (double) total / accounts);
        System.out.println("| class | instances | bytes | per account | bytes/instance |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (int i = 0; i < Math.min(top, rows.size()); i++) {
            Row r = rows.get(i);
            System.out.printf("| %s | %,d | %,d | %.1f | %.1f |%n", r.name(), r.instances(), r.bytes(),
                    (double) r.bytes() / accounts, r.instances() == 0 ? 0.0 : (double) r.bytes() / r.instances());
        }
    }
}
