package io.credence.server;

import io.credence.diameter.cc.CreditControlServer;
import io.credence.diameter.cc.SessionView;
import io.credence.http.LiveSessions;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The credit-control sessions of the Diameter front end, as the HTTP operations API shows them. */
final class DiameterSessions implements LiveSessions {
    private final CreditControlServer creditControl;

    DiameterSessions(CreditControlServer creditControl) {
        this.creditControl = creditControl;
    }

    @Override
    public List<Map<String, Object>> list(int limit) {
        return creditControl.sessions(limit).stream().map(DiameterSessions::json).toList();
    }

    @Override
    public Optional<Map<String, Object>> find(String sessionId) {
        return creditControl.session(sessionId).filter(s -> !s.finished()).map(DiameterSessions::json);
    }

    @Override
    public CompletableFuture<Long> reAuthorize(String sessionId) {
        return creditControl.reAuthorize(sessionId);
    }

    @Override
    public CompletableFuture<Long> abort(String sessionId) {
        return creditControl.abort(sessionId);
    }

    @Override
    public void credited(String accountId) {
        creditControl.reAuthorizeAccount(accountId);
    }

    private static Map<String, Object> json(SessionView s) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("sessionId", s.sessionId());
        body.put("accountId", s.accountId());
        body.put("peer", s.peerHost());
        body.put("lastRequestNumber", s.lastRequestNumber());
        List<Map<String, Object>> grants = new ArrayList<>();
        for (SessionView.GrantView g : s.grants()) {
            Map<String, Object> grant = new LinkedHashMap<>();
            if (g.ratingGroup() >= 0) {
                grant.put("ratingGroup", g.ratingGroup());
            }
            if (g.serviceId() >= 0) {
                grant.put("serviceId", g.serviceId());
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
