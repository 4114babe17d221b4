package io.credence.server;

import io.credence.charging.simulation.EngineSimulation;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code credence simulate}: the charging engine's deterministic simulation, as many seeds as one
 * likes, on every core. The build runs a bounded number of seeds; this runs millions, and replays
 * one that failed ({@code --seed S}) with the steps that led to it.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Run the charging engine's deterministic simulation (sessions of Gy, Ro and Nchf shapes, "
                + "retransmissions, late reports, catalog reloads, clock jumps, crashes with replay) over many seeds, "
                + "checking its invariants after every step. Exit 1 names the first failing seed.")
final class SimulateCommand implements Callable<Integer> {
    @Option(names = "--seed", paramLabel = "S", description = "run this one seed (to replay a failure)")
    Long seed;

    @Option(names = "--seeds", paramLabel = "N", defaultValue = "1000", description = "how many seeds, default ${DEFAULT-VALUE}")
    long seeds;

    @Option(names = "--from", paramLabel = "S", defaultValue = "1", description = "the first seed, default ${DEFAULT-VALUE}")
    long from;

    @Option(names = "--steps", defaultValue = "3000", description = "steps per seed, default ${DEFAULT-VALUE}")
    int steps;

    @Option(names = "--subscribers", defaultValue = "40", description = "subscribers per seed, default ${DEFAULT-VALUE}")
    int subscribers;

    @Option(names = "--crashes-per-mille", defaultValue = "15",
            description = "steps in a thousand that crash the engine, default ${DEFAULT-VALUE}")
    int crashes;

    @Option(names = "--replay-every-step",
            description = "replay the whole journal after every step (slow; finds the first step a divergence shows at)")
    boolean replayEveryStep;

    @Option(names = "--threads", description = "seeds run at once, default: the processors")
    Integer threads;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        EngineSimulation.Options options;
        try {
            options = new EngineSimulation.Options(subscribers, steps, crashes, replayEveryStep);
        } catch (IllegalArgumentException bad) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--subscribers, --steps or --crashes-per-mille: "
                    + bad.getMessage());
        }
        if (seeds < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--seeds must be >= 1, was " + seeds);
        }
        PrintStream out = spec.commandLine().getOut() == null ? System.out : new PrintStream(System.out, true);
        long first = seed != null ? seed : from;
        long count = seed != null ? 1 : seeds;
        int workers = threads != null ? Math.max(1, threads) : Runtime.getRuntime().availableProcessors();
        AtomicLong next = new AtomicLong(first);
        AtomicLong done = new AtomicLong();
        AtomicLong requests = new AtomicLong();
        AtomicLong crashesSeen = new AtomicLong();
        AtomicReference<EngineSimulation.Failure> failed = new AtomicReference<>();
        long started = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            Future<?>[] running = new Future<?>[workers];
            for (int w = 0; w < workers; w++) {
                running[w] = pool.submit(() -> {
                    while (failed.get() == null) {
                        long s = next.getAndIncrement();
                        if (s >= first + count) {
                            return;
                        }
                        try {
                            EngineSimulation.Report report = EngineSimulation.run(s, options);
                            requests.addAndGet(report.requests());
                            crashesSeen.addAndGet(report.crashes());
                        } catch (EngineSimulation.Failure failure) {
                            failed.compareAndSet(null, failure);
                            return;
                        }
                        long n = done.incrementAndGet();
                        if (count >= 100 && n % Math.max(1, count / 20) == 0) {
                            out.printf("%,d of %,d seeds passed (%,d requests, %,d crashes) in %d s%n", n, count,
                                    requests.get(), crashesSeen.get(), (System.nanoTime() - started) / 1_000_000_000L);
                        }
                    }
                });
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        EngineSimulation.Failure failure = failed.get();
        if (failure != null) {
            System.err.println("FAILED: " + failure.getMessage());
            System.err.println("replay it: credence simulate --seed " + failure.seed() + " --steps " + steps
                    + " --subscribers " + subscribers + " --crashes-per-mille " + crashes);
            return 1;
        }
        out.printf("all %,d seeds from %d passed: %,d requests, %,d crashes recovered, %d steps each, in %d s%n",
                done.get(), first, requests.get(), crashesSeen.get(), steps,
                (System.nanoTime() - started) / 1_000_000_000L);
        return 0;
    }
}
