package io.credence.http.console;

import io.credence.http.ApiKeys;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The operator console's signed-in browsers. Signing in trades an API key for a session: the key
 * itself never stays in the page (not in its storage, not in its memory after the sign-in
 * request), only an HttpOnly cookie naming the session and a CSRF token the page holds in memory.
 * Each session acts with its key's name and role, exactly as the key would on the API.
 *
 * <p>A session ends after {@link #IDLE} without a request, after {@link #LIFETIME} in any case,
 * or when signed out. At most {@code sessionsMax} exist; past it the oldest idle one is dropped,
 * so a flood of sign-ins cannot grow the table.
 */
public final class ConsoleSessions {
    public static final String COOKIE = "credence_console";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    public static final Duration IDLE = Duration.ofMinutes(30);
    public static final Duration LIFETIME = Duration.ofHours(12);
    public static final int SESSIONS_MAX_DEFAULT = 1000;

    /** A signed-in browser: who it acts as, and the token its changing requests must carry. */
    public record Session(String id, String csrfToken, ApiKeys.Holder holder, long createdMillis) {}

    private static final class Entry {
        final Session session;
        long lastSeenMillis;

        Entry(Session session, long now) {
            this.session = session;
            this.lastSeenMillis = now;
        }
    }

    private final SecureRandom random = new SecureRandom();
    private final int sessionsMax;
    private final LongSupplier clock;
    /** In order of last use (access order), so the first is the one idle longest. */
    private final LinkedHashMap<String, Entry> sessions = new LinkedHashMap<>(16, 0.75f, true);

    public ConsoleSessions(int sessionsMax, LongSupplier clock) {
        if (sessionsMax < 1) {
            throw new IllegalArgumentException("sessionsMax must be >= 1");
        }
        this.sessionsMax = sessionsMax;
        this.clock = clock;
    }

    public ConsoleSessions() {
        this(SESSIONS_MAX_DEFAULT, System::currentTimeMillis);
    }

    /** A new session for the key's holder. */
    public synchronized Session signIn(ApiKeys.Holder holder) {
        long now = clock.getAsLong();
        expire(now);
        while (sessions.size() >= sessionsMax) {
            sessions.remove(sessions.keySet().iterator().next());
        }
        Session session = new Session(token(), token(), holder, now);
        sessions.put(session.id(), new Entry(session, now));
        return session;
    }

    /** The live session the cookie names, marked as used now; empty when unknown or expired. */
    public synchronized Optional<Session> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        long now = clock.getAsLong();
        Entry entry = sessions.get(id);
        if (entry == null) {
            return Optional.empty();
        }
        if (expired(entry, now)) {
            sessions.remove(id);
            return Optional.empty();
        }
        entry.lastSeenMillis = now;
        return Optional.of(entry.session);
    }

    public synchronized void signOut(String id) {
        sessions.remove(id);
    }

    public synchronized int size() {
        return sessions.size();
    }

    /** Whether a changing request carries its session's CSRF token (compared in constant time). */
    public static boolean csrfMatches(Session session, String presented) {
        return presented != null && MessageDigest.isEqual(session.csrfToken().getBytes(StandardCharsets.US_ASCII),
                presented.getBytes(StandardCharsets.US_ASCII));
    }

    /** The session id a request's Cookie header names, or null. */
    public static String cookieValue(String cookieHeader) {
        if (cookieHeader == null) {
            return null;
        }
        for (String part : cookieHeader.split(";")) {
            String pair = part.strip();
            if (pair.startsWith(COOKIE + "=")) {
                return pair.substring(COOKIE.length() + 1);
            }
        }
        return null;
    }

    /** What {@code /health} may show. */
    public Map<String, Object> status() {
        return Map.of("sessions", size(), "sessionsMax", sessionsMax);
    }

    private boolean expired(Entry entry, long now) {
        return now - entry.lastSeenMillis > IDLE.toMillis() || now - entry.session.createdMillis() > LIFETIME.toMillis();
    }

    private void expire(long now) {
        sessions.values().removeIf(entry -> expired(entry, now));
    }

    private String token() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
