package io.credence.devices;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Who may ask for device quota and data shares, kept in one SQLite file (WAL, synchronous=FULL:
 * a change is on disk before it is answered): cloud SIMs and their device bindings, base stations,
 * suppliers' share rules. Money, quota and the shares themselves are not here: they are the
 * charging engine's state (journaled); this is identity and standing configuration.
 *
 * <p>SIMs and base stations are also held in memory (they are read on every device report).
 */
public final class DeviceRegistry implements AutoCloseable {
    /** Bounds on the tables; past them a new entry is refused with {@link Full}. */
    public record Limits(int simsMax, int baseStationsMax) {
        public static final Limits DEFAULTS = new Limits(2_000_000, 100_000);

        public Limits {
            if (simsMax < 1 || baseStationsMax < 1) {
                throw new IllegalArgumentException("registry limits must be >= 1");
            }
        }
    }

    /** A table would pass its bound. */
    public static final class Full extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Full(String table, int max) {
            super("the " + table + " table is full (" + max + ")");
        }
    }

    /** A cloud SIM: whose it is, its secret, and the device it is bound to (null until registered). */
    record Sim(String simId, String accountId, byte[] secretDigest, String deviceId, byte[] tokenDigest) {}

    record BaseStation(String id, byte[] secretDigest) {}

    private final Connection db;
    private final ReentrantLock lock = new ReentrantLock();
    private final Limits limits;
    private final ConcurrentHashMap<String, Sim> sims = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, BaseStation> baseStations = new ConcurrentHashMap<>();
    /** A terminal's home base station (the one that allocates relay resources for it), by SIM; bounded by the SIMs. */
    private final ConcurrentHashMap<String, String> homes = new ConcurrentHashMap<>();

    private DeviceRegistry(Connection db, Limits limits) {
        this.db = db;
        this.limits = limits;
    }

    public static DeviceRegistry open(Path file, Limits limits) throws SQLException {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (java.io.IOException e) {
            throw new SQLException("cannot create the directory of " + file + ": " + e.getMessage(), e);
        }
        Connection db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        try (Statement s = db.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=FULL");
            s.execute("PRAGMA busy_timeout=5000");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS sims (sim_id TEXT PRIMARY KEY, account_id TEXT NOT NULL,
                      secret_sha256 BLOB NOT NULL, device_id TEXT, token_sha256 BLOB)""");
            s.execute("CREATE TABLE IF NOT EXISTS base_stations (id TEXT PRIMARY KEY, secret_sha256 BLOB NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS home_base_stations (sim_id TEXT PRIMARY KEY, base_station_id TEXT NOT NULL)");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS share_rules (sim_id TEXT PRIMARY KEY, max_bytes_per_day INTEGER,
                      allowed_borrowers TEXT, price_minor_per_mb INTEGER NOT NULL)""");
            // the audit trail of SIMs moved between accounts (an admin's decision, never a side effect)
            s.execute("""
                    CREATE TABLE IF NOT EXISTS sim_moves (at_millis INTEGER NOT NULL, sim_id TEXT NOT NULL,
                      from_account TEXT NOT NULL, to_account TEXT NOT NULL, last_report_seq INTEGER NOT NULL,
                      by_key TEXT, request_id TEXT)""");
            // answers to the admin routes' request ids, so a retry gets the first answer
            s.execute("""
                    CREATE TABLE IF NOT EXISTS admin_requests (request_id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL,
                      status INTEGER NOT NULL, answer TEXT NOT NULL, created_millis INTEGER NOT NULL)""");
            s.execute("CREATE INDEX IF NOT EXISTS admin_requests_by_age ON admin_requests (created_millis)");
        } catch (SQLException e) {
            db.close();
            throw e;
        }
        DeviceRegistry registry = new DeviceRegistry(db, limits);
        registry.load();
        return registry;
    }

    private void load() throws SQLException {
        try (Statement s = db.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT sim_id, account_id, secret_sha256, device_id, token_sha256 FROM sims")) {
                while (rs.next()) {
                    Sim sim = new Sim(rs.getString(1), rs.getString(2), rs.getBytes(3), rs.getString(4), rs.getBytes(5));
                    sims.put(sim.simId(), sim);
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT id, secret_sha256 FROM base_stations")) {
                while (rs.next()) {
                    baseStations.put(rs.getString(1), new BaseStation(rs.getString(1), rs.getBytes(2)));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT sim_id, base_station_id FROM home_base_stations")) {
                while (rs.next()) {
                    homes.put(rs.getString(1), rs.getString(2));
                }
            }
        }
    }

    Optional<Sim> sim(String simId) {
        return Optional.ofNullable(sims.get(simId));
    }

    public int simCount() {
        return sims.size();
    }

    /**
     * Adds a SIM; false (and nothing written) when one with this id exists: creating a SIM never
     * changes an existing one, whose account only {@link #moveSim} changes.
     */
    boolean insertSim(String simId, String accountId, byte[] secretDigest) {
        lock.lock();
        try {
            if (sims.containsKey(simId)) {
                return false;
            }
            if (sims.size() >= limits.simsMax()) {
                throw new Full("SIM", limits.simsMax());
            }
            write("INSERT INTO sims (sim_id, account_id, secret_sha256) VALUES (?, ?, ?)", simId, accountId, secretDigest);
            sims.put(simId, new Sim(simId, accountId, secretDigest, null, null));
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Gives the SIM to another account, with its secret and its device binding, and keeps the audit row. */
    void moveSim(String simId, String accountId, SimMove audit) {
        Sim current = sims.get(simId);
        if (current == null) {
            throw new IllegalStateException("move of unknown SIM " + simId);
        }
        lock.lock();
        try {
            db.setAutoCommit(false);
            try {
                write("UPDATE sims SET account_id = ? WHERE sim_id = ?", accountId, simId);
                write("INSERT INTO sim_moves (at_millis, sim_id, from_account, to_account, last_report_seq, by_key, "
                        + "request_id) VALUES (?, ?, ?, ?, ?, ?, ?)", audit.atMillis(), simId, audit.fromAccount(),
                        accountId, audit.lastReportSeq(), audit.byKey(), audit.requestId());
                db.commit();
            } catch (RuntimeException | SQLException failed) {
                db.rollback();
                throw failed instanceof SQLException e ? new RegistryFailure(e) : (RuntimeException) failed;
            } finally {
                db.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new RegistryFailure(e);
        } finally {
            lock.unlock();
        }
        sims.put(simId, new Sim(simId, accountId, current.secretDigest(), current.deviceId(), current.tokenDigest()));
    }

    /** One row of the SIM moves' audit trail. */
    public record SimMove(long atMillis, String simId, String fromAccount, String toAccount, long lastReportSeq,
                          String byKey, String requestId) {}

    /** The SIM's moves, oldest first, at most {@code limit}. */
    List<SimMove> moves(String simId, int limit) {
        lock.lock();
        try (PreparedStatement ps = db.prepareStatement("SELECT at_millis, sim_id, from_account, to_account, "
                + "last_report_seq, by_key, request_id FROM sim_moves WHERE sim_id = ? ORDER BY rowid LIMIT ?")) {
            ps.setString(1, simId);
            ps.setInt(2, limit);
            List<SimMove> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new SimMove(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5),
                            rs.getString(6), rs.getString(7)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new RegistryFailure(e);
        } finally {
            lock.unlock();
        }
    }

    /** An admin request's first answer: its content's fingerprint, and the status and body it got. */
    public record RememberedRequest(String fingerprint, int status, String answer) {}

    Optional<RememberedRequest> rememberedRequest(String requestId) {
        return readOne("SELECT fingerprint, status, answer FROM admin_requests WHERE request_id = ?",
                rs -> new RememberedRequest(rs.getString(1), rs.getInt(2), rs.getString(3)), requestId);
    }

    /**
     * Keeps an admin request's answer, and forgets those older than {@code forgetBefore} and, past
     * {@code max} rows, the oldest: a retry of a forgotten create or move still finds the SIM as the
     * first request left it, so forgetting costs only the exact first answer.
     */
    void rememberRequest(String requestId, RememberedRequest answer, long nowMillis, long forgetBefore, int max) {
        write("DELETE FROM admin_requests WHERE created_millis < ?", forgetBefore);
        write("DELETE FROM admin_requests WHERE request_id IN (SELECT request_id FROM admin_requests "
                + "ORDER BY created_millis DESC LIMIT -1 OFFSET ?)", max - 1);
        write("INSERT INTO admin_requests (request_id, fingerprint, status, answer, created_millis) VALUES (?, ?, ?, ?, ?) "
                + "ON CONFLICT (request_id) DO NOTHING", requestId, answer.fingerprint(), answer.status(), answer.answer(),
                nowMillis);
    }

    /** Binds the SIM to {@code deviceId} with a new token digest; null for both unbinds it. */
    void bind(String simId, String deviceId, byte[] tokenDigest) {
        Sim current = sims.get(simId);
        if (current == null) {
            throw new IllegalStateException("bind of unknown SIM " + simId);
        }
        write("UPDATE sims SET device_id = ?, token_sha256 = ? WHERE sim_id = ?", deviceId, tokenDigest, simId);
        sims.put(simId, new Sim(simId, current.accountId(), current.secretDigest(), deviceId, tokenDigest));
    }

    Optional<BaseStation> baseStation(String id) {
        return Optional.ofNullable(baseStations.get(id));
    }

    void putBaseStation(String id, byte[] secretDigest) {
        if (!baseStations.containsKey(id) && baseStations.size() >= limits.baseStationsMax()) {
            throw new Full("base station", limits.baseStationsMax());
        }
        write("INSERT INTO base_stations (id, secret_sha256) VALUES (?, ?) "
                + "ON CONFLICT (id) DO UPDATE SET secret_sha256 = excluded.secret_sha256", id, secretDigest);
        baseStations.put(id, new BaseStation(id, secretDigest));
    }

    Optional<String> homeBaseStation(String simId) {
        return Optional.ofNullable(homes.get(simId));
    }

    void putHomeBaseStation(String simId, String baseStationId) {
        write("INSERT INTO home_base_stations (sim_id, base_station_id) VALUES (?, ?) "
                + "ON CONFLICT (sim_id) DO UPDATE SET base_station_id = excluded.base_station_id", simId, baseStationId);
        homes.put(simId, baseStationId);
    }

    Optional<ShareRules> rules(String simId) {
        return readOne("SELECT max_bytes_per_day, allowed_borrowers, price_minor_per_mb FROM share_rules WHERE sim_id = ?",
                rs -> new ShareRules(rs.getObject(1) == null ? null : rs.getLong(1),
                        rs.getString(2) == null ? null : Set.of(rs.getString(2).split(",")), rs.getLong(3)),
                simId);
    }

    void putRules(String simId, ShareRules rules) {
        String allowed = rules.allowedBorrowers() == null ? null : String.join(",", rules.allowedBorrowers());
        write("INSERT INTO share_rules (sim_id, max_bytes_per_day, allowed_borrowers, price_minor_per_mb) VALUES (?, ?, ?, ?) "
                        + "ON CONFLICT (sim_id) DO UPDATE SET max_bytes_per_day = excluded.max_bytes_per_day, "
                        + "allowed_borrowers = excluded.allowed_borrowers, price_minor_per_mb = excluded.price_minor_per_mb",
                simId, rules.maxBytesPerDay(), allowed, rules.priceMinorPerMb());
    }

    @FunctionalInterface
    private interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private <T> Optional<T> readOne(String sql, Row<T> row, Object... args) {
        lock.lock();
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            bindAll(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row.read(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new RegistryFailure(e);
        } finally {
            lock.unlock();
        }
    }

    private void write(String sql, Object... args) {
        lock.lock();
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            bindAll(ps, args);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new RegistryFailure(e);
        } finally {
            lock.unlock();
        }
    }

    private static void bindAll(PreparedStatement ps, Object[] args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof byte[] bytes) {
                ps.setBytes(i + 1, Arrays.copyOf(bytes, bytes.length));
            } else {
                ps.setObject(i + 1, a);
            }
        }
    }

    /** The registry file could not be read or written: the caller answers 503, nothing is acknowledged. */
    public static final class RegistryFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RegistryFailure(SQLException cause) {
            super("device registry: " + cause.getMessage(), cause);
        }
    }

    @Override
    public void close() throws SQLException {
        lock.lock();
        try {
            db.close();
        } finally {
            lock.unlock();
        }
    }
}
