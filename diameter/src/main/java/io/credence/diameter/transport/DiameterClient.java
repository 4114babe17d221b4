package io.credence.diameter.transport;

import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Avps;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterCodec;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.peer.LocalIdentity;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.handler.timeout.IdleStateHandler;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The initiator side: connects, sends CER, and once the CEA says 2001 carries requests and their
 * answers. Used by the load generator, the tests and anything else that acts as a network element.
 * Requests from the server (RAR, ASR) go to {@code serverRequests}, whose answer is sent back.
 */
public final class DiameterClient extends Connection implements AutoCloseable {
    private final CompletableFuture<DiameterMessage> capabilitiesAnswer = new CompletableFuture<>();
    private final Function<DiameterMessage, DiameterMessage> serverRequests;
    private EventLoopGroup group;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private DiameterClient(DiameterCodec codec, LocalIdentity local, Duration requestTimeout,
                           Function<DiameterMessage, DiameterMessage> serverRequests) {
        super(codec, local, requestTimeout);
        this.serverRequests = serverRequests;
    }

    /** Options of a client connection. */
    public record Options(int messageBytesMax, Duration requestTimeout, Duration watchdogInterval, boolean tls,
                          List<Avp> extraCapabilities) {
        public static Options defaults() {
            return new Options(65_536, Duration.ofSeconds(10), Duration.ofSeconds(30), false, List.of());
        }

        public Options withTls(boolean tls) {
            return new Options(messageBytesMax, requestTimeout, watchdogInterval, tls, extraCapabilities);
        }

        public Options withRequestTimeout(Duration timeout) {
            return new Options(messageBytesMax, timeout, watchdogInterval, tls, extraCapabilities);
        }
    }

    /**
     * Connects and exchanges capabilities. The future completes with the client once the CEA is
     * 2001; it fails with {@link CapabilitiesRefused} carrying the CEA otherwise.
     */
    public static DiameterClient connect(String host, int port, LocalIdentity local, Options options,
                                         Function<DiameterMessage, DiameterMessage> serverRequests)
            throws IOException, InterruptedException {
        DiameterCodec codec = new DiameterCodec(options.messageBytesMax());
        DiameterClient client = new DiameterClient(codec, local, options.requestTimeout(), serverRequests);
        SslContext tls = options.tls()
                ? SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build()
                : null;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        client.group = group;
        try {
            Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (tls != null) {
                                ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), host, port));
                            }
                            ch.pipeline().addLast("flush", new FlushConsolidationHandler(256, true));
                            ch.pipeline().addLast("idle", new IdleStateHandler(
                                    options.watchdogInterval().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
                            ch.pipeline().addLast("frames", new FrameDecoder(codec));
                            ch.pipeline().addLast("peer", client);
                        }
                    })
                    .connect(new InetSocketAddress(host, port)).sync().channel();
            client.channel = ch;
            client.writeCer(options.extraCapabilities());
            DiameterMessage cea = client.capabilitiesAnswer.get(options.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
            long result = cea.find(Codes.RESULT_CODE, 0).map(Avp::unsigned32).orElse(0L);
            if (result != Codes.DIAMETER_SUCCESS) {
                client.close();
                throw new CapabilitiesRefused(result, cea);
            }
            return client;
        } catch (IOException | InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new IOException("no CEA from " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /** The server refused the capabilities exchange; {@code answer} is its CEA. */
    public static final class CapabilitiesRefused extends IOException {
        private final long resultCode;
        private final transient DiameterMessage answer;

        CapabilitiesRefused(long resultCode, DiameterMessage answer) {
            super("capabilities exchange refused with Result-Code " + resultCode);
            this.resultCode = resultCode;
            this.answer = answer;
        }

        public long resultCode() {
            return resultCode;
        }

        public DiameterMessage answer() {
            return answer;
        }
    }

    private void writeCer(List<Avp> extra) {
        List<Avp> avps = new ArrayList<>();
        avps.add(originHost(local));
        avps.add(originRealm(local));
        for (byte[] ip : local.hostIpAddresses()) {
            avps.add(Avps.address(Codes.HOST_IP_ADDRESS, 0, true, ip));
        }
        avps.add(Avps.unsigned32(Codes.VENDOR_ID, 0, true, local.vendorId()));
        avps.add(Avps.utf8(Codes.PRODUCT_NAME, 0, false, local.productName()));
        avps.add(Avps.unsigned32(Codes.AUTH_APPLICATION_ID, 0, true, Codes.APP_CREDIT_CONTROL));
        avps.add(Avps.unsigned32(Codes.FIRMWARE_REVISION, 0, false, local.firmwareRevision()));
        avps.addAll(extra);
        DiameterMessage cer = new DiameterMessage(DiameterMessage.FLAG_REQUEST, Codes.CAPABILITIES_EXCHANGE,
                Codes.APP_COMMON, ThreadLocalRandom.current().nextInt() & 0xFFFF_FFFFL,
                ThreadLocalRandom.current().nextInt() & 0xFFFF_FFFFL, avps);
        writeRaw(codec.encode(cer));
    }

    @Override
    protected void request(DiameterMessage request) {
        if (!open) {
            channel.close();
            return;
        }
        DiameterMessage answer = serverRequests.apply(request);
        if (answer != null) {
            write(answer);
        }
    }

    @Override
    protected void unmatchedAnswer(DiameterMessage answer) {
        if (!open && answer.commandCode() == Codes.CAPABILITIES_EXCHANGE && !capabilitiesAnswer.isDone()) {
            boolean accepted = answer.find(Codes.RESULT_CODE, 0).map(Avp::unsigned32).orElse(0L)
                    == Codes.DIAMETER_SUCCESS;
            if (accepted) {
                peerHost = answer.find(Codes.ORIGIN_HOST, 0).map(Avp::utf8).orElse("");
                peerRealm = answer.find(Codes.ORIGIN_REALM, 0).map(Avp::utf8).orElse("");
                open = true;
            }
            capabilitiesAnswer.complete(answer);
            return;
        }
        super.unmatchedAnswer(answer);
    }

    /** Sends bytes as they are: for tests of malformed input. */
    public void sendRaw(byte[] frame) {
        channel.eventLoop().execute(() -> writeRaw(frame));
    }

    public boolean isConnected() {
        return channel != null && channel.isActive();
    }

    /** Completes when the transport is closed (by either side). */
    public CompletableFuture<Void> closeFuture() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        channel.closeFuture().addListener(x -> f.complete(null));
        return f;
    }

    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        try {
            if (isConnected() && open) {
                disconnect(Codes.REBOOTING).orTimeout(2, TimeUnit.SECONDS).exceptionally(e -> null).join();
            } else if (channel != null) {
                channel.close().syncUninterruptibly();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
