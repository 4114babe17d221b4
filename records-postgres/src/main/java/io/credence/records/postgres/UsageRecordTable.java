package io.credence.records.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.credence.records.UsageRecord;
import org.flywaydb.core.Flyway;

import java.io.UncheckedIOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;

/**
 * The {@code usage_records} table: its schema (Flyway migrations in {@code db/migration/credence}) and
 * the one statement that writes it.
 *
 * <p>A batch is one {@code INSERT ... SELECT FROM unnest(arrays) ON CONFLICT (record_id) DO NOTHING}: one
 * round trip whatever the batch size, and its update count is exactly the number of new rows, so
 * duplicates (a record re-sent after a crash, or written twice by a retried commit) are counted, not
 * guessed.
 */
final class UsageRecordTable {
    static final String MIGRATIONS = "classpath:db/migration/credence";
    /** Our own history table, so a database shared with other Flyway users keeps theirs apart. */
    static final String HISTORY_TABLE = "credence_schema_history";
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final String INSERT = """
            INSERT INTO usage_records (record_id, at, account_id, origin, session_id, service, rating_group, decision,
                                       rule, tariff, unit, raw_units, effective_units, price, currency,
                                       attributes, balances, request_ids)
            SELECT record_id, timestamptz 'epoch' + at_millis * interval '1 millisecond', account_id, origin,
                   session_id, service, rating_group, decision, rule, tariff, unit, raw_units, effective_units,
                   price, currency, attributes::jsonb, balances::jsonb, request_ids::jsonb
            FROM unnest(?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[],
                        ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::text[],
                        ?::text[], ?::text[], ?::text[])
                 AS r(record_id, at_millis, account_id, origin, session_id, service, rating_group, decision,
                      rule, tariff, unit, raw_units, effective_units, price, currency,
                      attributes, balances, request_ids)
            ON CONFLICT (record_id) DO NOTHING
            """;

    private UsageRecordTable() {}

    /** Brings the schema up to date; safe to run from several servers at once (Flyway locks its history). */
    static int migrate(RecordsDbConfig config) {
        Flyway flyway = Flyway.configure()
                .dataSource(config.url(), config.user(), config.password())
                .locations(MIGRATIONS)
                .table(HISTORY_TABLE)
                .load();
        return flyway.migrate().migrationsExecuted;
    }

    static Connection connect(RecordsDbConfig config) throws SQLException {
        Properties p = new Properties();
        if (config.user() != null) {
            p.setProperty("user", config.user());
        }
        if (config.password() != null) {
            p.setProperty("password", config.password());
        }
        String seconds = Long.toString(config.statementTimeout().toSeconds());
        p.setProperty("connectTimeout", seconds);
        p.setProperty("loginTimeout", seconds);
        p.setProperty("socketTimeout", seconds);
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("ApplicationName", "credence-records");
        Connection c = DriverManager.getConnection(config.url(), p);
        c.setAutoCommit(false);
        return c;
    }

    /**
     * Inserts the batch in one transaction and commits it.
     *
     * @return how many records were new; the rest were in the table already
     */
    static int insert(Connection c, List<UsageRecord> batch) throws SQLException {
        int n = batch.size();
        Object[][] columns = new Object[18][n];
        for (int i = 0; i < n; i++) {
            UsageRecord r = batch.get(i);
            Object[] row = {r.recordId(), r.atMillis(), r.accountId(), r.origin(), r.sessionId(), r.service(),
                    r.ratingGroup(), r.decision(), r.rule(), r.tariff(), r.unit().name(), r.rawUnits(),
                    r.effectiveUnits(), r.price(), r.currency(), attributes(r), balances(r), requestIds(r)};
            for (int col = 0; col < row.length; col++) {
                columns[col][i] = row[col];
            }
        }
        try (PreparedStatement insert = c.prepareStatement(INSERT)) {
            for (int col = 0; col < columns.length; col++) {
                boolean number = col == 1 || col == 6 || col == 11 || col == 12 || col == 13;
                Array array = number ? c.createArrayOf("int8", toLongs(columns[col]))
                        : c.createArrayOf("text", columns[col]);
                insert.setArray(col + 1, array);
            }
            int inserted = insert.executeUpdate();
            c.commit();
            if (inserted < 0 || inserted > n) {
                throw new IllegalStateException("insert of " + n + " records reported " + inserted + " rows");
            }
            return inserted;
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(c, e);
            throw e;
        }
    }

    private static Long[] toLongs(Object[] values) {
        Long[] longs = new Long[values.length];
        for (int i = 0; i < values.length; i++) {
            longs[i] = (Long) values[i];
        }
        return longs;
    }

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e); // the connection is dropped anyway
        }
    }

    private static String attributes(UsageRecord r) {
        ObjectNode o = JSON.createObjectNode();
        r.attributes().forEach(o::put);
        return write(o);
    }

    private static String balances(UsageRecord r) {
        ArrayNode a = JSON.createArrayNode();
        for (UsageRecord.BalanceChange b : r.balances()) {
            a.addObject().put("accountId", b.accountId()).put("unit", b.unit().name()).put("amount", b.amount());
        }
        return write(a);
    }

    private static String requestIds(UsageRecord r) {
        ArrayNode a = JSON.createArrayNode();
        r.requestIds().forEach(a::add);
        return write(a);
    }

    private static String write(Object tree) {
        try {
            return JSON.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            // A tree of strings and numbers always serialises; failing here is a bug, not bad input.
            throw new UncheckedIOException(e);
        }
    }
}
