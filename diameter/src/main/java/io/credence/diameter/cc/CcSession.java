package io.credence.diameter.cc;

import io.credence.diameter.codec.Avp;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One credit-control session as the server remembers it: whose account, which peer, the open
 * grant (ledger reservation) per service, and the last answer so a retransmission gets it again.
 * Requests of one session are handled one at a time, in arrival order, each chained behind the
 * previous one on {@link #tail}; that is also what makes a CCR-T that overtakes the CCA-I safe.
 */
final class CcSession {
    /**
     * What a grant is held under: the service (rating group, service id) and, for an Nchf consumer
     * that installs quota per UPF (a ULCL session has two UPFs with the same rating group), the UPF.
     */
    record GrantKey(ServiceRef service, String upfId) {
        /** A single-service session's grant, or a termination that names no service. */
        static final GrantKey ANY = new GrantKey(ServiceRef.ANY, null);
    }

    /**
     * A grant the client holds: {@code amount} of {@code unit}, backed by a ledger reservation in
     * that unit, or — when the catalog rated it ({@code rated} not null) — by money at a tariff,
     * or by nothing at all for a free call.
     */
    record Grant(long reservationId, Unit unit, long amount, ServiceRef service, Rated rated) {
        Grant(long reservationId, Unit unit, long amount, ServiceRef service) {
            this(reservationId, unit, amount, service, null);
        }

        /** No reservation behind it: a call a catalog rule made free (or a zero price). */
        boolean free() {
            return reservationId == 0;
        }

        /** Units of this service the session will have used once {@code used} more are settled. */
        long callUnitsAfter(long used) {
            return (rated == null ? 0 : rated.callUnits()) + used;
        }
    }

    final String sessionId;
    /** Short stable digest of the Session-Id, the stem of every ledger request id of the session. */
    final String key;
    /** The connected peer the session's requests arrive over: where RAR and ASR are sent. */
    final String peerHost;
    /**
     * The client (Origin-Host and Origin-Realm of the request that opened the session here): RAR
     * and ASR are addressed to it. Behind a relay or proxy it differs from {@link #peerHost};
     * addressing the peer would make the relay take the request for itself.
     */
    final String clientHost;
    final String clientRealm;
    /** The interface the session came by ("diameter", "nchf"): what its usage records say. */
    final String origin;
    /** Completes when the last queued request of the session is done; guarded by this. */
    CompletableFuture<?> tail = CompletableFuture.completedFuture(null);
    /** Requests queued or running; guarded by this. */
    int pending;

    // written only by the session's current request (one at a time); read by listing and
    // sweeping, where a stale view is harmless
    /** Rebuilt from the ledger's tagged grants after a restart. */
    volatile boolean recovered;
    volatile String accountId;
    volatile Map<GrantKey, Grant> grants = Map.of();
    volatile long lastNumber = -1;
    volatile List<Avp> lastAnswer;
    volatile boolean finished;
    /**
     * The session's first request was refused (unknown user, no credit, a bad request): nothing
     * was granted, and the CCR-T a client sends even so is answered 2001 with nothing to charge.
     */
    volatile boolean refusedAtStart;
    /** How the session's client names credit control (bare or vendor-specific), for RAR and ASR. */
    volatile Avp application;
    volatile long touchedAtMillis;

    CcSession(String sessionId, String key, String peerHost, String clientHost, String clientRealm, String origin,
              long nowMillis) {
        this.origin = origin;
        this.sessionId = sessionId;
        this.key = key;
        this.peerHost = peerHost;
        this.clientHost = clientHost;
        this.clientRealm = clientRealm;
        this.touchedAtMillis = nowMillis;
    }
}
