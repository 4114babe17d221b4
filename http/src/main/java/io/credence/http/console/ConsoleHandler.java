package io.credence.http.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.credence.http.ApiKeys;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The operator console at {@code /console}: its page and assets, and signing in and out. Every
 * figure the page shows and every change it makes goes through {@code /v1}, with the signed-in
 * key's role ({@link io.credence.http.Authenticating}), so the console can do nothing the key could
 * not do with curl.
 *
 * <pre>
 * GET    /console, /console/             the page
 * GET    /console/{asset}                its scripts, styles and images ({@link ConsoleAssets})
 * GET    /console/api/session            who is signed in here: {signedIn, name, role, csrfToken}
 * POST   /console/api/session            sign in: {"apiKey": "..."}; sets the session cookie
 * DELETE /console/api/session            sign out (with the CSRF token)
 * </pre>
 *
 * Every answer carries a Content-Security-Policy that lets the page run only its own scripts
 * (no inline script, no eval, nothing from elsewhere) and keeps it out of frames.
 */
public final class ConsoleHandler extends Handler.Wrapper {
    public static final String PATH = "/console";
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
            + "frame-ancestors 'none'";
    private static final int SIGN_IN_BODY_MAX = 4096;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ApiKeys keys;
    private final ConsoleSessions sessions;
    private final ConsoleAssets assets = new ConsoleAssets();

    /** @param keys the API keys, or null when the server runs without (loopback only): then nobody signs in */
    public ConsoleHandler(ApiKeys keys, ConsoleSessions sessions, Handler next) {
        super(next);
        this.keys = keys;
        this.sessions = sessions;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getPath();
        if (!path.equals(PATH) && !path.startsWith(PATH + "/")) {
            return super.handle(request, response, callback);
        }
        response.getHeaders().put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put("X-Frame-Options", "DENY");
        response.getHeaders().put("Referrer-Policy", "no-referrer");
        String method = request.getMethod();
        if (path.equals(PATH + "/api/session")) {
            switch (method) {
                case "GET" -> json(response, callback, 200, whoIsSignedIn(request));
                case "POST" -> signIn(request, response, callback);
                case "DELETE" -> signOut(request, response, callback);
                default -> problem(response, callback, 405, "method-not-allowed", "allowed: GET, POST, DELETE", null);
            }
            return true;
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            problem(response, callback, 405, "method-not-allowed", "allowed: GET", null);
            return true;
        }
        String name = path.equals(PATH) || path.equals(PATH + "/") ? "index.html" : path.substring(PATH.length() + 1);
        Optional<ConsoleAssets.Asset> asset = assets.find(name);
        if (asset.isEmpty()) {
            problem(response, callback, 404, "not-found", "no console page or asset " + path, null);
            return true;
        }
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, asset.get().contentType());
        // revalidated at each load, so a new server version's page is never mixed with an old script
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        response.getHeaders().put(HttpHeader.ETAG, asset.get().etag());
        if (asset.get().etag().equals(request.getHeaders().get(HttpHeader.IF_NONE_MATCH))) {
            response.setStatus(304);
            callback.succeeded();
            return true;
        }
        response.write(true, method.equals("HEAD") ? ByteBuffer.allocate(0) : ByteBuffer.wrap(asset.get().bytes()),
                callback);
        return true;
    }

    private Map<String, Object> whoIsSignedIn(Request request) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (keys == null) {
            // a server without keys listens on loopback only and lets every caller act as admin
            body.put("signedIn", true);
            body.put("name", "loopback");
            body.put("role", "admin");
            body.put("keysRequired", false);
            return body;
        }
        Optional<ConsoleSessions.Session> session = sessions.find(
                ConsoleSessions.cookieValue(request.getHeaders().get(HttpHeader.COOKIE)));
        body.put("signedIn", session.isPresent());
        body.put("keysRequired", true);
        session.ifPresent(s -> describe(s, body));
        return body;
    }

    private static void describe(ConsoleSessions.Session session, Map<String, Object> body) {
        body.put("name", session.holder().name());
        body.put("role", session.holder().role().fileName());
        // readable only by this server's own page: another site's script cannot read the answer
        body.put("csrfToken", session.csrfToken());
    }

    private void signIn(Request request, Response response, Callback callback) throws IOException {
        if (keys == null) {
            problem(response, callback, 409, "no-keys", "this server runs without API keys: no sign-in is needed", null);
            return;
        }
        byte[] raw;
        try (InputStream in = Content.Source.asInputStream(request)) {
            raw = in.readNBytes(SIGN_IN_BODY_MAX + 1);
        }
        if (raw.length > SIGN_IN_BODY_MAX) {
            problem(response, callback, 413, "too-large", "a sign-in is at most " + SIGN_IN_BODY_MAX + " bytes", null);
            return;
        }
        JsonNode body;
        try {
            body = JSON.readTree(raw);
        } catch (IOException malformed) {
            problem(response, callback, 400, "malformed", "the body is not JSON", null);
            return;
        }
        JsonNode key = body == null ? null : body.get("apiKey");
        if (key == null || !key.isTextual() || key.asText().isBlank()) {
            problem(response, callback, 400, "invalid", "give the API key as a string", "apiKey");
            return;
        }
        Optional<ApiKeys.Holder> holder = keys.find(key.asText().strip());
        if (holder.isEmpty()) {
            problem(response, callback, 401, "unauthorized", "no such API key", "apiKey");
            return;
        }
        ConsoleSessions.Session session = sessions.signIn(holder.get());
        response.getHeaders().add(HttpHeader.SET_COOKIE, ConsoleSessions.COOKIE + "=" + session.id()
                + "; Path=/; HttpOnly; SameSite=Strict" + (request.isSecure() ? "; Secure" : "")
                + "; Max-Age=" + ConsoleSessions.LIFETIME.toSeconds());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("signedIn", true);
        answer.put("keysRequired", true);
        describe(session, answer);
        json(response, callback, 200, answer);
    }

    private void signOut(Request request, Response response, Callback callback) {
        String id = ConsoleSessions.cookieValue(request.getHeaders().get(HttpHeader.COOKIE));
        Optional<ConsoleSessions.Session> session = sessions.find(id);
        if (session.isPresent()) {
            if (!ConsoleSessions.csrfMatches(session.get(), request.getHeaders().get(ConsoleSessions.CSRF_HEADER))) {
                problem(response, callback, 403, "csrf", "signing out needs the session's token in "
                        + ConsoleSessions.CSRF_HEADER, null);
                return;
            }
            sessions.signOut(id);
        }
        response.getHeaders().add(HttpHeader.SET_COOKIE, ConsoleSessions.COOKIE
                + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
        json(response, callback, 200, Map.of("signedIn", false, "keysRequired", keys != null));
    }

    private static void json(Response response, Callback callback, int status, Object body) {
        write(response, callback, status, "application/json", body);
    }

    /** problem+json, as everywhere on this port. */
    private static void problem(Response response, Callback callback, int status, String type, String detail,
                                String field) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "urn:credence:problem:" + type);
        body.put("title", type.replace('-', ' '));
        body.put("status", status);
        body.put("detail", detail);
        if (field != null) {
            body.put("field", field);
        }
        write(response, callback, status, "application/problem+json", body);
    }

    /** An answer nobody may cache: it says who is signed in, or carries the CSRF token. */
    private static void write(Response response, Callback callback, int status, String contentType, Object body) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (IOException impossible) {
            throw new IllegalStateException("maps of plain values always serialise", impossible);
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }
}
