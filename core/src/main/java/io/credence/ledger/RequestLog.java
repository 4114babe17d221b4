package io.credence.ledger;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The idempotency table: request id to the fingerprint of its operation and its first outcome.
 * Entries leave after the retention window, oldest first (insertion order is time order because
 * ledger time never goes back). When the table is full of entries still inside the window, new
 * requests are refused rather than forgetting ids a client might still retry.
 */
final class RequestLog {
    record Entry(long fingerprint, Outcome outcome, long atMillis) {}

    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(1024);
    private final int capacity;
    private final long retentionMillis;

    RequestLog(int capacity, long retentionMillis) {
        this.capacity = capacity;
        this.retentionMillis = retentionMillis;
    }

    Entry get(String requestId) {
        return entries.get(requestId);
    }

    boolean full() {
        return entries.size() >= capacity;
    }

    int size() {
        return entries.size();
    }

    void put(String requestId, Entry entry) {
        Entry previous = entries.put(requestId, entry);
        if (previous != null) {
            throw new IllegalStateException("request id " + requestId + " recorded twice");
        }
    }

    void forgetOlderThan(long nowMillis) {
        long horizon = nowMillis - retentionMillis;
        Iterator<Entry> it = entries.values().iterator();
        while (it.hasNext()) {
            if (it.next().atMillis() > horizon) {
                return;
            }
            it.remove();
        }
    }

    Iterable<Map.Entry<String, Entry>> entries() {
        return entries.entrySet();
    }
}
