package io.credence.diameter.cc;

import io.credence.charging.ChargingEngine;
import io.credence.charging.ChargingRequest;
import io.credence.charging.EngineCommand;
import io.credence.charging.EngineOutcome;
import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Avps;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.peer.LocalIdentity;
import io.credence.diameter.transport.ApplicationHandler;
import io.credence.diameter.transport.Peer;
import io.credence.diameter.transport.RateLimitedLog;
import io.credence.journal.EngineGate;
import io.credence.journal.Submission;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * Diameter credit control (RFC 4006, TS 32.299 Gy/Ro) as an adapter of the charging engine: a
 * CCR is read and checked on the connection's event loop ({@link CcRequest}), translated to the
 * engine's {@link ChargingRequest} ({@link CcrTranslation}) and applied by the engine as one
 * command; the outcome becomes the CCA ({@link CcaComposer}). Sessions, grants, rating,
 * admission, retransmissions and usage records are the engine's: nothing of a session lives here.
 *
 * <p>No thread per request: the requests one read of a connection brought are handed to the
 * engine together when the read completes, and their answers come back together to the
 * connection's event loop, once the batch is on disk.
 *
 * <p>A CCR refused before it reached the engine (a malformed or incomplete request) changed
 * nothing. A client sends CCR-T after a refused CCR-I all the same (Kamailio does, for every
 * refused call); that CCR-T is answered 2001 with nothing charged, from a bounded table of such
 * sessions kept here (a restart forgets it, and the CCR-T then gets 5002).
 */
public final class CreditControlServer implements ApplicationHandler, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(CreditControlServer.class.getName());
    /** Refused requests logged per second at most; a flood is summarised in the next line. */
    private static final int REFUSAL_LINES_PER_SECOND = 20;
    /** Sessions whose CCR-I was refused unread, kept for their CCR-T. */
    static final int REFUSED_STARTS_MAX = 16_384;

    private final EngineGate engine;
    private final CreditControlConfig config;
    private final LocalIdentity local;
    private final Function<String, Optional<Peer>> peers;
    private final CcaComposer answers;
    private final RefusedStarts refusedStarts = new RefusedStarts(REFUSED_STARTS_MAX);
    private final RateLimitedLog refusals = new RateLimitedLog(LOG, REFUSAL_LINES_PER_SECOND);
    /** Requests of the read in progress on this event loop, handed over when the read completes. */
    private final ThreadLocal<Pending> pending = ThreadLocal.withInitial(Pending::new);

    /** One CCR on its way: what was read of it, the engine's form, and where its answer goes. */
    private record Item(CcRequest ccr, CompletableFuture<DiameterMessage> answer, Peer peer) {}

    private static final class Pending {
        Peer peer;
        final List<Item> items = new ArrayList<>();
        final List<EngineCommand> commands = new ArrayList<>();
    }

    /**
     * @param engine the durable charging engine (sessions, catalog and configuration are its)
     * @param config how answers are written: units, currency, the final unit's redirect
     * @param peers  finds the open connection of a peer by Origin-Host, for RAR and ASR
     */
    public CreditControlServer(EngineGate engine, CreditControlConfig config, LocalIdentity local,
                               Function<String, Optional<Peer>> peers) {
        this.engine = engine;
        this.config = config;
        this.local = local;
        this.peers = peers;
        this.answers = new CcaComposer(local, config);
    }

    /** Called on the connection's event loop, in arrival order. */
    @Override
    public CompletionStage<DiameterMessage> handle(DiameterMessage request, Peer peer) {
        if (request.commandCode() != Codes.CREDIT_CONTROL) {
            return CompletableFuture.completedFuture(logged(request, peer, answers.protocolError(request,
                    Codes.DIAMETER_COMMAND_UNSUPPORTED, "command " + request.commandCode() + " is not part of credit control")));
        }
        CcRequest ccr;
        try {
            ccr = CcRequest.read(request, config);
        } catch (CcError bad) {
            refusedStarts.refused(request);
            return CompletableFuture.completedFuture(logged(request, peer,
                    answers.failure(request, bad.resultCode, bad.failedAvp, bad.getMessage())));
        }
        if (ccr.requestType() == Codes.TERMINATION_REQUEST && refusedStarts.ended(ccr.sessionId())) {
            return CompletableFuture.completedFuture(answers.endedWithoutCharge(ccr));
        }
        refusedStarts.forget(ccr.sessionId());
        CompletableFuture<DiameterMessage> answer = new CompletableFuture<>();
        Pending batch = pending.get();
        if (batch.peer != null && batch.peer != peer) {
            flush(batch); // another connection's read that did not say it completed
        }
        batch.peer = peer;
        batch.items.add(new Item(ccr, answer, peer));
        batch.commands.add(new EngineCommand.Charge(CcrTranslation.of(ccr, peer.originHost(), peer.interfaceName())));
        if (batch.commands.size() >= engine.batchMax()) {
            flush(batch);
        }
        return answer;
    }

    @Override
    public void readComplete(Peer peer) {
        Pending batch = pending.get();
        if (!batch.items.isEmpty()) {
            flush(batch);
        }
    }

    /** Hands the batch to the engine; its answers come back together on the connection's event loop. */
    private void flush(Pending batch) {
        List<Item> items = List.copyOf(batch.items);
        Peer peer = batch.peer;
        Submission<EngineOutcome[]> submitted = engine.submitAll(batch.commands);
        batch.items.clear();
        batch.commands.clear();
        batch.peer = null;
        switch (submitted) {
            case Submission.Accepted<EngineOutcome[]> accepted -> accepted.answer().whenComplete((outcomes, failure) ->
                    peer.execute(() -> answerAll(items, outcomes, failure)));
            case Submission.Busy<EngineOutcome[]> busy -> refuseAll(items, Codes.DIAMETER_TOO_BUSY,
                    "engine queue full (" + busy.queueMax() + ")");
            case Submission.Stopped<EngineOutcome[]> stopped -> refuseAll(items, Codes.DIAMETER_TOO_BUSY,
                    "engine stopped: " + stopped.reason());
            case Submission.TooLarge<EngineOutcome[]> tooLarge -> refuseAll(items, Codes.DIAMETER_UNABLE_TO_COMPLY,
                    "a request of " + tooLarge.bytes() + " bytes exceeds a journal record");
        }
    }

    private void answerAll(List<Item> items, EngineOutcome[] outcomes, Throwable failure) {
        for (int i = 0; i < items.size(); i++) {
            Item item = items.get(i);
            if (failure != null) {
                item.answer().completeExceptionally(failure);
                continue;
            }
            try {
                EngineOutcome.Charged charged = (EngineOutcome.Charged) outcomes[i];
                item.answer().complete(logged(item.ccr().message(), item.peer(),
                        answers.answer(item.ccr(), charged.result().outcome())));
            } catch (RuntimeException bug) {
                item.answer().completeExceptionally(bug);
            }
        }
    }

    private void refuseAll(List<Item> items, long resultCode, String reason) {
        for (Item item : items) {
            item.answer().complete(logged(item.ccr().message(), item.peer(),
                    answers.protocolError(item.ccr().message(), resultCode, reason)));
        }
    }

    /**
     * Every request answered with anything but success leaves a line (rate-limited): which peer,
     * which session, the Result-Code, why and the AVP at fault. Without it a client that is
     * refused for its form (5001, 5005) is invisible on our side.
     */
    private DiameterMessage logged(DiameterMessage request, Peer peer, DiameterMessage answer) {
        long code = answer.find(Codes.RESULT_CODE, 0).filter(a -> a.data().length == 4).map(Avp::unsigned32)
                .orElse(Codes.DIAMETER_SUCCESS);
        if (code == Codes.DIAMETER_SUCCESS || code == Codes.DIAMETER_LIMITED_SUCCESS) {
            return answer;
        }
        StringBuilder line = new StringBuilder("refused CCR from ").append(peer.originHost()).append(", session ")
                .append(Objects.requireNonNullElse(CcRequest.sessionIdOf(request), "(none)")).append(": ").append(code);
        answer.find(Codes.ERROR_MESSAGE, 0).map(CcRequest::utf8OrNull).ifPresent(m -> line.append(' ').append(m));
        answer.find(Codes.FAILED_AVP, 0).ifPresent(f -> line.append("; Failed-AVP ").append(CcError.describe(f)));
        refusals.log(System.Logger.Level.INFO, line.toString());
        return answer;
    }

    // ---------------------------------------------------------------- server-initiated: RAR and ASR

    /**
     * Re-Auth-Request (RFC 4006 5.5): the client reports and asks for quota now, e.g. after a
     * top-up. The future carries the RAA's Result-Code (2001, or 2002 when the client will act later).
     */
    public CompletableFuture<Long> reAuthorize(String sessionId) {
        return serverRequest(sessionId, Codes.RE_AUTH, List.of(
                Avps.integer32(Codes.RE_AUTH_REQUEST_TYPE, 0, true, 0))); // AUTHORIZE_ONLY
    }

    /** Abort-Session-Request (RFC 6733 8.5): the client ends the session (and sends its CCR-T). */
    public CompletableFuture<Long> abort(String sessionId) {
        return serverRequest(sessionId, Codes.ABORT_SESSION, List.of());
    }

    private CompletableFuture<Long> serverRequest(String sessionId, int command, List<Avp> specific) {
        return engine.ask(view -> view.session(sessionId)).thenCompose(found -> {
            ChargingEngine.SessionView session = found.filter(ChargingEngine.SessionView::open).orElse(null);
            if (session == null || !"diameter".equals(session.origin().interfaceName())) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("no open Diameter session "
                        + sessionId));
            }
            return send(session, command, specific);
        });
    }

    private CompletableFuture<Long> send(ChargingEngine.SessionView session, int command, List<Avp> specific) {
        ChargingRequest.Origin origin = session.origin();
        Optional<Peer> peer = peers.apply(origin.peerHost());
        if (peer.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalStateException("peer " + origin.peerHost()
                    + " of session " + session.sessionId() + " is not connected"));
        }
        List<Avp> avps = new ArrayList<>();
        avps.add(Avps.utf8(Codes.SESSION_ID, 0, true, session.sessionId()));
        avps.add(Avps.utf8(Codes.ORIGIN_HOST, 0, true, local.originHost()));
        avps.add(Avps.utf8(Codes.ORIGIN_REALM, 0, true, local.originRealm()));
        avps.add(Avps.utf8(Codes.DESTINATION_REALM, 0, true, origin.clientRealm()));
        avps.add(Avps.utf8(Codes.DESTINATION_HOST, 0, true, origin.clientHost()));
        avps.add(applicationAsNamedBy(origin));
        avps.addAll(specific);
        DiameterMessage request = new DiameterMessage(DiameterMessage.FLAG_REQUEST | DiameterMessage.FLAG_PROXIABLE,
                command, Codes.APP_CREDIT_CONTROL, 0, ThreadLocalRandom.current().nextInt() & 0xFFFF_FFFFL, avps);
        return peer.get().send(request).thenApply(answer -> answer.find(Codes.RESULT_CODE, 0)
                .map(Avp::unsigned32).orElse(0L));
    }

    /** Credit control named as the client named it in its requests: bare, or inside Vendor-Specific-Application-Id. */
    private static Avp applicationAsNamedBy(ChargingRequest.Origin origin) {
        Avp bare = Avps.unsigned32(Codes.AUTH_APPLICATION_ID, 0, true, Codes.APP_CREDIT_CONTROL);
        if (origin.applicationVendor() < 0) {
            return bare;
        }
        return Avps.grouped(Codes.VENDOR_SPECIFIC_APPLICATION_ID, 0, true, List.of(
                Avps.unsigned32(Codes.VENDOR_ID, 0, true, origin.applicationVendor()), bare));
    }

    /** Sends RAR to every open Diameter session of an account (after a top-up); completes with how many were asked. */
    public CompletableFuture<Integer> reAuthorizeAccount(String accountId) {
        return toEverySessionOf(accountId, Codes.RE_AUTH, List.of(Avps.integer32(Codes.RE_AUTH_REQUEST_TYPE, 0, true, 0)));
    }

    /** Sends ASR to every open Diameter session of an account (suspended or closed); completes with how many were asked. */
    public CompletableFuture<Integer> abortAccount(String accountId) {
        return toEverySessionOf(accountId, Codes.ABORT_SESSION, List.of());
    }

    private CompletableFuture<Integer> toEverySessionOf(String accountId, int command, List<Avp> specific) {
        return engine.ask(view -> view.sessionsOf(accountId)).thenApply(sessions -> {
            int asked = 0;
            for (ChargingEngine.SessionView s : sessions) {
                if ("diameter".equals(s.origin().interfaceName())) {
                    send(s, command, specific).exceptionally(e -> 0L);
                    asked++;
                }
            }
            return asked;
        });
    }

    @Override
    public void close() {
        // nothing of its own to stop: requests in flight are the engine's, answered or refused by it
    }
}
