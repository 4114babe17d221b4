package io.credence.server.bench.h2c;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.AsciiString;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The event-loop side of one h2c connection: opens a stream per request, matches frames to their
 * {@link Exchange} by stream id, times requests out and fails whatever the connection loses.
 *
 * <p>A plain {@link Http2ConnectionHandler} with itself as frame listener, not
 * {@code Http2FrameCodec} + {@code Http2MultiplexHandler}: those make a frame object per frame
 * and a child channel with its own pipeline per stream, work a load generator pays for on every
 * request without needing any of it.
 *
 * <p>Every exchange completes exactly once, on the event loop: with the answer's last frame, or
 * failed when its stream is reset or closed without an answer (GOAWAY, connection lost, a write
 * that failed: all end in {@code onStreamClosed}), when the connection closes while it waits, or
 * when its deadline passes (a sweep, see {@link #sweep}).
 */
final class ExchangeHandler extends Http2ConnectionHandler implements Http2FrameListener {
    private static final AsciiString HTTP = AsciiString.cached("http");

    private final long sweepNanos;
    private final int waitingMax;
    /** Exchanges with a stream, by stream id. */
    private final IntObjectHashMap<Exchange> byStream = new IntObjectHashMap<>();
    /**
     * Exchanges waiting for a stream because the connection is at the server's
     * SETTINGS_MAX_CONCURRENT_STREAMS, oldest first. Queued, not refused: the wait shows in the
     * caller's latency. Bounded by {@code waitingMax}; a request beyond it fails at once, unsent.
     */
    private final ArrayDeque<Exchange> waiting = new ArrayDeque<>();
    /**
     * Every exchange not yet known to be done, in the order accepted, which is deadline order
     * (one timeout for all); done ones leave from the head lazily. Lets the sweep find timeouts
     * in O(1) per request instead of a timer task per request.
     */
    private final ArrayDeque<Exchange> byAge = new ArrayDeque<>();
    /** Completed with the server's SETTINGS_MAX_CONCURRENT_STREAMS (-1: none given) on its first SETTINGS. */
    final CompletableFuture<Long> settingsRead = new CompletableFuture<>();
    /** Why no new request can be sent here, or null while it can. */
    volatile String closedBecause;
    /**
     * The request header block, reused: the encoder compresses (HPACK) a block at once, so one
     * object serves every request; scheme and authority never change.
     */
    private final Http2Headers requestHeaders;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> sweeper;

    private ExchangeHandler(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings,
                            AsciiString authority, long sweepNanos, int waitingMax) {
        super(decoder, encoder, settings);
        this.sweepNanos = sweepNanos;
        this.waitingMax = waitingMax;
        this.requestHeaders = new DefaultHttp2Headers(false).scheme(HTTP).authority(authority);
        connection().addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamClosed(Http2Stream stream) {
                Exchange e = byStream.remove(stream.id());
                if (e != null && !e.done) {
                    e.fail(new IOException("stream " + stream.id() + " closed without a whole answer"
                            + (closedBecause == null ? "" : ": " + closedBecause)));
                }
            }
        });
    }

    /** Builds the handler: a client, no server push, headers read without validation (cheaper; we trust the server). */
    static final class Builder extends AbstractHttp2ConnectionHandlerBuilder<ExchangeHandler, Builder> {
        private final AsciiString authority;
        private final long sweepNanos;
        private final int waitingMax;

        Builder(String authority, long sweepNanos, int waitingMax) {
            this.authority = new AsciiString(authority);
            this.sweepNanos = sweepNanos;
            this.waitingMax = waitingMax;
            server(false);
            initialSettings(Http2Settings.defaultSettings().pushEnabled(false));
            validateHeaders(false);
            // closing means the run is over: whatever is still open is given up, not waited for
            gracefulShutdownTimeoutMillis(0);
        }

        ExchangeHandler create() {
            return build();
        }

        @Override
        protected ExchangeHandler build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
                                        Http2Settings initialSettings) {
            ExchangeHandler handler = new ExchangeHandler(decoder, encoder, initialSettings, authority, sweepNanos,
                    waitingMax);
            decoder.frameListener(handler);
            return handler;
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        super.handlerAdded(ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        super.channelActive(ctx); // sends the connection preface: h2c by prior knowledge
        sweeper = ctx.executor().scheduleWithFixedDelay(this::sweep, sweepNanos, sweepNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (closedBecause == null) {
            closedBecause = "the connection was closed";
        }
        settingsRead.completeExceptionally(new IOException("the connection closed before the server's HTTP/2 "
                + "SETTINGS arrived: does it speak h2c (HTTP/2 by prior knowledge) there?"));
        if (sweeper != null) {
            sweeper.cancel(false);
        }
        super.channelInactive(ctx); // closes the open streams: onStreamClosed fails their exchanges
        IOException lost = new IOException("not sent: " + closedBecause);
        for (Exchange e; (e = waiting.poll()) != null; ) {
            if (!e.done) {
                e.fail(lost);
            }
        }
        byAge.clear();
    }

    /**
     * An I/O failure (a reset connection): closes the channel, which fails what is open with this
     * reason. HTTP/2 protocol errors go to the handler, which answers them with GOAWAY. Neither is
     * passed on: the end of the pipeline would only log a warning per failure.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
            super.exceptionCaught(ctx, cause);
            return;
        }
        if (closedBecause == null) {
            closedBecause = "the connection failed: " + cause;
        }
        ctx.close();
    }

    /** A connection error (ours or the server's frames): the handler sends GOAWAY and closes; this names why. */
    @Override
    protected void onConnectionError(ChannelHandlerContext ctx, boolean outbound, Throwable cause,
                                     Http2Exception http2Ex) {
        if (closedBecause == null) {
            closedBecause = "HTTP/2 connection error: " + (http2Ex != null ? http2Ex : cause);
        }
        super.onConnectionError(ctx, outbound, cause, http2Ex);
    }

    /**
     * Takes over an exchange from the connection's outbox: starts it when the stream limit allows
     * and nothing waits before it, else queues it; {@link #startAndFlush} follows. On the loop.
     */
    void accept(Exchange e) {
        if (closedBecause != null) {
            e.fail(new IOException("not sent: " + closedBecause));
            return;
        }
        if (waiting.isEmpty() && connection().local().canOpenStream()) {
            start(e);
        } else if (waiting.size() < waitingMax) {
            waiting.add(e); // in order: started by startWaiting() when streams close
        } else {
            e.fail(new IOException("not sent: all " + waitingMax + " places waiting for a stream are taken"));
            return;
        }
        byAge.add(e);
    }

    /** Starts what waits while the stream limit allows, then writes everything queued in one flush; on the loop. */
    void startAndFlush() {
        startWaiting();
        flush(ctx);
    }

    /** Opens a stream for the exchange: HEADERS, then DATA ending the stream (or HEADERS alone). */
    private void start(Exchange e) {
        if (connection().goAwayReceived()) {
            e.fail(new IOException("not sent: the server sent GOAWAY"));
            return;
        }
        int id = connection().local().incrementAndGetNextStreamId();
        if (id < 0) { // after 2^30 requests on one connection (15 hours at 20,000/s): more --connections
            e.fail(new IOException("not sent: HTTP/2 stream ids exhausted on this connection"));
            return;
        }
        Http2Headers headers = requestHeaders.method(e.method).path(e.path);
        if (e.contentType != null) {
            headers.set(HttpHeaderNames.CONTENT_TYPE, e.contentType);
        } else {
            headers.remove(HttpHeaderNames.CONTENT_TYPE);
        }
        e.streamId = id;
        byStream.put(id, e);
        boolean bodyFollows = e.body != null;
        // a new stream has nothing queued in flow control, so the block is encoded now, not kept
        ChannelFuture sent = encoder().writeHeaders(ctx, id, headers, 0, !bodyFollows, ctx.voidPromise());
        if (sent.isDone() && !sent.isSuccess()) { // e.g. no stream could be made: nothing will close it
            byStream.remove(id);
            if (!e.done) {
                e.fail(new IOException("not sent: " + sent.cause(), sent.cause()));
            }
            return;
        }
        if (bodyFollows && !e.done) {
            ByteBuf body = ctx.alloc().directBuffer(e.body.length).writeBytes(e.body);
            encoder().writeData(ctx, id, body, 0, true, ctx.voidPromise());
        }
    }

    /** Starts waiting exchanges while the server's stream limit allows. */
    private void startWaiting() {
        Exchange e;
        while (connection().local().canOpenStream() && (e = waiting.poll()) != null) {
            if (!e.done) {
                start(e);
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        // answers read just now closed streams: their places go to the waiting (flushed by super)
        startWaiting();
        super.channelReadComplete(ctx);
    }

    /**
     * Fails exchanges whose deadline passed, at most one sweep interval late, and resets their
     * streams so the server's stream limit is not eaten by requests nobody waits for.
     */
    private void sweep() {
        long now = System.nanoTime();
        boolean waitedOut = false;
        for (Exchange e; (e = byAge.peek()) != null; ) {
            if (!e.done && e.deadlineNanos - now > 0) {
                break;
            }
            byAge.poll();
            if (!e.done) {
                if (e.streamId != 0) {
                    byStream.remove(e.streamId);
                    resetStream(ctx, e.streamId, Http2Error.CANCEL.code(), ctx.newPromise());
                } else {
                    waitedOut = true;
                }
                e.fail(new TimeoutException("no answer within the request timeout"));
            }
        }
        if (waitedOut) { // their places in the queue are free again
            waiting.removeIf(e -> e.done);
        }
        startAndFlush();
    }

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                              boolean endOfStream) {
        Exchange e = byStream.get(streamId);
        if (e == null) {
            return;
        }
        if (e.headers == null) {
            CharSequence status = headers.status();
            boolean informational = status != null && status.length() == 3 && status.charAt(0) == '1';
            if (!informational || endOfStream) {
                e.headers = headers;
            }
        } // else trailers: ignored
        if (endOfStream) {
            complete(e);
        }
    }

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                              short weight, boolean exclusive, int padding, boolean endOfStream) {
        onHeadersRead(ctx, streamId, headers, padding, endOfStream);
    }

    @Override
    public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
        int processed = data.readableBytes() + padding; // all of it, at once: flow control never holds the server back
        Exchange e = byStream.get(streamId);
        if (e != null) {
            e.append(data);
            if (endOfStream) {
                complete(e);
            }
        }
        return processed;
    }

    private void complete(Exchange e) {
        byStream.remove(e.streamId);
        if (e.done) {
            return;
        }
        if (e.headers == null) {
            e.fail(new IOException("stream " + e.streamId + " ended without a header block"));
        } else {
            e.succeed();
        }
    }

    @Override
    public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {
        // the encoder has applied them already: local().maxActiveStreams() is the server's limit now
        Long max = settings.maxConcurrentStreams();
        settingsRead.complete(max == null ? -1 : max);
    }

    @Override
    public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
        // streams above lastStreamId are closed by the handler right after: onStreamClosed fails them
        closedBecause = "the server sent GOAWAY (" + Http2Error.valueOf(errorCode) + ", last stream " + lastStreamId
                + (debugData.isReadable() ? ", " + debugData.toString(StandardCharsets.UTF_8) : "")
                + ")";
    }

    @Override
    public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
        Exchange e = byStream.remove(streamId);
        if (e != null && !e.done) {
            e.fail(new IOException("stream " + streamId + " reset by the server: " + Http2Error.valueOf(errorCode)));
        }
    }

    @Override
    public void onPriorityRead(ChannelHandlerContext ctx, int streamId, int streamDependency, short weight,
                               boolean exclusive) {
    }

    @Override
    public void onSettingsAckRead(ChannelHandlerContext ctx) {
    }

    @Override
    public void onPingRead(ChannelHandlerContext ctx, long data) {
    }

    @Override
    public void onPingAckRead(ChannelHandlerContext ctx, long data) {
    }

    @Override
    public void onPushPromiseRead(ChannelHandlerContext ctx, int streamId, int promisedStreamId, Http2Headers headers,
                                  int padding) {
    }

    @Override
    public void onWindowUpdateRead(ChannelHandlerContext ctx, int streamId, int windowSizeIncrement) {
    }

    @Override
    public void onUnknownFrame(ChannelHandlerContext ctx, byte frameType, int streamId, Http2Flags flags,
                               ByteBuf payload) {
    }
}
