package io.credence.journal;

/**
 * Bounds and cadence of the durable ledger.
 *
 * @param queueMax             submissions waiting for the writer; past it callers get Busy
 * @param batchMax             commands applied and forced to disk together (group commit)
 * @param recordBytesMax       largest encoded command; larger ones are refused before queueing
 * @param snapshotEveryRecords journal records between snapshots (0 = only at shutdown)
 * @param idleTickMillis       how often an idle writer advances ledger time, expiring reservations
 * @param fsync                force each batch to disk before answering (turn off only in benchmarks
 *                             that measure the cost of fsync itself)
 */
public record JournalConfig(int queueMax, int batchMax, int recordBytesMax, long snapshotEveryRecords,
                            long idleTickMillis, boolean fsync) {

    public static final JournalConfig DEFAULTS = new JournalConfig(65_536, 1_024, 64 * 1024, 1_000_000, 50, true);

    public JournalConfig {
        if (queueMax < 1 || batchMax < 1 || batchMax > queueMax) {
            throw new IllegalArgumentException("need 1 <= batchMax <= queueMax, got " + batchMax + ", " + queueMax);
        }
        if (recordBytesMax < 256 || recordBytesMax > JournalFormat.RECORD_BYTES_MAX) {
            throw new IllegalArgumentException("recordBytesMax must be in 256.." + JournalFormat.RECORD_BYTES_MAX
                    + ", was " + recordBytesMax);
        }
        if (snapshotEveryRecords < 0 || idleTickMillis < 1) {
            throw new IllegalArgumentException("snapshotEveryRecords >= 0 and idleTickMillis >= 1 required");
        }
    }

    public JournalConfig withSnapshotEveryRecords(long records) {
        return new JournalConfig(queueMax, batchMax, recordBytesMax, records, idleTickMillis, fsync);
    }

    public JournalConfig withQueueMax(int max) {
        return new JournalConfig(max, Math.min(batchMax, max), recordBytesMax, snapshotEveryRecords, idleTickMillis, fsync);
    }
}
