package io.credence.server;

import io.credence.records.UsageRecord;
import io.credence.records.UsageSink;

import java.util.List;

/**
 * The usage records files and the CDR files, fed from the same batches: each gets every batch
 * even when the other fails (the engine logs a failure; a restart writes the records again).
 */
final class UsageSinks implements UsageSink {
    private final UsageSink first;
    private final UsageSink second;

    UsageSinks(UsageSink first, UsageSink second) {
        this.first = first;
        this.second = second;
    }

    @Override
    public void accept(UsageRecord record) {
        acceptAll(List.of(record));
    }

    @Override
    public void acceptAll(List<UsageRecord> records) {
        RuntimeException failed = null;
        try {
            first.acceptAll(records);
        } catch (RuntimeException e) {
            failed = e;
        }
        try {
            second.acceptAll(records);
        } catch (RuntimeException e) {
            if (failed == null) {
                failed = e;
            } else {
                failed.addSuppressed(e);
            }
        }
        if (failed != null) {
            throw failed;
        }
    }
}
