package io.credence.charging;

import java.util.LinkedHashMap;

/**
 * One charging session as the engine keeps it: part of the state machine, so it is journaled with
 * every request and in every snapshot, and a restart finds it whole (grants, their prices, the
 * attributes it was rated with, its last answer). Mutated only by the engine's commands.
 */
final class Session {
    /** Where a session is in its life. */
    enum State {
        OPEN,
        /** Terminated, or ended by a request that failed as a whole: kept for retries of the last request. */
        FINISHED,
        /** Its first request was refused: a termination is still answered (the client sends one anyway). */
        REFUSED,
        /**
         * Never opened, or forgotten: an update or termination came for it. Kept for retries of that
         * request, whose usage was charged once (a new request's usage is charged again).
         */
        UNKNOWN
    }

    final String id;
    /** Short stable digest of the id: the stem of the ledger request ids and tags of the session. */
    final String key;
    final ChargingRequest.Origin origin;
    String accountId;
    State state = State.OPEN;
    long lastNumber = -1;
    /** The client's own number of the last request (Nchf invocationSequenceNumber). */
    long lastClientNumber = -1;
    long lastDigest;
    ChargingOutcome lastOutcome;
    final LinkedHashMap<ServiceKey, Grant> grants = new LinkedHashMap<>();
    long startedAtMillis;
    long touchedAtMillis;
    /** When the session is forgotten unless a request comes first (see {@link Sessions}). */
    long expiresAtMillis;
    long requests;

    Session(String id, String key, ChargingRequest.Origin origin) {
        this.id = id;
        this.key = key;
        this.origin = origin;
    }

    boolean open() {
        return state == State.OPEN;
    }
}
