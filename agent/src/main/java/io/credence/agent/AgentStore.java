package io.credence.agent;

import org.sqlite.SQLiteConfig;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One SIM's usage and agent state in one SQLite file, written so that a byte use() accepted
 * survives kill -9 and power loss (WAL, synchronous=FULL, one transaction per change).
 *
 * <pre>
 * usage                               report                        state (key/value, TEXT)
 * +----+-------+------------+         +-----+-------+-------+       simId deviceId token accountId
 * | id | bytes | report_seq |         | seq | bytes | final |       nextSeq metered acknowledged
 * +----+-------+------------+         +-----+-------+-------+       serverReported lastState
 *   one row per accepted use();         numbered, persisted before    grantId grantBytes
 *   report_seq NULL until the           it is sent; deleted with its  grantMeteredAtStart
 *   reporter numbers a report           rows when answered 200        grantGrantedAtMillis
 *                                                                     grantExpiresAtMillis grantReturning
 *
 * invariants (checked on open and at each change):
 *   metered = acknowledged + sum(usage.bytes)
 *   report.bytes = sum(usage.bytes where report_seq = report.seq)
 *   every report.seq < nextSeq; a grant is "returning" exactly while its final report is pending
 *   grant used = metered - grantMeteredAtStart (so use() writes one row and one state value)
 * </pre>
 *
 * The file is marked with {@link #APPLICATION_ID} and {@link #SCHEMA_VERSION}, and records the SIM
 * and device it belongs to; opening it for another SIM is refused rather than mixing two SIMs'
 * usage. All methods are safe to call from any thread: the data path's use() and the reporter
 * serialize on one lock, held only for local work, never across a network call.
 */
final class AgentStore implements AutoCloseable {
    /** "CRDA" in the SQLite header: this file is a Credence agent database. */
    static final int APPLICATION_ID = 0x43524441;
    static final int SCHEMA_VERSION = 1;
    /** How long a writer waits for a reader (the status command) before SQLite says busy. */
    static final int BUSY_TIMEOUT_MILLIS = 5_000;

    static final String SIM_ID = "simId";
    static final String DEVICE_ID = "deviceId";
    static final String TOKEN = "token";
    static final String ACCOUNT_ID = "accountId";
    static final String NEXT_SEQ = "nextSeq";
    static final String METERED = "metered";
    static final String ACKNOWLEDGED = "acknowledged";
    static final String SERVER_REPORTED = "serverReported";
    static final String LAST_STATE = "lastState";
    static final String GRANT_ID = "grantId";
    static final String GRANT_BYTES = "grantBytes";
    static final String GRANT_METERED_AT_START = "grantMeteredAtStart";
    static final String GRANT_GRANTED_AT_MILLIS = "grantGrantedAtMillis";
    static final String GRANT_EXPIRES_AT_MILLIS = "grantExpiresAtMillis";
    static final String GRANT_RETURNING = "grantReturning";
    private static final List<String> GRANT_KEYS = List.of(GRANT_ID, GRANT_BYTES, GRANT_METERED_AT_START,
            GRANT_GRANTED_AT_MILLIS, GRANT_EXPIRES_AT_MILLIS, GRANT_RETURNING);

    /**
     * The grant held locally. Times are local clock millis (the agent corrects them for the
     * server's clock when the grant arrives).
     *
     * @param meteredAtStart the metered total when the grant arrived: used = metered − this
     * @param returning      its final report is numbered: use() no longer draws on it
     */
    record LocalGrant(long grantId, long bytes, long meteredAtStart, long grantedAtMillis, long expiresAtMillis,
                      boolean returning) {
        LocalGrant {
            if (bytes < 0 || meteredAtStart < 0 || expiresAtMillis < grantedAtMillis) {
                throw new IllegalArgumentException("invalid grant: " + bytes + " bytes, metered at start "
                        + meteredAtStart + ", " + grantedAtMillis + ".." + expiresAtMillis);
            }
        }
    }

    /** A report numbered and persisted, waiting for its 200. */
    record PendingReport(long seq, long bytes, boolean finalReport) {
        PendingReport {
            if (seq < 1 || bytes < 0) {
                throw new IllegalArgumentException("seq must be >= 1 and bytes >= 0: " + seq + ", " + bytes);
            }
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Connection connection;
    private final Path file;
    private final int unreportedRowsMax;
    private final PreparedStatement insertUsage;
    private final PreparedStatement putState;
    private final PreparedStatement deleteState;

    // The state table and counts, mirrored in memory; changed only after the transaction committed.
    private final ArrayDeque<PendingReport> pending = new ArrayDeque<>();
    private String token;
    private long nextSeq;
    private long metered;
    private long acknowledged;
    private long serverReported;
    private AgentState lastState;
    private LocalGrant grant;
    private long usageRows;
    private long unassignedRows;
    private long unassignedBytes;

    private AgentStore(Connection connection, Path file, int unreportedRowsMax, boolean readOnly) throws SQLException {
        this.connection = connection;
        this.file = file;
        this.unreportedRowsMax = unreportedRowsMax;
        this.insertUsage = readOnly ? null : connection.prepareStatement("INSERT INTO usage (bytes) VALUES (?)");
        this.putState = readOnly ? null : connection.prepareStatement(
                "INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
        this.deleteState = readOnly ? null : connection.prepareStatement("DELETE FROM state WHERE key = ?");
    }

    /**
     * Opens (creating when new) the database of {@code simId} on {@code deviceId}.
     *
     * @throws SQLException also when the file is not an agent database or belongs to another SIM
     *                      or device; the message names the file and both ids
     */
    static AgentStore open(Path file, String simId, String deviceId, int unreportedRowsMax) throws SQLException {
        if (unreportedRowsMax < 1) {
            throw new IllegalArgumentException("unreportedRowsMax must be >= 1, was " + unreportedRowsMax);
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        Connection connection = config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
        boolean opened = false;
        try {
            check(connection, "PRAGMA journal_mode", "wal");
            check(connection, "PRAGMA synchronous", "2"); // FULL: the WAL is synced at every commit
            connection.setAutoCommit(false);
            initializeIfNew(connection, file, simId, deviceId);
            AgentStore store = new AgentStore(connection, file, unreportedRowsMax, false);
            store.load();
            store.requireOwner(simId, deviceId);
            opened = true;
            return store;
        } finally {
            if (!opened) {
                connection.close();
            }
        }
    }

    /** The status kept in {@code file}, read without changing it (for the CLI's status command). */
    static AgentStatus readStatus(Path file) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        try (Connection connection = config.createConnection("jdbc:sqlite:" + file.toAbsolutePath())) {
            requireAgentDatabase(connection, file);
            AgentStore store = new AgentStore(connection, file, Integer.MAX_VALUE, true);
            store.load();
            return store.status(store.lastState == null ? AgentState.STOPPED : store.lastState, null, Long.MIN_VALUE);
        }
    }

    private static void initializeIfNew(Connection connection, Path file, String simId, String deviceId)
            throws SQLException {
        try (Statement statement = connection.createStatement()) {
            boolean empty;
            try (ResultSet rows = statement.executeQuery("SELECT count(*) FROM sqlite_master")) {
                rows.next();
                empty = rows.getLong(1) == 0;
            }
            if (!empty || pragmaInt(connection, "application_id") != 0) {
                requireAgentDatabase(connection, file);
                return;
            }
            statement.executeUpdate("CREATE TABLE usage (id INTEGER PRIMARY KEY, bytes INTEGER NOT NULL CHECK (bytes > 0),"
                    + " report_seq INTEGER)");
            statement.executeUpdate("CREATE INDEX usage_report_seq ON usage (report_seq)");
            statement.executeUpdate("CREATE TABLE report (seq INTEGER PRIMARY KEY, bytes INTEGER NOT NULL"
                    + " CHECK (bytes >= 0), final INTEGER NOT NULL CHECK (final IN (0, 1)))");
            statement.executeUpdate("CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID");
            statement.executeUpdate("PRAGMA application_id = " + APPLICATION_ID);
            statement.executeUpdate("PRAGMA user_version = " + SCHEMA_VERSION);
            try (PreparedStatement put = connection.prepareStatement("INSERT INTO state (key, value) VALUES (?, ?)")) {
                for (Map.Entry<String, String> entry : Map.of(SIM_ID, simId, DEVICE_ID, deviceId, NEXT_SEQ, "1",
                        METERED, "0", ACKNOWLEDGED, "0", SERVER_REPORTED, "0").entrySet()) {
                    put.setString(1, entry.getKey());
                    put.setString(2, entry.getValue());
                    put.executeUpdate();
                }
            }
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            rollback(connection, e);
            throw e;
        }
    }

    private static void requireAgentDatabase(Connection connection, Path file) throws SQLException {
        int applicationId = pragmaInt(connection, "application_id");
        if (applicationId != APPLICATION_ID) {
            throw new SQLException(file + " is not a Credence agent database (application_id "
                    + Integer.toHexString(applicationId) + "); give the agent a new or its own file");
        }
        int version = pragmaInt(connection, "user_version");
        if (version != SCHEMA_VERSION) {
            throw new SQLException(file + " has agent schema version " + version + ", this agent reads "
                    + SCHEMA_VERSION);
        }
    }

    private void requireOwner(String simId, String deviceId) throws SQLException {
        String storedSim = stateValues().get(SIM_ID);
        String storedDevice = stateValues().get(DEVICE_ID);
        if (!simId.equals(storedSim)) {
            throw new SQLException(file + " belongs to SIM " + storedSim + ", not " + simId
                    + ": each SIM needs its own database file");
        }
        if (!deviceId.equals(storedDevice)) {
            throw new SQLException(file + " belongs to SIM " + simId + " on device " + storedDevice + ", not device "
                    + deviceId + ": a SIM moved to another device starts with a new database file");
        }
    }

    // ------------------------------------------------------------------ loading and invariants

    private void load() throws SQLException {
        Map<String, String> state = stateValues();
        token = state.get(TOKEN);
        nextSeq = longValue(state, NEXT_SEQ);
        metered = longValue(state, METERED);
        acknowledged = longValue(state, ACKNOWLEDGED);
        serverReported = longValue(state, SERVER_REPORTED);
        lastState = state.containsKey(LAST_STATE) ? AgentState.valueOf(state.get(LAST_STATE)) : null;
        grant = state.containsKey(GRANT_ID)
                ? new LocalGrant(longValue(state, GRANT_ID), longValue(state, GRANT_BYTES),
                        longValue(state, GRANT_METERED_AT_START), longValue(state, GRANT_GRANTED_AT_MILLIS),
                        longValue(state, GRANT_EXPIRES_AT_MILLIS), longValue(state, GRANT_RETURNING) == 1)
                : null;
        try (Statement statement = connection.createStatement()) {
            long usageBytes;
            try (ResultSet rows = statement.executeQuery(
                    "SELECT count(*), coalesce(sum(bytes), 0), count(*) FILTER (WHERE report_seq IS NULL),"
                            + " coalesce(sum(bytes) FILTER (WHERE report_seq IS NULL), 0) FROM usage")) {
                rows.next();
                usageRows = rows.getLong(1);
                usageBytes = rows.getLong(2);
                unassignedRows = rows.getLong(3);
                unassignedBytes = rows.getLong(4);
            }
            check(metered == acknowledged + usageBytes, "metered " + metered + " = acknowledged " + acknowledged
                    + " + unacknowledged usage " + usageBytes);
            try (ResultSet rows = statement.executeQuery("SELECT r.seq, r.bytes, r.final,"
                    + " (SELECT coalesce(sum(u.bytes), 0) FROM usage u WHERE u.report_seq = r.seq) FROM report r ORDER BY r.seq")) {
                while (rows.next()) {
                    PendingReport report = new PendingReport(rows.getLong(1), rows.getLong(2), rows.getInt(3) == 1);
                    check(report.bytes() == rows.getLong(4), "report " + report.seq() + " carries the bytes of its rows");
                    check(report.seq() < nextSeq, "report " + report.seq() + " numbered below nextSeq " + nextSeq);
                    pending.addLast(report);
                }
            }
            try (ResultSet rows = statement.executeQuery("SELECT count(*) FROM usage WHERE report_seq IS NOT NULL"
                    + " AND report_seq NOT IN (SELECT seq FROM report)")) {
                rows.next();
                check(rows.getLong(1) == 0, "every numbered usage row belongs to a pending report");
            }
        }
        boolean finalPending = pending.stream().anyMatch(PendingReport::finalReport);
        check(finalPending == (grant != null && grant.returning()), "a grant is returning exactly while its final"
                + " report is pending");
    }

    private Map<String, String> stateValues() throws SQLException {
        Map<String, String> values = new HashMap<>();
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT key, value FROM state")) {
            while (rows.next()) {
                values.put(rows.getString(1), rows.getString(2));
            }
        }
        return values;
    }

    private long longValue(Map<String, String> state, String key) {
        String value = state.get(key);
        check(value != null, "state value " + key + " present");
        return Long.parseLong(value);
    }

    // ------------------------------------------------------------------ changes

    /**
     * Accepts up to {@code requestedBytes} under the grant held and persists the use before
     * returning. Answers 0 without a usable grant (none, returning, expired, used up) and when
     * unreportedRowsMax rows are waiting.
     */
    long use(long requestedBytes, long nowMillis) throws SQLException {
        if (requestedBytes < 0) {
            throw new IllegalArgumentException("requestedBytes must be >= 0, was " + requestedBytes);
        }
        lock.lock();
        try {
            LocalGrant held = grant;
            if (held == null || held.returning() || nowMillis >= held.expiresAtMillis() || usageRows >= unreportedRowsMax) {
                return 0;
            }
            long accepted = Math.min(requestedBytes, held.bytes() - (metered - held.meteredAtStart()));
            if (accepted <= 0) {
                return 0;
            }
            long meteredAfter = Math.addExact(metered, accepted);
            transaction(() -> {
                insertUsage.setLong(1, accepted);
                check(insertUsage.executeUpdate() == 1, "one usage row inserted");
                put(METERED, meteredAfter);
            });
            metered = meteredAfter;
            usageRows++;
            unassignedRows++;
            unassignedBytes += accepted;
            return accepted;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Numbers every usage row not yet in a report as one new report, persisted before it is sent.
     * A final report returns the grant held (it may carry 0 bytes); a plain one is only made when
     * there are rows.
     */
    Optional<PendingReport> assignReport(boolean finalReport) throws SQLException {
        lock.lock();
        try {
            if (finalReport) {
                check(grant != null && !grant.returning(), "a final report returns a grant held and not yet returning");
            } else if (unassignedRows == 0) {
                return Optional.empty();
            }
            PendingReport report = new PendingReport(nextSeq, unassignedBytes, finalReport);
            long rows = unassignedRows;
            transaction(() -> {
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO report (seq, bytes, final) VALUES (?, ?, ?)")) {
                    insert.setLong(1, report.seq());
                    insert.setLong(2, report.bytes());
                    insert.setInt(3, finalReport ? 1 : 0);
                    insert.executeUpdate();
                }
                try (PreparedStatement assign = connection.prepareStatement(
                        "UPDATE usage SET report_seq = ? WHERE report_seq IS NULL")) {
                    assign.setLong(1, report.seq());
                    check(assign.executeUpdate() == rows, "report " + report.seq() + " takes all " + rows + " unassigned rows");
                }
                put(NEXT_SEQ, report.seq() + 1);
                if (finalReport) {
                    put(GRANT_RETURNING, 1);
                }
            });
            nextSeq = report.seq() + 1;
            pending.addLast(report);
            unassignedRows = 0;
            unassignedBytes = 0;
            if (finalReport) {
                grant = new LocalGrant(grant.grantId(), grant.bytes(), grant.meteredAtStart(), grant.grantedAtMillis(),
                        grant.expiresAtMillis(), true);
            }
            return Optional.of(report);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The server answered the oldest pending report with 200 (a duplicate too): deletes it and its
     * rows, adds its bytes to the acknowledged total, and forgets the grant a final report returned.
     */
    void acknowledge(long seq, long serverReportedBytes) throws SQLException {
        lock.lock();
        try {
            PendingReport report = pending.peekFirst();
            check(report != null && report.seq() == seq, "the acknowledged report " + seq + " is the oldest pending");
            if (report.finalReport()) {
                check(grant != null && grant.returning(), "a final report's grant is returning");
            }
            long acknowledgedAfter = Math.addExact(acknowledged, report.bytes());
            long[] deletedRows = new long[1];
            transaction(() -> {
                try (PreparedStatement rows = connection.prepareStatement(
                        "SELECT count(*), coalesce(sum(bytes), 0) FROM usage WHERE report_seq = ?")) {
                    rows.setLong(1, seq);
                    try (ResultSet result = rows.executeQuery()) {
                        result.next();
                        deletedRows[0] = result.getLong(1);
                        check(result.getLong(2) == report.bytes(), "report " + seq + " carries " + report.bytes()
                                + " bytes, its rows " + result.getLong(2));
                    }
                }
                try (PreparedStatement delete = connection.prepareStatement("DELETE FROM usage WHERE report_seq = ?")) {
                    delete.setLong(1, seq);
                    check(delete.executeUpdate() == deletedRows[0], "all rows of report " + seq + " deleted");
                }
                try (PreparedStatement delete = connection.prepareStatement("DELETE FROM report WHERE seq = ?")) {
                    delete.setLong(1, seq);
                    check(delete.executeUpdate() == 1, "report " + seq + " deleted");
                }
                put(ACKNOWLEDGED, acknowledgedAfter);
                put(SERVER_REPORTED, serverReportedBytes);
                if (report.finalReport()) {
                    for (String key : GRANT_KEYS) {
                        delete(key);
                    }
                }
            });
            pending.removeFirst();
            acknowledged = acknowledgedAfter;
            serverReported = serverReportedBytes;
            usageRows -= deletedRows[0];
            if (report.finalReport()) {
                grant = null;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Keeps the device token; the next report is numbered above the server's last one. */
    void saveRegistration(String newToken, String accountId, long lastReportSeq, long reportedBytes)
            throws SQLException {
        lock.lock();
        try {
            long nextSeqAfter = Math.max(nextSeq, Math.addExact(lastReportSeq, 1));
            transaction(() -> {
                put(TOKEN, newToken);
                put(ACCOUNT_ID, accountId);
                put(NEXT_SEQ, nextSeqAfter);
                put(SERVER_REPORTED, reportedBytes);
            });
            token = newToken;
            nextSeq = nextSeqAfter;
            serverReported = reportedBytes;
        } finally {
            lock.unlock();
        }
    }

    /** The server refused the token: the next cycle registers again. */
    void dropToken() throws SQLException {
        lock.lock();
        try {
            transaction(() -> delete(TOKEN));
            token = null;
        } finally {
            lock.unlock();
        }
    }

    /** Holds a new grant; used counts from the metered total now. */
    void openGrant(long grantId, long bytes, long grantedAtMillis, long expiresAtMillis) throws SQLException {
        lock.lock();
        try {
            check(grant == null, "a new grant is only asked for while none is held");
            LocalGrant opened = new LocalGrant(grantId, bytes, metered, grantedAtMillis, expiresAtMillis, false);
            transaction(() -> {
                put(GRANT_ID, opened.grantId());
                put(GRANT_BYTES, opened.bytes());
                put(GRANT_METERED_AT_START, opened.meteredAtStart());
                put(GRANT_GRANTED_AT_MILLIS, opened.grantedAtMillis());
                put(GRANT_EXPIRES_AT_MILLIS, opened.expiresAtMillis());
                put(GRANT_RETURNING, 0);
            });
            grant = opened;
        } finally {
            lock.unlock();
        }
    }

    /** Remembers the state for the status command; written only when it changes. */
    void saveState(AgentState state) throws SQLException {
        lock.lock();
        try {
            if (state != lastState) {
                transaction(() -> put(LAST_STATE, state.name()));
                lastState = state;
            }
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ reads

    String token() {
        lock.lock();
        try {
            return token;
        } finally {
            lock.unlock();
        }
    }

    LocalGrant grant() {
        lock.lock();
        try {
            return grant;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes used under the grant held, 0 without one. */
    long grantUsedBytes() {
        lock.lock();
        try {
            return grant == null ? 0 : metered - grant.meteredAtStart();
        } finally {
            lock.unlock();
        }
    }

    /** Pending reports, oldest (lowest seq) first. */
    List<PendingReport> pendingReports() {
        lock.lock();
        try {
            return List.copyOf(pending);
        } finally {
            lock.unlock();
        }
    }

    long unassignedRows() {
        lock.lock();
        try {
            return unassignedRows;
        } finally {
            lock.unlock();
        }
    }

    /** @param nowMillis for the grant's expiry; {@code Long.MIN_VALUE} ignores it */
    AgentStatus status(AgentState state, String problem, long nowMillis) {
        lock.lock();
        try {
            long remaining = grant == null || grant.returning() || nowMillis >= grant.expiresAtMillis()
                    ? 0 : Math.max(0, grant.bytes() - (metered - grant.meteredAtStart()));
            return new AgentStatus(state, metered, acknowledged, pending.size(), metered - acknowledged, usageRows,
                    usageRows >= unreportedRowsMax, remaining, serverReported, problem);
        } finally {
            lock.unlock();
        }
    }

    Path file() {
        return file;
    }

    @Override
    public void close() throws SQLException {
        lock.lock();
        try {
            connection.close();
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ helpers

    @FunctionalInterface
    private interface Work {
        void run() throws SQLException;
    }

    /** Runs {@code work} as one transaction; on any failure nothing of it stays, in the file or in memory. */
    private void transaction(Work work) throws SQLException {
        check(lock.isHeldByCurrentThread(), "the store lock is held around a transaction");
        try {
            work.run();
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            rollback(connection, e);
            throw e;
        }
    }

    private static void rollback(Connection connection, Exception cause) {
        try {
            connection.rollback();
        } catch (SQLException rollbackFailed) {
            cause.addSuppressed(rollbackFailed);
        }
    }

    private void put(String key, Object value) throws SQLException {
        putState.setString(1, key);
        putState.setString(2, String.valueOf(value));
        putState.executeUpdate();
    }

    private void delete(String key) throws SQLException {
        deleteState.setString(1, key);
        deleteState.executeUpdate();
    }

    private static int pragmaInt(Connection connection, String pragma) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("PRAGMA " + pragma)) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private static void check(Connection connection, String pragma, String expected) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(pragma)) {
            rows.next();
            String actual = rows.getString(1);
            if (!expected.equalsIgnoreCase(actual)) {
                throw new SQLException(pragma + " is " + actual + ", the agent needs " + expected);
            }
        }
    }

    static void check(boolean condition, String invariant) {
        if (!condition) {
            throw new IllegalStateException("agent store invariant broken: " + invariant);
        }
    }
}
