package io.credence.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.credence.http.console.ConsoleSessions;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Optional;

/**
 * Put in front of every HTTP route: finds the caller's API key ({@code Authorization: Bearer KEY}
 * or {@code X-API-Key: KEY}) and lets the request through only when {@link AccessPolicy} admits
 * the key's role. A missing or unknown key gets 401, a known key without the role 403, both as
 * problem+json before the body is looked at (a small one is drained unread), so a refused request
 * changes nothing.
 *
 * <p>On the 5G service paths ({@code /nchf-convergedcharging/}) an OAuth2 access token issued by
 * the NRF is accepted too ({@link AccessTokens}), sent as {@code Authorization: Bearer TOKEN} as
 * TS 29.500 section 6.7.3 says; a token opens only the service its scope names.
 *
 * <p>With no keys and no tokens ({@code keys == null}) every request goes through: the server
 * allows that only on a loopback address.
 */
public final class Authenticating extends Handler.Wrapper {
    /** Set on admitted requests: the key's name, for handlers that want to log who did it. */
    public static final String HOLDER_ATTRIBUTE = "io.credence.http.keyHolder";
    /** The {@link Role} of the key the request was let in with; absent when the server runs without keys. */
    public static final String ROLE_ATTRIBUTE = "io.credence.http.keyRole";
    /** The {@link ApiKeys.Principal} the key acts for; absent when it names none. */
    public static final String PRINCIPAL_ATTRIBUTE = "io.credence.http.keyPrincipal";
    private static final String BEARER = "bearer ";

    private final ApiKeys keys;
    private final AccessTokens tokens;
    /** The operator console's signed-in browsers, or null without a console. */
    private final ConsoleSessions console;

    public Authenticating(ApiKeys keys, Handler next) {
        this(keys, null, next);
    }

    public Authenticating(ApiKeys keys, AccessTokens tokens, Handler next) {
        this(keys, tokens, null, next);
    }

    /**
     * @param tokens NRF-issued access tokens accepted on the 5G service paths next to the keys, or
     *               null for none; with tokens and no keys, those paths need a token and the
     *               others stay open (on loopback only, as without keys)
     */
    /**
     * @param console the console's sessions: a request with no key but the console's cookie acts
     *                with the role of the key that signed in, and a changing one must carry the
     *                session's CSRF token; null without a console
     */
    public Authenticating(ApiKeys keys, AccessTokens tokens, ConsoleSessions console, Handler next) {
        super(next);
        this.keys = keys;
        this.tokens = tokens;
        this.console = console;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (keys == null && tokens == null) {
            return super.handle(request, response, callback);
        }
        String path = request.getHttpURI().getPath();
        AccessPolicy.Rule rule = AccessPolicy.rule(request.getMethod(), path);
        if (rule instanceof AccessPolicy.Rule.Public) {
            return super.handle(request, response, callback);
        }
        Optional<String> presented = presentedKey(request);
        if (tokens != null && presented.isPresent() && AccessTokens.looksLikeToken(presented.get())
                && (keys == null || keys.find(presented.get()).isEmpty())) {
            return admitToken(presented.get(), path, request, response, callback);
        }
        if (presented.isEmpty() && console != null && keys != null) {
            String sessionId = ConsoleSessions.cookieValue(request.getHeaders().get(HttpHeader.COOKIE));
            if (sessionId != null) {
                return admitConsole(sessionId, rule, request, response, callback);
            }
        }
        if (keys == null) {
            if (!TOKEN_SERVICES.contains(firstSegment(path))) {
                return super.handle(request, response, callback);
            }
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"credence\"");
            refuse(request, response, callback, Problem.of(401, "unauthorized",
                    "send an access token from the NRF as 'Authorization: Bearer TOKEN'"));
            return true;
        }
        Optional<ApiKeys.Holder> holder = presented.flatMap(keys::find);
        if (holder.isEmpty()) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"credence\"");
            refuse(request, response, callback, Problem.of(401, "unauthorized",
                    "send a valid API key as 'Authorization: Bearer KEY' or 'X-API-Key: KEY'"
                            + (tokens == null ? "" : ", or an access token from the NRF")));
            return true;
        }
        if (!AccessPolicy.admits(rule, holder.get().role())) {
            refuse(request, response, callback, Problem.of(403, "forbidden", "key '" + holder.get().name() + "' has role "
                    + holder.get().role().fileName() + ", which may not " + request.getMethod() + " this path"));
            return true;
        }
        request.setAttribute(HOLDER_ATTRIBUTE, holder.get().name());
        request.setAttribute(ROLE_ATTRIBUTE, holder.get().role());
        if (holder.get().principal() != null) {
            request.setAttribute(PRINCIPAL_ATTRIBUTE, holder.get().principal());
        }
        return super.handle(request, response, callback);
    }

    /**
     * A console browser acts with its session's key. What it changes must come from the console's
     * own page: the CSRF token the page got at sign-in in {@code X-CSRF-Token}, and an
     * {@code Origin}, when the browser sends one, naming this server. The cookie is SameSite=Strict
     * too; the token is what holds when a browser ignores that.
     */
    private boolean admitConsole(String sessionId, AccessPolicy.Rule rule, Request request, Response response,
                                 Callback callback) throws Exception {
        Optional<ConsoleSessions.Session> session = console.find(sessionId);
        if (session.isEmpty()) {
            refuse(request, response, callback, Problem.of(401, "unauthorized",
                    "the console session has ended (signed out, or idle too long); sign in again"));
            return true;
        }
        ApiKeys.Holder holder = session.get().holder();
        String method = request.getMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            String origin = request.getHeaders().get(HttpHeader.ORIGIN);
            if (origin != null && !sameOrigin(origin, request)) {
                refuse(request, response, callback, Problem.of(403, "csrf", "a console request from " + origin
                        + " is refused: it did not come from this server's page"));
                return true;
            }
            if (!ConsoleSessions.csrfMatches(session.get(), request.getHeaders().get(ConsoleSessions.CSRF_HEADER))) {
                refuse(request, response, callback, Problem.of(403, "csrf", "a console request that changes "
                        + "something must carry the session's token in " + ConsoleSessions.CSRF_HEADER));
                return true;
            }
        }
        if (!AccessPolicy.admits(rule, holder.role())) {
            refuse(request, response, callback, Problem.of(403, "forbidden", "key '" + holder.name() + "' has role "
                    + holder.role().fileName() + ", which may not " + method + " this path"));
            return true;
        }
        request.setAttribute(HOLDER_ATTRIBUTE, holder.name());
        request.setAttribute(ROLE_ATTRIBUTE, holder.role());
        if (holder.principal() != null) {
            request.setAttribute(PRINCIPAL_ATTRIBUTE, holder.principal());
        }
        return super.handle(request, response, callback);
    }

    /** Whether an Origin header names the scheme and authority this request was sent to. */
    private static boolean sameOrigin(String origin, Request request) {
        String own = request.getHttpURI().getScheme() + "://" + request.getHttpURI().getAuthority();
        return origin.equalsIgnoreCase(own);
    }

    /** The services an access token may open: the 5G APIs this server offers, by their service name. */
    private static final java.util.Set<String> TOKEN_SERVICES = java.util.Set.of("nchf-convergedcharging");

    /**
     * A token opens the service its scope names and nothing else: not {@code /v1}, which a
     * network function's API key may read. Refusals carry RFC 6750's {@code WWW-Authenticate}
     * with the error and its description.
     */
    private boolean admitToken(String token, String path, Request request, Response response, Callback callback)
            throws Exception {
        String service = firstSegment(path);
        AccessTokens.Verdict verdict = TOKEN_SERVICES.contains(service) ? tokens.check(token, service)
                : new AccessTokens.Verdict.Refused(403, "insufficient_scope", "an access token opens the 5G services "
                + TOKEN_SERVICES + " only, not " + path);
        if (verdict instanceof AccessTokens.Verdict.Refused refused) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"credence\", error=\""
                    + refused.error() + "\", error_description=\"" + quotable(refused.description()) + "\"");
            refuse(request, response, callback, Problem.of(refused.status(),
                    refused.status() == 401 ? "unauthorized" : "forbidden", "access token refused: "
                            + refused.description()));
            return true;
        }
        AccessTokens.Verdict.Admitted admitted = (AccessTokens.Verdict.Admitted) verdict;
        request.setAttribute(HOLDER_ATTRIBUTE, "token:" + admitted.consumer());
        request.setAttribute(ROLE_ATTRIBUTE, Role.NETWORK_FUNCTION);
        return super.handle(request, response, callback);
    }

    /**
     * RFC 6750 section 3: error_description holds printable ASCII without the double quote and the
     * backslash; what a parser said about a token can hold anything, and a header must not. 200
     * characters at most.
     */
    private static String quotable(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), 200));
        for (int i = 0; i < text.length() && out.length() < 200; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c <= 0x7E && c != '"' && c != '\\' ? c : '\'');
        }
        return out.toString();
    }

    private static String firstSegment(String path) {
        int start = path.startsWith("/") ? 1 : 0;
        int end = path.indexOf('/', start);
        return end < 0 ? path.substring(start) : path.substring(start, end);
    }

    /** The key from either header; two different keys in one request are no key. */
    private static Optional<String> presentedKey(Request request) {
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        String bearer = null;
        if (authorization != null && authorization.length() > BEARER.length()
                && authorization.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
            bearer = authorization.substring(BEARER.length()).strip();
        }
        String header = request.getHeaders().get("X-API-Key");
        if (bearer != null && header != null && !bearer.equals(header.strip())) {
            return Optional.empty();
        }
        return Optional.ofNullable(bearer != null ? bearer : header == null ? null : header.strip());
    }

    private static void refuse(Request request, Response response, Callback callback, Problem problem) {
        byte[] body;
        try {
            body = JsonBody.MAPPER.writeValueAsBytes(problem.body());
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException("maps of plain values always serialise", impossible);
        }
        response.setStatus(problem.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.CONTENT_TYPE);
        boolean http1 = request.getConnectionMetaData().getHttpVersion().getVersion() < 20;
        if (!RequestBodies.drained(request) && http1) {
            // a larger body stays unread; Jetty then closes the connection, and saying so keeps an
            // HTTP/1.1 client from sending its next request on it while it closes (HTTP/2 forbids
            // connection headers: there the stream is reset)
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
