package io.credence.diameter.transport;

import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterCodec;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.peer.CapabilitiesExchange;
import io.credence.diameter.peer.LocalIdentity;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.timeout.IdleStateHandler;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The responder side of a connection: waits for CER (nothing else is accepted before it), then
 * serves DWR/DPR itself and hands credit-control requests to the application, at most
 * {@code inFlightMax} at once (past it: 3004 TOO_BUSY, so a flooding peer is told, not queued).
 */
final class ServerConnection extends Connection {
    private static final System.Logger LOG = System.getLogger(ServerConnection.class.getName());

    private final CapabilitiesExchange capabilities;
    private final PeerTable peers;
    private final ApplicationHandler application;
    private final int inFlightMax;
    private final Duration watchdogInterval;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Runnable onIdentified;
    private final RateLimitedLog refusals;

    /**
     * @param onIdentified called once the capabilities exchange succeeded (the connection holds a
     *                     configured peer from then on)
     * @param refusals     where refused CERs and requests refused here are logged
     */
    ServerConnection(DiameterCodec codec, LocalIdentity local, CapabilitiesExchange capabilities, PeerTable peers,
                     ApplicationHandler application, TransportConfig config, Runnable onIdentified,
                     RateLimitedLog refusals) {
        super(codec, local, config.requestTimeout());
        this.capabilities = capabilities;
        this.peers = peers;
        this.application = application;
        this.inFlightMax = config.inFlightPerPeerMax();
        this.watchdogInterval = config.watchdogInterval();
        this.onIdentified = onIdentified;
        this.refusals = refusals;
    }

    @Override
    protected void request(DiameterMessage request) {
        if (!open) {
            if (request.commandCode() != Codes.CAPABILITIES_EXCHANGE || request.applicationId() != Codes.APP_COMMON) {
                refusals.log(System.Logger.Level.INFO, "closing " + channel.remoteAddress() + ": command "
                        + request.commandCode() + " before capabilities exchange");
                channel.close();
                return;
            }
            exchangeCapabilities(request);
            return;
        }
        if (request.commandCode() == Codes.CAPABILITIES_EXCHANGE) {
            write(errorAnswer(request, Codes.DIAMETER_UNABLE_TO_COMPLY, "capabilities were already exchanged"));
            return;
        }
        if (request.applicationId() != Codes.APP_CREDIT_CONTROL) {
            long code = request.applicationId() == Codes.APP_COMMON
                    ? Codes.DIAMETER_COMMAND_UNSUPPORTED : Codes.DIAMETER_APPLICATION_UNSUPPORTED;
            write(errorAnswer(request, code, "application " + request.applicationId() + " command "
                    + request.commandCode() + " is not served here"));
            return;
        }
        if (inFlight.incrementAndGet() > inFlightMax) {
            inFlight.decrementAndGet();
            write(errorAnswer(request, Codes.DIAMETER_TOO_BUSY, "more than " + inFlightMax + " requests in flight"));
            return;
        }
        CompletionStage<DiameterMessage> answering;
        try {
            answering = application.handle(request, this);
        } catch (RuntimeException bug) {
            answering = CompletableFuture.failedFuture(bug);
        }
        answering.whenComplete((answer, failure) -> {
            inFlight.decrementAndGet();
            if (failure != null) {
                LOG.log(System.Logger.Level.ERROR, "application failed on command " + request.commandCode(), failure);
                write(errorAnswer(request, Codes.DIAMETER_UNABLE_TO_COMPLY, "internal error"));
            } else {
                write(answer);
            }
        });
    }

    @Override
    public void channelReadComplete(io.netty.channel.ChannelHandlerContext ctx) {
        if (open) {
            application.readComplete(this);
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void execute(Runnable task) {
        io.netty.channel.Channel ch = channel;
        if (ch == null) {
            task.run();
        } else if (ch.eventLoop().inEventLoop()) {
            task.run();
        } else {
            ch.eventLoop().execute(task);
        }
    }

    private void exchangeCapabilities(DiameterMessage cer) {
        switch (capabilities.answer(cer)) {
            case CapabilitiesExchange.Decision.Accepted accepted -> {
                peerHost = accepted.peerHost();
                peerRealm = accepted.peerRealm();
                open = true;
                onIdentified.run();
                // past the exchange the connection has a watchdog: Tw of silence sends a DWR
                channel.pipeline().addBefore("frames", "watchdog", new IdleStateHandler(
                        watchdogInterval.toMillis(), 0, 0, TimeUnit.MILLISECONDS));
                peers.opened(this);
                write(accepted.answer());
                LOG.log(System.Logger.Level.INFO, "peer {0} ({1}) connected from {2}", peerHost, peerRealm,
                        channel.remoteAddress());
                for (String warning : accepted.warnings()) {
                    LOG.log(System.Logger.Level.WARNING, "peer {0}: {1}", peerHost, warning);
                }
            }
            case CapabilitiesExchange.Decision.Refused refused -> {
                refusals.log(System.Logger.Level.WARNING, "refused CER from " + channel.remoteAddress() + " (Origin-Host "
                        + refused.peerHost() + "): " + refused.resultCode() + " " + refused.reason()
                        + (refused.failedAvp() == null ? "" : "; Failed-AVP " + refused.failedAvp()));
                channel.writeAndFlush(Unpooled.wrappedBuffer(codec.encode(refused.answer())))
                        .addListener(ChannelFutureListener.CLOSE);
            }
        }
    }

    private DiameterMessage errorAnswer(DiameterMessage request, long resultCode, String reason) {
        refusals.log(System.Logger.Level.INFO, "refused command " + request.commandCode() + " (application "
                + request.applicationId() + ") from " + peerHost + ": " + resultCode + " " + reason);
        DiameterMessage answer = request.answer(java.util.List.of(result(resultCode), originHost(local),
                originRealm(local), io.credence.diameter.codec.Avps.utf8(Codes.ERROR_MESSAGE, 0, false, reason)));
        return Codes.isProtocolError(resultCode)
                ? answer.withErrorBit()
                : answer;
    }

    @Override
    protected void closed() {
        peers.closed(this);
        if (!peerHost.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "peer {0} disconnected", peerHost);
        }
    }
}
