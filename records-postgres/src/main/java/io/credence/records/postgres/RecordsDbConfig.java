package io.credence.records.postgres;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where and how usage records are shipped to PostgreSQL.
 *
 * @param url            a {@code jdbc:postgresql://} URL
 * @param user           database user, or null to take it from the URL (or the driver's defaults)
 * @param password       database password, or null
 * @param recordsDir     the records directory the {@code RecordWriter} writes (its files are the buffer)
 * @param batchSizeMax   most records in one insert transaction; also the most held in memory
 * @param batchDelayMax  longest a read record waits for its batch to fill before it is shipped anyway
 * @param pollEvery      how often the files are checked for new records when caught up
 * @param retryMin       first wait after a failed batch; doubled on each failure up to retryMax
 * @param retryMax       longest wait between two attempts during an outage
 * @param statementTimeout bound on connecting and on one statement, so a hung database is an outage, not a hang
 */
public record RecordsDbConfig(String url, String user, String password, Path recordsDir, int batchSizeMax,
                              Duration batchDelayMax, Duration pollEvery, Duration retryMin, Duration retryMax,
                              Duration statementTimeout) {
    public static final int BATCH_SIZE_DEFAULT = 500;
    /** An insert of this many records is a few MB of parameters: past it, a batch gains nothing. */
    public static final int BATCH_SIZE_MAX = 10_000;
    public static final Duration BATCH_DELAY_DEFAULT = Duration.ofSeconds(1);
    public static final Duration POLL_EVERY_DEFAULT = Duration.ofMillis(200);
    public static final Duration RETRY_MIN_DEFAULT = Duration.ofMillis(100);
    public static final Duration RETRY_MAX_DEFAULT = Duration.ofSeconds(30);
    public static final Duration STATEMENT_TIMEOUT_DEFAULT = Duration.ofSeconds(30);
    public static final String URL_PREFIX = "jdbc:postgresql:";

    public RecordsDbConfig {
        if (url == null || !url.startsWith(URL_PREFIX)) {
            throw new IllegalArgumentException("url must start with " + URL_PREFIX + ", was " + redact(url));
        }
        if (recordsDir == null) {
            throw new IllegalArgumentException("recordsDir must not be null");
        }
        if (batchSizeMax < 1 || batchSizeMax > BATCH_SIZE_MAX) {
            throw new IllegalArgumentException("batchSizeMax must be 1.." + BATCH_SIZE_MAX + ", was " + batchSizeMax);
        }
        requirePositive(batchDelayMax, "batchDelayMax");
        requirePositive(pollEvery, "pollEvery");
        requirePositive(retryMin, "retryMin");
        requirePositive(retryMax, "retryMax");
        if (retryMax.compareTo(retryMin) < 0) {
            throw new IllegalArgumentException("retryMax (" + retryMax + ") must be >= retryMin (" + retryMin + ")");
        }
        requirePositive(statementTimeout, "statementTimeout");
        if (statementTimeout.toSeconds() < 1) {
            throw new IllegalArgumentException("statementTimeout must be at least 1s (the driver counts seconds), was "
                    + statementTimeout);
        }
    }

    /** Batches of 500 or every second, polled every 200 ms, retried from 100 ms up to every 30 s. */
    public static RecordsDbConfig defaults(String url, String user, String password, Path recordsDir) {
        return new RecordsDbConfig(url, user, password, recordsDir, BATCH_SIZE_DEFAULT, BATCH_DELAY_DEFAULT,
                POLL_EVERY_DEFAULT, RETRY_MIN_DEFAULT, RETRY_MAX_DEFAULT, STATEMENT_TIMEOUT_DEFAULT);
    }

    public RecordsDbConfig withBatch(int sizeMax, Duration delayMax) {
        return new RecordsDbConfig(url, user, password, recordsDir, sizeMax, delayMax, pollEvery, retryMin, retryMax,
                statementTimeout);
    }

    public RecordsDbConfig withTiming(Duration pollEvery, Duration retryMin, Duration retryMax) {
        return new RecordsDbConfig(url, user, password, recordsDir, batchSizeMax, batchDelayMax, pollEvery, retryMin,
                retryMax, statementTimeout);
    }

    /** The URL without its query (which may hold a password): safe to log and to key the checkpoint by. */
    public String target() {
        return redact(url);
    }

    @Override
    public String toString() {
        return "RecordsDbConfig[" + target() + ", user " + user + ", dir " + recordsDir + ", batch " + batchSizeMax
                + " or " + batchDelayMax + "]";
    }

    private static String redact(String url) {
        if (url == null) {
            return null;
        }
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query);
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0, was " + d);
        }
    }
}
