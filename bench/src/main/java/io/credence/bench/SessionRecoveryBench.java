package io.credence.bench;

import io.credence.charging.ChargingRequest;
import io.credence.charging.EngineCommand;
import io.credence.charging.EngineConfig;
import io.credence.charging.EngineOutcome;
import io.credence.charging.ServiceKey;
import io.credence.journal.DurableEngine;
import io.credence.journal.JournalConfig;
import io.credence.journal.RecoveryReport;
import io.credence.journal.Submission;
import io.credence.ledger.Command;
import io.credence.ledger.IdentityType;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Operation;
import io.credence.ledger.Unit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Recovery with open charging sessions (issue 17: 1,000,000 open sessions in under 10 s), in two
 * steps run as separate processes:
 *
 * <pre>
 *   generate --dir=D --sessions=1000000 --snapshot-every=1000000   # opens the sessions, then halts
 *   recover  --dir=D                                                # times DurableEngine.open, then halts
 * </pre>
 *
 * Each session is a Gy CCR-I as the Diameter adapter makes it (E.164 identity, one MSCC for rating
 * group 10 asking 1 MiB): one engine command that resolves the subscriber, reserves the grant and
 * opens the session, submitted in batches of {@code --batch}. {@code generate} ends with
 * {@link Runtime#halt}, like a SIGKILL after the last answer; {@code recover} exits without closing.
 */
public final class SessionRecoveryBench {
    private SessionRecoveryBench() {}

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        String step = args.positional().isEmpty() ? "" : args.positional().getFirst();
        Path dir = Path.of(args.string("dir", "/tmp/credence-sessions"));
        int sessions = args.intValue("sessions", 1_000_000);
        int accounts = args.intValue("accounts", 100_000);
        LedgerLimits limits = new LedgerLimits(accounts + 16, 32, sessions + 1024, 24 * 3600_000L, 4_000_000, 10_000,
                LedgerLimits.DEFAULTS.transfersRetainedMax());
        switch (step) {
            case "generate" -> {
                long snapshotEvery = args.longValue("snapshot-every", 1_000_000);
                int batch = args.intValue("batch", 256);
                args.requireAllUsed();
                System.out.println("# SessionRecoveryBench generate " + args.describe());
                System.out.println("# " + Environment.describe());
                generate(dir, limits, accounts, sessions, snapshotEvery, batch);
            }
            case "recover" -> {
                args.requireAllUsed();
                System.out.println("# SessionRecoveryBench recover " + args.describe());
                System.out.println("# " + Environment.describe());
                recover(dir, limits);
            }
            default -> {
                System.err.println("usage: SessionRecoveryBench generate|recover [--dir=D] [--sessions=N] "
                        + "[--accounts=N] [--snapshot-every=N] [--batch=N]");
                System.exit(2);
            }
        }
    }

    static void generate(Path dir, LedgerLimits limits, int accounts, int sessions, long snapshotEvery, int batch)
            throws Exception {
        Environment.deleteTree(dir);
        JournalConfig config = new JournalConfig(JournalConfig.DEFAULTS.queueMax(), JournalConfig.DEFAULTS.batchMax(),
                JournalConfig.DEFAULTS.recordBytesMax(), snapshotEvery, JournalConfig.DEFAULTS.idleTickMillis(), true);
        DurableEngine engine = Durable.open(dir, config, limits);
        long started = System.nanoTime();
        Durable.setUpSubscribers(engine, accounts, System.currentTimeMillis(), 8192);
        List<EngineCommand> setUp = new ArrayList<>();
        setUp.add(new EngineCommand.Configure(EngineConfig.defaults().withSessionsMax(sessions + 1024)
                .withValidity(3600, 30)));
        for (int a = 0; a < accounts; a++) {
            setUp.add(new EngineCommand.LedgerCommand(new Command("msisdn-" + a,
                    new Operation.BindIdentity(IdentityType.E164, msisdn(a), Subscribers.accountId(a)))));
            if (setUp.size() == batch) {
                await(engine, setUp);
                setUp.clear();
            }
        }
        await(engine, setUp);
        double setUpSeconds = (System.nanoTime() - started) / 1e9;
        started = System.nanoTime();
        ArrayDeque<CompletableFuture<EngineOutcome[]>> inFlight = new ArrayDeque<>();
        List<EngineCommand> chunk = new ArrayList<>(batch);
        for (int s = 0; s < sessions; s++) {
            chunk.add(new EngineCommand.Charge(initial(s, s % accounts)));
            if (chunk.size() == batch || s == sessions - 1) {
                inFlight.add(submit(engine, chunk));
                chunk = new ArrayList<>(batch);
                while (inFlight.size() > 16) {
                    expectGranted(inFlight.poll().join());
                }
            }
        }
        while (!inFlight.isEmpty()) {
            expectGranted(inFlight.poll().join());
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long open = engine.queryEngine(e -> e.openSessionCount()) instanceof Submission.Accepted<Long> a
                ? a.answer().join() : -1;
        System.out.printf("set up %,d subscribers in %.1f s; opened %,d sessions in %.1f s (%,.0f/s); open now %,d;"
                        + " %s; %s%n", accounts, setUpSeconds, sessions, seconds, sessions / seconds, open,
                RecoveryBench.describeDir(dir), Environment.load());
        System.out.flush();
        Runtime.getRuntime().halt(0); // no close(): its final snapshot would leave nothing to replay
    }

    static void recover(Path dir, LedgerLimits limits) throws Exception {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + " does not exist; run generate first");
        }
        System.out.println("# before: " + RecoveryBench.describeDir(dir) + ", " + Environment.load());
        long started = System.nanoTime();
        DurableEngine engine = Durable.open(dir, JournalConfig.DEFAULTS, limits);
        long elapsedNanos = System.nanoTime() - started;
        RecoveryReport report = engine.recovery();
        long open = engine.queryEngine(e -> e.openSessionCount()) instanceof Submission.Accepted<Long> a
                ? a.answer().join() : -1;
        System.out.printf("DurableEngine.open took %.2f s: %s; %,d open sessions; heap used %d MiB; %s%n",
                elapsedNanos / 1e9, report.describe(), open,
                (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20, Environment.load());
        System.out.flush();
        System.exit(0);
    }

    private static ChargingRequest initial(int session, int account) {
        return new ChargingRequest("pgw.bench;" + session, ChargingRequest.Kind.INITIAL, 0, -1, 0, false,
                ChargingRequest.EventAction.NONE,
                List.of(new ChargingRequest.Identity(IdentityType.E164, msisdn(account))), EngineConfig.CONTEXT_PS,
                List.of(new ChargingRequest.ServiceUsage(ServiceKey.of(Subscribers.DATA_RATING_GROUP, -1, null),
                        Map.of(Unit.BYTES, 1L << 20), null, null)),
                ChargingRequest.Attributes.NONE,
                new ChargingRequest.Origin("diameter", "pgw.bench", "pgw.bench", "bench", -1));
    }

    private static String msisdn(int account) {
        return String.format("4917%09d", account);
    }

    private static CompletableFuture<EngineOutcome[]> submit(DurableEngine engine, List<EngineCommand> commands) {
        while (true) {
            switch (engine.submitAll(commands)) {
                case Submission.Accepted<EngineOutcome[]>(CompletableFuture<EngineOutcome[]> answers) -> {
                    return answers;
                }
                case Submission.Busy<EngineOutcome[]> ignored -> Thread.yield();
                case Submission.TooLarge<EngineOutcome[]>(int bytes, int max) ->
                        throw new IllegalStateException("batch of " + bytes + " bytes over " + max);
                case Submission.Stopped<EngineOutcome[]>(String reason) -> throw new IllegalStateException(reason);
            }
        }
    }

    private static void await(DurableEngine engine, List<EngineCommand> commands) {
        if (!commands.isEmpty()) {
            for (EngineOutcome o : submit(engine, List.copyOf(commands)).join()) {
                if (o instanceof EngineOutcome.LedgerOutcome applied && !applied.outcome().accepted()) {
                    throw new IllegalStateException("set-up refused: " + applied.outcome());
                }
            }
        }
    }

    private static void expectGranted(EngineOutcome[] outcomes) {
        for (EngineOutcome o : outcomes) {
            if (!(o instanceof EngineOutcome.Charged charged)
                    || charged.result().outcome().result() != io.credence.charging.ChargingOutcome.Result.SUCCESS
                    || charged.result().outcome().services().getFirst().granted() <= 0) {
                throw new IllegalStateException("a CCR-I was not granted: " + o);
            }
        }
    }
}
