package io.credence.agent;

import io.credence.agent.AgentStore.PendingReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The agent's SQLite file: what use() accepted and what a report carries survive, exactly once. */
class AgentStoreTest {
    static final String SIM = "8944000000000000001";
    static final String DEVICE = "terminal-1";
    static final long NOW = 1_000_000;
    static final long LATER = NOW + 60_000;

    @TempDir
    Path dir;

    private AgentStore open(int unreportedRowsMax) throws SQLException {
        return AgentStore.open(dir.resolve("agent.db"), SIM, DEVICE, unreportedRowsMax);
    }

    /** A store registered and holding a grant of {@code bytes}. */
    private AgentStore withGrant(long bytes, int unreportedRowsMax) throws SQLException {
        AgentStore store = open(unreportedRowsMax);
        store.saveRegistration("token-1", "alice", 0, 0);
        store.openGrant(7, bytes, NOW, LATER);
        return store;
    }

    @Test
    void eachUseIsOneRowAndTheMeteredTotalInOneTransaction() throws SQLException {
        try (AgentStore store = withGrant(1_000, 100)) {
            assertThat(store.use(300, NOW)).isEqualTo(300);
            assertThat(store.use(500, NOW)).isEqualTo(500);
            assertThat(store.use(500, NOW)).as("only the grant's remainder").isEqualTo(200);
            assertThat(store.use(1, NOW)).as("grant used up").isZero();
        }
        assertThat(query("SELECT count(*) || ',' || sum(bytes) FROM usage")).isEqualTo("3,1000");
        assertThat(query("SELECT value FROM state WHERE key = 'metered'")).isEqualTo("1000");
    }

    @Test
    void aUseThatCannotBePersistedLeavesNoTraceAnywhere() throws SQLException {
        try (AgentStore store = withGrant(1_000, 100)) {
            assertThat(store.use(100, NOW)).isEqualTo(100);
            // The metered update fails after the row went in: the row must go too.
            execute("CREATE TRIGGER refuse BEFORE UPDATE ON state WHEN NEW.key = 'metered'"
                    + " AND CAST(NEW.value AS INTEGER) > 150 BEGIN SELECT RAISE(ABORT, 'disk says no'); END");
            assertThatThrownBy(() -> store.use(100, NOW)).isInstanceOf(SQLException.class).hasMessageContaining("disk says no");
            assertThat(store.status(AgentState.ACTIVE, null, NOW).meteredBytes()).isEqualTo(100);
            assertThat(store.use(50, NOW)).isEqualTo(50);
        }
        assertThat(query("SELECT count(*) || ',' || sum(bytes) FROM usage")).isEqualTo("2,150");
        assertThat(query("SELECT value FROM state WHERE key = 'metered'")).isEqualTo("150");
    }

    @Test
    void useNeedsAGrantThatIsHeldUnexpiredAndNotBeingReturned() throws SQLException {
        try (AgentStore store = open(100)) {
            assertThat(store.use(10, NOW)).as("no grant").isZero();
            store.saveRegistration("token-1", "alice", 0, 0);
            store.openGrant(7, 1_000, NOW, LATER);
            assertThat(store.use(10, LATER)).as("expired").isZero();
            assertThat(store.use(10, LATER - 1)).isEqualTo(10);
            store.assignReport(true);
            assertThat(store.use(10, NOW)).as("returning").isZero();
        }
    }

    @Test
    void aReportTakesEveryUnassignedRowUnderTheNextSeq() throws SQLException {
        try (AgentStore store = withGrant(10_000, 100)) {
            store.saveRegistration("token-1", "alice", 41, 500);
            store.use(100, NOW);
            store.use(200, NOW);
            assertThat(store.assignReport(false)).contains(new PendingReport(42, 300, false));
            assertThat(store.assignReport(false)).as("nothing left to report").isEmpty();
            store.use(50, NOW);
            assertThat(store.assignReport(false)).contains(new PendingReport(43, 50, false));
            assertThat(store.assignReport(true)).as("a final report may carry nothing")
                    .contains(new PendingReport(44, 0, true));
            assertThat(store.pendingReports()).extracting(PendingReport::seq).containsExactly(42L, 43L, 44L);
            assertThat(store.grant().returning()).isTrue();
        }
        assertThat(query("SELECT group_concat(seq || ':' || bytes || ':' || final, ' ') FROM report"))
                .isEqualTo("42:300:0 43:50:0 44:0:1");
        assertThat(query("SELECT group_concat(report_seq, ' ') FROM (SELECT report_seq FROM usage ORDER BY id)"))
                .isEqualTo("42 42 43");
        assertThat(query("SELECT value FROM state WHERE key = 'nextSeq'")).isEqualTo("45");
    }

    @Test
    void acknowledgingDeletesExactlyThatReportAndItsRows() throws SQLException {
        try (AgentStore store = withGrant(10_000, 100)) {
            store.use(100, NOW);
            store.use(200, NOW);
            store.assignReport(false);
            store.use(400, NOW); // after the report was numbered: not part of it
            store.acknowledge(1, 300);

            AgentStatus status = store.status(AgentState.ACTIVE, null, NOW);
            assertThat(status.acknowledgedBytes()).isEqualTo(300);
            assertThat(status.meteredBytes()).isEqualTo(700);
            assertThat(status.unreportedBytes()).isEqualTo(400);
            assertThat(status.pendingReports()).isZero();
            assertThat(status.usageRowsWaiting()).isEqualTo(1);
            assertThat(status.serverReportedBytes()).isEqualTo(300);
            assertThatThrownBy(() -> store.acknowledge(1, 300)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("oldest pending");
        }
        assertThat(query("SELECT group_concat(bytes || ':' || coalesce(report_seq, '-'), ' ') FROM usage")).isEqualTo("400:-");
        assertThat(query("SELECT count(*) FROM report")).isEqualTo("0");
    }

    @Test
    void aFinalReportForgetsTheGrantOnlyWhenAcknowledged() throws SQLException {
        try (AgentStore store = withGrant(1_000, 100)) {
            store.use(800, NOW);
            store.assignReport(false);
            store.acknowledge(1, 800);
            store.use(50, NOW);
            assertThat(store.assignReport(true)).contains(new PendingReport(2, 50, true));
            assertThat(store.grant()).isNotNull();
            store.acknowledge(2, 850);
            assertThat(store.grant()).isNull();
            store.openGrant(8, 2_000, NOW, LATER);
            assertThat(store.use(5_000, NOW)).as("used counts from the new grant").isEqualTo(2_000);
        }
        assertThat(query("SELECT value FROM state WHERE key = 'grantId'")).isEqualTo("8");
    }

    @Test
    void reopeningKeepsEverything() throws SQLException {
        try (AgentStore store = withGrant(1_000, 100)) {
            store.use(100, NOW);
            store.assignReport(false);
            store.use(20, NOW);
            store.saveState(AgentState.OFFLINE);
        }
        try (AgentStore store = open(100)) {
            assertThat(store.token()).isEqualTo("token-1");
            assertThat(store.pendingReports()).containsExactly(new PendingReport(1, 100, false));
            assertThat(store.grant()).isEqualTo(new AgentStore.LocalGrant(7, 1_000, 0, NOW, LATER, false));
            assertThat(store.grantUsedBytes()).isEqualTo(120);
            AgentStatus status = store.status(AgentState.OFFLINE, null, NOW);
            assertThat(status.meteredBytes()).isEqualTo(120);
            assertThat(status.unreportedBytes()).isEqualTo(120);
            assertThat(status.grantRemainingBytes()).isEqualTo(880);
            assertThat(store.assignReport(false)).as("the number continues").contains(new PendingReport(2, 20, false));
        }
        assertThat(AgentStore.readStatus(dir.resolve("agent.db")).line())
                .isEqualTo("metered=120 acknowledged=0 pending=2 state=OFFLINE serverReported=0");
    }

    @Test
    void theStatusCommandReadsTheFileWhileTheAgentWritesIt() throws SQLException {
        try (AgentStore store = withGrant(1_000, 100)) {
            store.use(250, NOW);
            store.saveState(AgentState.ACTIVE);
            assertThat(AgentStore.readStatus(dir.resolve("agent.db")).line())
                    .isEqualTo("metered=250 acknowledged=0 pending=0 state=ACTIVE serverReported=0");
            assertThat(store.use(250, NOW)).as("the reader blocks no writer").isEqualTo(250);
        }
    }

    @Test
    void registrationNumbersReportsAboveTheServersLast() throws SQLException {
        try (AgentStore store = withGrant(1_000, 100)) {
            store.saveRegistration("token-2", "alice", 99, 5_000);
            store.use(1, NOW);
            assertThat(store.assignReport(false)).contains(new PendingReport(100, 1, false));
            store.saveRegistration("token-3", "alice", 10, 5_000);
            store.use(1, NOW);
            assertThat(store.assignReport(false)).as("never numbers backwards").contains(new PendingReport(101, 1, false));
            assertThat(store.token()).isEqualTo("token-3");
            store.dropToken();
            assertThat(store.token()).isNull();
        }
        try (AgentStore store = open(100)) {
            assertThat(store.token()).isNull();
        }
    }

    @Test
    void anotherSimsOrDevicesDatabaseIsRefused() throws SQLException {
        open(100).close();
        Path file = dir.resolve("agent.db");
        assertThatThrownBy(() -> AgentStore.open(file, "other-sim", DEVICE, 100))
                .isInstanceOf(SQLException.class)
                .hasMessage(file + " belongs to SIM " + SIM + ", not other-sim: each SIM needs its own database file");
        assertThatThrownBy(() -> AgentStore.open(file, SIM, "other-device", 100))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("on device " + DEVICE + ", not device other-device");
    }

    @Test
    void aFileThatIsNotAnAgentDatabaseIsRefused() throws Exception {
        Path foreign = dir.resolve("foreign.db");
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + foreign);
             Statement statement = connection.createStatement()) {
            statement.executeUpdate("CREATE TABLE things (x)");
        }
        assertThatThrownBy(() -> AgentStore.open(foreign, SIM, DEVICE, 100))
                .isInstanceOf(SQLException.class).hasMessageContaining("is not a Credence agent database");
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "just some text, long enough to not look like an empty database file at all");
        assertThatThrownBy(() -> AgentStore.open(text, SIM, DEVICE, 100)).isInstanceOf(SQLException.class);
        assertThat(Files.readString(text)).startsWith("just some text");
    }

    @Test
    void unreportedRowsMaxBoundsTheFileWhileOffline() throws SQLException {
        try (AgentStore store = withGrant(1_000, 3)) {
            assertThat(store.use(1, NOW) + store.use(1, NOW) + store.use(1, NOW)).isEqualTo(3);
            assertThat(store.use(1, NOW)).isZero();
            assertThat(store.status(AgentState.OFFLINE, null, NOW).usageRowsFull()).isTrue();
            Optional<PendingReport> report = store.assignReport(false);
            assertThat(store.use(1, NOW)).as("numbered rows still wait for their answer").isZero();
            store.acknowledge(report.orElseThrow().seq(), 3);
            assertThat(store.status(AgentState.ACTIVE, null, NOW).usageRowsFull()).isFalse();
            assertThat(store.use(1, NOW)).isEqualTo(1);
        }
    }

    @Test
    void anInconsistentFileIsNotOpened() throws SQLException {
        try (AgentStore store = withGrant(1_000, 100)) {
            store.use(100, NOW);
        }
        execute("UPDATE state SET value = '99' WHERE key = 'metered'");
        assertThatThrownBy(() -> open(100)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("metered 99 = acknowledged 0 + unacknowledged usage 100");
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("agent.db"));
             Statement statement = connection.createStatement()) {
            statement.executeUpdate(sql);
        }
    }

    private String query(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("agent.db"));
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }
}
