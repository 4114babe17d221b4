package io.credence.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The device agent and the server as real processes, with the network between them a proxy the
 * test controls: agents killed mid-report, the network cut and slowed, the server killed mid-sync.
 * After each the server has counted exactly what the agent metered, once, and the quota the agent
 * returned is available again.
 */
class DeviceAgentIT {
    private static final long PACKAGE_BYTES = 100_000_000;
    private static final String SIM = "sim-it-1";
    private static final String SIM_SECRET = "sim-it-1-secret-0123456789";
    private static final Pattern STATUS = Pattern.compile("metered=(\\d+) acknowledged=(\\d+) pending=(\\d+) state=(\\w+)");

    @TempDir
    Path dir;
    Path keys;
    Path log;
    Path db;

    @BeforeEach
    void files() throws IOException {
        keys = SecuredServer.keysFile(dir);
        log = dir.resolve("server.log");
        db = dir.resolve("agent.db");
    }

    private ServerProcess server() throws IOException {
        return ServerProcess.start(dir.resolve("data"), log, "--api-keys", keys.toString());
    }

    private static void provision(ServerProcess server) {
        SecuredServer.Client admin = new SecuredServer.Client(server.port);
        assertThat(admin.call("POST", "/v1/accounts", SecuredServer.ADMIN,
                "{\"requestId\":\"it-acc\",\"accountId\":\"it-user\",\"kind\":\"SUBSCRIBER\"}").status()).isEqualTo(201);
        assertThat(admin.call("POST", "/v1/accounts/it-user/buckets", SecuredServer.ADMIN,
                "{\"requestId\":\"it-pack\",\"unit\":\"BYTES\",\"amount\":" + PACKAGE_BYTES
                        + ",\"validUntil\":\"2999-01-01T00:00:00Z\",\"priority\":5,\"ratingGroups\":[10]}").status())
                .isEqualTo(201);
        assertThat(admin.call("POST", "/v1/sims", SecuredServer.ADMIN, "{\"simId\":\"" + SIM
                + "\",\"accountId\":\"it-user\",\"secret\":\"" + SIM_SECRET + "\"}").status()).isEqualTo(201);
    }

    /** The agent's command line: a terminal using 400 kB/s, reporting every 100 ms, 300 kB grants. */
    private Agent agent(int proxyPort, String... more) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-jar", ServerProcess.jar().toString(), "agent", "run",
                "--server", "http://127.0.0.1:" + proxyPort, "--api-key", SecuredServer.DEVICE, "--sim", SIM,
                "--sim-secret", SIM_SECRET, "--device", "phone-it", "--db", db.toString(), "--interval-ms", "100",
                "--use-bytes-per-second", "400000", "--grant-bytes", "300000", "--timeout-ms", "1000"));
        command.addAll(List.of(more));
        return new Agent(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(
                dir.resolve("agent.err").toFile())).start());
    }

    /** A running agent process and the status lines it printed. */
    static final class Agent {
        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();

        Agent(Process process) {
            this.process = process;
            Thread.ofVirtual().start(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    out.lines().forEach(lines::add);
                } catch (IOException ended) {
                    // the process died
                }
            });
        }

        /** Waits for a status line whose acknowledged total is above {@code bytes}. */
        void awaitAcknowledgedAbove(long bytes) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                for (String line : lines) {
                    Matcher m = STATUS.matcher(line);
                    if (m.find() && Long.parseLong(m.group(2)) > bytes) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
            throw new AssertionError("no acknowledged usage above " + bytes + "; agent printed " + lines);
        }

        int awaitExit() throws InterruptedException {
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("agent exits; printed " + lines).isTrue();
            return process.exitValue();
        }

        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** What the agent's database says: metered and acknowledged totals, without the network. */
    private long[] agentTotals() throws IOException, InterruptedException {
        Process status = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-jar", ServerProcess.jar().toString(), "agent", "status",
                "--db", db.toString()).redirectErrorStream(true).start();
        String out = new String(status.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(status.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Matcher m = STATUS.matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3))};
    }

    /** Server-side usage equals the agent's metered usage, and nothing is held any more. */
    private void assertSettledExactly(ServerProcess server) throws Exception {
        long[] agent = agentTotals();
        assertThat(agent[0]).as("the terminal used data").isGreaterThan(0);
        assertThat(agent[1]).as("everything metered was acknowledged").isEqualTo(agent[0]);
        assertThat(agent[2]).as("no report pending").isZero();
        SecuredServer.Client admin = new SecuredServer.Client(server.port);
        JsonNode sim = admin.call("GET", "/v1/devices/" + SIM, SecuredServer.ADMIN, null).json();
        assertThat(sim.path("reportedBytes").asLong()).as("counted once, all of it").isEqualTo(agent[0]);
        assertThat(sim.path("grant").isNull()).as("the grant was returned").isTrue();
        long amount = 0;
        long available = 0;
        for (JsonNode b : admin.call("GET", "/v1/accounts/it-user", SecuredServer.ADMIN, null).json().path("buckets")) {
            if (b.path("unit").asText().equals("BYTES")) {
                amount += b.path("amount").asLong();
                available += b.path("available").asLong();
            }
        }
        assertThat(amount).as("charged exactly the metered bytes").isEqualTo(PACKAGE_BYTES - agent[0]);
        assertThat(available).as("returned quota is available again").isEqualTo(amount);
    }

    @Test
    void anAgentKilledMidReportAndRestartedReportsEveryByteOnce() throws Exception {
        try (ServerProcess server = server(); LoopbackProxy proxy = new LoopbackProxy(server.port)) {
            provision(server);
            // a slow link keeps each report in flight ~300 ms of every 400: a kill lands mid-report,
            // often after the server applied it and before the agent heard so
            proxy.delay(150);
            for (int kill = 0; kill < 4; kill++) {
                Agent agent = agent(proxy.port());
                agent.awaitAcknowledgedAbove(0);
                Thread.sleep(ThreadLocalRandom.current().nextLong(50, 400));
                agent.kill();
            }
            proxy.restore();
            Agent last = agent(proxy.port(), "--duration-seconds", "2", "--drain");
            assertThat(last.awaitExit()).as(String.join("\n", last.lines)).isZero();
            assertSettledExactly(server);
        }
    }

    @Test
    void aCutAndSlowNetworkLosesNothingAndCountsNothingTwice() throws Exception {
        try (ServerProcess server = server(); LoopbackProxy proxy = new LoopbackProxy(server.port)) {
            provision(server);
            Agent agent = agent(proxy.port(), "--duration-seconds", "9", "--drain");
            agent.awaitAcknowledgedAbove(0);
            // 3 s without a network at a 100 ms interval: 30 missed reports, as 5 minutes would be at 10 s
            proxy.cut();
            Thread.sleep(3_000);
            proxy.restore();
            proxy.delay(150); // then a slow link, slower than some answers may wait
            Thread.sleep(2_000);
            proxy.restore();
            assertThat(agent.awaitExit()).as(String.join("\n", agent.lines)).isZero();
            assertThat(agent.lines).as("the agent noticed it was offline").anyMatch(l -> l.contains("state=OFFLINE"));
            assertSettledExactly(server);
        }
    }

    @Test
    void theServerKilledMidSyncRecoversEveryAcknowledgedReport() throws Exception {
        ServerProcess first = server();
        try (LoopbackProxy proxy = new LoopbackProxy(first.port)) {
            provision(first);
            Agent agent = agent(proxy.port(), "--duration-seconds", "9", "--drain");
            agent.awaitAcknowledgedAbove(200_000);
            first.kill();
            Thread.sleep(1_000);
            try (ServerProcess second = server()) {
                proxy.target(second.port);
                assertThat(agent.awaitExit()).as(String.join("\n", agent.lines)).isZero();
                assertSettledExactly(second);
            }
        } finally {
            first.close();
        }
    }
}
