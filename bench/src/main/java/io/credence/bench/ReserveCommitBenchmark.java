package io.credence.bench;

import io.credence.ledger.Command;
import io.credence.ledger.Ledger;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Outcome;
import io.credence.ledger.Outcome.Committed;
import io.credence.ledger.Outcome.Reserved;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * Reserve + commit pairs per second on the ledger core alone: one thread, no journal, no I/O.
 *
 * <p>One operation is a pair: reserve a 1 MiB data grant (or a 100-cent voice grant) on a
 * subscriber picked pseudo-randomly among {@code accounts}, then commit 700 KiB (60 cents) of it;
 * the rest returns. Each call builds its two commands from fresh strings, as a decoder would
 * (record validation and id checks included), and the ledger fingerprints each one, as it does
 * for every command it has not seen.
 *
 * <p>Request ids and time: every command gets a new id ({@code g} + a 64-bit counter in hex), so
 * none is ever a retry. Ledger time advances 1 ms every {@code pairsPerMilli} pairs, and the
 * idempotency table forgets ids older than {@code retentionMillis}; in steady state it holds
 * {@code 2 * pairsPerMilli * retentionMillis} ids (400,000 with the defaults) and the
 * closed-reservation table half as many, both shedding their oldest entries as time moves, as
 * they do in service. {@code requestIdsMax} is set to 1.25 times that window (or to the set-up's
 * 3 commands per account, whichever is larger), so the table never refuses.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch", "-XX:+UseTransparentHugePages"})
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
public class ReserveCommitBenchmark {
    static final int ACCESS_ORDER_LENGTH = 1 << 22;
    static final long START_MILLIS = 1_767_225_600_000L; // 2026-01-01T00:00Z

    @Param("1000000")
    int accounts;

    /** Pairs per millisecond of ledger time. */
    @Param("50")
    int pairsPerMilli;

    /** How long the idempotency table remembers a request id, in ledger milliseconds. */
    @Param("4000")
    long retentionMillis;

    private Ledger ledger;
    private int[] order;
    private long pair;

    static LedgerLimits limits(int accounts, long retentionMillis, int pairsPerMilli) {
        long idsInWindow = 2L * pairsPerMilli * (retentionMillis + 1);
        int requestIdsMax = (int) Math.min(Integer.MAX_VALUE, Math.max(3L * accounts + 16, idsInWindow * 5 / 4));
        return new LedgerLimits(accounts + 16, 32, 1_000_000, 24 * 3600_000L, requestIdsMax, retentionMillis, 200_000);
    }

    @Setup(Level.Trial)
    public void setUp() {
        ledger = new Ledger(limits(accounts, retentionMillis, pairsPerMilli));
        expect(ledger.apply(Subscribers.createOperator(), START_MILLIS).accepted(), "operator created");
        for (int i = 0; i < accounts; i++) {
            for (Command c : Subscribers.setUp(i, START_MILLIS)) {
                Outcome o = ledger.apply(c, START_MILLIS);
                expect(o.accepted(), "set-up command accepted: " + o);
            }
        }
        order = Subscribers.accessOrder(accounts, ACCESS_ORDER_LENGTH, 42);
        pair = 0;
        // The set-up's ids leave the idempotency table before the first measured pair.
        ledger.advanceTo(nowMillis(0));
        expect(ledger.requestIdCount() == 0, "set-up ids forgotten");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ledger.verifyInvariants();
        expect(ledger.requestIdCount() <= 2L * pairsPerMilli * (retentionMillis + 1), "table bounded by the window");
    }

    private long nowMillis(long p) {
        return START_MILLIS + retentionMillis + 1 + p / pairsPerMilli;
    }

    /** Data: the grant comes from the subscriber's data pack (a bucket scoped to rating group 10). */
    @Benchmark
    public long reserveCommitData() {
        return reserveThenCommit('g', Subscribers::reserveData, Subscribers::commitData);
    }

    /** Money: a voice grant from the main balance (no bucket covers it). */
    @Benchmark
    public long reserveCommitMoney() {
        return reserveThenCommit('v', Subscribers::reserveMoney, Subscribers::commitMoney);
    }

    /** Builds a commit; a primitive id so the measured path does not box. */
    @FunctionalInterface
    interface CommitMaker {
        Command apply(String requestId, long reservationId);
    }

    private long reserveThenCommit(char idPrefix, BiFunction<String, String, Command> reserve,
                                   CommitMaker commit) {
        long p = pair++;
        long now = nowMillis(p);
        String account = Subscribers.accountId(order[(int) (p & (ACCESS_ORDER_LENGTH - 1))]);
        Outcome reserved = ledger.apply(reserve.apply(Subscribers.requestId(idPrefix, 2 * p), account), now);
        if (!(reserved instanceof Reserved r)) {
            throw new IllegalStateException("reserve rejected: " + reserved);
        }
        Outcome committed = ledger.apply(commit.apply(Subscribers.requestId(idPrefix, 2 * p + 1), r.reservationId()), now);
        if (!(committed instanceof Committed c)) {
            throw new IllegalStateException("commit rejected: " + committed);
        }
        return c.transferSeq();
    }

    private static void expect(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException("benchmark set-up failed: " + what);
        }
    }
}
