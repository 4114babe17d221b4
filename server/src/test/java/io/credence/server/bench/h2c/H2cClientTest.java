package io.credence.server.bench.h2c;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The load generator's h2c client against a small Netty HTTP/2 server whose stream limit the
 * test sets: answers reach their own requests, requests beyond the server's limit wait (within a
 * bound) instead of being refused, unanswered requests time out and give their stream back, a
 * lost connection fails what is open, and a server without h2c is named at connect.
 */
class H2cClientTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    @Test
    void answersReachTheirRequestsAndRequestsBeyondTheStreamLimitWait() throws Exception {
        Stub stub = stub(8);
        H2cConnection connection = client(TIMEOUT).connect("127.0.0.1", stub.port(), 300);
        assertThat(connection.maxConcurrentStreams()).isEqualTo(8);

        List<CompletableFuture<H2cResponse>> answers = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            answers.add(send(connection, "/echo", "request " + i));
        }
        for (int i = 0; i < 300; i++) {
            H2cResponse answer = answers.get(i).get(10, TimeUnit.SECONDS);
            assertThat(answer.status()).isEqualTo(200);
            assertThat(new String(answer.body(), StandardCharsets.UTF_8)).isEqualTo("request " + i);
            assertThat(answer.header("location")).isEqualTo("/echo/" + ("request " + i).length());
        }
        assertThat(stub.mostStreamsOpen.get()).as("the client kept to the server's limit").isEqualTo(8);
        assertThat(stub.resets.get()).isZero();
    }

    @Test
    void aRequestBeyondTheWaitingBoundFailsUnsent() throws Exception {
        Stub stub = stub(1);
        H2cConnection connection = client(TIMEOUT).connect("127.0.0.1", stub.port(), 1);
        CompletableFuture<H2cResponse> open = send(connection, "/never", null);
        CompletableFuture<H2cResponse> waiting = send(connection, "/never", null);
        CompletableFuture<H2cResponse> beyond = send(connection, "/never", null);

        assertThatThrownBy(() -> beyond.get(10, TimeUnit.SECONDS)).hasRootCauseInstanceOf(IOException.class)
                .hasMessageContaining("not sent: all 1 places waiting for a stream are taken");
        assertThat(open).isNotDone();
        assertThat(waiting).isNotDone();
    }

    @Test
    void anUnansweredRequestTimesOutAndItsStreamIsResetForTheNext() throws Exception {
        Stub stub = stub(1);
        H2cConnection connection = client(Duration.ofSeconds(1)).connect("127.0.0.1", stub.port(), 10);
        long start = System.nanoTime();
        CompletableFuture<H2cResponse> never = send(connection, "/never", null);
        Thread.sleep(600);
        // waits for the only stream; due to time out 600 ms after the first
        CompletableFuture<H2cResponse> next = send(connection, "/echo", "after");

        assertThatThrownBy(() -> never.get(10, TimeUnit.SECONDS)).hasRootCauseInstanceOf(TimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(5));
        H2cResponse answer = next.get(10, TimeUnit.SECONDS);
        assertThat(new String(answer.body(), StandardCharsets.UTF_8)).as("the reset gave the stream back").isEqualTo("after");
        assertThat(stub.resets.get()).isEqualTo(1);
        assertThat(connection.isOpen()).isTrue();
    }

    @Test
    void aRequestThatTimedOutWaitingGivesItsPlaceBack() throws Exception {
        Stub stub = stub(1);
        H2cConnection connection = client(Duration.ofMillis(500)).connect("127.0.0.1", stub.port(), 1);
        CompletableFuture<H2cResponse> open = send(connection, "/never", null);
        CompletableFuture<H2cResponse> waiting = send(connection, "/never", null);
        assertThatThrownBy(() -> open.get(10, TimeUnit.SECONDS)).hasRootCauseInstanceOf(TimeoutException.class);
        assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS)).hasRootCauseInstanceOf(TimeoutException.class);

        H2cResponse answer = send(connection, "/echo", "again").get(10, TimeUnit.SECONDS);
        assertThat(new String(answer.body(), StandardCharsets.UTF_8)).isEqualTo("again");
    }

    @Test
    void aLostConnectionFailsWhatIsOpenAndTakesNoMore() throws Exception {
        Stub stub = stub(16);
        H2cConnection connection = client(TIMEOUT).connect("127.0.0.1", stub.port(), 10);
        CompletableFuture<H2cResponse> open = send(connection, "/never", null);
        CompletableFuture<H2cResponse> closing = send(connection, "/close", null);

        assertThatThrownBy(() -> closing.get(10, TimeUnit.SECONDS)).hasRootCauseInstanceOf(IOException.class);
        assertThatThrownBy(() -> open.get(10, TimeUnit.SECONDS)).hasRootCauseInstanceOf(IOException.class);
        assertThat(connection.isOpen()).isFalse();
        assertThat(connection.closedBecause()).isNotNull();
        assertThatThrownBy(() -> send(connection, "/echo", "late").get(10, TimeUnit.SECONDS))
                .hasMessageContaining("not sent");
    }

    @Test
    void aServerWithoutH2cIsRefusedAndNoServerIsUnreachable() throws Exception {
        try (ServerSocket http1 = new ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = http1.accept(); OutputStream out = s.getOutputStream()) {
                    out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                } catch (IOException ignored) {
                    // the test fails on the client side if this did not happen
                }
            });
            assertThatThrownBy(() -> client(TIMEOUT).connect("127.0.0.1", http1.getLocalPort(), 1))
                    .isInstanceOf(H2cClient.NotHttp2.class).hasMessageContaining("h2c by prior knowledge");
        }
        int free;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            free = s.getLocalPort();
        }
        assertThatThrownBy(() -> client(TIMEOUT).connect("127.0.0.1", free, 1)).isInstanceOf(ConnectException.class);
    }

    private H2cClient client(Duration requestTimeout) {
        H2cClient client = new H2cClient(1, requestTimeout, Duration.ofSeconds(5));
        toClose.add(client);
        return client;
    }

    private static CompletableFuture<H2cResponse> send(H2cConnection connection, String path, String body) {
        CompletableFuture<H2cResponse> answer = new CompletableFuture<>();
        connection.send("POST", path, body == null ? null : "text/plain", body, (response, failure) -> {
            if (failure != null) {
                answer.completeExceptionally(failure);
            } else {
                answer.complete(response);
            }
        });
        return answer;
    }

    private Stub stub(int maxStreams) throws InterruptedException {
        Stub stub = new Stub(maxStreams);
        toClose.add(stub);
        return stub;
    }

    /**
     * An h2c server by prior knowledge allowing {@code maxStreams} streams per connection:
     * {@code /echo} answers 200 with the request's body (and a Location naming its length),
     * {@code /never} never answers, {@code /close} closes the connection.
     */
    private static final class Stub implements AutoCloseable {
        final AtomicInteger mostStreamsOpen = new AtomicInteger();
        final AtomicInteger resets = new AtomicInteger();
        private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        private final Channel listener;

        Stub(int maxStreams) throws InterruptedException {
            listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(Http2FrameCodecBuilder.forServer()
                                    .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(maxStreams))
                                    .build(), new Answers());
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        }

        int port() {
            return ((InetSocketAddress) listener.localAddress()).getPort();
        }

        @Override
        public void close() {
            listener.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }

        /** One per connection, on its event loop. */
        private final class Answers extends ChannelInboundHandlerAdapter {
            private final Map<Http2FrameStream, String> paths = new HashMap<>();
            private final Map<Http2FrameStream, ByteBuf> bodies = new HashMap<>();

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof Http2HeadersFrame h) {
                    paths.put(h.stream(), h.headers().path().toString());
                    bodies.put(h.stream(), Unpooled.buffer());
                    mostStreamsOpen.accumulateAndGet(paths.size(), Math::max);
                    if (h.isEndStream()) {
                        answer(ctx, h.stream());
                    }
                } else if (msg instanceof Http2DataFrame d) {
                    bodies.get(d.stream()).writeBytes(d.content());
                    d.release();
                    if (d.isEndStream()) {
                        answer(ctx, d.stream());
                    }
                } else if (msg instanceof Http2ResetFrame r) {
                    resets.incrementAndGet();
                    paths.remove(r.stream());
                    bodies.remove(r.stream()).release();
                }
            }

            private void answer(ChannelHandlerContext ctx, Http2FrameStream stream) {
                switch (paths.get(stream)) {
                    case "/never" -> { }
                    case "/close" -> ctx.close();
                    default -> {
                        paths.remove(stream);
                        ByteBuf body = bodies.remove(stream);
                        ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
                                .set("location", "/echo/" + body.readableBytes())).stream(stream));
                        ctx.writeAndFlush(new DefaultHttp2DataFrame(body, true).stream(stream));
                    }
                }
            }
        }
    }
}
