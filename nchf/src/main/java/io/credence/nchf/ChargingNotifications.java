package io.credence.nchf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.credence.charging.ChargingEngine;
import io.credence.journal.EngineGate;
import io.credence.ledger.ServiceRef;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * ChargingNotify (TS 32.291 5.2.2.4 and 6.1.5.2): the CHF tells a consumer, at the
 * {@code notifyUri} its create named, to report and ask again now (REAUTHORIZATION: after a
 * top-up, so a subscriber cut off by a final grant gets going at once, or a tariff change) or
 * to end the session (ABORT_CHARGING: the account suspended, or an operator ended it).
 *
 * <p>Charging never waits for it: a notification is handed to the HTTP/2 client and the caller
 * goes on. One that fails (no connection, a timeout, 5xx, 408, 429) is sent again after 1 s,
 * then twice as long each time, up to {@link Settings#attemptsMax()} attempts; one the consumer
 * refuses (another 4xx, such as 404 for a context it no longer has) is not. At most
 * {@link Settings#pendingMax()} are under way at once; past that a new one is dropped and
 * counted. The same kind of notification for a session already under way is not sent twice.
 *
 * <p>REAUTHORIZATION names in {@code reauthorizationDetails} each rating group the session holds
 * a grant for and each the consumer last reported or asked for on this node: free5GC's SMF
 * queries its usage rules only for the rating groups named there, and a subscriber cut off by a
 * final grant holds none. The latter is remembered in memory ({@link #SEEN_MAX} sessions), not in
 * the engine: after a restart, or for a session served through another node of a cluster, only
 * the held grants are named, and with none the notification names no rating group (the whole
 * session, as TS 32.291 reads an absent list).
 */
public final class ChargingNotifications implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ChargingNotifications.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    /** NotificationType of TS 32.291. */
    public enum Type { REAUTHORIZATION, ABORT_CHARGING }

    /**
     * @param pendingMax  notifications under way (being sent or waiting to be sent again) at most
     * @param attemptsMax attempts per notification, the first included
     * @param firstRetry  the wait before the second attempt; each next one waits twice as long
     * @param retryMax    the longest wait between attempts
     * @param timeout     how long one attempt may take
     */
    public record Settings(int pendingMax, int attemptsMax, Duration firstRetry, Duration retryMax, Duration timeout) {
        public static final Settings DEFAULTS = new Settings(10_000, 5, Duration.ofSeconds(1), Duration.ofSeconds(30),
                Duration.ofSeconds(5));

        public Settings {
            if (pendingMax < 1 || attemptsMax < 1 || firstRetry.isNegative() || retryMax.compareTo(firstRetry) < 0
                    || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("notification settings out of range: " + this);
            }
        }
    }

    /** What {@code /health} shows. */
    public record Status(long sent, long delivered, long refused, long retried, long gaveUp, long dropped,
                         int pending) {}

    private final EngineGate engine;
    private final SbiClient client;
    private final Settings settings;
    private final ScheduledExecutorService retries;
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    /** Sessions whose rating groups are remembered at most; past it the one named longest ago is forgotten. */
    public static final int SEEN_MAX = 200_000;
    private final java.util.Map<String, long[]> ratingGroupsSeen = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(1024, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(java.util.Map.Entry<String, long[]> eldest) {
                    return size() > SEEN_MAX; // sessions that ended without a release (expired) go this way
                }
            });
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong gaveUp = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    public ChargingNotifications(EngineGate engine, Settings settings) throws IOException {
        this.engine = engine;
        this.settings = settings;
        this.client = SbiClient.start("nchf-notify", Math.max(16, Math.min(settings.pendingMax(), 1024)),
                settings.timeout());
        this.retries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "nchf-notify-retry");
            t.setDaemon(true);
            return t;
        });
    }

    public Status status() {
        return new Status(sent.get(), delivered.get(), refused.get(), retried.get(), gaveUp.get(), dropped.get(),
                pending.size());
    }

    /**
     * The rating groups a consumer's request named (create or update, once answered), remembered
     * for a later REAUTHORIZATION; a release forgets the session.
     */
    void seen(String sessionId, ChargingDataRequest request, boolean released) {
        if (released) {
            ratingGroupsSeen.remove(sessionId);
            return;
        }
        long[] groups = request.unitUsages().stream().mapToLong(ChargingDataRequest.UnitUsage::ratingGroup)
                .distinct().sorted().toArray();
        if (groups.length > 0) {
            ratingGroupsSeen.put(sessionId, groups);
        }
    }

    /** Whether the session is one this sends to: an Nchf session. */
    public static boolean isNchfSession(String sessionId) {
        return sessionId.startsWith(ChargingDataTranslation.SESSION_PREFIX);
    }

    /**
     * Notifies one session. Completes with the consumer's HTTP status at the first attempt (a
     * further attempt, if that one failed, goes on after); fails when the session is not an open
     * Nchf session with a notifyUri ({@link IllegalArgumentException}), when too many are under
     * way ({@link IllegalStateException}), or when the first attempt got no answer.
     */
    public CompletableFuture<Integer> notify(String sessionId, Type type) {
        return engine.ask(view -> view.session(sessionId)).thenCompose(found -> {
            ChargingEngine.SessionView session = found.filter(ChargingEngine.SessionView::open).orElse(null);
            if (session == null || !isNchfSession(session.sessionId()) || session.origin().peerHost().isEmpty()) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("no open Nchf session " + sessionId
                        + " with a notifyUri"));
            }
            return send(session, type);
        });
    }

    /** Notifies every open Nchf session of an account; completes with how many were sent. */
    public CompletableFuture<Integer> notifyAccount(String accountId, Type type) {
        return engine.ask(view -> view.sessionsOf(accountId)).thenApply(sessions -> sendAll(sessions, type));
    }

    /** Asks every open Nchf session to report and ask again (a tariff change); at most {@code pendingMax} are sent. */
    public CompletableFuture<Integer> reAuthorizeAll() {
        return engine.ask(view -> view.sessionsStartingWith(ChargingDataTranslation.SESSION_PREFIX,
                settings.pendingMax())).thenApply(sessions -> sendAll(sessions, Type.REAUTHORIZATION));
    }

    private int sendAll(List<ChargingEngine.SessionView> sessions, Type type) {
        int count = 0;
        for (ChargingEngine.SessionView s : sessions) {
            if (s.open() && isNchfSession(s.sessionId()) && !s.origin().peerHost().isEmpty()) {
                send(s, type).exceptionally(failed -> 0);
                count++;
            }
        }
        return count;
    }

    private CompletableFuture<Integer> send(ChargingEngine.SessionView session, Type type) {
        String key = type + " " + session.sessionId();
        if (pending.size() >= settings.pendingMax()) {
            dropped.incrementAndGet();
            return CompletableFuture.failedFuture(new IllegalStateException(settings.pendingMax()
                    + " notifications are under way; " + type + " for " + session.sessionId() + " is dropped"));
        }
        if (!pending.add(key)) {
            return CompletableFuture.completedFuture(0); // the same one is under way already
        }
        URI uri;
        try {
            uri = URI.create(session.origin().peerHost());
        } catch (IllegalArgumentException bad) { // checked when the create was read; a journal from before would not be
            pending.remove(key);
            return CompletableFuture.failedFuture(new IllegalArgumentException("notifyUri of " + session.sessionId()
                    + " is not a URI"));
        }
        byte[] body = body(session, type);
        CompletableFuture<Integer> first = new CompletableFuture<>();
        attempt(key, uri, body, 1, first);
        return first;
    }

    /** The ChargingNotifyRequest. */
    private byte[] body(ChargingEngine.SessionView session, Type type) {
        ObjectNode request = JSON.createObjectNode().put("notificationType", type.name());
        if (type == Type.REAUTHORIZATION) {
            Set<Long> ratingGroups = new TreeSet<>();
            session.grants().stream().map(g -> g.key().ratingGroup()).filter(rg -> rg != ServiceRef.NONE)
                    .forEach(ratingGroups::add);
            for (long rg : ratingGroupsSeen.getOrDefault(session.sessionId(), new long[0])) {
                ratingGroups.add(rg);
            }
            if (!ratingGroups.isEmpty()) {
                ArrayNode details = request.putArray("reauthorizationDetails");
                ratingGroups.forEach(rg -> details.addObject().put("ratingGroup", rg));
            }
        }
        try {
            return JSON.writeValueAsBytes(request);
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private void attempt(String key, URI uri, byte[] body, int attempt, CompletableFuture<Integer> first) {
        sent.incrementAndGet();
        client.send("POST", uri, "application/json", body, settings.timeout()).whenComplete((reply, failure) -> {
            int status = failure == null ? reply.status() : -1;
            if (status == 200 || status == 204) {
                delivered.incrementAndGet();
                pending.remove(key);
                first.complete(status);
                return;
            }
            boolean again = failure != null || status >= 500 || status == 408 || status == 429;
            if (!again) {
                refused.incrementAndGet();
                pending.remove(key);
                LOG.log(System.Logger.Level.INFO, key + ": the consumer at " + uri + " answered " + status);
                first.complete(status);
                return;
            }
            String why = failure != null ? failure.toString() : "HTTP " + status;
            first.completeExceptionally(new IOException("the consumer at " + uri + " did not take it: " + why));
            if (attempt >= settings.attemptsMax() || retries.isShutdown()) {
                gaveUp.incrementAndGet();
                pending.remove(key);
                LOG.log(System.Logger.Level.WARNING, key + " not delivered to " + uri + " after " + attempt
                        + " attempts: " + why);
                return;
            }
            retried.incrementAndGet();
            long wait = Math.min(settings.retryMax().toMillis(), settings.firstRetry().toMillis() << (attempt - 1));
            try {
                retries.schedule(() -> attempt(key, uri, body, attempt + 1, first), wait, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                pending.remove(key);
            }
        });
    }

    @Override
    public void close() {
        retries.shutdownNow();
        client.close();
    }
}
