package io.credence.ledger;

/**
 * Reservations closed recently, remembered so a late commit or release is told "closed" or
 * "expired" rather than "unknown": oldest first, each its id, how it closed and when.
 *
 * <p>Kept in primitive arrays (a ring in closing order and an open-addressing index by id), not
 * as a map of objects: at tens of thousands of closes a second the entries live for minutes, and
 * as objects every young collection would copy them (issue 17, the latency tail). The arrays are
 * large, long-lived and hold no references, so the collector neither copies nor scans them.
 */
final class ClosedReservations {
    private static final int INITIAL_CAPACITY = 1024;
    private static final long EMPTY = 0; // reservation ids start at 1

    // the ring, in closing order; a removed entry keeps its place with id EMPTY
    private long[] ids = new long[INITIAL_CAPACITY];
    private long[] atMillis = new long[INITIAL_CAPACITY];
    private byte[] statuses = new byte[INITIAL_CAPACITY];
    private int head; // oldest position
    private int used; // positions from head, removed ones included
    private int size; // entries present

    // id -> ring position, linear probing with backward-shift deletion; at most half full
    private long[] indexIds = new long[INITIAL_CAPACITY * 2];
    private int[] indexPositions = new int[INITIAL_CAPACITY * 2];

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Remembers a reservation closed at {@code at}; ids are unique (a reservation closes once). */
    void add(long id, ReservationStatus status, long at) {
        if (id <= EMPTY) {
            throw new IllegalArgumentException("reservation ids are > 0, was " + id);
        }
        if (indexFind(id) >= 0) {
            throw new IllegalStateException("reservation " + id + " closed twice");
        }
        if (used == ids.length) {
            growRing();
        }
        if ((size + 1) * 2 > indexIds.length) {
            growIndex();
        }
        int position = (head + used) % ids.length;
        ids[position] = id;
        atMillis[position] = at;
        statuses[position] = (byte) status.ordinal();
        used++;
        size++;
        indexPut(id, position);
    }

    /** How the reservation closed, or null when it is not remembered. */
    ReservationStatus status(long id) {
        int position = indexFind(id);
        return position < 0 ? null : ReservationStatus.values()[statuses[position]];
    }

    /** When it closed; only for an id {@link #status} knows. */
    long closedAt(long id) {
        int position = indexFind(id);
        if (position < 0) {
            throw new IllegalArgumentException("reservation " + id + " is not remembered as closed");
        }
        return atMillis[position];
    }

    /** Forgets one entry (a rolled-back close); usually the newest. */
    void remove(long id) {
        int position = indexFind(id);
        if (position < 0) {
            return;
        }
        indexDelete(id);
        ids[position] = EMPTY;
        size--;
        int newest = (head + used - 1) % ids.length;
        while (used > 0 && ids[newest] == EMPTY) {
            used--;
            newest = (newest - 1 + ids.length) % ids.length;
        }
        skipRemovedAtHead();
    }

    /** When the oldest entry closed; only when not empty. */
    long oldestClosedAt() {
        if (size == 0) {
            throw new IllegalStateException("no closed reservations remembered");
        }
        return atMillis[head];
    }

    void removeOldest() {
        if (size == 0) {
            throw new IllegalStateException("no closed reservations remembered");
        }
        indexDelete(ids[head]);
        ids[head] = EMPTY;
        size--;
        head = (head + 1) % ids.length;
        used--;
        skipRemovedAtHead();
    }

    /** Receives entries oldest first (snapshots). */
    @FunctionalInterface
    interface EntryConsumer {
        void accept(long id, ReservationStatus status, long atMillis) throws java.io.IOException;
    }

    void forEachOldestFirst(EntryConsumer consumer) throws java.io.IOException {
        ReservationStatus[] statusValues = ReservationStatus.values();
        for (int i = 0; i < used; i++) {
            int position = (head + i) % ids.length;
            if (ids[position] != EMPTY) {
                consumer.accept(ids[position], statusValues[statuses[position]], atMillis[position]);
            }
        }
    }

    private void skipRemovedAtHead() {
        while (used > 0 && ids[head] == EMPTY) {
            head = (head + 1) % ids.length;
            used--;
        }
        if (used == 0) {
            head = 0;
        }
    }

    private void growRing() {
        int capacity = ids.length * 2;
        long[] newIds = new long[capacity];
        long[] newAt = new long[capacity];
        byte[] newStatuses = new byte[capacity];
        for (int i = 0; i < used; i++) {
            int from = (head + i) % ids.length;
            newIds[i] = ids[from];
            newAt[i] = atMillis[from];
            newStatuses[i] = statuses[from];
        }
        ids = newIds;
        atMillis = newAt;
        statuses = newStatuses;
        head = 0;
        rebuildIndex(indexIds.length);
    }

    private void growIndex() {
        rebuildIndex(indexIds.length * 2);
    }

    private void rebuildIndex(int capacity) {
        indexIds = new long[capacity];
        indexPositions = new int[capacity];
        for (int i = 0; i < used; i++) {
            int position = (head + i) % ids.length;
            if (ids[position] != EMPTY) {
                indexPut(ids[position], position);
            }
        }
    }

    private int slotOf(long id) {
        long h = id * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 33) & (indexIds.length - 1);
    }

    private void indexPut(long id, int position) {
        int slot = slotOf(id);
        while (indexIds[slot] != EMPTY) {
            if (indexIds[slot] == id) {
                throw new IllegalStateException("reservation " + id + " closed twice");
            }
            slot = (slot + 1) & (indexIds.length - 1);
        }
        indexIds[slot] = id;
        indexPositions[slot] = position;
    }

    private int indexFind(long id) {
        if (id <= EMPTY) {
            return -1;
        }
        int slot = slotOf(id);
        while (indexIds[slot] != EMPTY) {
            if (indexIds[slot] == id) {
                return indexPositions[slot];
            }
            slot = (slot + 1) & (indexIds.length - 1);
        }
        return -1;
    }

    /** Deletes by shifting later members of the probe run back, so lookups never need tombstones. */
    private void indexDelete(long id) {
        int mask = indexIds.length - 1;
        int slot = slotOf(id);
        while (indexIds[slot] != id) {
            if (indexIds[slot] == EMPTY) {
                return;
            }
            slot = (slot + 1) & mask;
        }
        int hole = slot;
        int next = (hole + 1) & mask;
        while (indexIds[next] != EMPTY) {
            int home = slotOf(indexIds[next]);
            // move next into the hole when its home is not in (hole, next] cyclically
            boolean stays = hole <= next ? home > hole && home <= next : home > hole || home <= next;
            if (!stays) {
                indexIds[hole] = indexIds[next];
                indexPositions[hole] = indexPositions[next];
                hole = next;
            }
            next = (next + 1) & mask;
        }
        indexIds[hole] = EMPTY;
        indexPositions[hole] = 0;
    }
}
