package io.credence.charging;

import io.credence.ledger.ByteArrayDataInput;
import io.credence.ledger.ByteArrayDataOutput;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Sessions that are no longer open (finished, refused at their start, or stray requests of
 * unknown sessions), kept only so a retry of their last request gets its answer and late usage
 * finds its subscriber: as their encoded bytes ({@link SessionCodec}) in one byte arena, with a
 * ring of primitive columns in the order they were put here and an open-addressing index by a
 * 64-bit hash of the session id.
 *
 * <p>Why not objects: at 20,000 requests a second thousands of sessions end every second and are
 * kept for minutes; as objects (a session, its outcome, its strings, the map entry) every young
 * collection copied them until they were tenured, which was most of the pause at that rate (issue
 * 17, the latency tail). The arena and the columns are a handful of large arrays without
 * references: the collector neither copies nor scans them.
 *
 * <p>They are forgotten in the order they came here, each when it and every one before it have
 * passed their deadline (a retention shortened by a new configuration waits for the older
 * entries; the order is the same on every replay). A session taken out to serve a request is
 * put back at the end with its new deadline.
 */
final class FinishedSessions {
    private static final int INITIAL_CAPACITY = 1024;
    private static final int REMOVED = -1;
    private static final int EMPTY_SLOT = -1;

    // the ring, oldest first; a removed entry keeps its place with length REMOVED
    private long[] hashes = new long[INITIAL_CAPACITY];
    private long[] deadlines = new long[INITIAL_CAPACITY];
    private int[] offsets = new int[INITIAL_CAPACITY];
    private int[] lengths = new int[INITIAL_CAPACITY];
    private int head;
    private int used;
    private int size;

    // the entries' bytes, appended in ring order; [arenaStart, arenaEnd) holds every entry of the ring
    private byte[] arena = new byte[INITIAL_CAPACITY * 256];
    private int arenaStart;
    private int arenaEnd;

    // hash -> ring position; linear probing, backward-shift deletion, at most half full
    private long[] indexHashes = new long[INITIAL_CAPACITY * 2];
    private int[] indexPositions = filled(INITIAL_CAPACITY * 2);

    private final ByteArrayDataOutput scratch = new ByteArrayDataOutput(512);
    private final ByteArrayDataInput reader = new ByteArrayDataInput();

    int size() {
        return size;
    }

    /** Bytes the kept sessions take in the arena (removed ones not yet passed included). */
    long arenaBytes() {
        return arenaEnd - arenaStart;
    }

    /** Keeps an ended session; it must hold no grants and not be kept already. */
    void add(Session s) {
        if (s.open() || !s.grants.isEmpty()) {
            throw new IllegalStateException("session " + s.id + " is " + s.state + " with " + s.grants.size()
                    + " grants: only an ended session without grants is kept as bytes");
        }
        scratch.reset();
        try {
            SessionCodec.writeSession(scratch, s);
        } catch (IOException impossible) {
            throw new UncheckedIOException("in-memory output cannot fail", impossible);
        }
        append(hash(s.id), s.expiresAtMillis, scratch.array(), 0, scratch.size());
    }

    /** Puts back an entry a snapshot kept, as it was written there (oldest first). */
    void addEncoded(byte[] bytes, int offset, int length) throws IOException {
        reader.reset(bytes, offset, length);
        Session s = SessionCodec.readSession(reader); // checks it whole, and gives its id and deadline
        if (s.open() || !s.grants.isEmpty()) {
            throw new IOException("snapshot keeps session " + s.id + " as ended, but it is " + s.state);
        }
        if (find(s.id) != REMOVED) {
            throw new IOException("snapshot keeps session " + s.id + " twice");
        }
        append(hash(s.id), s.expiresAtMillis, bytes, offset, length);
    }

    /** The session, decoded (a copy: changing it changes nothing here), or null. */
    Session peek(String id) {
        int position = find(id);
        return position == REMOVED ? null : decode(position);
    }

    /** Takes the session out (to serve a request; it comes back with {@link #add}), or null. */
    Session take(String id) {
        int position = find(id);
        if (position == REMOVED) {
            return null;
        }
        Session s = decode(position);
        remove(position);
        return s;
    }

    /** Forgets entries from the oldest while their deadline is at or before {@code nowMillis}. */
    void expire(long nowMillis) {
        while (used > 0 && deadlines[head] <= nowMillis) {
            remove(head);
        }
    }

    /** Receives the entries' bytes, oldest first (snapshots). */
    @FunctionalInterface
    interface EntryConsumer {
        void accept(byte[] bytes, int offset, int length) throws IOException;
    }

    void forEachOldestFirst(EntryConsumer consumer) throws IOException {
        for (int i = 0; i < used; i++) {
            int position = (head + i) % hashes.length;
            if (lengths[position] != REMOVED) {
                consumer.accept(arena, offsets[position], lengths[position]);
            }
        }
    }

    // ---------------------------------------------------------------- the ring and the arena

    private void append(long hash, long deadline, byte[] bytes, int offset, int length) {
        if (used == hashes.length) {
            growRing();
        }
        if ((size + 1) * 2 > indexHashes.length) {
            rebuildIndex(indexHashes.length * 2);
        }
        reserveArena(length);
        System.arraycopy(bytes, offset, arena, arenaEnd, length);
        int position = (head + used) % hashes.length;
        hashes[position] = hash;
        deadlines[position] = deadline;
        offsets[position] = arenaEnd;
        lengths[position] = length;
        arenaEnd += length;
        used++;
        size++;
        indexPut(hash, position);
    }

    private void remove(int position) {
        if (lengths[position] != REMOVED) {
            indexDelete(hashes[position], position);
            lengths[position] = REMOVED;
            size--;
        }
        while (used > 0 && lengths[head] == REMOVED) {
            head = (head + 1) % hashes.length;
            used--;
        }
        if (used == 0) {
            head = 0;
            arenaStart = 0;
            arenaEnd = 0;
        } else {
            arenaStart = offsets[head];
        }
    }

    /** Room for {@code length} more bytes: the live region moves to the front, or the arena doubles. */
    private void reserveArena(int length) {
        if (arenaEnd + length <= arena.length) {
            return;
        }
        int live = arenaEnd - arenaStart;
        byte[] target = live + length <= arena.length / 2 ? arena
                : new byte[(int) Math.min(Integer.MAX_VALUE - 8, Math.max(2L * arena.length, 2L * (live + length)))];
        if (live + length > target.length) {
            throw new IllegalStateException("ended sessions take more than " + target.length + " bytes");
        }
        System.arraycopy(arena, arenaStart, target, 0, live);
        for (int i = 0; i < used; i++) {
            int position = (head + i) % hashes.length;
            offsets[position] -= arenaStart;
        }
        arena = target;
        arenaEnd = live;
        arenaStart = 0;
    }

    private void growRing() {
        int capacity = hashes.length * 2;
        long[] newHashes = new long[capacity];
        long[] newDeadlines = new long[capacity];
        int[] newOffsets = new int[capacity];
        int[] newLengths = new int[capacity];
        for (int i = 0; i < used; i++) {
            int from = (head + i) % hashes.length;
            newHashes[i] = hashes[from];
            newDeadlines[i] = deadlines[from];
            newOffsets[i] = offsets[from];
            newLengths[i] = lengths[from];
        }
        hashes = newHashes;
        deadlines = newDeadlines;
        offsets = newOffsets;
        lengths = newLengths;
        head = 0;
        rebuildIndex(indexHashes.length);
    }

    private Session decode(int position) {
        reader.reset(arena, offsets[position], lengths[position]);
        try {
            return SessionCodec.readSession(reader);
        } catch (IOException corrupt) {
            throw new IllegalStateException("an ended session's bytes do not decode", corrupt);
        }
    }

    private boolean idAt(int position, String id) {
        reader.reset(arena, offsets[position], lengths[position]);
        try {
            return reader.readUTF().equals(id); // the id is the first field of an encoded session
        } catch (IOException corrupt) {
            throw new IllegalStateException("an ended session's bytes do not decode", corrupt);
        }
    }

    // ---------------------------------------------------------------- the index

    /** A 64-bit FNV-1a of the id's characters: the same on every machine and every run. */
    static long hash(String id) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < id.length(); i++) {
            h = (h ^ id.charAt(i)) * 0x100000001b3L;
        }
        return h;
    }

    private int slotOf(long hash) {
        return (int) ((hash * 0x9E3779B97F4A7C15L) >>> 33) & (indexHashes.length - 1);
    }

    private int find(String id) {
        long hash = hash(id);
        int mask = indexHashes.length - 1;
        for (int slot = slotOf(hash); indexPositions[slot] != EMPTY_SLOT; slot = (slot + 1) & mask) {
            if (indexHashes[slot] == hash && idAt(indexPositions[slot], id)) {
                return indexPositions[slot];
            }
        }
        return REMOVED;
    }

    private void indexPut(long hash, int position) {
        int mask = indexHashes.length - 1;
        int slot = slotOf(hash);
        while (indexPositions[slot] != EMPTY_SLOT) {
            slot = (slot + 1) & mask;
        }
        indexHashes[slot] = hash;
        indexPositions[slot] = position;
    }

    /** Deletes by shifting later members of the probe run back, so lookups never need tombstones. */
    private void indexDelete(long hash, int position) {
        int mask = indexHashes.length - 1;
        int slot = slotOf(hash);
        while (indexPositions[slot] != position) {
            if (indexPositions[slot] == EMPTY_SLOT) {
                throw new IllegalStateException("ended session at " + position + " is not indexed");
            }
            slot = (slot + 1) & mask;
        }
        int hole = slot;
        int next = (hole + 1) & mask;
        while (indexPositions[next] != EMPTY_SLOT) {
            int home = slotOf(indexHashes[next]);
            // move next into the hole when its home is not in (hole, next] cyclically
            boolean stays = hole <= next ? home > hole && home <= next : home > hole || home <= next;
            if (!stays) {
                indexHashes[hole] = indexHashes[next];
                indexPositions[hole] = indexPositions[next];
                hole = next;
            }
            next = (next + 1) & mask;
        }
        indexHashes[hole] = 0;
        indexPositions[hole] = EMPTY_SLOT;
    }

    private void rebuildIndex(int capacity) {
        indexHashes = new long[capacity];
        indexPositions = filled(capacity);
        for (int i = 0; i < used; i++) {
            int position = (head + i) % hashes.length;
            if (lengths[position] != REMOVED) {
                indexPut(hashes[position], position);
            }
        }
    }

    private static int[] filled(int capacity) {
        int[] positions = new int[capacity];
        java.util.Arrays.fill(positions, EMPTY_SLOT);
        return positions;
    }
}
