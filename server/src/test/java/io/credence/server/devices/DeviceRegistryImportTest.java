package io.credence.server.devices;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A data directory written before the device directory was engine state keeps its SIMs, device
 * bindings, base stations, homes, share rules and SIM moves: the registry file is imported into the
 * engine once at start-up (journaled, so it is there after the next restart too) and renamed.
 */
class DeviceRegistryImportTest {
    private static final String SIM_SECRET = "sim-secret-of-alice-01";
    private static final String OLD_TOKEN = "a-device-token-issued-before-the-upgrade";
    private static final String STATION_SECRET = "bs-1-station-secret-01";

    @TempDir
    Path dir;

    @Test
    void theOldRegistryFileIsImportedOnceAndEverythingInItStillWorks() throws Exception {
        try (DeviceWorld world = DeviceWorld.start(dir, DeviceWorld.settings(Duration.ofMinutes(2)))) {
            world.subscriber("alice", 5_000_000, 0);
            world.subscriber("carol", 0, 0);
        }
        Path file = dir.resolve("data").resolve("devices.db");
        writeOldRegistry(file);

        try (DeviceWorld world = DeviceWorld.start(dir, DeviceWorld.settings(Duration.ofMinutes(2)))) {
            assertThat(file).doesNotExist();
            assertThat(file.resolveSibling("devices.db.imported")).exists();
            theImportedStateAnswers(world);
            // the token issued before the upgrade still reports usage, charged to the SIM's account
            DeviceWorld.Reply report = world.device("POST", "sim-alice", "/reports", OLD_TOKEN,
                    "{\"seq\":1,\"bytes\":1000}");
            assertThat(report.status()).as(report.body().toString()).isEqualTo(200);
            assertThat(world.available("alice", "BYTES")).isEqualTo(5_000_000 - 1_000);
        }
        Files.delete(file.resolveSibling("devices.db.imported"));
        try (DeviceWorld world = DeviceWorld.start(dir, DeviceWorld.settings(Duration.ofMinutes(2)))) {
            // from the journal now: the file is gone
            theImportedStateAnswers(world);
            assertThat(world.device("GET", "sim-alice", "", OLD_TOKEN, null).body().path("lastReportSeq").asLong())
                    .isEqualTo(1);
        }
    }

    @Test
    void aRegistryFromAnEarlyVersionWithOnlyItsSimsTableIsImportedToo() throws Exception {
        try (DeviceWorld world = DeviceWorld.start(dir, DeviceWorld.settings(Duration.ofMinutes(2)))) {
            world.subscriber("alice", 5_000_000, 0);
        }
        Path file = dir.resolve("data").resolve("devices.db");
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath())) {
            simsTableWithAlice(db, null, null);
        }
        try (DeviceWorld world = DeviceWorld.start(dir, DeviceWorld.settings(Duration.ofMinutes(2)))) {
            assertThat(world.register("sim-alice", "phone-9", SIM_SECRET)).as("registers with the old secret")
                    .isNotEmpty();
        }
    }

    private static void theImportedStateAnswers(DeviceWorld world) {
        DeviceWorld.Reply device = world.device("GET", "sim-alice", "", OLD_TOKEN, null);
        assertThat(device.status()).as(device.body().toString()).isEqualTo(200);
        assertThat(device.body().path("accountId").asText()).isEqualTo("alice");
        assertThat(device.body().path("deviceId").asText()).isEqualTo("phone-1");
        assertThat(world.device("GET", "sim-alice", "", "a-wrong-token-of-some-length", null).status()).isEqualTo(401);

        DeviceWorld.Reply other = world.call("POST", "/v1/devices/sim-alice/register", DeviceWorld.DEVICE,
                "{\"deviceId\":\"phone-2\",\"simSecret\":\"" + SIM_SECRET + "\"}");
        assertThat(other.status()).as("still bound to phone-1").isEqualTo(409);

        DeviceWorld.Reply rules = world.device("GET", "sim-alice", "/share-rules", OLD_TOKEN, null);
        assertThat(rules.body().path("maxBytesPerDay").asLong()).isEqualTo(50_000);
        assertThat(rules.body().path("priceMinorPerMb").asLong()).isEqualTo(3);
        assertThat(rules.body().path("allowedBorrowers").toString()).isEqualTo("[\"sim-b\",\"sim-c\"]");

        DeviceWorld.Reply asAdmin = world.admin("GET", "/v1/devices/sim-alice", null);
        assertThat(asAdmin.body().path("moves").size()).isEqualTo(1);
        assertThat(asAdmin.body().path("moves").get(0).path("fromAccountId").asText()).isEqualTo("carol");
        assertThat(asAdmin.body().path("moves").get(0).path("requestId").asText()).isEqualTo("m-1");

        assertThat(world.station("GET", "/v1/shares/no-such-share", "bs-1", STATION_SECRET, null).status())
                .as("the base station's secret is known: the share is what is missing").isEqualTo(404);
        assertThat(world.station("GET", "/v1/shares/no-such-share", "bs-1", "a-wrong-secret-000000", null).status())
                .isEqualTo(401);
    }

    /** The schema and rows as the SQLite registry of earlier versions wrote them. */
    private static void writeOldRegistry(Path file) throws Exception {
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath())) {
            simsTableWithAlice(db, "phone-1", sha256(OLD_TOKEN));
            writeTheLaterTables(db);
        }
    }

    /** The tables later versions added (base stations, homes, rules, moves, admin answers), with rows. */
    private static void writeTheLaterTables(Connection db) throws Exception {
        try (Statement s = db.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE base_stations (id TEXT PRIMARY KEY, secret_sha256 BLOB NOT NULL)");
            s.execute("CREATE TABLE home_base_stations (sim_id TEXT PRIMARY KEY, base_station_id TEXT NOT NULL)");
            s.execute("CREATE TABLE share_rules (sim_id TEXT PRIMARY KEY, max_bytes_per_day INTEGER, allowed_borrowers TEXT, "
                    + "price_minor_per_mb INTEGER NOT NULL)");
            s.execute("CREATE TABLE sim_moves (at_millis INTEGER NOT NULL, sim_id TEXT NOT NULL, from_account TEXT NOT NULL, "
                    + "to_account TEXT NOT NULL, last_report_seq INTEGER NOT NULL, by_key TEXT, request_id TEXT)");
            s.execute("CREATE TABLE admin_requests (request_id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, "
                    + "status INTEGER NOT NULL, answer TEXT NOT NULL, created_millis INTEGER NOT NULL)");
            try (PreparedStatement station = db.prepareStatement("INSERT INTO base_stations VALUES (?, ?)")) {
                station.setString(1, "bs-1");
                station.setBytes(2, sha256(STATION_SECRET));
                station.executeUpdate();
            }
            s.execute("INSERT INTO home_base_stations VALUES ('sim-alice', 'bs-1')");
            s.execute("INSERT INTO share_rules VALUES ('sim-alice', 50000, 'sim-c,sim-b', 3)");
            s.execute("INSERT INTO sim_moves VALUES (1700000000000, 'sim-alice', 'carol', 'alice', 0, 'ops', 'm-1')");
        }
    }

    /** The first table the registry had, with alice's SIM in it, bound to {@code device} or not (null). */
    private static void simsTableWithAlice(Connection db, String device, byte[] tokenDigest) throws Exception {
        try (Statement s = db.createStatement()) {
            s.execute("CREATE TABLE sims (sim_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, secret_sha256 BLOB NOT NULL, "
                    + "device_id TEXT, token_sha256 BLOB)");
        }
        try (PreparedStatement sim = db.prepareStatement("INSERT INTO sims VALUES (?, ?, ?, ?, ?)")) {
            sim.setString(1, "sim-alice");
            sim.setString(2, "alice");
            sim.setBytes(3, sha256(SIM_SECRET));
            sim.setString(4, device);
            sim.setBytes(5, tokenDigest);
            sim.executeUpdate();
        }
    }

    private static byte[] sha256(String text) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    }
}
