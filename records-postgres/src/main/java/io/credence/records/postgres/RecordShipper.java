package io.credence.records.postgres;

import io.credence.records.UsageRecord;
import io.credence.records.file.RecordWriterConfig;
import org.flywaydb.core.api.FlywayException;

import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ships the usage records files to PostgreSQL: at least once, and each record once.
 *
 * <p>The JSON lines files under {@code <data>/records} are the durable buffer: charging never waits for
 * the database, and a database outage only lets the files run ahead. One thread follows the files in
 * order ({@link RecordCursor}), gathers up to {@code batchSizeMax} records (or what arrived within
 * {@code batchDelayMax}), inserts them in one transaction keyed by record id, and only after the commit
 * moves the {@link Checkpoint} past them:
 *
 * <pre>
 *   files:  [committed ........................|batch in memory ....|not read yet ...]
 *                                              ^ checkpoint          ^ cursor
 *   insert batch; commit; save checkpoint := cursor     (crash between commit and save:
 *                                                        the batch is re-sent and ON CONFLICT keeps one)
 * </pre>
 *
 * A failure (database down, a timeout, a full disk for the checkpoint) keeps the batch, drops the
 * connection and retries it with capped exponential backoff, logged once per outage; records are
 * never dropped. Memory is one batch. {@link #status()} tells how far behind the database is.
 */
public final class RecordShipper implements AutoCloseable {
    /** On close, how long the last records may take to reach the database before the rest is left for the next start. */
    public static final Duration CLOSE_DRAIN_MAX = Duration.ofSeconds(10);
    private static final System.Logger LOG = System.getLogger(RecordShipper.class.getName());

    /**
     * What a metrics page shows.
     *
     * @param bytesBehind     bytes of the records files not yet committed to the database (the lag)
     * @param recordsPending  records read and waiting in the current batch
     * @param databaseDown    true from a failed attempt until the next committed batch
     */
    public record Status(long recordsShipped, long recordsDuplicate, long batchesCommitted, int recordsPending,
                         long bytesBehind, boolean databaseDown, long failedAttempts, String lastError) {}

    private final RecordsDbConfig config;
    private final RecordCursor cursor;
    private final List<UsageRecord> batch;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean halted;
    private volatile Checkpoint committed;
    private volatile long recordsShipped;
    private volatile long recordsDuplicate;
    private volatile long batchesCommitted;
    private volatile int recordsPending;
    private volatile boolean databaseDown;
    private volatile long failedAttempts;
    private volatile String lastError;
    private Connection connection;
    private boolean migrated;
    private long batchStartedNanos;

    private RecordShipper(RecordsDbConfig config, Checkpoint from) {
        this.config = config;
        this.committed = from;
        this.batch = new ArrayList<>(config.batchSizeMax());
        this.cursor = new RecordCursor(config.recordsDir(), RecordWriterConfig.LINE_MAX_DEFAULT, from,
                s -> LOG.log(System.Logger.Level.WARNING, "usage record not shipped to the database: " + s.file()
                        + ":" + s.lineNumber() + ": " + s.reason()));
        this.thread = new Thread(this::run, "records-db-shipper");
        this.thread.setDaemon(true);
    }

    /**
     * Starts shipping from the stored checkpoint. Does not wait for the database: a database that is
     * down at start is an outage like any other, and the schema is migrated on the first connection.
     */
    public static RecordShipper start(RecordsDbConfig config) throws IOException {
        if (config == null) {
            throw new IllegalArgumentException("config must not be null");
        }
        Files.createDirectories(config.recordsDir());
        RecordShipper shipper = new RecordShipper(config, Checkpoint.load(config.recordsDir(), config.target()));
        LOG.log(System.Logger.Level.INFO, "shipping usage records to " + config.target() + " from " + shipper.committed);
        shipper.thread.start();
        return shipper;
    }

    public Status status() {
        long behind;
        try {
            behind = RecordCursor.bytesAfter(config.recordsDir(), committed);
        } catch (IOException e) {
            behind = -1;
        }
        return new Status(recordsShipped, recordsDuplicate, batchesCommitted, recordsPending, behind, databaseDown,
                failedAttempts, lastError);
    }

    private void run() {
        long deadlineNanos = Long.MAX_VALUE;
        int failuresSinceStop = 0;
        Duration backoff = config.retryMin();
        while (!halted) {
            boolean stopping = stopRequested.getCount() == 0;
            if (stopping && deadlineNanos == Long.MAX_VALUE) {
                deadlineNanos = System.nanoTime() + CLOSE_DRAIN_MAX.toNanos();
            }
            if (stopping && System.nanoTime() - deadlineNanos > 0) {
                break;
            }
            try {
                boolean more = step(stopping);
                backoff = config.retryMin();
                if (stopping && !more) {
                    break;
                }
                if (!more) {
                    pause(waitBeforeNextRead());
                }
            } catch (SQLException | IOException | FlywayException e) {
                failed(e);
                // A connection made stale by a database restart fails once more after close: give it one retry.
                if (stopping && ++failuresSinceStop > 1) {
                    break;
                }
                pause(backoff);
                backoff = backoff.multipliedBy(2).compareTo(config.retryMax()) > 0 ? config.retryMax() : backoff.multipliedBy(2);
            }
        }
        closeConnection();
        if (!halted && !batch.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "stopped with " + batch.size() + " usage records not yet in "
                    + config.target() + "; they stay in the files and are shipped at the next start");
        }
    }

    /**
     * Reads, and ships the batch when it is due.
     *
     * @return true when there may be more to do at once (a full batch was shipped)
     */
    private boolean step(boolean stopping) throws SQLException, IOException {
        boolean wasEmpty = batch.isEmpty();
        if (batch.size() < config.batchSizeMax()) {
            cursor.readInto(batch, config.batchSizeMax());
            recordsPending = batch.size();
        }
        if (wasEmpty && !batch.isEmpty()) {
            batchStartedNanos = System.nanoTime();
        }
        boolean full = batch.size() == config.batchSizeMax();
        boolean due = full || stopping || System.nanoTime() - batchStartedNanos >= config.batchDelayMax().toNanos();
        if (batch.isEmpty()) {
            if (!cursor.position().equals(committed)) {
                commitPosition(); // only skipped lines or a new file since: no database needed
            }
            return false;
        }
        if (!due) {
            return false;
        }
        ship();
        return full || stopping;
    }

    private void ship() throws SQLException, IOException {
        assert !batch.isEmpty() && batch.size() <= config.batchSizeMax() : "batch size " + batch.size();
        if (connection == null) {
            if (!migrated) {
                int executed = UsageRecordTable.migrate(config);
                migrated = true;
                if (executed > 0) {
                    LOG.log(System.Logger.Level.INFO, "usage_records schema in " + config.target() + ": "
                            + executed + " migrations applied");
                }
            }
            connection = UsageRecordTable.connect(config);
        }
        int inserted = UsageRecordTable.insert(connection, batch);
        // Committed: from here on a crash re-sends this batch, which the record ids make harmless.
        commitPosition();
        recordsShipped += inserted;
        recordsDuplicate += batch.size() - inserted;
        batchesCommitted++;
        batch.clear();
        recordsPending = 0;
        if (databaseDown) {
            databaseDown = false;
            LOG.log(System.Logger.Level.INFO, "usage records reach " + config.target() + " again after "
                    + failedAttempts + " failed attempts in all; catching up");
        }
    }

    private void commitPosition() throws IOException {
        Checkpoint at = cursor.position();
        at.save(config.recordsDir(), config.target());
        committed = at;
    }

    private void failed(Exception e) {
        closeConnection();
        failedAttempts++;
        lastError = e.toString();
        if (!databaseDown) {
            databaseDown = true;
            LOG.log(System.Logger.Level.WARNING, "usage records cannot be shipped to " + config.target() + " (" + e
                    + "); they stay in the files and are retried, backing off up to every " + config.retryMax());
        }
    }

    private Duration waitBeforeNextRead() {
        if (batch.isEmpty()) {
            return config.pollEvery();
        }
        long left = config.batchDelayMax().toNanos() - (System.nanoTime() - batchStartedNanos);
        return Duration.ofNanos(Math.max(1, Math.min(left, config.pollEvery().toNanos())));
    }

    private void pause(Duration d) {
        try {
            stopRequested.await(d.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            halted = true;
            Thread.currentThread().interrupt();
        }
    }

    private void closeConnection() {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (SQLException ignored) {
            // a dead connection: nothing to release but the socket, which the driver closes anyway
        }
        connection = null;
    }

    /** Ships what is in the files (for at most {@link #CLOSE_DRAIN_MAX}, and not through an outage), then stops. */
    @Override
    public void close() throws InterruptedException {
        stopRequested.countDown();
        thread.join();
    }

    /** Stops at once, as a crash would: the batch in memory is dropped and the next start re-reads it. */
    void halt() throws InterruptedException {
        halted = true;
        stopRequested.countDown();
        thread.join();
    }
}
