package io.credence.charging;

import io.credence.ledger.LedgerView;

import java.util.List;
import java.util.Optional;

/**
 * What a reader may see of the charging engine: sessions, the configuration and catalog in force,
 * the ledger's read-only view. Queries get this, never the engine, so no read path can change
 * state without a journal record.
 */
public interface EngineView {
    LedgerView ledger();

    EngineConfig config();

    /** The catalog's version in force, or empty without one. */
    Optional<String> catalogVersion();

    Optional<ChargingEngine.SessionView> session(String sessionId);

    /** Open sessions, by id, at most {@code limit}. */
    List<ChargingEngine.SessionView> sessions(int limit);

    /** The open sessions of an account (for a top-up's re-authorisation). */
    List<ChargingEngine.SessionView> sessionsOf(String accountId);

    /**
     * What an operator looks for among open sessions; a null part matches any session.
     *
     * @param peer               the client's host (Origin-Host, or an Nchf consumer's notification host)
     * @param startedBeforeMillis sessions started before this time only (older than an age); 0 for any
     */
    record SessionFilter(String accountId, String peer, String interfaceName, long startedBeforeMillis) {
        public static final SessionFilter ANY = new SessionFilter(null, null, null, 0);

        boolean matches(String sessionAccount, ChargingRequest.Origin origin, long startedAtMillis) {
            return (accountId == null || accountId.equals(sessionAccount))
                    && (peer == null || peer.equals(origin.peerHost()))
                    && (interfaceName == null || interfaceName.equals(origin.interfaceName()))
                    && (startedBeforeMillis == 0 || startedAtMillis < startedBeforeMillis);
        }
    }

    /**
     * Open sessions the filter matches, by id, at most {@code limit}: one pass over the sessions
     * (the account's only, when it names one), sorting only the matches.
     */
    List<ChargingEngine.SessionView> sessions(SessionFilter filter, int limit);

    /**
     * Open sessions whose id starts with {@code prefix} (one protocol's: {@code "nchf;"}), in no
     * particular order, at most {@code limit}: no sorting, so it stays cheap on the engine's
     * thread with a million sessions.
     */
    List<ChargingEngine.SessionView> sessionsStartingWith(String prefix, int limit);

    /** Layered admission's policy in force, or empty without one. */
    Optional<io.credence.admission.AdmissionPolicy> admissionPolicy();

    /** Every layer's pools and the admissions table's fill; empty without a policy. */
    Optional<io.credence.admission.AdmissionControl.Report> admissionReport();

    /** The billings of live admissions, by admission id (a copy). */
    java.util.Map<String, AdmissionBilling> admissionBillings();

    /** A data share, open or ended (ended ones are kept a while to be read). */
    Optional<DataShare> share(String shareId);

    /** The share a base station's request opened ({@code baseStationId/requestId}). */
    Optional<DataShare> shareByRequest(String requestKey);

    /** SIMs, base stations, share rules, moves and admin answers; read it inside the query only. */
    DeviceDirectory devices();

    /** Sessions remembered: open ones and finished ones kept for retries. */
    int sessionCount();

    long openSessionCount();

    /** The ledger's invariants and the engine's own, recomputed; throws when one is broken. */
    void verifyInvariants();
}
