package io.credence.server.bench.h2c;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A small HTTP/2 cleartext client for load generation: h2c by prior knowledge (the connection
 * preface first, no HTTP/1.1 upgrade), one Netty channel per {@link H2cConnection}, all on one
 * event-loop group with few threads. It spends tens of microseconds of CPU per request where
 * the JDK HttpClient spent hundreds, so a generator on a small machine can offer tens of thousands
 * of requests per second without taking the cores from the server it measures.
 *
 * <p>Only what a load generator needs: whole answers with bodies up to {@link #BODY_MAX}, one
 * timeout for every request, no TLS, no redirects, no retries.
 */
public final class H2cClient implements AutoCloseable {
    /** Bytes of an answer's body kept; the rest is read and dropped (error bodies are small). */
    public static final int BODY_MAX = 64 * 1024;
    /** How often a connection looks for requests past their timeout; at most this late. */
    private static final long SWEEP_NANOS_MAX = TimeUnit.MILLISECONDS.toNanos(100);

    private final EventLoopGroup group;
    private final long requestTimeoutNanos;
    private final Duration connectTimeout;

    /**
     * @param ioThreads       event-loop threads the connections share (round robin)
     * @param requestTimeout  a request unanswered for this long fails (and its stream is reset)
     * @param connectTimeout  for the TCP connect, and again for the server's SETTINGS
     */
    public H2cClient(int ioThreads, Duration requestTimeout, Duration connectTimeout) {
        if (ioThreads < 1 || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("ioThreads " + ioThreads + ", requestTimeout " + requestTimeout);
        }
        this.group = new MultiThreadIoEventLoopGroup(ioThreads, NioIoHandler.newFactory());
        this.requestTimeoutNanos = requestTimeout.toNanos();
        this.connectTimeout = connectTimeout;
    }

    /** The server does not answer the HTTP/2 connection preface with SETTINGS: it speaks no h2c there. */
    public static final class NotHttp2 extends IOException {
        private static final long serialVersionUID = 1L;

        NotHttp2(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Opens a connection and waits for the server's SETTINGS, so its stream limit is known before
     * the first request.
     *
     * @param waitingMax  requests that may wait for a stream when the connection is at the
     *                    server's limit (see {@link H2cConnection})
     * @throws ConnectException when nothing accepts the connection
     * @throws NotHttp2         when the server does not speak HTTP/2 by prior knowledge
     */
    public H2cConnection connect(String host, int port, int waitingMax) throws IOException, InterruptedException {
        long sweepNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(SWEEP_NANOS_MAX, requestTimeoutNanos / 10));
        String authority = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        ExchangeHandler handler = new ExchangeHandler.Builder(authority, sweepNanos, waitingMax).create();
        ChannelFuture connected = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .handler(handler)
                .connect(host, port);
        if (!connected.await(connectTimeout.toNanos() + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS)) {
            connected.cancel(false);
            connected.channel().close();
            throw new ConnectException("connect to " + authority + " timed out after " + connectTimeout);
        }
        if (!connected.isSuccess()) {
            Throwable cause = connected.cause();
            throw cause instanceof IOException io ? io : new IOException("connect to " + authority + ": " + cause, cause);
        }
        Channel channel = connected.channel();
        try {
            long maxStreams = handler.settingsRead.get(connectTimeout.toNanos(), TimeUnit.NANOSECONDS);
            return new H2cConnection(channel, handler, requestTimeoutNanos, maxStreams);
        } catch (ExecutionException | TimeoutException notHttp2) {
            channel.close();
            String why = notHttp2 instanceof ExecutionException failed ? failed.getCause().getMessage()
                    : "no SETTINGS within " + connectTimeout.toMillis() + " ms";
            throw new NotHttp2("http://" + authority + "/ did not answer the HTTP/2 connection preface with SETTINGS "
                    + "(h2c by prior knowledge): " + why, notHttp2);
        } catch (InterruptedException interrupted) {
            channel.close();
            throw interrupted;
        }
    }

    /** Closes every connection and stops the event loops. */
    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
