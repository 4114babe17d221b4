package io.credence.server;


import io.credence.journal.DurableEngine;
import io.credence.journal.EngineGate;
import io.credence.journal.JournalConfig;
import io.credence.journal.Submission;
import io.credence.ledger.AccountKind;
import io.credence.ledger.Ids;
import io.credence.ledger.Operation;
import io.credence.ledger.Outcome;
import io.credence.ledger.Unit;
import io.credence.market.contract.BuyerType;
import io.credence.market.contract.ChargingStandard;
import io.credence.market.contract.Contract;
import io.credence.market.contract.Ed25519;
import io.credence.market.contract.Offer;
import io.credence.market.contract.Payment;
import io.credence.market.contract.ResourceType;
import io.credence.market.contract.Signed;
import io.credence.market.trade.ContractAnswer;
import io.credence.market.trade.Marketplace;
import io.credence.market.trade.Publication;
import io.credence.market.trade.Registration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code credence bench contracts}: contracts from offer to effective with the four in-process
 * validators (3-of-4), on a durable ledger and contract log in a temporary directory: buyers
 * sign and providers co-sign ahead of time (the parties' work happens on their terminals), then
 * T threads propose them and the run reports contracts/s and the signature work per contract.
 */
@Command(name = "contracts", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measure contracts/s from offer to effective (in-process 3-of-4 validators, durable log and escrow).")
public final class ContractBench implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--contracts", defaultValue = "2000", description = "contracts proposed, default ${DEFAULT-VALUE}")
    int contracts;

    @Option(names = "--threads", defaultValue = "4", description = "proposing threads, default ${DEFAULT-VALUE}")
    int threads;

    @Option(names = "--http", description = "propose through this running server's API (e.g. a node of a cluster) "
            + "instead of a marketplace in this process; the parties are made through it first")
    java.net.URI http;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        if (contracts < 1 || contracts > 1_000_000 || threads < 1 || threads > 256) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--contracts 1..1000000 and --threads 1..256");
        }
        if (http != null) {
            new ContractBenchOverHttp(http, contracts, threads, out).run();
            return 0;
        }
        Path dir = Files.createTempDirectory("credence-contract-bench-");
        try (DurableEngine ledger = DurableEngine.open(dir.resolve("ledger"), JournalConfig.DEFAULTS,
                ServerConfig.limits(ServerConfig.REQUEST_IDS_MAX, ServerConfig.REQUEST_ID_RETENTION_MILLIS),
                System::currentTimeMillis, fatal -> { throw new IllegalStateException(fatal); })) {
            MarketLogs.Opened market = MarketLogs.open(dir.resolve("market"),
                    new LedgerEscrow(ledger, ServerConfig.limits(ServerConfig.REQUEST_IDS_MAX,
                            ServerConfig.REQUEST_ID_RETENTION_MILLIS)), MarketSettings.IN_PROCESS);
            try (var log = market.log(); var marketplace = market.market()) {
                run(ledger, marketplace);
            }
        } finally {
            DemoCommand.deleteTree(dir);
        }
        return 0;
    }

    private void run(EngineGate ledger, Marketplace market) throws Exception {
        submit(ledger, new Operation.CreateAccount("provider", AccountKind.SUBSCRIBER, Map.of()));
        submit(ledger, new Operation.CreateAccount("buyer", AccountKind.SUBSCRIBER, Map.of()));
        submit(ledger, new Operation.TopUp(Ids.SYSTEM_ACCOUNT, "buyer", Unit.MONEY, 1_000_000_000_000L, null));
        Ed25519.KeyPair provider = seed(market.register("provider", "sim-p", null));
        Ed25519.KeyPair buyer = seed(market.register("buyer", "sim-b", null));
        String service = market.provider("provider").orElseThrow().serviceId();
        long now = System.currentTimeMillis();
        Signed<Offer> offer = Signed.sign(new Offer("bench-offer", service, "provider", "sim-p", now, now + 3_600_000, 3,
                100, ChargingStandard.PER_MB, ResourceType.DATA_BYTES, 50_000_000), "provider", provider);
        if (!(market.publish(offer.encode()) instanceof Publication.Published)) {
            throw new IllegalStateException("the benchmark's offer was refused");
        }
        List<byte[]> signed = new ArrayList<>();
        for (int i = 0; i < contracts; i++) {
            Contract c = new Contract("bench-" + i, offer.entry().hash(), "provider", "buyer", BuyerType.PERSONAL,
                    "buyer", ResourceType.DATA_BYTES, 5_000_000, now, now + 3_600_000, 3, ChargingStandard.PER_MB, 100,
                    500, Payment.MONEY, now);
            signed.add(Signed.sign(c, "buyer", buyer).cosign("provider", provider).encode());
        }
        long signs = Ed25519.signs();
        long verifies = Ed25519.verifies();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger effective = new AtomicInteger();
        long started = System.nanoTime();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofPlatform().start(() -> {
                for (int i = next.getAndIncrement(); i < contracts; i = next.getAndIncrement()) {
                    if (market.propose(signed.get(i)) instanceof ContractAnswer.Effective) {
                        effective.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread w : workers) {
            w.join();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        double signsEach = (Ed25519.signs() - signs) / (double) contracts;
        double verifiesEach = (Ed25519.verifies() - verifies) / (double) contracts;
        out.printf("%,d contracts proposed from %d threads in %.2f s: %,.0f contracts/s offer to effective (%,d effective)%n",
                contracts, threads, seconds, contracts / seconds, effective.get());
        out.printf("signature work on the server per contract: %.1f signs, %.1f verifies (the parties' own 2 signs are "
                + "made before the clock starts)%n", signsEach, verifiesEach);
    }

    private static Ed25519.KeyPair seed(Registration registration) {
        return Ed25519.fromSeed(((Registration.Registered) registration).seed());
    }

    private static void submit(EngineGate ledger, Operation op) throws Exception {
        Submission<Outcome> s = ledger.submit(new io.credence.ledger.Command("bench-" + System.nanoTime(), op));
        Outcome outcome = ((Submission.Accepted<Outcome>) s).answer().get(30, TimeUnit.SECONDS);
        if (!outcome.accepted()) {
            throw new IllegalStateException("set-up refused: " + outcome);
        }
    }
}
