package io.credence.diameter.cc;

import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sessions whose first request (CCR-I) was refused before it reached the engine, so that the
 * CCR-T the client sends after it is answered 2001 rather than 5002. Bounded: past the limit the
 * oldest is forgotten (its CCR-T then gets 5002, which is still correct, only noisier).
 */
final class RefusedStarts {
    private final int max;
    private final Map<String, Boolean> sessions;

    RefusedStarts(int max) {
        this.max = max;
        this.sessions = new LinkedHashMap<>(64, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > RefusedStarts.this.max;
            }
        };
    }

    /** A request refused unread: remembered when it was a CCR-I with a Session-Id. */
    void refused(DiameterMessage request) {
        boolean initial = request.find(Codes.CC_REQUEST_TYPE, 0).filter(a -> a.data().length == 4)
                .map(Avp::integer32).map(type -> type == Codes.INITIAL_REQUEST).orElse(false);
        String sessionId = CcRequest.sessionIdOf(request);
        if (initial && sessionId != null && !sessionId.isEmpty()) {
            synchronized (sessions) {
                sessions.put(sessionId, Boolean.TRUE);
            }
        }
    }

    /**
     * Whether this termination ends a session refused at its start. It stays remembered, so a
     * retransmitted CCR-T gets the same answer.
     */
    boolean ended(String sessionId) {
        synchronized (sessions) {
            return sessions.containsKey(sessionId);
        }
    }

    /** A request of the session got through: it is the engine's now. */
    void forget(String sessionId) {
        synchronized (sessions) {
            if (!sessions.isEmpty()) {
                sessions.remove(sessionId);
            }
        }
    }
}
