package io.credence.diameter.cc;

import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterCodec;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.transport.DiameterClient;
import io.credence.ledger.LedgerView;
import io.credence.ledger.AccountKind;
import io.credence.ledger.AccountStatus;
import io.credence.ledger.AccountView;
import io.credence.ledger.IdentityType;
import io.credence.ledger.Ids;
import io.credence.ledger.Ledger;
import io.credence.ledger.Operation;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.credence.diameter.cc.CcHarness.resultCode;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Malformed input, a seeded mutator's worth of it: over a million mutated Credit-Control-Requests
 * through the codec and the credit-control parser, then a few hundred thousand more over real
 * loopback connections to a whole server on a durable ledger. Nothing may throw, stall or crash;
 * every frame is answered with the Result-Code the codec and parser say it deserves, or the
 * connection is closed; and no value moves in the ledger.
 *
 * <p>The seed is printed; {@code -Dcredence.fuzz.seed=N} replays a run.
 */
class MalformedCcrMutationTest {
    private static final long SEED = Long.getLong("credence.fuzz.seed", 20_261_124L);
    private static final int CODEC_FRAMES = 1_000_000;
    /** Both cores: the mutants of each thread come from its own seed, so a run still replays. */
    private static final int CODEC_THREADS = 2;
    private static final int LIVE_FRAMES = 150_000;
    private static final int LIVE_PEERS = 2;
    /** Frames pipelined per connection before its closing frame, on average. */
    private static final int FRAMES_PER_CONNECTION_MEAN = 400;
    /**
     * Answers outstanding per connection, well under the transport's in-flight bound (4096): a
     * 3004 TOO_BUSY can then only mean a leaked in-flight count.
     */
    private static final int WINDOW_MAX = 1_000;
    /** No answer and no close for this long is a hang. */
    private static final long PATIENCE_MILLIS = 5_000;
    private static final long SLOWEST_FRAME_MAX_MILLIS = 1_000;

    /*
     * Why no mutant can move value, even one that stays a valid charging request: the corpus names
     * three subscribers and none of them can be charged or credited.
     *   SUSPENDED  has money, bytes, seconds and units, but is SUSPENDED: CCR-I and CCR-E are refused
     *              4010 before the ledger is asked for anything but a lookup;
     *   BROKE      is ACTIVE with nothing: every reservation and debit is rejected (4012);
     *   UNKNOWN    has no account (5030).
     * Refunds (Requested-Action 1, one bit from 0 or 3) are paid by the counterparty, which holds
     * nothing, so they are rejected too; CCR-U/T name sessions that never got a grant (5002).
     * Rejected ledger commands are remembered for exactly-once (the request-id count grows) but
     * change no balance, reservation or transfer, which is what is compared.
     */
    static final String SUSPENDED = "491700000042";
    static final String BROKE = "491700000043";
    static final String UNKNOWN = "491709999999";
    static final List<String> MSISDNS = List.of(SUSPENDED, BROKE, UNKNOWN);
    static final String COUNTERPARTY = "fuzz-revenue";
    /** Reachable only by an identity no mutant carries: the control call at the end. */
    static final String CONTROL = "fuzz-control";
    static final DiameterCodec CODEC = new DiameterCodec(CcrMutator.MESSAGE_BYTES_MAX);
    static final CreditControlConfig CONFIG = config();

    @TempDir
    Path dir;

    /**
     * The defaults, but charged value goes to (and refunds come from) an empty account, and
     * finished sessions are kept for the whole run: the mutants reuse a few Session-Ids, and one
     * forgotten and opened again would replay its ledger request ids with other operations
     * (a DuplicateRequest, answered 5012), which only a client breaking Session-Id uniqueness
     * can cause.
     */
    private static CreditControlConfig config() {
        CreditControlConfig d = CreditControlConfig.defaults();
        return new CreditControlConfig(d.ratingGroupQuotas(), d.serviceContextQuotas(), d.validityTimeSeconds(),
                d.graceSeconds(), COUNTERPARTY, null, d.sessionsMax(), 3_600, d.currencyNumeric(),
                d.currencyMinorDigits());
    }

    @Test
    void aMillionMutatedFramesNeitherThrowNorStallTheCodecOrTheParser() throws Exception {
        long start = System.nanoTime();
        List<Future<CodecRun>> runs = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(CODEC_THREADS)) {
            for (int t = 0; t < CODEC_THREADS; t++) {
                long seed = SEED + 100 * t;
                runs.add(threads.submit(() -> codecRun(seed, CODEC_FRAMES / CODEC_THREADS)));
            }
        }
        Map<String, Integer> histogram = new TreeMap<>();
        CodecRun slowest = null;
        for (Future<CodecRun> f : runs) {
            CodecRun run = f.get();
            run.histogram.forEach((label, count) -> histogram.merge(label, count, Integer::sum));
            slowest = slowest == null || run.slowestNanos > slowest.slowestNanos ? run : slowest;
        }
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.printf("codec and parser: %,d mutated frames in %,d ms on %d threads (seed %d), slowest %.1f ms"
                        + " (%s)%n%s", CODEC_FRAMES, elapsedMillis, CODEC_THREADS, SEED, slowest.slowestNanos / 1e6,
                slowest.slowest.describe(), format(histogram));

        assertThat(histogram.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(CODEC_FRAMES);
        assertThat(TimeUnit.NANOSECONDS.toMillis(slowest.slowestNanos))
                .as("slowest frame: %s", slowest.slowest.describe()).isLessThan(SLOWEST_FRAME_MAX_MILLIS);
        assertThat(histogram.keySet()).as("every refusal the codec and parser have is reached").contains(
                "PROTOCOL 3008", "PROTOCOL 3009", "PROTOCOL 5014", "UNFRAMEABLE 5011", "UNFRAMEABLE 5015",
                "REFUSED 5001", "REFUSED 5004", "REFUSED 5005", "REFUSED 5009", "PROTOCOL 3001", "PROTOCOL 3007",
                "DROPPED", "MISFRAMED", "APPLICATION");
    }

    /** What one thread of the codec run saw: verdicts by label, and its slowest frame. */
    private record CodecRun(Map<String, Integer> histogram, long slowestNanos, CcrMutator.Mutant slowest) {}

    private static CodecRun codecRun(long seed, int frames) {
        CcrMutator mutator = new CcrMutator(seed, MSISDNS);
        List<DiameterMessage> corpus = mutator.corpus("pgw.fuzz");
        for (DiameterMessage valid : corpus) {
            assertThat(Verdict.of(CODEC, CONFIG, CODEC.encode(valid)).kind()).as("corpus %s", valid)
                    .isEqualTo(Verdict.Kind.APPLICATION);
        }
        Map<String, Integer> histogram = new TreeMap<>();
        long slowestNanos = 0;
        CcrMutator.Mutant slowest = null;
        for (int i = 0; i < frames; i++) {
            CcrMutator.Mutant mutant = mutator.mutate(corpus.get(mutator.random().nextInt(corpus.size())));
            long began = System.nanoTime();
            Verdict verdict;
            try {
                verdict = Verdict.of(CODEC, CONFIG, mutant.frame());
            } catch (Throwable escaped) {
                throw new AssertionError("frame " + i + " of seed " + seed + " (" + mutant.describe() + ") threw: "
                        + hex(mutant.frame()), escaped);
            }
            long took = System.nanoTime() - began;
            if (took > TimeUnit.MILLISECONDS.toNanos(SLOWEST_FRAME_MAX_MILLIS) / 10) {
                took = Math.min(took, bestOfThree(mutant.frame())); // a GC pause or a busy machine is not the frame's
            }
            if (took > slowestNanos) {
                slowestNanos = took;
                slowest = mutant;
            }
            histogram.merge(verdict.label(), 1, Integer::sum);
        }
        return new CodecRun(histogram, slowestNanos, slowest);
    }

    @Test
    void mutatedFramesOnLiveConnectionsAreAnsweredOrClosedAndMoveNoValue() throws Exception {
        List<String> peers = new ArrayList<>();
        for (int p = 0; p < LIVE_PEERS; p++) {
            peers.add("fuzz-" + p + ".operator.test");
        }
        Map<String, LongAdder> histogram = new ConcurrentHashMap<>();
        Map<RawPeerConnection.End, LongAdder> ends = new ConcurrentHashMap<>();
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        Set<String> allowed = new HashSet<>(peers);
        allowed.add(CcHarness.PGW.originHost()); // the control call at the end
        try (CapturedLog log = CapturedLog.start(); CcHarness h = new CcHarness(dir, CONFIG, allowed)) {
            String control = subscribers(h);
            LedgerState before = LedgerState.of(h);
            int requestIdsBefore = h.query(LedgerView::requestIdCount);

            long start = System.nanoTime();
            List<Future<Integer>> driven = new ArrayList<>();
            try (ExecutorService drivers = Executors.newFixedThreadPool(LIVE_PEERS)) {
                for (int p = 0; p < LIVE_PEERS; p++) {
                    String host = peers.get(p);
                    long seed = SEED + 1 + p;
                    driven.add(drivers.submit(() -> drive(h.server.port(), host, seed, LIVE_FRAMES / LIVE_PEERS,
                            histogram, ends, failures)));
                }
            }
            int frames = 0;
            for (Future<Integer> f : driven) {
                frames += f.get();
            }
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            LedgerState after = LedgerState.of(h);
            int requestIdsAfter = h.query(LedgerView::requestIdCount);
            System.out.printf("live: %,d mutated frames over %,d connections in %,d ms (seed %d); connections ended %s;"
                            + " %,d rejected ledger commands remembered, no value moved%n%s%n", frames,
                    ends.values().stream().mapToLong(LongAdder::sum).sum(), elapsedMillis, SEED, ends,
                    requestIdsAfter - requestIdsBefore, format(histogram));

            assertThat(failures).as("seed %d", SEED).isEmpty();
            assertThat(frames).isGreaterThanOrEqualTo(LIVE_FRAMES);
            assertThat(after).isEqualTo(before);
            assertThat(log.errors()).as("errors logged by the server").isEmpty();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PATIENCE_MILLIS);
            while (!h.server.peers().hosts().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(h.server.peers().hosts()).as("connections left open").isEmpty();
            assertThat(histogram.keySet()).contains("PROTOCOL 3008", "PROTOCOL 3009", "PROTOCOL 5014",
                    "REFUSED 5004", "REFUSED 5005", "UNFRAMEABLE 5011", "UNFRAMEABLE 5015");
            theServerStillCharges(h, control);
        }
    }

    /**
     * One peer: connection after connection, each a pipeline of frames that keep the framing, all
     * answered before a last frame that may break it (or a DPR, or nothing) and the end of stream.
     *
     * @return frames written
     */
    private static int drive(int port, String host, long seed, int framesMax, Map<String, LongAdder> histogram,
                             Map<RawPeerConnection.End, LongAdder> ends, Queue<String> failures) throws Exception {
        CcrMutator mutator = new CcrMutator(seed, MSISDNS);
        long hopByHop = 1;
        int frames = 0;
        while (frames < framesMax && failures.isEmpty()) {
            try (RawPeerConnection connection = new RawPeerConnection(port, host, WINDOW_MAX, PATIENCE_MILLIS,
                    histogram, failures)) {
                int pipelined = 1 + mutator.random().nextInt(2 * FRAMES_PER_CONNECTION_MEAN);
                boolean going = true;
                for (int i = 0; i < pipelined && frames < framesMax && going; i++) {
                    CcrMutator.Mutant mutant;
                    Verdict verdict;
                    do {
                        mutant = liveMutant(mutator, host, frames, hopByHop++);
                        verdict = Verdict.of(CODEC, CONFIG, mutant.frame());
                    } while (!verdict.keepsConnection());
                    going = connection.send(mutant, verdict);
                    frames++;
                }
                if (!going || !connection.awaitAnswers()) {
                    return frames;
                }
                CcrMutator.Mutant last = null;
                Verdict lastVerdict = null;
                if (mutator.random().nextInt(4) != 0) {
                    last = liveMutant(mutator, host, frames, hopByHop++);
                    lastVerdict = Verdict.of(CODEC, CONFIG, last.frame());
                    frames++;
                }
                ends.computeIfAbsent(connection.finish(last, lastVerdict), k -> new LongAdder()).increment();
            }
        }
        return frames;
    }

    /** A mutant of a fresh CCR: half of them in sessions of their own, half in a few shared ones. */
    private static CcrMutator.Mutant liveMutant(CcrMutator mutator, String host, int frame, long hopByHop) {
        String sessionId = mutator.random().nextBoolean() ? host + ";fuzz;" + frame
                : "pool.operator.test;fuzz;" + mutator.random().nextInt(32);
        CcrMutator.Mutant mutant = mutator.mutate(mutator.seed(sessionId));
        if (mutant.frame().length >= 16) {
            CcrMutator.putU32(mutant.frame(), 12, hopByHop);
        }
        return mutant;
    }

    /** The subscribers of the comment above, and a funded control account; returns the control account. */
    private static String subscribers(CcHarness h) {
        String suspended = "acct-" + SUSPENDED;
        h.apply(new Operation.CreateAccount(suspended, AccountKind.SUBSCRIBER, Map.of()));
        h.apply(new Operation.TopUp(Ids.SYSTEM_ACCOUNT, suspended, Unit.MONEY, 5_000, null));
        h.apply(new Operation.TopUp(Ids.SYSTEM_ACCOUNT, suspended, Unit.BYTES, 10L << 20, null));
        h.apply(new Operation.TopUp(Ids.SYSTEM_ACCOUNT, suspended, Unit.SECONDS, 3_600, null));
        h.apply(new Operation.TopUp(Ids.SYSTEM_ACCOUNT, suspended, Unit.SERVICE_UNITS, 10, null));
        h.apply(new Operation.BindIdentity(IdentityType.E164, SUSPENDED, suspended));
        h.apply(new Operation.UpdateAccount(suspended, AccountStatus.SUSPENDED, null));
        String broke = "acct-" + BROKE;
        h.apply(new Operation.CreateAccount(broke, AccountKind.SUBSCRIBER, Map.of()));
        h.apply(new Operation.BindIdentity(IdentityType.E164, BROKE, broke));
        h.apply(new Operation.CreateAccount(COUNTERPARTY, AccountKind.SUBSCRIBER, Map.of()));
        String control = "acct-control";
        h.apply(new Operation.CreateAccount(control, AccountKind.SUBSCRIBER, Map.of()));
        h.apply(new Operation.TopUp(Ids.SYSTEM_ACCOUNT, control, Unit.SECONDS, 600, null));
        h.apply(new Operation.BindIdentity(IdentityType.PRIVATE, CONTROL, control));
        return control;
    }

    /** After all that, a gateway on a new connection still gets a grant and is charged what it used. */
    private static void theServerStillCharges(CcHarness h, String control) throws Exception {
        DiameterClient pgw = h.connect();
        String sid = "pgw.operator.test;control;1";
        DiameterMessage initial = h.send(pgw, h.ccr(sid, Codes.INITIAL_REQUEST, 0)
                .serviceContext(CreditControlConfig.CONTEXT_IMS).subscription(4, CONTROL)
                .mscc(100, Unit.SECONDS, 60L, null));
        assertThat(resultCode(initial)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(CcHarness.granted(initial, 100)).isEqualTo(60);
        DiameterMessage terminate = h.send(pgw, h.ccr(sid, Codes.TERMINATION_REQUEST, 1)
                .serviceContext(CreditControlConfig.CONTEXT_IMS).mscc(100, Unit.SECONDS, null, 25L));
        assertThat(resultCode(terminate)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(h.available(control, Unit.SECONDS)).isEqualTo(600 - 25);
    }

    /** What the mutants must not change: every account of the test, reservations, transfers, identities. */
    record LedgerState(List<Optional<AccountView>> accounts, List<Long> available, long lastTransferSeq,
                       int openReservations, int accountCount, int identityCount) {
        static LedgerState of(CcHarness h) {
            List<String> ids = List.of("acct-" + SUSPENDED, "acct-" + BROKE, COUNTERPARTY, "acct-control",
                    Ids.SYSTEM_ACCOUNT);
            return h.query(l -> {
                List<Optional<AccountView>> views = new ArrayList<>();
                List<Long> available = new ArrayList<>();
                for (String id : ids) {
                    views.add(l.account(id));
                    for (Unit unit : Unit.values()) {
                        available.add(l.available(id, unit, ServiceRef.ANY).orElseThrow());
                    }
                }
                return new LedgerState(views, available, l.lastTransferSeq(), l.openReservationCount(),
                        l.accountCount(), l.identityCount());
            });
        }
    }

    private static long bestOfThree(byte[] frame) {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long began = System.nanoTime();
            Verdict.of(CODEC, CONFIG, frame);
            best = Math.min(best, System.nanoTime() - began);
        }
        return best;
    }

    private static String hex(byte[] frame) {
        return HexFormat.of().formatHex(frame, 0, Math.min(frame.length, 256)) + (frame.length > 256 ? "..." : "");
    }

    private static String format(Map<String, ?> histogram) {
        StringBuilder out = new StringBuilder();
        new TreeMap<>(histogram).forEach((label, count) -> out.append(String.format("  %-40s %,12d%n", label,
                count instanceof LongAdder adder ? adder.sum() : ((Number) count).longValue())));
        return out.toString();
    }

    /**
     * Errors the server logs (System.Logger goes to java.util.logging) while the test runs; the
     * chatter below WARNING is held back, tens of thousands of connections would flood the output.
     */
    static final class CapturedLog extends Handler implements AutoCloseable {
        private final Logger logger = Logger.getLogger("io.credence");
        private final Level previous;
        private final Queue<String> errors = new ConcurrentLinkedQueue<>();

        private CapturedLog() {
            previous = logger.getLevel();
            logger.setLevel(Level.WARNING);
            logger.addHandler(this);
        }

        static CapturedLog start() {
            return new CapturedLog();
        }

        List<String> errors() {
            return List.copyOf(errors);
        }

        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
                errors.add(record.getLoggerName() + ": " + record.getMessage()
                        + (record.getThrown() == null ? "" : " " + record.getThrown()));
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {
            logger.removeHandler(this);
            logger.setLevel(previous);
        }
    }
}
