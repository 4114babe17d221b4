package io.credence.charging;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The session table: by id, with a deadline per session after which it is forgotten, advanced with
 * the engine's time like the ledger's own deadlines (as of each deadline, so the state does not
 * depend on how often time was advanced). Bounded by the configured sessions maximum. Open
 * sessions are objects; ended ones are kept as bytes ({@link FinishedSessions}) and become an
 * object again only while a request of theirs is served ({@link #get}, then {@link #settle}).
 *
 * <pre>
 *   open, reporting        expires  last request + validity + grace + silentRetention
 *   finished or refused    expires  last request + closedRetention   (retries get the last answer)
 * </pre>
 */
final class Sessions {
    /** By id, not by object: a stale entry must not keep an ended session's object alive until it is reached. */
    private record Deadline(long atMillis, String sessionId) {}

    private final HashMap<String, Session> byId = new HashMap<>();
    private final FinishedSessions ended = new FinishedSessions();
    private final PriorityQueue<Deadline> deadlines = new PriorityQueue<>(
            (a, b) -> Long.compare(a.atMillis, b.atMillis));
    /** Deadlines of sessions that were touched since: dropped when reached, compacted when too many. */
    private int staleDeadlines;
    private static final int STALE_DEADLINES_COMPACT_MIN = 4096;
    /** Sessions in the table that are open (a metric read at every scrape: kept, not counted). */
    private long openCount;

    /** The session, to serve a request of it: an ended one is taken out of its bytes until {@link #settle}. */
    Session get(String id) {
        Session s = byId.get(id);
        if (s == null) {
            s = ended.take(id);
            if (s != null) {
                byId.put(id, s);
                deadlines.add(new Deadline(s.expiresAtMillis, id));
            }
        }
        return s;
    }

    /** The session as it stands, for reading only (an ended one is decoded, not taken out). */
    Session peek(String id) {
        Session s = byId.get(id);
        return s != null ? s : ended.peek(id);
    }

    /** After a request: a session that is not open goes back to bytes; returns it, or null. */
    Session settle(String id) {
        Session s = byId.get(id);
        if (s == null || s.open()) {
            return null;
        }
        byId.remove(id);
        staleDeadlines++;
        ended.add(s);
        return s;
    }

    int size() {
        return byId.size() + ended.size();
    }

    /** Ended sessions kept as bytes, and the bytes they take. */
    int endedCount() {
        return ended.size();
    }

    long endedBytes() {
        return ended.arenaBytes();
    }

    /** Ended sessions' bytes, in the order they are forgotten (snapshots). */
    void forEachEnded(FinishedSessions.EntryConsumer consumer) throws java.io.IOException {
        ended.forEachOldestFirst(consumer);
    }

    /** Puts back an ended session a snapshot kept as bytes. */
    void restoreEnded(byte[] bytes, int offset, int length) throws java.io.IOException {
        ended.addEncoded(bytes, offset, length);
    }

    long openCount() {
        return openCount;
    }

    /** Ends a session of the table (open or refused at its start): FINISHED, kept for its retries. */
    void finish(Session session) {
        if (session.open() && byId.get(session.id) == session) {
            openCount--;
        }
        session.state = Session.State.FINISHED;
    }

    /** The sessions kept as objects: the open ones (and, within a request, the one it serves). */
    Collection<Session> objects() {
        return byId.values();
    }

    void add(Session session) {
        Session previous = byId.put(session.id, session);
        if (previous != null) {
            throw new IllegalStateException("session " + session.id + " added twice");
        }
        deadlines.add(new Deadline(session.expiresAtMillis, session.id));
        if (session.open()) {
            openCount++;
        }
    }

    /** Forgets a session before its deadline (its queue entry goes stale). */
    void remove(Session session) {
        if (byId.remove(session.id, session)) {
            staleDeadlines++;
            if (session.open()) {
                openCount--;
            }
        }
    }

    /** A session's deadline moved (it was touched): the old queue entry goes stale. */
    void rescheduled(Session session) {
        staleDeadlines++;
        deadlines.add(new Deadline(session.expiresAtMillis, session.id));
        if (staleDeadlines >= STALE_DEADLINES_COMPACT_MIN && staleDeadlines > deadlines.size() / 2) {
            List<Deadline> live = new ArrayList<>();
            for (Deadline d : deadlines) {
                if (live(d) != null) {
                    live.add(d);
                }
            }
            deadlines.clear();
            deadlines.addAll(live);
            staleDeadlines = 0;
        }
    }

    /**
     * Forgets every session whose deadline is at or before {@code nowMillis}; returns those that
     * were objects (ended ones kept as bytes are not indexed anywhere else).
     */
    List<Session> expire(long nowMillis) {
        ended.expire(nowMillis);
        List<Session> gone = null;
        while (!deadlines.isEmpty() && deadlines.peek().atMillis <= nowMillis) {
            Deadline due = deadlines.poll();
            Session s = live(due);
            if (s == null) {
                staleDeadlines = Math.max(0, staleDeadlines - 1);
                continue;
            }
            byId.remove(s.id);
            if (s.open()) {
                openCount--;
            }
            if (gone == null) {
                gone = new ArrayList<>();
            }
            gone.add(s);
        }
        return gone == null ? List.of() : gone;
    }

    /** The session a deadline entry is still the deadline of, or null for a stale entry. */
    private Session live(Deadline d) {
        Session s = byId.get(d.sessionId());
        return s != null && s.expiresAtMillis == d.atMillis() ? s : null;
    }
}
