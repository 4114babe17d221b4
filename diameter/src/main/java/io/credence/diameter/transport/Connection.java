package io.credence.diameter.transport;

import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Avps;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DecodeResult;
import io.credence.diameter.codec.DiameterCodec;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.peer.LocalIdentity;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What both ends of a Diameter connection do alike (RFC 6733 section 5, RFC 3539): frames to
 * messages, requests we sent matched to their answers by hop-by-hop identifier, the watchdog
 * (DWR after Tw of silence, close after a second Tw without an answer), DWR/DWA and DPR/DPA.
 * Subclasses decide what to do with capabilities exchange and application requests.
 *
 * <p>All state is touched on the channel's event loop only; {@link #send} may be called from any
 * thread and hops onto it.
 */
abstract class Connection extends ChannelInboundHandlerAdapter implements Peer {
    private static final System.Logger LOG = System.getLogger(Connection.class.getName());

    /** RFC 6733 8.16: changes every time this process starts, so peers can tell a restart. */
    static final long ORIGIN_STATE_ID = (System.currentTimeMillis() / 1000) & 0xFFFF_FFFFL;

    protected final DiameterCodec codec;
    protected final LocalIdentity local;
    private final Duration requestTimeout;
    private final Map<Long, CompletableFuture<DiameterMessage>> awaiting = new HashMap<>();
    private int nextHopByHop = ThreadLocalRandom.current().nextInt();
    private volatile boolean watchdogOutstanding;
    // what an operator's view of the peer shows (PeerStatus); written on the event loop, read anywhere
    private final long connectedAtMillis = System.currentTimeMillis();
    private volatile long lastReceivedMillis = connectedAtMillis;
    private final java.util.concurrent.atomic.AtomicLong requestsReceived = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong answersSent = new java.util.concurrent.atomic.AtomicLong();
    protected volatile Channel channel;
    protected volatile boolean open;
    protected volatile String peerHost = "";
    protected volatile String peerRealm = "";

    Connection(DiameterCodec codec, LocalIdentity local, Duration requestTimeout) {
        this.codec = codec;
        this.local = local;
        this.requestTimeout = requestTimeout;
    }

    @Override
    public String originHost() {
        return peerHost;
    }

    @Override
    public String originRealm() {
        return peerRealm;
    }

    @Override
    public boolean isOpen() {
        return open && channel != null && channel.isActive();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        channel = ctx.channel();
        super.channelActive(ctx);
    }

    @Override
    public final void channelRead(ChannelHandlerContext ctx, Object msg) {
        switch (msg) {
            case FrameDecoder.FrameError error -> frameError(error);
            case byte[] frame -> {
                watchdogOutstanding = false; // any traffic proves the peer alive (RFC 3539 3.4.1)
                lastReceivedMillis = System.currentTimeMillis();
                switch (codec.decode(frame)) {
                    case DecodeResult.Decoded decoded -> dispatch(decoded.message());
                    case DecodeResult.Malformed bad -> malformed(bad);
                }
            }
            default -> throw new IllegalStateException("unexpected inbound " + msg.getClass());
        }
    }

    private void dispatch(DiameterMessage message) {
        if (!message.isRequest()) {
            CompletableFuture<DiameterMessage> waiting = awaiting.remove(message.hopByHop());
            if (waiting != null) {
                waiting.complete(message);
            } else {
                unmatchedAnswer(message);
            }
            return;
        }
        if (open && message.applicationId() == Codes.APP_COMMON) {
            switch (message.commandCode()) {
                case Codes.DEVICE_WATCHDOG -> {
                    write(message.answer(List.of(result(Codes.DIAMETER_SUCCESS), originHost(local), originRealm(local),
                            Avps.unsigned32(Codes.ORIGIN_STATE_ID, 0, true, ORIGIN_STATE_ID))));
                    return;
                }
                case Codes.DISCONNECT_PEER -> {
                    open = false;
                    byte[] dpa = codec.encode(message.answer(List.of(result(Codes.DIAMETER_SUCCESS),
                            originHost(local), originRealm(local))));
                    // the sender of DPR closes the transport; closing too after a grace keeps us bounded
                    channel.writeAndFlush(Unpooled.wrappedBuffer(dpa));
                    channel.eventLoop().schedule(() -> channel.close(), 2, TimeUnit.SECONDS);
                    return;
                }
                default -> { /* capabilities exchange and the rest: the role decides */ }
            }
        }
        if (message.applicationId() != Codes.APP_COMMON) {
            requestsReceived.incrementAndGet();
        }
        request(message);
    }

    /** What an operator sees of this connection. */
    @Override
    public PeerStatus status() {
        Channel ch = channel;
        return new PeerStatus(peerHost, peerRealm, ch == null || ch.remoteAddress() == null ? ""
                : ch.remoteAddress().toString(), isOpen(), connectedAtMillis, lastReceivedMillis,
                watchdogOutstanding ? "SUSPECT" : "OKAY", requestsReceived.get(), answersSent.get(),
                Math.max(0, requestsReceived.get() - answersSent.get()));
    }

    /** An answer to nothing we are waiting for (late, or the CEA to a CER written raw). */
    protected void unmatchedAnswer(DiameterMessage answer) {
        LOG.log(System.Logger.Level.DEBUG, "answer with unknown hop-by-hop {0} from {1} dropped",
                answer.hopByHop(), peerHost);
    }

    /** A request that is not DWR or DPR on an open connection, or anything before the exchange. */
    protected abstract void request(DiameterMessage request);

    /**
     * A frame that decoded badly but could be cut out of the stream: a request is answered with
     * the codec's Result-Code and Failed-AVP, an answer is dropped; the connection goes on.
     */
    private void malformed(DecodeResult.Malformed bad) {
        boolean request = (bad.flags() & DiameterMessage.FLAG_REQUEST) != 0;
        if (!open || !bad.headerReadable() || !request) {
            LOG.log(System.Logger.Level.DEBUG, "malformed frame from {0}: {1}", peerHost, bad.reason());
            if (!open) {
                channel.close();
            }
            return;
        }
        writeError(bad.commandCode(), bad.applicationId(), bad.hopByHop(), bad.endToEnd(), bad.flags(),
                bad.resultCode(), bad.reason(), bad.failedAvp(), false);
    }

    private void frameError(FrameDecoder.FrameError error) {
        byte[] h = error.header();
        boolean request = (h[4] & DiameterMessage.FLAG_REQUEST) != 0;
        LOG.log(System.Logger.Level.INFO, "closing connection from {0}: {1}", peerHost, error.reason());
        if (request && open) {
            long resultCode = (h[0] & 0xFF) != DiameterMessage.VERSION
                    ? DiameterCodec.DIAMETER_UNSUPPORTED_VERSION : DiameterCodec.DIAMETER_INVALID_MESSAGE_LENGTH;
            writeError(u24(h, 5), u32(h, 8), u32(h, 12), u32(h, 16), h[4] & 0xFF, resultCode, error.reason(), null,
                    true);
        } else {
            channel.close();
        }
    }

    /** An error answer addressed from header fields only (the body could not be trusted). */
    protected final void writeError(int commandCode, long applicationId, long hopByHop, long endToEnd, int flags,
                                    long resultCode, String reason, Avp failed, boolean thenClose) {
        List<Avp> avps = new ArrayList<>();
        avps.add(result(resultCode));
        avps.add(originHost(local));
        avps.add(originRealm(local));
        avps.add(Avps.utf8(Codes.ERROR_MESSAGE, 0, false, truncate(reason)));
        if (failed != null) {
            avps.add(Avps.grouped(Codes.FAILED_AVP, 0, true, List.of(failed)));
        }
        int answerFlags = (flags & DiameterMessage.FLAG_PROXIABLE)
                | (Codes.isProtocolError(resultCode) ? DiameterMessage.FLAG_ERROR : 0);
        DiameterMessage answer = new DiameterMessage(answerFlags, commandCode, applicationId, hopByHop, endToEnd, avps);
        byte[] bytes;
        try {
            bytes = codec.encode(answer);
        } catch (IllegalArgumentException tooLarge) {
            // the failed AVP was too large to echo: answer without it
            answer = new DiameterMessage(answerFlags, commandCode, applicationId, hopByHop, endToEnd,
                    avps.subList(0, 4));
            bytes = codec.encode(answer);
        }
        var written = channel.writeAndFlush(Unpooled.wrappedBuffer(bytes));
        if (thenClose) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static String truncate(String reason) {
        return reason.length() > 200 ? reason.substring(0, 200) : reason;
    }

    /** Writes a message from any thread. */
    protected final void write(DiameterMessage message) {
        Channel ch = channel;
        if (ch == null) {
            return;
        }
        if (!message.isRequest() && message.applicationId() != Codes.APP_COMMON) {
            answersSent.incrementAndGet();
        }
        byte[] bytes;
        try {
            bytes = codec.encode(message);
        } catch (IllegalArgumentException tooLarge) {
            bytes = message.isRequest() ? null : encodeWithoutFailedAvp(message);
            if (bytes == null) {
                LOG.log(System.Logger.Level.WARNING, "answer to {0} not sent: {1}", peerHost, tooLarge.getMessage());
                if (message.isRequest()) {
                    throw tooLarge;
                }
                ch.eventLoop().execute(() -> writeError(message.commandCode(), message.applicationId(),
                        message.hopByHop(), message.endToEnd(), message.flags(), Codes.DIAMETER_UNABLE_TO_COMPLY,
                        "answer too large", null, false));
                return;
            }
        }
        ch.writeAndFlush(Unpooled.wrappedBuffer(bytes), ch.voidPromise());
    }

    /**
     * An answer whose Failed-AVP echoes an AVP too large to send back (a request near the message
     * bound, refused for one big AVP): without it the Result-Code still reaches the peer, as in
     * {@link #writeError}. Null when the answer is too large even so.
     */
    private byte[] encodeWithoutFailedAvp(DiameterMessage answer) {
        List<Avp> kept = new ArrayList<>();
        for (Avp avp : answer.avps()) {
            if (avp.code() != Codes.FAILED_AVP || avp.vendorId() != 0) {
                kept.add(avp);
            }
        }
        if (kept.size() == answer.avps().size()) {
            return null;
        }
        try {
            return codec.encode(new DiameterMessage(answer.flags(), answer.commandCode(), answer.applicationId(),
                    answer.hopByHop(), answer.endToEnd(), kept));
        } catch (IllegalArgumentException stillTooLarge) {
            return null;
        }
    }

    @Override
    public CompletableFuture<DiameterMessage> send(DiameterMessage request) {
        CompletableFuture<DiameterMessage> answer = new CompletableFuture<>();
        Channel ch = channel;
        if (ch == null || !ch.isActive()) {
            answer.completeExceptionally(new IOException("connection to " + peerHost + " is closed"));
            return answer;
        }
        ch.eventLoop().execute(() -> sendOnLoop(request, answer));
        return answer;
    }

    private void sendOnLoop(DiameterMessage request, CompletableFuture<DiameterMessage> answer) {
        if (!channel.isActive()) {
            answer.completeExceptionally(new IOException("connection to " + peerHost + " is closed"));
            return;
        }
        long hopByHop = (nextHopByHop++) & 0xFFFF_FFFFL;
        DiameterMessage addressed = new DiameterMessage(request.flags(), request.commandCode(), request.applicationId(),
                hopByHop, request.endToEnd(), request.avps());
        byte[] bytes;
        try {
            bytes = codec.encode(addressed);
        } catch (IllegalArgumentException tooLarge) {
            answer.completeExceptionally(tooLarge);
            return;
        }
        awaiting.put(hopByHop, answer);
        var timeout = channel.eventLoop().schedule(() -> {
            if (awaiting.remove(hopByHop) != null) {
                answer.completeExceptionally(new TimeoutException("no answer from " + peerHost + " in " + requestTimeout));
            }
        }, requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        answer.whenComplete((a, e) -> timeout.cancel(false));
        channel.writeAndFlush(Unpooled.wrappedBuffer(bytes), channel.voidPromise());
    }

    /** Raw bytes, for tests that feed a peer what no encoder would produce. */
    void writeRaw(byte[] bytes) {
        channel.writeAndFlush(Unpooled.wrappedBuffer(bytes), channel.voidPromise());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            if (!open) {
                LOG.log(System.Logger.Level.INFO, "closing connection from {0}: no capabilities exchange in time",
                        ctx.channel().remoteAddress());
                ctx.close();
            } else if (watchdogOutstanding) {
                LOG.log(System.Logger.Level.WARNING, "closing connection to {0}: no answer to the watchdog", peerHost);
                ctx.close();
            } else {
                watchdogOutstanding = true;
                send(new DiameterMessage(DiameterMessage.FLAG_REQUEST, Codes.DEVICE_WATCHDOG, Codes.APP_COMMON, 0,
                        ThreadLocalRandom.current().nextInt() & 0xFFFF_FFFFL,
                        List.of(originHost(local), originRealm(local),
                                Avps.unsigned32(Codes.ORIGIN_STATE_ID, 0, true, ORIGIN_STATE_ID))));
            }
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        open = false;
        IOException closed = new IOException("connection to " + peerHost + " closed");
        for (CompletableFuture<DiameterMessage> waiting : awaiting.values()) {
            waiting.completeExceptionally(closed);
        }
        awaiting.clear();
        closed();
        super.channelInactive(ctx);
    }

    /** Called once when the transport is gone. */
    protected void closed() {}

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(System.Logger.Level.DEBUG, "connection " + peerHost + " failed", cause);
        ctx.close();
    }

    /** Sends DPR and closes when the DPA arrives (or the request timer runs out). */
    public CompletableFuture<Void> disconnect(int cause) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Channel ch = channel;
        if (ch == null || !ch.isActive()) {
            done.complete(null);
            return done;
        }
        send(new DiameterMessage(DiameterMessage.FLAG_REQUEST, Codes.DISCONNECT_PEER, Codes.APP_COMMON, 0,
                ThreadLocalRandom.current().nextInt() & 0xFFFF_FFFFL, List.of(originHost(local), originRealm(local),
                Avps.unsigned32(Codes.DISCONNECT_CAUSE, 0, true, cause))))
                .whenComplete((dpa, e) -> {
                    open = false;
                    ch.close().addListener(f -> done.complete(null));
                });
        return done;
    }

    static Avp result(long code) {
        return Avps.unsigned32(Codes.RESULT_CODE, 0, true, code);
    }

    static Avp originHost(LocalIdentity local) {
        return Avps.utf8(Codes.ORIGIN_HOST, 0, true, local.originHost());
    }

    static Avp originRealm(LocalIdentity local) {
        return Avps.utf8(Codes.ORIGIN_REALM, 0, true, local.originRealm());
    }

    private static int u24(byte[] b, int at) {
        return ((b[at] & 0xFF) << 16) | ((b[at + 1] & 0xFF) << 8) | (b[at + 2] & 0xFF);
    }

    private static long u32(byte[] b, int at) {
        return ((long) u24(b, at) << 8) | (b[at + 3] & 0xFF);
    }
}
