package io.credence.devices;

import io.credence.charging.DeviceDirectory;
import io.credence.charging.DirectoryCommand;
import io.credence.charging.EngineCommand;
import io.credence.journal.EngineGate;
import io.credence.journal.Submission;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The SQLite file ({@code devices.db}) in which servers before the device directory became engine
 * state kept SIMs, base stations, homes, share rules and SIM moves. At start-up, when the file is
 * there, its contents go into the engine as directory commands (journaled, or replicated in a
 * cluster) and the file is renamed {@code devices.db.imported}, so it is read once. SIMs the
 * directory already holds are left as they are. The admin requests' remembered answers are not
 * carried over: they lived a day, and a retry of a create or move finds the SIM as the first
 * request left it.
 */
public final class LegacyDeviceDb {
    private static final System.Logger LOG = System.getLogger(LegacyDeviceDb.class.getName());
    private static final long BATCH_TIMEOUT_SECONDS = 60;

    /** What an import carried into the engine. */
    public record Imported(int sims, int baseStations, int homes, int rules, int moves) {}

    private LegacyDeviceDb() {}

    /** Imports {@code file} when it exists (then renames it); null when there is none. */
    public static Imported importInto(Path file, EngineGate engine) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        Batches commands = new Batches(engine);
        Imported counts;
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
             Statement s = db.createStatement()) {
            Map<String, List<DeviceDirectory.SimMove>> moves = new HashMap<>();
            int moveCount = rows(s, "sim_moves", "SELECT at_millis, sim_id, from_account, to_account, last_report_seq, "
                    + "by_key, request_id FROM sim_moves ORDER BY rowid", rs -> moves.computeIfAbsent(rs.getString(2),
                    k -> new ArrayList<>()).add(new DeviceDirectory.SimMove(rs.getLong(1), rs.getString(2),
                    rs.getString(3), rs.getString(4), rs.getLong(5), rs.getString(6), rs.getString(7))));
            int sims = rows(s, "sims", "SELECT sim_id, account_id, secret_sha256, device_id, token_sha256 FROM sims",
                    rs -> {
                        String device = rs.getString(4);
                        byte[] token = rs.getBytes(5);
                        boolean bound = device != null && token != null;
                        commands.add(new DirectoryCommand.RestoreSim(new DeviceDirectory.Sim(rs.getString(1),
                                rs.getString(2), rs.getBytes(3), bound ? device : null, bound ? token : null),
                                moves.getOrDefault(rs.getString(1), List.of())));
                    });
            int stations = rows(s, "base_stations", "SELECT id, secret_sha256 FROM base_stations",
                    rs -> commands.add(new DirectoryCommand.PutBaseStation(rs.getString(1), rs.getBytes(2))));
            int homes = rows(s, "home_base_stations", "SELECT sim_id, base_station_id FROM home_base_stations",
                    rs -> commands.add(new DirectoryCommand.SetHomeBaseStation(rs.getString(1), rs.getString(2))));
            int rules = rows(s, "share_rules", "SELECT sim_id, max_bytes_per_day, allowed_borrowers, price_minor_per_mb "
                    + "FROM share_rules", rs -> {
                        String allowed = rs.getString(3);
                        commands.add(new DirectoryCommand.PutShareRules(rs.getString(1), new DeviceDirectory.Rules(
                                rs.getObject(2) == null ? 0 : rs.getLong(2),
                                allowed == null ? null : List.of(allowed.split(",")), rs.getLong(4))));
                    });
            commands.flush();
            counts = new Imported(sims, stations, homes, rules, moveCount);
        } catch (SQLException | IllegalArgumentException e) {
            throw new IOException("cannot read the device registry " + file + " to import it: " + e.getMessage(), e);
        } catch (java.io.UncheckedIOException refused) {
            throw refused.getCause();
        }
        for (String suffix : new String[] {"-wal", "-shm"}) {
            Files.deleteIfExists(file.resolveSibling(file.getFileName() + suffix));
        }
        Files.move(file, file.resolveSibling(file.getFileName() + ".imported"), StandardCopyOption.ATOMIC_MOVE);
        LOG.log(System.Logger.Level.INFO, "imported the device registry " + file + " into the engine: " + counts);
        return counts;
    }

    @FunctionalInterface
    private interface Row {
        void read(ResultSet rs) throws SQLException;
    }

    /**
     * Reads every row of {@code sql} over {@code table}; 0 when the table is not there (a registry
     * written by an early version lacks the tables later versions added).
     */
    private static int rows(Statement s, String table, String sql, Row row) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '"
                + table + "'")) {
            if (!rs.next()) {
                return 0;
            }
        }
        int count = 0;
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                row.read(rs);
                count++;
            }
        }
        return count;
    }

    /**
     * The import's commands, submitted in the engine's largest batches as they are read (a large
     * registry is never all in memory), each batch waited for: the file is renamed only once every
     * one is durable. An import cut short is simply done again at the next start: every command
     * in it leaves what is there as it is, or sets it to the same.
     */
    private static final class Batches {
        private final EngineGate engine;
        private final int size;
        private final List<EngineCommand> pending = new ArrayList<>();

        Batches(EngineGate engine) {
            this.engine = engine;
            this.size = Math.max(1, engine.batchMax());
        }

        boolean add(EngineCommand command) {
            pending.add(command);
            if (pending.size() >= size) {
                flush();
            }
            return true;
        }

        void flush() {
            if (pending.isEmpty()) {
                return;
            }
            Submission<?> submitted = engine.submitAll(List.copyOf(pending));
            pending.clear();
            if (!(submitted instanceof Submission.Accepted<?> accepted)) {
                throw new java.io.UncheckedIOException(new IOException("the engine refused the device registry's "
                        + "import: " + submitted));
            }
            try {
                accepted.answer().get(BATCH_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (Exception failed) {
                if (failed instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                throw new java.io.UncheckedIOException(new IOException("the device registry's import failed: " + failed,
                        failed));
            }
        }
    }
}
