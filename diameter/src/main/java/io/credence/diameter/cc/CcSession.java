package io.credence.diameter.cc;

import io.credence.diameter.codec.Avp;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;

import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One credit-control session as the server remembers it: whose account, which peer, the open
 * grant (ledger reservation) per service, and the last answer so a retransmission gets it again.
 * Requests of one session are handled one at a time under {@link #lock}, in arrival order, which
 * is also what makes a CCR-T that overtakes the CCA-I safe.
 */
final class CcSession {
    /** A grant the client holds: a reservation of {@code amount} in {@code unit}. */
    record Grant(long reservationId, Unit unit, long amount, ServiceRef service) {}

    final String sessionId;
    /** Short stable digest of the Session-Id, the stem of every ledger request id of the session. */
    final String key;
    final String peerHost;
    final String peerRealm;
    final ReentrantLock lock = new ReentrantLock();

    // guarded by lock; read unlocked only for listing and sweeping, where a stale view is harmless
    volatile String accountId;
    volatile Map<ServiceRef, Grant> grants = Map.of();
    volatile long lastNumber = -1;
    volatile List<Avp> lastAnswer;
    volatile boolean finished;
    volatile long touchedAtMillis;

    CcSession(String sessionId, String key, String peerHost, String peerRealm, long nowMillis) {
        this.sessionId = sessionId;
        this.key = key;
        this.peerHost = peerHost;
        this.peerRealm = peerRealm;
        this.touchedAtMillis = nowMillis;
    }
}
