package io.credence.server.bench;

import io.credence.server.ApiClient;
import io.credence.server.Main;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code credence bench devices}: many simulated device agents against a running server, on the
 * open-loop schedule of the other generators ({@link DeviceLoad}): grant, usage reports, final
 * report. First provisions the agents through the API as an operator would (account with a large
 * data balance, SIM, registration), which is idempotent, so a rerun only registers again.
 */
@Command(name = "devices", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run simulated device agents (grant, usage reports, final report) at a fixed rate.")
final class DeviceBenchCommand implements Callable<Integer> {
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    static final int AGENTS_MAX = 1_000_000;
    static final long BALANCE_BYTES = 1_000_000_000_000L;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--url", paramLabel = "URL", defaultValue = "http://127.0.0.1:8080",
            description = "the server's HTTP API, default ${DEFAULT-VALUE}")
    String url;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "1000",
            description = "requests offered per second (grants, reports, final reports), default ${DEFAULT-VALUE}")
    long rate;

    @Option(names = "--agents", paramLabel = "N", defaultValue = "10000",
            description = "simulated agents (SIMs), default ${DEFAULT-VALUE}")
    int agents;

    @Option(names = "--concurrency", paramLabel = "C", defaultValue = "256",
            description = "agents sending at once (so at most C requests in flight), default ${DEFAULT-VALUE}")
    int concurrency;

    @Option(names = "--reports", paramLabel = "U", defaultValue = "20",
            description = "usage reports per grant before the final report, default ${DEFAULT-VALUE}")
    int reports;

    @CommandLine.Mixin
    MeasuredTime time;

    @Option(names = "--connections", paramLabel = "C", defaultValue = "4",
            description = "HTTP/2 connections the agents' requests share (a gateway's view; one JDK HttpClient each), "
                    + "default ${DEFAULT-VALUE}")
    int connections;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "1",
            description = "usage reports per report request (1..1000): more than 1 sends them as one batch, as an "
                    + "agent back from being offline does, default ${DEFAULT-VALUE}")
    int batch;

    @Option(names = "--device-key", paramLabel = "KEY", defaultValue = "${env:CREDENCE_DEVICE_KEY}",
            description = "API key of role device the agents send, when the server requires keys, default "
                    + "$CREDENCE_DEVICE_KEY (provisioning uses $" + ApiClient.API_KEY_ENVIRONMENT + ", an admin key)")
    String deviceKey;

    @Override
    public Integer call() throws InterruptedException {
        URI base = uri(url);
        require(rate >= 1 && rate <= LoadPlan.RATE_MAX, "--rate must be 1.." + LoadPlan.RATE_MAX + ", was " + rate);
        require(agents >= 1 && agents <= AGENTS_MAX, "--agents must be 1.." + AGENTS_MAX + ", was " + agents);
        require(concurrency >= 1 && concurrency <= agents, "--concurrency must be 1..--agents (" + agents + "), was "
                + concurrency);
        require(reports >= 0 && reports <= LoadPlan.UPDATES_MAX, "--reports must be 0.." + LoadPlan.UPDATES_MAX
                + ", was " + reports);
        require(batch >= 1 && batch <= io.credence.charging.EngineCommand.DeviceReports.REPORTS_MAX,
                "--batch must be 1.." + io.credence.charging.EngineCommand.DeviceReports.REPORTS_MAX + ", was " + batch);
        long durationNanos = time.measuredNanos();
        long warmupNanos = time.warmupNanos();
        LoadPlan plan = new LoadPlan(base.getHost(), base.getPort() < 0 ? 80 : base.getPort(), List.of("http"), "-", "-",
                rate, concurrency, reports, warmupNanos, durationNanos, "49170", Math.min(agents, LoadPlan.SUBSCRIBERS_MAX));
        String commandLine = DiameterBenchCommand.commandLine(spec);
        require(connections >= 1 && connections <= LoadPlan.CONNECTIONS_MAX, "--connections must be 1.."
                + LoadPlan.CONNECTIONS_MAX + ", was " + connections);
        List<HttpClient> clients = new ArrayList<>();
        try {
            for (int k = 0; k < connections; k++) {
                clients.add(upgradedClient(base));
            }
            long started = System.nanoTime();
            List<DeviceLoad.Agent> provisioned = provision(new ApiClient(base));
            System.out.printf("provisioned %,d agents in %.1f s%n", provisioned.size(), (System.nanoTime() - started) / 1e9);
            DeviceLoad load = new DeviceLoad(plan, clients, base, deviceKey, REQUEST_TIMEOUT, provisioned, batch);
            LoadReport report = load.run();
            report.print(System.out, commandLine, String.format("%s, %,d agents, %d HTTP/2 connection(s)", base, agents, connections));
            long absorbed = report.measured().updatesSucceeded() * batch + report.measured().sessionsCompleted();
            System.out.printf("usage reports absorbed (report and final report answered 200): %,.0f/s%n",
                    absorbed / report.measuredSeconds());
            if (load.firstFailure() != null) {
                System.out.println("first request without an answer: " + load.firstFailure());
            }
            return report.stoppedEarly() == null ? 0 : Main.EXIT_UNREACHABLE;
        } catch (NotUpgraded refused) {
            System.err.println("credence: " + refused.getMessage());
            return Main.EXIT_REFUSED;
        } catch (ConnectException unreachable) {
            System.err.println("credence: cannot reach the server at " + base);
            return Main.EXIT_UNREACHABLE;
        } catch (IOException | ProvisioningRefused failed) {
            System.err.println("credence: provisioning the agents failed: " + failed.getMessage());
            return Main.EXIT_REFUSED;
        } finally {
            clients.forEach(HttpClient::shutdownNow);
        }
    }

    /** The server answered GET /health over HTTP/1.1: it does not speak h2c. */
    static final class NotUpgraded extends IOException {
        private static final long serialVersionUID = 1L;

        NotUpgraded(String message) {
            super(message);
        }
    }

    /**
     * A client whose one connection is already HTTP/2: the JDK client has no prior knowledge, it
     * upgrades ({@code Upgrade: h2c}) on its first request, so that request is a lone
     * {@code GET /health} before the load starts.
     */
    static HttpClient upgradedClient(URI base) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<Void> health = client.send(HttpRequest.newBuilder(base.resolve("health"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding());
        if (health.version() != HttpClient.Version.HTTP_2) {
            client.shutdownNow();
            throw new NotUpgraded(base + " did not upgrade to HTTP/2 (h2c) on GET /health: answered "
                    + health.statusCode() + " over " + health.version());
        }
        return client;
    }

    private static final class ProvisioningRefused extends Exception {
        private static final long serialVersionUID = 1L;

        ProvisioningRefused(String message) {
            super(message);
        }
    }

    /** Account bench-dev-i with a large data balance, SIM bench-sim-i, registered from device bench-device-i. */
    private List<DeviceLoad.Agent> provision(ApiClient api) throws IOException, InterruptedException, ProvisioningRefused {
        List<DeviceLoad.Agent> out = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger next = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(Provisioner.PARALLEL_MAX)) {
            List<Future<Void>> running = new ArrayList<>();
            for (int t = 0; t < Provisioner.PARALLEL_MAX; t++) {
                running.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < agents; i = next.getAndIncrement()) {
                        out.add(agent(api, i));
                    }
                    return null;
                }));
            }
            for (Future<Void> f : running) {
                try {
                    f.get();
                } catch (ExecutionException failed) {
                    next.set(agents);
                    switch (failed.getCause()) {
                        case IOException io -> throw io;
                        case ProvisioningRefused refused -> throw refused;
                        case InterruptedException interrupted -> throw interrupted;
                        case RuntimeException bug -> throw bug;
                        case Error error -> throw error;
                        case Throwable other -> throw new IllegalStateException(other);
                    }
                }
            }
        }
        return out;
    }

    private DeviceLoad.Agent agent(ApiClient api, int i) throws IOException, InterruptedException, ProvisioningRefused {
        String account = "bench-dev-" + i;
        String sim = "bench-sim-" + i;
        String secret = "bench-sim-secret-" + i;
        if (api.get("v1/accounts/" + account).status() == 404) {
            expect(api.post("v1/accounts", Map.of("requestId", "bench-create-" + account, "accountId", account,
                    "kind", "SUBSCRIBER")), "creating " + account);
            expect(api.post("v1/accounts/" + account + "/topups", Map.of("requestId", "bench-topup-" + account,
                    "unit", "BYTES", "amount", BALANCE_BYTES)), "topping up " + account);
        }
        expect(api.post("v1/sims", Map.of("simId", sim, "accountId", account, "secret", secret)), "provisioning " + sim);
        ApiClient.Reply registered = api.post("v1/devices/" + sim + "/register",
                Map.of("deviceId", "bench-device-" + i, "simSecret", secret));
        expect(registered, "registering " + sim);
        return new DeviceLoad.Agent(sim, registered.body().path("token").asText(),
                registered.body().path("lastReportSeq").asLong() + 1);
    }

    private static void expect(ApiClient.Reply reply, String what) throws ProvisioningRefused {
        if (!reply.ok()) {
            throw new ProvisioningRefused(what + ": " + reply.problemLine());
        }
    }

    private URI uri(String value) {
        URI uri;
        try {
            uri = URI.create(value.endsWith("/") ? value : value + "/");
        } catch (IllegalArgumentException bad) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--url is not a URL: " + value);
        }
        require("http".equals(uri.getScheme()) && uri.getHost() != null, "--url must be an http:// URL, was " + value);
        return uri;
    }

    private void require(boolean ok, String message) {
        if (!ok) {
            throw new CommandLine.ParameterException(spec.commandLine(), message);
        }
    }
}
