package io.credence.charging;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The session table: by id, with a deadline per session after which it is forgotten, advanced with
 * the engine's time like the ledger's own deadlines (as of each deadline, so the state does not
 * depend on how often time was advanced). Bounded by the configured sessions maximum.
 *
 * <pre>
 *   open, reporting        expires  last request + validity + grace + silentRetention
 *   finished or refused    expires  last request + closedRetention   (retries get the last answer)
 * </pre>
 */
final class Sessions {
    private record Deadline(long atMillis, Session session) {}

    private final HashMap<String, Session> byId = new HashMap<>();
    private final PriorityQueue<Deadline> deadlines = new PriorityQueue<>(
            (a, b) -> Long.compare(a.atMillis, b.atMillis));
    /** Deadlines of sessions that were touched since: dropped when reached, compacted when too many. */
    private int staleDeadlines;
    private static final int STALE_DEADLINES_COMPACT_MIN = 4096;
    /** Sessions in the table that are open (a metric read at every scrape: kept, not counted). */
    private long openCount;

    Session get(String id) {
        return byId.get(id);
    }

    int size() {
        return byId.size();
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

    Collection<Session> all() {
        return byId.values();
    }

    void add(Session session) {
        Session previous = byId.put(session.id, session);
        if (previous != null) {
            throw new IllegalStateException("session " + session.id + " added twice");
        }
        deadlines.add(new Deadline(session.expiresAtMillis, session));
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
        deadlines.add(new Deadline(session.expiresAtMillis, session));
        if (staleDeadlines >= STALE_DEADLINES_COMPACT_MIN && staleDeadlines > deadlines.size() / 2) {
            List<Deadline> live = new ArrayList<>();
            for (Deadline d : deadlines) {
                if (d.session.expiresAtMillis == d.atMillis && byId.get(d.session.id) == d.session) {
                    live.add(d);
                }
            }
            deadlines.clear();
            deadlines.addAll(live);
            staleDeadlines = 0;
        }
    }

    /** Forgets every session whose deadline is at or before {@code nowMillis}; returns them. */
    List<Session> expire(long nowMillis) {
        List<Session> gone = null;
        while (!deadlines.isEmpty() && deadlines.peek().atMillis <= nowMillis) {
            Deadline due = deadlines.poll();
            Session s = due.session;
            if (s.expiresAtMillis != due.atMillis || byId.get(s.id) != s) {
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
}
