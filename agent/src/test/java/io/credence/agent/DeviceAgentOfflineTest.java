package io.credence.agent;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A device with no server to talk to: it keeps using what it was granted, keeps every report,
 * says OFFLINE, and never sends a report out of order or loses one across a restart.
 */
class DeviceAgentOfflineTest {
    static final String SIM = "8944000000000000002";
    static final String DEVICE = "terminal-2";

    @TempDir
    Path dir;

    private URI closedPort;
    private final List<DeviceAgent> agents = new ArrayList<>();

    @BeforeEach
    void findAClosedLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
    }

    @AfterEach
    void closeAgents() throws SQLException {
        for (DeviceAgent agent : agents) {
            agent.close();
        }
    }

    private AgentConfig config(URI server, Duration interval) {
        return new AgentConfig(server, "device-key", SIM, "sim-secret", DEVICE, dir.resolve("agent.db"), interval,
                0.8, 1_000_000, Duration.ofMillis(500));
    }

    private DeviceAgent agent(AgentConfig config) throws SQLException {
        DeviceAgent agent = new DeviceAgent(config);
        agents.add(agent);
        return agent;
    }

    /** What a past session left: registered, holding a grant of 10,000 bytes valid for an hour. */
    private void registeredWithGrant() throws SQLException {
        try (AgentStore store = AgentStore.open(dir.resolve("agent.db"), SIM, DEVICE, 100)) {
            store.saveRegistration("token-1", "alice", 0, 0);
            long now = System.currentTimeMillis();
            store.openGrant(7, 10_000, now, now + 3_600_000);
        }
    }

    @Test
    void usesTheLocalGrantAndKeepsReportsPendingWhileTheServerIsUnreachable() throws Exception {
        registeredWithGrant();
        DeviceAgent agent = agent(config(closedPort, Duration.ofHours(1)));

        AgentStatus started = agent.start();
        assertThat(started.state()).isEqualTo(AgentState.OFFLINE);
        assertThat(started.problem()).startsWith("packages: ").contains("ConnectException");
        assertThat(started.grantRemainingBytes()).isEqualTo(10_000);

        assertThat(agent.use(4_000)).isEqualTo(4_000);
        assertThat(agent.use(3_000)).isEqualTo(3_000);
        AgentStatus reported = agent.reportNow();
        assertThat(reported.state()).isEqualTo(AgentState.OFFLINE);
        assertThat(reported.pendingReports()).isEqualTo(1);
        assertThat(reported.unreportedBytes()).isEqualTo(7_000);

        // Past the renewal point, and still nobody to return the grant to: the rest stays usable.
        assertThat(agent.use(7_000)).as("never more than the grant's remainder").isEqualTo(3_000);
        assertThat(agent.use(1)).as("grant used up").isZero();
        AgentStatus again = agent.reportNow();
        assertThat(again.pendingReports()).as("one report at a time while offline").isEqualTo(1);
        assertThat(again.meteredBytes()).isEqualTo(10_000);
        assertThat(again.acknowledgedBytes()).isZero();
        assertThat(again.unreportedBytes()).isEqualTo(10_000);
        assertThat(again.grantRemainingBytes()).isZero();
        assertThat(again.usageRowsWaiting()).isEqualTo(3);
        assertThat(again.state()).isEqualTo(AgentState.OFFLINE);
    }

    @Test
    void theSamePendingReportIsThereAfterARestart() throws Exception {
        registeredWithGrant();
        DeviceAgent first = agent(config(closedPort, Duration.ofHours(1)));
        first.start();
        first.use(1_500);
        first.reportNow();
        AgentStore.PendingReport pending = first.store().pendingReports().getFirst();
        first.use(500);
        first.close();

        DeviceAgent second = agent(config(closedPort, Duration.ofHours(1)));
        assertThat(second.store().pendingReports()).containsExactly(pending);
        AgentStatus status = second.start();
        assertThat(second.store().pendingReports()).as("same seq, same bytes; the later use waits behind it")
                .containsExactly(new AgentStore.PendingReport(pending.seq(), 1_500, false));
        assertThat(status.meteredBytes()).isEqualTo(2_000);
        assertThat(status.grantRemainingBytes()).isEqualTo(8_000);
    }

    @Test
    void anUnregisteredDeviceUsesNothingUntilItReachesTheServer() throws Exception {
        DeviceAgent agent = agent(config(closedPort, Duration.ofHours(1)));
        assertThat(agent.status().state()).isEqualTo(AgentState.REGISTERING);
        AgentStatus status = agent.start();
        assertThat(status.state()).isEqualTo(AgentState.OFFLINE);
        assertThat(status.problem()).startsWith("register: ");
        assertThat(agent.use(100)).isZero();
        assertThat(agent.drain()).isTrue(); // nothing to return: drained at once
        agent.stop();
        assertThat(agent.status().state()).isEqualTo(AgentState.STOPPED);
    }

    @Test
    void theReporterKeepsTryingAtEachIntervalWithoutPilingUpReports() throws Exception {
        registeredWithGrant();
        DeviceAgent agent = agent(config(closedPort, Duration.ofMillis(20)));
        agent.start();
        for (int i = 0; i < 20; i++) {
            assertThat(agent.use(100)).isEqualTo(100);
            Thread.sleep(10);
        }
        Thread.sleep(100);
        AgentStatus status = agent.status();
        assertThat(status.state()).isEqualTo(AgentState.OFFLINE);
        assertThat(status.pendingReports()).isEqualTo(1);
        assertThat(status.meteredBytes()).isEqualTo(2_000);
        assertThat(agent.drain()).as("cannot drain without a server").isFalse();
        assertThat(agent.use(100)).as("no use while draining").isZero();
    }

    @Test
    void aServerThatNeverAnswersIsOfflineAfterTheRequestTimeout() throws Exception {
        registeredWithGrant();
        // Accepts connections (the kernel's backlog does) but never reads or answers.
        try (ServerSocket silent = new ServerSocket()) {
            silent.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
            URI server = URI.create("http://127.0.0.1:" + silent.getLocalPort());
            DeviceAgent agent = agent(config(server, Duration.ofHours(1)));
            long started = System.nanoTime();
            AgentStatus status = agent.start();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
            assertThat(status.state()).isEqualTo(AgentState.OFFLINE);
            assertThat(status.problem()).contains("packages: ");
            assertThat(agent.use(10)).isEqualTo(10);
        }
    }

    @Test
    void manyAgentsShareOneClientAndOneScheduler() throws Exception {
        try (HttpClient http = DeviceApi.newHttpClient(Duration.ofMillis(500));
             ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor()) {
            List<DeviceAgent> fleet = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                AgentConfig config = new AgentConfig(closedPort, "device-key", "sim-" + i, "secret", "device-" + i,
                        dir.resolve("sim-" + i + ".db"), Duration.ofMillis(20), 0.8, 1_000, Duration.ofMillis(500));
                DeviceAgent agent = new DeviceAgent(config, http, scheduler);
                agents.add(agent);
                fleet.add(agent);
                agent.start();
            }
            Thread.sleep(100);
            for (DeviceAgent agent : fleet) {
                assertThat(agent.status().state()).isEqualTo(AgentState.OFFLINE);
                agent.close();
            }
            assertThat(scheduler.isShutdown()).as("a shared scheduler stays the owner's").isFalse();
        }
    }

    @Test
    void grantValidityIsReadOnTheServersClock() {
        Grant grant = new Grant(1, 10, Instant.parse("2030-01-01T00:10:00Z"));
        long deviceClockInThePast = Instant.parse("1970-01-01T00:00:00Z").toEpochMilli();
        assertThat(DeviceAgent.validityMillis(grant, Instant.parse("2030-01-01T00:00:00Z"), deviceClockInThePast))
                .isEqualTo(Duration.ofMinutes(10).minusSeconds(1).toMillis());
        assertThat(DeviceAgent.validityMillis(grant, null, Instant.parse("2030-01-01T00:09:00Z").toEpochMilli()))
                .isEqualTo(Duration.ofMinutes(1).toMillis());
        assertThat(DeviceAgent.validityMillis(grant, Instant.parse("2031-01-01T00:00:00Z"), 0)).isZero();
        assertThat(DeviceAgent.validityMillis(new Grant(1, 10, Instant.MAX), Instant.EPOCH, 0))
                .isEqualTo(DeviceAgent.GRANT_VALIDITY_MAX.toMillis());
    }
}
