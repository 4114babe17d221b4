package io.credence.ledger;

import java.util.ArrayList;
import java.util.List;

/**
 * The most recent transfers, in a ring of fixed size. Each entry links to the previous transfer
 * of both its accounts, so listing one account's transfers walks only that account's entries.
 * Older transfers remain in the journal; the ring is what the ledger can answer from memory.
 */
final class TransferLog {
    private final Entry[] ring;
    private long lastSeq;

    record Entry(TransferRecord transfer, long previousSeqOfFrom, long previousSeqOfTo) {}

    TransferLog(int capacity) {
        this.ring = new Entry[capacity];
    }

    long lastSeq() {
        return lastSeq;
    }

    int capacity() {
        return ring.length;
    }

    /** Appends and returns what the slot held before, so a rolled-back chain can put it back. */
    Entry append(Entry entry) {
        if (entry.transfer().seq() != lastSeq + 1) {
            throw new IllegalStateException("transfer seq " + entry.transfer().seq() + " after " + lastSeq);
        }
        int slot = slot(entry.transfer().seq());
        Entry previous = ring[slot];
        ring[slot] = entry;
        lastSeq = entry.transfer().seq();
        return previous;
    }

    void undoAppend(long seq, Entry previous) {
        if (seq != lastSeq) {
            throw new IllegalStateException("undo of transfer " + seq + " but last is " + lastSeq);
        }
        ring[slot(seq)] = previous;
        lastSeq = seq - 1;
    }

    Entry get(long seq) {
        if (seq <= 0 || seq > lastSeq) {
            return null;
        }
        Entry e = ring[slot(seq)];
        return e != null && e.transfer().seq() == seq ? e : null;
    }

    /** Transfers of {@code account}, newest first, starting below {@code beforeSeq} (0 = from the newest). */
    List<TransferRecord> of(Account account, long beforeSeq, int limit) {
        List<TransferRecord> out = new ArrayList<>(Math.min(limit, 64));
        long seq = account.lastTransferSeq;
        while (seq > 0 && out.size() < limit) {
            Entry e = get(seq);
            if (e == null) {
                break;
            }
            if (beforeSeq <= 0 || seq < beforeSeq) {
                out.add(e.transfer());
            }
            seq = e.transfer().fromAccountId().equals(account.id) ? e.previousSeqOfFrom() : e.previousSeqOfTo();
        }
        return out;
    }

    /** Entries still in the ring, oldest first (for snapshots). */
    List<Entry> retained() {
        List<Entry> out = new ArrayList<>();
        long first = Math.max(1, lastSeq - ring.length + 1);
        for (long seq = first; seq <= lastSeq; seq++) {
            Entry e = get(seq);
            if (e != null) {
                out.add(e);
            }
        }
        return out;
    }

    void restore(long lastSeqBefore, List<Entry> entries) {
        for (Entry e : entries) {
            ring[slot(e.transfer().seq())] = e;
        }
        lastSeq = lastSeqBefore;
    }

    private int slot(long seq) {
        return (int) (seq % ring.length);
    }
}
