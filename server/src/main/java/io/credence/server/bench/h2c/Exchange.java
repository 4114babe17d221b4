package io.credence.server.bench.h2c;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2Headers;

import java.util.Arrays;
import java.util.function.BiConsumer;

/**
 * One request and its answer as it arrives. Made on the sender's thread, then touched only on the
 * connection's event loop (it crosses over through the connection's outbox).
 */
final class Exchange {
    final CharSequence method;
    final CharSequence path;
    final CharSequence contentType;
    /** Null for a request without a body. */
    final byte[] body;
    final BiConsumer<H2cResponse, Throwable> completion;
    /** When the request counts as unanswered; requests are accepted in this order. */
    final long deadlineNanos;

    /** 0 while it waits for a stream. */
    int streamId;
    /** The first final header block, once read. */
    Http2Headers headers;
    private byte[] bodyBytes = EMPTY;
    private int bodyLength;
    /** Completed, failed or timed out: the completion has run (exactly once). */
    boolean done;

    private static final byte[] EMPTY = new byte[0];

    Exchange(CharSequence method, CharSequence path, CharSequence contentType, byte[] body,
             BiConsumer<H2cResponse, Throwable> completion, long deadlineNanos) {
        this.method = method;
        this.path = path;
        this.contentType = contentType;
        this.body = body;
        this.completion = completion;
        this.deadlineNanos = deadlineNanos;
    }

    /** Keeps the body up to {@link H2cClient#BODY_MAX}; an error body is all the caller reads, and it is small. */
    void append(ByteBuf data) {
        int n = Math.min(data.readableBytes(), H2cClient.BODY_MAX - bodyLength);
        if (n <= 0) {
            return;
        }
        if (bodyLength + n > bodyBytes.length) {
            bodyBytes = Arrays.copyOf(bodyBytes, Math.min(H2cClient.BODY_MAX, Math.max(256, 2 * (bodyLength + n))));
        }
        data.getBytes(data.readerIndex(), bodyBytes, bodyLength, n);
        bodyLength += n;
    }

    void succeed() {
        done = true;
        byte[] body = bodyLength == bodyBytes.length ? bodyBytes : Arrays.copyOf(bodyBytes, bodyLength);
        complete(new H2cResponse(status(headers), headers, body), null);
    }

    void fail(Throwable failure) {
        done = true;
        complete(null, failure);
    }

    /**
     * Runs the caller's completion. A bug in it must not reach Netty, which would take it for a
     * protocol error and close the connection with every request on it: it is printed instead.
     */
    private void complete(H2cResponse response, Throwable failure) {
        try {
            completion.accept(response, failure);
        } catch (RuntimeException bug) {
            System.err.println("credence: the completion of " + method + " " + path + " failed:");
            bug.printStackTrace();
        }
    }

    /** The three-digit {@code :status}, or 0 when missing or malformed. */
    static int status(Http2Headers headers) {
        CharSequence s = headers.status();
        if (s == null || s.length() != 3) {
            return 0;
        }
        int status = 0;
        for (int i = 0; i < 3; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return 0;
            }
            status = status * 10 + (c - '0');
        }
        return status;
    }
}
