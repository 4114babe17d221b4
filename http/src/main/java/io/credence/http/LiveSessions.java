package io.credence.http;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The charging sessions the protocol front ends (Diameter credit control, Nchf) hold, as the
 * operations API sees them: list, inspect, ask the client to re-authorise (RAR, ChargingNotify
 * REAUTHORIZATION) or end the session (ASR, ChargingNotify ABORT_CHARGING), and be told when an
 * account was credited or suspended. The HTTP module knows no protocol; the server wires an
 * implementation in.
 */
public interface LiveSessions {
    /** Open sessions, each a JSON-ready map, at most {@code limit}. */
    List<Map<String, Object>> list(int limit);

    /** Open sessions the filter matches, by id, at most {@code limit}. */
    default List<Map<String, Object>> list(io.credence.charging.EngineView.SessionFilter filter, int limit) {
        return filter.equals(io.credence.charging.EngineView.SessionFilter.ANY) ? list(limit) : List.of();
    }

    Optional<Map<String, Object>> find(String sessionId);

    /** Completes with the client's Result-Code; fails when the session or its peer is gone. */
    CompletableFuture<Long> reAuthorize(String sessionId);

    CompletableFuture<Long> abort(String sessionId);

    /** An account got value (top-up, bucket): its sessions are told to re-request now. */
    void credited(String accountId);

    /** An account was suspended or closed: its sessions' clients are told to end them (ASR, ChargingNotify abort). */
    default void suspended(String accountId) {
    }

    /** No sessions at all: for a server without a protocol front end. */
    LiveSessions NONE = new LiveSessions() {
        public List<Map<String, Object>> list(int limit) {
            return List.of();
        }

        public Optional<Map<String, Object>> find(String sessionId) {
            return Optional.empty();
        }

        public CompletableFuture<Long> reAuthorize(String sessionId) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no session " + sessionId));
        }

        public CompletableFuture<Long> abort(String sessionId) {
            return reAuthorize(sessionId);
        }

        public void credited(String accountId) {}
    };
}
