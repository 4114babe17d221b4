package io.credence.http;

import io.credence.market.contract.Offer;
import io.credence.market.contract.Signed;
import io.credence.market.contract.Withdrawal;
import io.credence.market.log.MerkleLog;
import io.credence.market.trade.Listed;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * {@code GET /v1/market/offers/feed}: offers as they are published and withdrawn, as server-sent
 * events ({@code event: offer} with the offer as JSON, {@code event: withdrawal} with its id),
 * each with the log index as its {@code id}, so a subscriber that reconnects with
 * {@code Last-Event-ID} (or {@code ?from=INDEX}) misses nothing. The feed is the tail of the
 * contract log, read by a virtual thread per subscriber; at most {@link #SUBSCRIBERS_MAX} at once,
 * past that 503.
 */
public final class MarketFeed extends Handler.Wrapper implements AutoCloseable {
    static final String PATH = "/v1/market/offers/feed";
    static final int SUBSCRIBERS_MAX = 256;
    static final long POLL_MILLIS = 100;
    static final long HEARTBEAT_MILLIS = 15_000;

    private final MerkleLog log;
    private final Semaphore subscribers = new Semaphore(SUBSCRIBERS_MAX);
    private volatile boolean closed;

    public MarketFeed(MerkleLog log, Handler next) {
        super(next);
        this.log = log;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (!request.getHttpURI().getPath().equals(PATH)) {
            return super.handle(request, response, callback);
        }
        if (!request.getMethod().equals("GET")) {
            return refuse(response, callback, Problem.of(405, "method-not-allowed", "allowed: GET"));
        }
        long from;
        try {
            from = start(request);
        } catch (ApiError bad) {
            return refuse(response, callback, Problem.of(bad));
        }
        if (closed || !subscribers.tryAcquire()) {
            return refuse(response, callback, Problem.of(503, "busy", "the offer feed has " + SUBSCRIBERS_MAX
                    + " subscribers; retry shortly"));
        }
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        Thread.ofVirtual().name("market-feed").start(() -> stream(response, callback, from));
        return true;
    }

    /** Where the subscriber starts: after Last-Event-ID, at ?from, or (by default) with what comes next. */
    private long start(Request request) {
        String lastEventId = request.getHeaders().get("Last-Event-ID");
        Fields query = Request.extractQueryParameters(request);
        String from = query.getValue("from");
        try {
            if (lastEventId != null) {
                return Math.max(0, Long.parseLong(lastEventId.strip()) + 1);
            }
            return from == null ? log.size() : Math.max(0, Long.parseLong(from));
        } catch (NumberFormatException bad) {
            throw new ApiError(lastEventId != null ? "Last-Event-ID" : "from", "must be a log index");
        }
    }

    private void stream(Response response, Callback callback, long from) {
        try {
            send(response, ": offers from log index " + from + "\n\n");
            long next = from;
            long quietSince = System.currentTimeMillis();
            while (!closed) {
                long size = log.size();
                for (; next < size; next++) {
                    String event = event(next);
                    if (event != null) {
                        send(response, event);
                        quietSince = System.currentTimeMillis();
                    }
                }
                if (System.currentTimeMillis() - quietSince >= HEARTBEAT_MILLIS) {
                    send(response, ": still here\n\n"); // keeps proxies from closing an idle stream; fails once the client left
                    quietSince = System.currentTimeMillis();
                }
                Thread.sleep(POLL_MILLIS);
            }
            callback.succeeded();
        } catch (IOException | RuntimeException gone) {
            callback.failed(gone);
        } catch (InterruptedException interrupted) {
            callback.failed(interrupted);
        } finally {
            subscribers.release();
        }
    }

    /** The SSE text for log entry {@code index}, or null when it is not about offers. */
    private String event(long index) throws IOException {
        Signed<?> signed = Signed.decode(log.entry(index));
        return switch (signed.entry()) {
            case Offer o -> "id: " + index + "\nevent: offer\ndata: " + JsonBody.MAPPER.writeValueAsString(
                    MarketApi.offerView(new Listed(Signed.decode(log.entry(index), Offer.class), index, 0)))
                    + "\n\n";
            case Withdrawal w -> "id: " + index + "\nevent: withdrawal\ndata: " + JsonBody.MAPPER.writeValueAsString(
                    Map.of("offerId", w.offerId(), "providerId", w.providerId())) + "\n\n";
            default -> null;
        };
    }

    private static void send(Response response, String text) throws IOException {
        try (Blocker.Callback written = Blocker.callback()) {
            response.write(false, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), written);
            written.block();
        }
    }

    private static boolean refuse(Response response, Callback callback, Problem problem) throws IOException {
        response.setStatus(problem.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.CONTENT_TYPE);
        response.write(true, ByteBuffer.wrap(JsonBody.MAPPER.writeValueAsBytes(problem.body())), callback);
        return true;
    }

    /** Ends every stream at its next poll (the server is stopping). */
    @Override
    public void close() {
        closed = true;
    }
}
