package io.credence.server;

import io.credence.charging.ChargingEngine;
import io.credence.diameter.cc.CreditControlServer;
import io.credence.http.LiveSessions;
import io.credence.journal.EngineGate;
import io.credence.nchf.ChargingNotifications;
import io.credence.ledger.ServiceRef;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The engine's charging sessions (Diameter and Nchf) as the HTTP operations API shows them. What
 * the server asks of a session's client goes by its protocol: RAR and ASR through the Diameter
 * front end, ChargingNotify (REAUTHORIZATION, ABORT_CHARGING) to an Nchf consumer's notifyUri.
 */
final class EngineSessions implements LiveSessions {
    private static final long QUERY_SECONDS = 10;

    private final EngineGate engine;
    private final CreditControlServer creditControl;
    private final ChargingNotifications notifications;

    EngineSessions(EngineGate engine, CreditControlServer creditControl, ChargingNotifications notifications) {
        this.engine = engine;
        this.creditControl = creditControl;
        this.notifications = notifications;
    }

    @Override
    public List<Map<String, Object>> list(int limit) {
        return await(engine.ask(view -> view.sessions(limit))).stream().map(EngineSessions::json).toList();
    }

    @Override
    public List<Map<String, Object>> list(io.credence.charging.EngineView.SessionFilter filter, int limit) {
        return await(engine.ask(view -> view.sessions(filter, limit))).stream().map(EngineSessions::json).toList();
    }

    @Override
    public Optional<Map<String, Object>> find(String sessionId) {
        return await(engine.ask(view -> view.session(sessionId))).filter(ChargingEngine.SessionView::open)
                .map(EngineSessions::json);
    }

    /** RAR; for an Nchf session, REAUTHORIZATION, completing with the consumer's HTTP status. */
    @Override
    public CompletableFuture<Long> reAuthorize(String sessionId) {
        return ChargingNotifications.isNchfSession(sessionId)
                ? notifications.notify(sessionId, ChargingNotifications.Type.REAUTHORIZATION).thenApply(Integer::longValue)
                : creditControl.reAuthorize(sessionId);
    }

    /** ASR; for an Nchf session, ABORT_CHARGING, completing with the consumer's HTTP status. */
    @Override
    public CompletableFuture<Long> abort(String sessionId) {
        return ChargingNotifications.isNchfSession(sessionId)
                ? notifications.notify(sessionId, ChargingNotifications.Type.ABORT_CHARGING).thenApply(Integer::longValue)
                : creditControl.abort(sessionId);
    }

    @Override
    public void credited(String accountId) {
        creditControl.reAuthorizeAccount(accountId);
        notifications.notifyAccount(accountId, ChargingNotifications.Type.REAUTHORIZATION);
    }

    @Override
    public void suspended(String accountId) {
        creditControl.abortAccount(accountId);
        notifications.notifyAccount(accountId, ChargingNotifications.Type.ABORT_CHARGING);
    }

    private static <T> T await(CompletableFuture<T> answer) {
        try {
            return answer.get(QUERY_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the engine did not answer: " + e.getMessage(), e);
        }
    }

    private static Map<String, Object> json(ChargingEngine.SessionView s) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("sessionId", s.sessionId());
        body.put("accountId", s.accountId());
        body.put("interface", s.origin().interfaceName());
        body.put("peer", s.origin().peerHost());
        body.put("lastRequestNumber", s.lastNumber());
        body.put("startedAt", java.time.Instant.ofEpochMilli(s.startedAtMillis()).toString());
        body.put("lastRequestAt", java.time.Instant.ofEpochMilli(s.touchedAtMillis()).toString());
        body.put("requests", s.requests());
        List<Map<String, Object>> grants = new ArrayList<>();
        for (ChargingEngine.GrantView g : s.grants()) {
            Map<String, Object> grant = new LinkedHashMap<>();
            if (g.key().ratingGroup() != ServiceRef.NONE) {
                grant.put("ratingGroup", g.key().ratingGroup());
            }
            if (g.key().serviceId() != ServiceRef.NONE) {
                grant.put("serviceId", g.key().serviceId());
            }
            if (g.key().upfId() != null) {
                grant.put("upfId", g.key().upfId());
            }
            grant.put("unit", g.unit());
            grant.put("amount", g.amount());
            grant.put("reservationId", g.reservationId());
            grants.add(grant);
        }
        body.put("grants", grants);
        return body;
    }
}
