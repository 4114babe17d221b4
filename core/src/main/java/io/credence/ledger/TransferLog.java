package io.credence.ledger;

import java.util.ArrayList;
import java.util.List;

/**
 * The most recent transfers, in a ring of fixed size. Each entry links to the previous transfer
 * of both its accounts, so listing one account's transfers walks only that account's entries.
 * Older transfers remain in the journal; the ring is what the ledger can answer from memory.
 *
 * <p>Kept in columns (one primitive array per field), not as an object per transfer: an entry
 * lives until the ring comes round again, seconds to minutes at load, and as objects every young
 * collection copied them (issue 17, the latency tail). The account ids are the accounts' own
 * strings; only the request id is an object per entry. Entries are materialized when asked for.
 */
final class TransferLog {
    private static final TransferKind[] KINDS = TransferKind.values();
    private static final Unit[] UNITS = Unit.values();

    private final long[] seqs;
    private final long[] amounts;
    private final long[] overdrafts;
    private final long[] reservationIds;
    private final long[] bucketIds;
    private final long[] atMillis;
    private final long[] previousOfFrom;
    private final long[] previousOfTo;
    private final byte[] kinds;
    private final byte[] units;
    private final String[] fromIds;
    private final String[] toIds;
    private final String[] requestIds;
    private long lastSeq;

    record Entry(TransferRecord transfer, long previousSeqOfFrom, long previousSeqOfTo) {}

    TransferLog(int capacity) {
        seqs = new long[capacity];
        amounts = new long[capacity];
        overdrafts = new long[capacity];
        reservationIds = new long[capacity];
        bucketIds = new long[capacity];
        atMillis = new long[capacity];
        previousOfFrom = new long[capacity];
        previousOfTo = new long[capacity];
        kinds = new byte[capacity];
        units = new byte[capacity];
        fromIds = new String[capacity];
        toIds = new String[capacity];
        requestIds = new String[capacity];
    }

    long lastSeq() {
        return lastSeq;
    }

    int capacity() {
        return seqs.length;
    }

    /**
     * Appends transfer {@code lastSeq() + 1}. {@code from} and {@code to} should be the accounts'
     * own id strings (long-lived), not copies decoded from the request.
     */
    void append(TransferKind kind, String from, String to, Unit unit, long amount, long overdraft, long reservationId,
                long bucketId, long at, String requestId, long previousSeqOfFrom, long previousSeqOfTo) {
        long seq = lastSeq + 1;
        int slot = slot(seq);
        seqs[slot] = seq;
        kinds[slot] = (byte) kind.ordinal();
        fromIds[slot] = from;
        toIds[slot] = to;
        units[slot] = (byte) unit.ordinal();
        amounts[slot] = amount;
        overdrafts[slot] = overdraft;
        reservationIds[slot] = reservationId;
        bucketIds[slot] = bucketId;
        atMillis[slot] = at;
        requestIds[slot] = requestId;
        previousOfFrom[slot] = previousSeqOfFrom;
        previousOfTo[slot] = previousSeqOfTo;
        lastSeq = seq;
    }

    /** What the slot of transfer {@code seq} holds now (an older transfer, or null): for an undo. */
    Entry occupantOfSlotFor(long seq) {
        int slot = slot(seq);
        return seqs[slot] == 0 ? null : entryAt(slot);
    }

    /** Takes back the last append, putting back what its slot held before. */
    void undoAppend(long seq, Entry previous) {
        if (seq != lastSeq) {
            throw new IllegalStateException("undo of transfer " + seq + " but last is " + lastSeq);
        }
        if (previous == null) {
            clear(slot(seq));
        } else {
            put(previous);
        }
        lastSeq = seq - 1;
    }

    Entry get(long seq) {
        if (seq <= 0 || seq > lastSeq) {
            return null;
        }
        int slot = slot(seq);
        return seqs[slot] == seq ? entryAt(slot) : null;
    }

    /** Transfers of {@code account}, newest first, starting below {@code beforeSeq} (0 = from the newest). */
    List<TransferRecord> of(Account account, long beforeSeq, int limit) {
        List<TransferRecord> out = new ArrayList<>(Math.min(limit, 64));
        long seq = account.lastTransferSeq;
        while (seq > 0 && seq <= lastSeq && out.size() < limit) {
            int slot = slot(seq);
            if (seqs[slot] != seq) {
                break;
            }
            if (beforeSeq <= 0 || seq < beforeSeq) {
                out.add(recordAt(slot));
            }
            seq = fromIds[slot].equals(account.id) ? previousOfFrom[slot] : previousOfTo[slot];
        }
        return out;
    }

    /** Entries still in the ring, oldest first (for snapshots). */
    List<Entry> retained() {
        List<Entry> out = new ArrayList<>();
        long first = Math.max(1, lastSeq - seqs.length + 1);
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
            put(e);
        }
        lastSeq = lastSeqBefore;
    }

    private void put(Entry e) {
        TransferRecord t = e.transfer();
        int slot = slot(t.seq());
        seqs[slot] = t.seq();
        kinds[slot] = (byte) t.kind().ordinal();
        fromIds[slot] = t.fromAccountId();
        toIds[slot] = t.toAccountId();
        units[slot] = (byte) t.unit().ordinal();
        amounts[slot] = t.amount();
        overdrafts[slot] = t.overdraft();
        reservationIds[slot] = t.reservationId();
        bucketIds[slot] = t.bucketId();
        atMillis[slot] = t.atMillis();
        requestIds[slot] = t.requestId();
        previousOfFrom[slot] = e.previousSeqOfFrom();
        previousOfTo[slot] = e.previousSeqOfTo();
    }

    private void clear(int slot) {
        seqs[slot] = 0;
        fromIds[slot] = null;
        toIds[slot] = null;
        requestIds[slot] = null;
    }

    private Entry entryAt(int slot) {
        return new Entry(recordAt(slot), previousOfFrom[slot], previousOfTo[slot]);
    }

    private TransferRecord recordAt(int slot) {
        return new TransferRecord(seqs[slot], KINDS[kinds[slot]], fromIds[slot], toIds[slot], UNITS[units[slot]],
                amounts[slot], overdrafts[slot], reservationIds[slot], bucketIds[slot], atMillis[slot],
                requestIds[slot]);
    }

    private int slot(long seq) {
        return (int) (seq % seqs.length);
    }
}
