package io.credence.diameter.transport;

import io.credence.diameter.codec.DiameterCodec;
import io.credence.diameter.peer.CapabilitiesExchange;
import io.credence.diameter.peer.LocalIdentity;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;

import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The Diameter listener: TCP (optionally TLS) on 3868 by default, one {@link ServerConnection}
 * per accepted socket; who gets one of the {@code connectionsMax} slots is the {@link ConnectionGate}'s call.
 */
public final class DiameterServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DiameterServer.class.getName());
    /** Refused connections and CERs logged per second at most; the rest are counted in the next line. */
    static final int REFUSAL_LINES_PER_SECOND = 10;

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel listener;
    private final PeerTable peers;

    private DiameterServer(EventLoopGroup boss, EventLoopGroup workers, Channel listener, PeerTable peers) {
        this.boss = boss;
        this.workers = workers;
        this.listener = listener;
        this.peers = peers;
    }

    public static DiameterServer start(TransportConfig config, LocalIdentity local, Set<String> allowedPeers,
                                       ApplicationHandler application) throws InterruptedException {
        DiameterCodec codec = new DiameterCodec(config.messageBytesMax());
        CapabilitiesExchange capabilities = new CapabilitiesExchange(local, allowedPeers);
        PeerTable peers = new PeerTable();
        SslContext tls = config.tls() == null ? null : config.tls().serverContext();
        ConnectionGate gate = new ConnectionGate(config.connectionsMax(), config.connectionsPerAddressMax(),
                config.allowedSources());
        RateLimitedLog refusals = new RateLimitedLog(LOG, REFUSAL_LINES_PER_SECOND);
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
        try {
            Channel listener = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 128)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (!admitted(ch, gate, refusals)) {
                                return;
                            }
                            ch.closeFuture().addListener(f -> gate.closed(ch));
                            // absolute from accept: a peer trickling a byte at a time does not extend it
                            ch.eventLoop().schedule(() -> {
                                if (gate.isUnidentified(ch)) {
                                    refusals.log(System.Logger.Level.INFO, "closing connection from " + ch.remoteAddress()
                                            + ": no capabilities exchange within " + config.capabilitiesTimeout());
                                    ch.close();
                                }
                            }, config.capabilitiesTimeout().toMillis(), TimeUnit.MILLISECONDS);
                            if (tls != null) {
                                ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
                            }
                            ch.pipeline().addLast("flush", new FlushConsolidationHandler(256, true));
                            ch.pipeline().addLast("frames", new FrameDecoder(codec));
                            ch.pipeline().addLast("peer", new ServerConnection(codec, local, capabilities, peers,
                                    application, config, () -> gate.identified(ch), refusals));
                        }
                    })
                    .bind(new InetSocketAddress(config.host(), config.port())).sync().channel();
            return new DiameterServer(boss, workers, listener, peers);
        } catch (InterruptedException | RuntimeException e) {
            boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    /** Whether the gate lets a new connection in; a refused one is closed before anything is read. */
    private static boolean admitted(SocketChannel ch, ConnectionGate gate, RateLimitedLog refusals) {
        switch (gate.admit(ch, ch.remoteAddress().getAddress())) {
            case ConnectionGate.Verdict.Refused refused -> {
                refusals.log(System.Logger.Level.WARNING, "refusing connection from " + ch.remoteAddress() + ": "
                        + refused.reason());
                ch.close();
                return false;
            }
            case ConnectionGate.Verdict.Admitted admitted -> {
                if (admitted.evicted() != null) {
                    refusals.log(System.Logger.Level.WARNING, "closing connection from "
                            + admitted.evicted().remoteAddress() + " (no capabilities exchange yet) to make room for "
                            + ch.remoteAddress() + ": every connection slot is taken");
                    admitted.evicted().close();
                }
                return true;
            }
        }
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    public PeerTable peers() {
        return peers;
    }

    /** Stops accepting, tells every peer we are going away (DPR), then closes. */
    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        for (String host : peers.hosts()) {
            peers.find(host).ifPresent(peer -> ((Connection) peer)
                    .disconnect(io.credence.diameter.codec.Codes.REBOOTING)
                    .orTimeout(2, TimeUnit.SECONDS).exceptionally(e -> null).join());
        }
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
