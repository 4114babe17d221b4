package io.credence.server;

import io.credence.agent.AgentConfig;
import io.credence.agent.AgentStatus;
import io.credence.agent.DeviceAgent;
import io.credence.agent.DeviceApi;
import io.credence.http.ApiKeys;
import io.credence.server.bench.Durations;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** {@code credence sim ...}: simulations against a server. */
@Command(name = "sim", description = "Simulate terminals against a server.", subcommands = SimCommand.Devices.class,
        mixinStandardHelpOptions = true)
final class SimCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /**
     * {@code credence sim devices}: N device agents (the real agent library, one SQLite file each)
     * using data for a while against a server (an embedded one unless {@code --server} is given),
     * then draining; prints what each side counted and whether they match exactly.
     */
    @Command(name = "devices", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Run N device agents against a server and compare reported with metered usage.")
    static final class Devices implements Callable<Integer> {
        static final int COUNT_MAX = 10_000;
        static final long DATA_BYTES = 1_000_000_000;
        /** The simulated terminals ask for data this often, in small steps like a real data path. */
        static final long STEP_MILLIS = 10;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--count", paramLabel = "N", defaultValue = "20", description = "agents, default ${DEFAULT-VALUE}")
        int count;

        @Option(names = "--duration", paramLabel = "D", defaultValue = "10s",
                description = "how long the terminals use data: seconds, or with a unit (500ms, 10s, 2m), default ${DEFAULT-VALUE}")
        String duration;

        @Option(names = "--server", paramLabel = "URL",
                description = "a running server (its admin key in $" + ApiClient.API_KEY_ENVIRONMENT
                        + ", the agents' device key in --device-key); default: an embedded one")
        String server;

        @Option(names = "--device-key", paramLabel = "KEY", defaultValue = "${env:CREDENCE_DEVICE_KEY}",
                description = "API key of role device for the agents, default $CREDENCE_DEVICE_KEY (keeps it out of ps)")
        String deviceKey;

        @Option(names = "--interval-ms", defaultValue = "500", description = "report interval, default ${DEFAULT-VALUE}")
        long intervalMillis;

        @Option(names = "--use-bytes-per-second", defaultValue = "200000",
                description = "mean data use per terminal (each varies between half and one and a half), default ${DEFAULT-VALUE}")
        long bytesPerSecond;

        @Option(names = "--grant-bytes", defaultValue = "1000000", description = "grant asked for, default ${DEFAULT-VALUE}")
        long grantBytes;

        private final PrintStream out = System.out;

        @Override
        public Integer call() throws Exception {
            long durationNanos = Durations.nanos(duration);
            require(count >= 1 && count <= COUNT_MAX, "--count must be 1.." + COUNT_MAX + ", was " + count);
            require(durationNanos > 0, "--duration must be a time such as 10, 10s, 500ms or 2m, was '" + duration + "'");
            require(intervalMillis >= 10 && intervalMillis <= 3_600_000, "--interval-ms must be 10..3600000, was "
                    + intervalMillis);
            require(bytesPerSecond >= 1 && bytesPerSecond <= 1_000_000_000, "--use-bytes-per-second must be 1..10^9, was "
                    + bytesPerSecond);
            require(grantBytes >= 1 && grantBytes <= DATA_BYTES, "--grant-bytes must be 1.." + DATA_BYTES);
            Path dir = Files.createTempDirectory("credence-sim-");
            CredenceServer embedded = null;
            try {
                URI base;
                ApiClient api;
                if (server == null) {
                    // keys as in production: the agents prove themselves with a device key and their tokens
                    String adminKey = randomKey();
                    deviceKey = randomKey();
                    Path keys = dir.resolve("api-keys");
                    Files.writeString(keys, "sim-admin admin " + ApiKeys.digestHex(adminKey) + "\n"
                            + "sim-devices device " + ApiKeys.digestHex(deviceKey) + "\n");
                    embedded = CredenceServer.start(ServerConfig.defaults(dir.resolve("data")).withHttpPort(0)
                                    .withHttpAccess(new HttpAccess(ApiKeys.read(keys), null)),
                            fatal -> { throw new IllegalStateException("journal failure in the simulation", fatal); });
                    base = URI.create("http://127.0.0.1:" + embedded.httpPort() + "/");
                    api = new ApiClient(base, adminKey);
                } else {
                    require(deviceKey != null, "--device-key is needed with --server (an API key of role device)");
                    base = URI.create(server.endsWith("/") ? server : server + "/");
                    api = new ApiClient(base);
                }
                out.printf("credence sim devices: %d agents for %s against %s%n", count, duration,
                        embedded == null ? base : base + " (embedded, data in " + dir.resolve("data") + ")");
                return simulate(api, base, dir, durationNanos);
            } finally {
                if (embedded != null) {
                    embedded.close();
                }
                DemoCommand.deleteTree(dir);
            }
        }

        private int simulate(ApiClient api, URI base, Path dir, long durationNanos) throws Exception {
            String run = Long.toString(System.currentTimeMillis(), 36);
            List<String> sims = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String account = "sim-" + run + "-" + i;
                String sim = "s" + run + "-" + i;
                expect(api.post("v1/accounts", Map.of("requestId", "simacc-" + account, "accountId", account,
                        "kind", "SUBSCRIBER")), "creating " + account);
                expect(api.post("v1/accounts/" + account + "/buckets", Map.of("requestId", "simdata-" + account,
                        "unit", "BYTES", "amount", DATA_BYTES, "validUntil", "2999-01-01T00:00:00Z", "priority", 5,
                        "ratingGroups", List.of(10))), "giving " + account + " a data package");
                expect(api.post("v1/sims", Map.of("simId", sim, "accountId", account, "secret", secretOf(sim))),
                        "provisioning SIM " + sim);
                sims.add(sim);
            }
            HttpClient http = DeviceApi.newHttpClient(Duration.ofSeconds(5));
            ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
            List<DeviceAgent> agents = new ArrayList<>();
            Files.createDirectories(dir.resolve("agents"));
            try {
                for (String sim : sims) {
                    DeviceAgent agent = new DeviceAgent(new AgentConfig(base, deviceKey, sim, secretOf(sim),
                            "device-" + sim, dir.resolve("agents").resolve(sim + ".db"), Duration.ofMillis(intervalMillis),
                            AgentConfig.RENEW_AT_FRACTION_DEFAULT, grantBytes, AgentConfig.REQUEST_TIMEOUT_DEFAULT,
                            AgentConfig.UNREPORTED_ROWS_MAX_DEFAULT), http, scheduler);
                    agents.add(agent);
                    agent.start();
                }
                long deadline = System.nanoTime() + durationNanos;
                List<Thread> terminals = new ArrayList<>();
                for (DeviceAgent agent : agents) {
                    terminals.add(Thread.ofVirtual().start(() -> useData(agent, deadline)));
                }
                for (Thread t : terminals) {
                    t.join();
                }
                List<Thread> drains = new ArrayList<>();
                for (DeviceAgent agent : agents) {
                    drains.add(Thread.ofVirtual().start(() -> {
                        try {
                            agent.drain();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }));
                }
                for (Thread t : drains) {
                    t.join();
                }
                return compare(api, agents);
            } finally {
                for (DeviceAgent agent : agents) {
                    agent.close();
                }
                scheduler.shutdownNow();
                http.shutdownNow();
            }
        }

        /** A terminal: small steps of data at its own pace until the deadline. */
        private void useData(DeviceAgent agent, long deadline) {
            double pace = 0.5 + ThreadLocalRandom.current().nextDouble();
            long perStep = Math.max(1, (long) (bytesPerSecond * pace * STEP_MILLIS / 1000));
            try {
                while (System.nanoTime() < deadline) {
                    agent.use(1 + ThreadLocalRandom.current().nextLong(2 * perStep));
                    TimeUnit.MILLISECONDS.sleep(STEP_MILLIS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private int compare(ApiClient api, List<DeviceAgent> agents) throws IOException, InterruptedException {
            long meteredTotal = 0;
            long reportedTotal = 0;
            int differ = 0;
            for (DeviceAgent agent : agents) {
                AgentStatus status = agent.status();
                String sim = agent.config().simId();
                ApiClient.Reply shown = api.get("v1/devices/" + sim);
                expect(shown, "reading SIM " + sim);
                long reported = shown.body().path("reportedBytes").asLong();
                meteredTotal += status.meteredBytes();
                reportedTotal += reported;
                boolean same = reported == status.meteredBytes();
                differ += same ? 0 : 1;
                if (agents.size() <= 20 || !same) {
                    out.printf("  %-24s metered %,14d  reported %,14d  %s%s%n", sim, status.meteredBytes(), reported,
                            same ? "same" : "DIFFERENT", status.unreportedBytes() == 0 ? ""
                                    : " (" + status.unreportedBytes() + " bytes not yet acknowledged: " + status.state() + ")");
                }
            }
            out.printf("metered by the agents %,d bytes, reported to the server %,d bytes%n", meteredTotal, reportedTotal);
            if (differ == 0) {
                out.printf("MATCH: reported usage equals metered usage for all %d agents%n", agents.size());
                return 0;
            }
            out.printf("MISMATCH: %d of %d agents differ%n", differ, agents.size());
            return Main.EXIT_REFUSED;
        }

        private static String randomKey() {
            byte[] bytes = new byte[24];
            new java.security.SecureRandom().nextBytes(bytes);
            return java.util.HexFormat.of().formatHex(bytes);
        }

        private static String secretOf(String sim) {
            return "secret-of-" + sim + "-0123456789";
        }

        private static void expect(ApiClient.Reply reply, String what) throws IOException {
            if (!reply.ok()) {
                throw new IOException(what + ": " + reply.problemLine());
            }
        }

        private void require(boolean ok, String message) {
            if (!ok) {
                throw new CommandLine.ParameterException(spec.commandLine(), message);
            }
        }
    }
}
