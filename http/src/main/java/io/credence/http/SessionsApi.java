package io.credence.http;

import io.credence.charging.EngineView;
import org.eclipse.jetty.server.Request;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static io.credence.http.RequestInputs.queryLong;
import static io.credence.http.Routes.notFound;
import static io.credence.http.Routes.only;

/**
 * {@code /v1/sessions[/{sessionId}[/reauth|/abort]]}: live credit-control sessions. A Session-Id
 * holds ';' and other reserved characters, so it is percent-encoded as one path segment. Reauth
 * and abort send the session's client a RAR or an ASR and answer with its Result-Code.
 */
final class SessionsApi {
    static final int SESSIONS_PAGE_MAX = 1000;
    private static final int SESSION_ID_LENGTH_MAX = 256;

    private final LiveSessions sessions;

    SessionsApi(LiveSessions sessions) {
        this.sessions = sessions;
    }

    Reply route(Request request, String method, String[] path) {
        if (path.length == 3) {
            return only(method, "GET", () -> {
                org.eclipse.jetty.util.Fields query = Request.extractQueryParameters(request);
                String id = text(query, "id");
                if (id != null) { // one session, as a list: empty once it ended, where GET .../{id} says 404
                    return Reply.json(200, Map.of("sessions", sessions.find(id).map(java.util.List::of)
                            .orElse(java.util.List.of())));
                }
                int limit = (int) queryLong(query, "limit", 1, SESSIONS_PAGE_MAX, 100);
                long minAgeSeconds = queryLong(query, "minAgeSeconds", 0, 10L * 366 * 86_400, 0);
                EngineView.SessionFilter filter = new EngineView.SessionFilter(text(query, "account"),
                        text(query, "peer"), text(query, "interface"),
                        minAgeSeconds == 0 ? 0 : System.currentTimeMillis() - minAgeSeconds * 1000);
                return Reply.json(200, Map.of("sessions", sessions.list(filter, limit)));
            });
        }
        String sessionId = path[3];
        if (sessionId.isEmpty() || sessionId.length() > SESSION_ID_LENGTH_MAX) {
            throw new ApiError("sessionId", "must be 1.." + SESSION_ID_LENGTH_MAX + " characters");
        }
        if (path.length == 4) {
            return only(method, "GET", () -> sessions.find(sessionId).map(view -> Reply.json(200, view))
                    .orElseThrow(() -> unknownSession(sessionId)));
        }
        if (path.length != 5) {
            throw notFound(request);
        }
        return switch (path[4]) {
            case "reauth" -> only(method, "POST", () -> serverInitiated(sessionId, sessions.reAuthorize(sessionId)));
            case "abort" -> only(method, "POST", () -> serverInitiated(sessionId, sessions.abort(sessionId)));
            default -> throw notFound(request);
        };
    }

    /** A filter's text parameter: absent or empty matches any; 256 characters at most. */
    private static String text(org.eclipse.jetty.util.Fields query, String name) {
        String value = query.getValue(name);
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (value.length() > SESSION_ID_LENGTH_MAX) {
            throw new ApiError(name, "must be at most " + SESSION_ID_LENGTH_MAX + " characters");
        }
        return value;
    }

    private static ApiError unknownSession(String sessionId) {
        return new ApiError(404, "unknown-session", "sessionId", "no open session '" + sessionId + "'");
    }

    /** RAR/ASR: the client's Result-Code, 404 for an unknown session, 502 when its peer cannot be reached. */
    private static Reply serverInitiated(String sessionId, CompletableFuture<Long> answer) {
        try {
            long resultCode = answer.get(LedgerCalls.ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return Reply.json(200, Map.of("sessionId", sessionId, "resultCode", resultCode));
        } catch (ExecutionException failed) {
            if (failed.getCause() instanceof IllegalArgumentException) {
                throw unknownSession(sessionId);
            }
            throw new ApiError(502, "peer-unreachable", "sessionId", "the session's client did not answer: "
                    + failed.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new ApiError(502, "peer-unreachable", "sessionId", "the session's client did not answer in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "busy", null, "interrupted");
        }
    }
}
