package io.credence.server.bench.h2c;

import io.netty.channel.Channel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * One HTTP/2 cleartext connection (one Netty channel) whose server SETTINGS have arrived; safe
 * to send on from any thread. Each request gets its own stream.
 *
 * <p>A request sent while the connection has as many open streams as the server allows
 * (SETTINGS_MAX_CONCURRENT_STREAMS) waits here, in order, for a stream to close; at most
 * {@code waitingMax} requests wait, and one beyond that fails at once without being sent. The
 * time waited is part of what the caller measures.
 *
 * <p>Requests cross to the event loop through an outbox drained by one task at a time, so a
 * burst of sends costs one event-loop wake-up and one socket write, not one of each per request.
 */
public final class H2cConnection implements AutoCloseable {
    private final Channel channel;
    private final ExchangeHandler handler;
    private final long requestTimeoutNanos;
    private final long maxConcurrentStreams;
    private final Queue<Exchange> outbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drain = this::drainOutbox;

    H2cConnection(Channel channel, ExchangeHandler handler, long requestTimeoutNanos, long maxConcurrentStreams) {
        this.channel = channel;
        this.handler = handler;
        this.requestTimeoutNanos = requestTimeoutNanos;
        this.maxConcurrentStreams = maxConcurrentStreams;
    }

    /**
     * Sends a request; {@code completion} gets the whole answer, or the reason there is none: not
     * sent, stream reset, connection lost, or no answer within the client's request timeout. It
     * runs once, on the connection's event loop, or at once on this thread when the event loop
     * has been shut down.
     *
     * @param contentType null for none
     * @param body        null for a request without a body; sent as UTF-8
     */
    public void send(CharSequence method, CharSequence path, CharSequence contentType, CharSequence body,
                     BiConsumer<H2cResponse, Throwable> completion) {
        // encoded here, on the sender's thread, so that the event loop (one thread for all connections) does less
        byte[] bytes = body == null ? null : body.toString().getBytes(StandardCharsets.UTF_8);
        outbox.add(new Exchange(method, path, contentType, bytes, completion, System.nanoTime() + requestTimeoutNanos));
        if (!drainScheduled.get() && drainScheduled.compareAndSet(false, true)) {
            try {
                channel.eventLoop().execute(drain);
            } catch (RejectedExecutionException shutDown) {
                IOException notSent = new IOException("not sent: the client is shut down");
                for (Exchange e; (e = outbox.poll()) != null; ) {
                    e.fail(notSent);
                }
            }
        }
    }

    /** On the event loop: hands every waiting request to the handler, then writes them in one flush. */
    private void drainOutbox() {
        drainScheduled.set(false); // before polling: a request added from now on schedules another drain
        for (Exchange e; (e = outbox.poll()) != null; ) {
            handler.accept(e);
        }
        handler.startAndFlush();
    }

    /** Whether new requests can still be sent (no GOAWAY received, not closed). */
    public boolean isOpen() {
        return handler.closedBecause == null && channel.isActive();
    }

    /** Why the connection takes no more requests, or null while it does. */
    public String closedBecause() {
        String reason = handler.closedBecause;
        return reason != null || channel.isActive() ? reason : "the connection was closed";
    }

    /** The server's SETTINGS_MAX_CONCURRENT_STREAMS, or -1 when it set no limit. */
    public long maxConcurrentStreams() {
        return maxConcurrentStreams;
    }

    /** Closes the connection; requests still open or waiting fail. */
    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }

    @Override
    public String toString() {
        return String.valueOf(channel.remoteAddress());
    }
}
