package io.credence.diameter.cc;

import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Avps;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.peer.LocalIdentity;
import io.credence.diameter.transport.ApplicationHandler;
import io.credence.diameter.transport.Peer;
import io.credence.journal.DurableLedger;
import io.credence.journal.Submission;
import io.credence.ledger.AccountStatus;
import io.credence.ledger.Command;
import io.credence.ledger.Ids;
import io.credence.ledger.Ledger;
import io.credence.ledger.Operation;
import io.credence.ledger.Outcome;
import io.credence.ledger.Rejection;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;
import io.credence.rating.Catalog;
import io.credence.rating.OutletPolicy;
import io.credence.rating.RatingEngine;
import io.credence.rating.RatingRequest;
import io.credence.rating.Tariff;
import io.credence.rating.Terminal;
import io.credence.records.UsageRecord;
import io.credence.records.UsageSink;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The RFC 4006 credit-control server on the durable ledger.
 *
 * <p>Each grant is a ledger reservation for the session's account and the service (rating group,
 * service id); reported usage commits it (the rest returns) and a new grant is reserved in the
 * same linked command. When the balance cannot cover the request, what is left is granted with a
 * Final-Unit-Indication; when nothing is left the service gets 4012. A session that goes silent
 * loses nothing: its reservations expire after Validity-Time plus a grace.
 *
 * <p>Exactly once: every ledger command of a request has a request id derived from the Session-Id,
 * the CC-Request-Number, the service and the step, so the ledger answers a repeated command with
 * its first outcome. The session keeps its last answer, so a retransmitted request is answered
 * again without touching the ledger; a request that met a full queue (3004) changed no session
 * state, and its retry replays the same commands.
 *
 * <p>Requests run on virtual threads, one session at a time in arrival order; the transport bounds
 * how many are in flight per peer.
 */
public final class CreditControlServer implements ApplicationHandler, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(CreditControlServer.class.getName());
    private static final long ANSWER_TIMEOUT_SECONDS = 30;
    private static final int CHECK_BALANCE_ENOUGH_CREDIT = 0;
    private static final int CHECK_BALANCE_NO_CREDIT = 1;
    /** Refused requests logged per second at most; a flood is summarised in the next line. */
    private static final int REFUSAL_LINES_PER_SECOND = 20;

    private final DurableLedger ledger;
    private final CreditControlConfig config;
    private final LocalIdentity local;
    private final Function<String, Optional<Peer>> peers;
    private final LongSupplier clock;
    private final java.util.function.Supplier<RatingEngine> rating;
    private final UsageSink usage;
    private final QosAdmission admission;
    private final ConcurrentHashMap<String, CcSession> sessions = new ConcurrentHashMap<>();
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService sweeper;
    private final io.credence.diameter.transport.RateLimitedLog refusals =
            new io.credence.diameter.transport.RateLimitedLog(LOG, REFUSAL_LINES_PER_SECOND);

    /** The ledger queue or a table was full: the whole request is answered 3004 and may be retried. */
    private static final class Busy extends Exception {
        private static final long serialVersionUID = 1L;

        Busy(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * @param peers finds the open connection of a peer by Origin-Host, for RAR and ASR
     */
    public CreditControlServer(DurableLedger ledger, CreditControlConfig config, LocalIdentity local,
                               Function<String, Optional<Peer>> peers, LongSupplier clock) {
        this(ledger, config, local, peers, clock, () -> null);
    }

    /**
     * @param rating the rating engine of the catalog in force (null: none); asked when a service
     *               is first granted, so a reloaded catalog applies to new grants
     */
    public CreditControlServer(DurableLedger ledger, CreditControlConfig config, LocalIdentity local,
                               Function<String, Optional<Peer>> peers, LongSupplier clock,
                               java.util.function.Supplier<RatingEngine> rating) {
        this(ledger, config, local, peers, clock, rating, UsageSink.NONE);
    }

    /**
     * @param usage where every settled grant's usage record goes
     */
    public CreditControlServer(DurableLedger ledger, CreditControlConfig config, LocalIdentity local,
                               Function<String, Optional<Peer>> peers, LongSupplier clock,
                               java.util.function.Supplier<RatingEngine> rating, UsageSink usage) {
        this(ledger, config, local, peers, clock, rating, usage, QosAdmission.NONE);
    }

    /**
     * @param admission layered admission for requests that carry QoS-Information
     */
    public CreditControlServer(DurableLedger ledger, CreditControlConfig config, LocalIdentity local,
                               Function<String, Optional<Peer>> peers, LongSupplier clock,
                               java.util.function.Supplier<RatingEngine> rating, UsageSink usage,
                               QosAdmission admission) {
        this.rating = rating;
        this.usage = usage;
        this.admission = admission;
        this.ledger = ledger;
        this.config = config;
        this.local = local;
        this.peers = peers;
        this.clock = clock;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cc-session-sweeper");
            t.setDaemon(true);
            return t;
        });
        sweeper.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
    }

    /**
     * Called on the connection's event loop, in arrival order: the request is queued behind the
     * earlier requests of its session (so a CCR-T sent before the CCA-I was read waits for the
     * CCR-I), and runs on a virtual thread.
     */
    @Override
    public CompletionStage<DiameterMessage> handle(DiameterMessage request, Peer peer) {
        if (request.commandCode() != Codes.CREDIT_CONTROL) {
            return CompletableFuture.completedFuture(logged(request, peer, protocolError(request,
                    Codes.DIAMETER_COMMAND_UNSUPPORTED, "command " + request.commandCode() + " is not part of credit control")));
        }
        String sessionId = CcRequest.sessionIdOf(request);
        if (sessionId == null || sessionId.isEmpty()) {
            return CompletableFuture.supplyAsync(() -> answer(request, peer, null), workers);
        }
        CcSession session = sessions.get(sessionId);
        if (session == null) {
            if (sessions.size() >= config.sessionsMax()) {
                return CompletableFuture.completedFuture(logged(request, peer, protocolError(request,
                        Codes.DIAMETER_TOO_BUSY, "session table full (" + config.sessionsMax() + ")")));
            }
            long now = clock.getAsLong();
            // a request without a readable origin is refused by CcRequest.read; the session then goes
            String clientHost = Objects.requireNonNullElse(CcRequest.textOf(request, Codes.ORIGIN_HOST),
                    peer.originHost());
            String clientRealm = Objects.requireNonNullElse(CcRequest.textOf(request, Codes.ORIGIN_REALM),
                    peer.originRealm());
            session = sessions.computeIfAbsent(sessionId, id -> new CcSession(id, keyOf(id), peer.originHost(),
                    clientHost, clientRealm, peer.interfaceName(), now));
        }
        CcSession s = session;
        synchronized (s) {
            s.pending++;
            CompletableFuture<DiameterMessage> answer = s.tail.thenApplyAsync(ignored -> answer(request, peer, s), workers);
            s.tail = answer.handle((a, e) -> null);
            return answer;
        }
    }

    // ---------------------------------------------------------------- request handling

    private DiameterMessage answer(DiameterMessage request, Peer peer, CcSession session) {
        try {
            return logged(request, peer, answerInOrder(request, peer, session));
        } finally {
            if (session != null) {
                synchronized (session) {
                    session.pending--;
                    // a session that never got a request through (bad request, unknown session) is not kept
                    if (session.pending == 0 && session.lastAnswer == null && !session.recovered) {
                        sessions.remove(session.sessionId, session);
                    }
                }
            }
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

    private DiameterMessage answerInOrder(DiameterMessage request, Peer peer, CcSession session) {
        CcRequest ccr;
        try {
            ccr = CcRequest.read(request, config);
        } catch (CcError bad) {
            List<Avp> refusal = failure(request, bad.resultCode, bad.failedAvp, bad.getMessage());
            refusedAtStart(session, request, refusal);
            return request.answer(refusal);
        }
        try {
            if (session.lastNumber == ccr.requestNumber() && session.lastAnswer != null) {
                return request.answer(session.lastAnswer); // a retransmission: the first answer again
            }
            boolean unborn = session.lastAnswer == null && !session.recovered;
            if (unborn && ccr.requestType() != Codes.INITIAL_REQUEST && ccr.requestType() != Codes.EVENT_REQUEST
                    && !recover(session, ccr)) {
                if (ccr.requestType() == Codes.TERMINATION_REQUEST && terminatedBefore(session, ccr)) {
                    // a termination answered before a restart, retransmitted: its grants are settled already
                    return request.answer(finish(session, ccr, compose(request, ccr, Result.ended(session))));
                }
                return request.answer(failure(request, Codes.DIAMETER_UNKNOWN_SESSION_ID, null,
                        "session " + ccr.sessionId() + " is not known (never opened, finished or expired)"));
            }
            if (session.finished && session.refusedAtStart && ccr.requestType() == Codes.TERMINATION_REQUEST) {
                // the client ends a session we refused at its start: nothing was granted, nothing is charged
                return request.answer(finish(session, ccr, compose(request, ccr, Result.ended(session))));
            }
            if (session.finished) {
                return request.answer(failure(request, Codes.DIAMETER_UNKNOWN_SESSION_ID, null,
                        "session " + ccr.sessionId() + " has finished"));
            }
            if (session.lastNumber >= 0 && ccr.requestNumber() <= session.lastNumber) {
                return request.answer(failure(request, Codes.DIAMETER_INVALID_AVP_VALUE,
                        request.find(Codes.CC_REQUEST_NUMBER, 0).orElse(null), "CC-Request-Number "
                                + ccr.requestNumber() + " does not follow " + session.lastNumber));
            }
            if (!unborn && (ccr.requestType() == Codes.INITIAL_REQUEST || ccr.requestType() == Codes.EVENT_REQUEST)) {
                return request.answer(failure(request, Codes.DIAMETER_INVALID_AVP_VALUE,
                        request.find(Codes.CC_REQUEST_TYPE, 0).orElse(null), "session " + ccr.sessionId()
                                + " is already open"));
            }
            Result result = switch (ccr.requestType()) {
                case Codes.INITIAL_REQUEST -> initial(session, ccr);
                case Codes.UPDATE_REQUEST -> update(session, ccr);
                case Codes.TERMINATION_REQUEST -> terminate(session, ccr);
                default -> event(session, ccr);
            };
            List<Avp> avps = compose(request, ccr, result);
            session.accountId = result.accountId;
            session.grants = result.grants;
            session.finished = result.finished;
            session.refusedAtStart = ccr.requestType() == Codes.INITIAL_REQUEST && result.finished;
            session.application = ccr.application();
            session.lastNumber = ccr.requestNumber();
            session.lastAnswer = avps;
            session.touchedAtMillis = clock.getAsLong();
            return request.answer(avps);
        } catch (Busy busy) {
            // no session state changed: the client's retry replays the same ledger steps
            return protocolError(request, Codes.DIAMETER_TOO_BUSY, busy.getMessage());
        }
    }

    /** Records the answer that ends a session, so a retransmission of the request gets it again. */
    private List<Avp> finish(CcSession session, CcRequest ccr, List<Avp> answer) {
        session.finished = true;
        session.lastNumber = ccr.requestNumber();
        session.lastAnswer = answer;
        session.touchedAtMillis = clock.getAsLong();
        return answer;
    }

    /**
     * A first request (CCR-I) refused before the session began: the session is remembered as
     * refused, so the CCR-T a client sends after every refused CCR-I is answered 2001, and a
     * retransmission of the CCR-I gets the same refusal.
     */
    private void refusedAtStart(CcSession session, DiameterMessage request, List<Avp> refusal) {
        boolean initial = request.find(Codes.CC_REQUEST_TYPE, 0).filter(a -> a.data().length == 4)
                .map(a -> a.integer32() == Codes.INITIAL_REQUEST).orElse(false);
        long number = request.find(Codes.CC_REQUEST_NUMBER, 0).filter(a -> a.data().length == 4)
                .map(Avp::unsigned32).orElse(-1L);
        if (session == null || !initial || number < 0 || session.lastAnswer != null || session.recovered) {
            return;
        }
        session.refusedAtStart = true;
        session.finished = true;
        session.lastNumber = number;
        session.lastAnswer = refusal;
        session.touchedAtMillis = clock.getAsLong();
    }

    /** What a request did: the answer's content and the session's next state. */
    private record Result(long resultCode, String errorMessage, String accountId, Map<CcSession.GrantKey, CcSession.Grant> grants,
                          boolean finished, List<ServiceAnswer> services, List<Avp> extra) {
        static Result sessionError(long resultCode, String message, CcSession session) {
            return new Result(resultCode, message, session.accountId, Map.of(), true, List.of(), List.of());
        }

        /** A termination with nothing left to settle. */
        static Result ended(CcSession session) {
            return new Result(Codes.DIAMETER_SUCCESS, null, session.accountId, Map.of(), true, List.of(), List.of());
        }
    }

    /** One service's part of the answer. */
    private record ServiceAnswer(CcRequest.ServiceRequest request, long resultCode, Unit unit, long granted,
                                 boolean finalUnits, long remainingMoney, String problem, Avp failedAvp) {
        ServiceAnswer(CcRequest.ServiceRequest request, long resultCode, Unit unit, long granted, boolean finalUnits) {
            this(request, resultCode, unit, granted, finalUnits, -1, null, null);
        }

        /** Why the service was refused (Error-Message) and the AVP at fault (Failed-AVP), at the answer's top. */
        ServiceAnswer withProblem(String message, Avp failed) {
            return new ServiceAnswer(request, resultCode, unit, granted, finalUnits, remainingMoney, message, failed);
        }

        static ServiceAnswer of(CcRequest.ServiceRequest request, long resultCode) {
            return new ServiceAnswer(request, resultCode, null, 0, false);
        }

        /** The caller's money, answered with a grant through a checked outlet (Remaining-Balance). */
        ServiceAnswer withRemainingMoney(long money) {
            return new ServiceAnswer(request, resultCode, unit, granted, finalUnits, money, problem, failedAvp);
        }
    }

    private Result initial(CcSession session, CcRequest ccr) throws Busy {
        Subscriber subscriber = findSubscriber(ccr);
        if (subscriber == null) {
            return Result.sessionError(Codes.DIAMETER_USER_UNKNOWN, "no account for " + describe(ccr.subscriptions()),
                    session);
        }
        if (subscriber.status != AccountStatus.ACTIVE) {
            return new Result(Codes.DIAMETER_END_USER_SERVICE_DENIED, "account " + subscriber.accountId + " is "
                    + subscriber.status, subscriber.accountId, Map.of(), true, List.of(), List.of());
        }
        Map<CcSession.GrantKey, CcSession.Grant> grants = new LinkedHashMap<>();
        List<ServiceAnswer> answers = new ArrayList<>();
        for (CcRequest.ServiceRequest sr : ccr.services()) {
            answers.add(serve(session, ccr, subscriber.accountId, sr, null, grants));
        }
        long top = topLevel(answers);
        // an initial request that failed for every service ends the session (RFC 4006 5.1)
        return new Result(top, null, subscriber.accountId, grants, top != Codes.DIAMETER_SUCCESS, answers, List.of());
    }

    private Result update(CcSession session, CcRequest ccr) throws Busy {
        Map<CcSession.GrantKey, CcSession.Grant> grants = new LinkedHashMap<>(session.grants);
        List<ServiceAnswer> answers = new ArrayList<>();
        long ttl = config.validityTimeSeconds() + (long) config.graceSeconds();
        for (CcRequest.ServiceRequest sr : ccr.services()) {
            CcSession.GrantKey key = grantKey(grants, sr);
            CcSession.Grant current = grants.remove(key);
            if (current != null) {
                admission.renew(grantTag(session.key, key), ttl);
            }
            answers.add(serve(session, ccr, session.accountId, sr, current, grants));
        }
        return new Result(topLevel(answers), null, session.accountId, grants, false, answers, List.of());
    }

    private Result terminate(CcSession session, CcRequest ccr) throws Busy {
        Steps steps = new Steps(session, ccr, CcSession.GrantKey.ANY);
        for (var held : session.grants.entrySet()) {
            CcSession.GrantKey key = held.getKey();
            CcSession.Grant grant = held.getValue();
            long used = 0;
            for (CcRequest.ServiceRequest sr : ccr.services()) {
                if (sr.ratingGroup() == key.service().ratingGroup()
                        && (sr.serviceId() == ServiceRef.NONE || sr.serviceId() == key.service().serviceId())
                        && java.util.Objects.equals(sr.upfId(), key.upfId()) && sr.used() != null) {
                    used = sr.used().getOrDefault(grant.unit(), 0L);
                }
            }
            settle(steps.forService(key), session.accountId, grant, used);
            admission.releaseIfHeld(grantTag(session.key, key));
        }
        return new Result(Codes.DIAMETER_SUCCESS, null, session.accountId, Map.of(), true, List.of(), List.of());
    }

    private Result event(CcSession session, CcRequest ccr) throws Busy {
        Subscriber subscriber = findSubscriber(ccr);
        if (subscriber == null) {
            return Result.sessionError(Codes.DIAMETER_USER_UNKNOWN, "no account for " + describe(ccr.subscriptions()),
                    session);
        }
        if (subscriber.status != AccountStatus.ACTIVE && ccr.requestedAction() != Codes.REFUND_ACCOUNT) {
            return new Result(Codes.DIAMETER_END_USER_SERVICE_DENIED, "account " + subscriber.accountId + " is "
                    + subscriber.status, subscriber.accountId, Map.of(), true, List.of(), List.of());
        }
        String account = subscriber.accountId;
        List<ServiceAnswer> answers = new ArrayList<>();
        List<Avp> extra = new ArrayList<>();
        for (CcRequest.ServiceRequest sr : ccr.services()) {
            Want want;
            try {
                // enquiries are answered in whatever unit they ask; debits must match the service's unit
                boolean enquiry = ccr.requestedAction() == Codes.PRICE_ENQUIRY
                        || ccr.requestedAction() == Codes.CHECK_BALANCE;
                want = enquiry && sr.requested() != null && !sr.requested().isEmpty()
                        ? firstRequested(sr) : want(ccr, sr, null, true);
            } catch (RatingFailed failed) {
                answers.add(ServiceAnswer.of(sr, Codes.DIAMETER_RATING_FAILED));
                continue;
            }
            if (want == null) {
                // a Requested-Service-Unit of zero: nothing to debit or refund (the ledger takes no zero amounts)
                answers.add(ServiceAnswer.of(sr, Codes.DIAMETER_SUCCESS));
                continue;
            }
            Steps steps = new Steps(session, ccr, sr.grantKey());
            switch (ccr.requestedAction()) {
                case Codes.DIRECT_DEBITING -> {
                    Rating rating = rate(ccr, account, sr, null, want);
                    if (rating instanceof Rating.None) {
                        Outcome o = submit(steps.next(), new Operation.Transfer(account, config.counterpartyAccount(),
                                want.unit, want.amount, sr.service()));
                        answers.add(o instanceof Outcome.Transferred
                                ? new ServiceAnswer(sr, Codes.DIAMETER_SUCCESS, want.unit, want.amount, false)
                                : ServiceAnswer.of(sr, resultOf((Rejection) o)));
                    } else {
                        answers.add(debitRated(steps, account, sr, want, rating));
                    }
                }
                case Codes.REFUND_ACCOUNT -> {
                    long amount = sr.used() != null && sr.requested() == null
                            ? sr.used().getOrDefault(want.unit, want.amount) : want.amount;
                    if (amount == 0) {
                        answers.add(ServiceAnswer.of(sr, Codes.DIAMETER_SUCCESS)); // a refund of zero used units
                        continue;
                    }
                    Operation refund = config.counterpartyAccount().equals(Ids.SYSTEM_ACCOUNT)
                            ? new Operation.TopUp(Ids.SYSTEM_ACCOUNT, account, want.unit, amount, null)
                            : new Operation.Transfer(config.counterpartyAccount(), account, want.unit, amount,
                                    ServiceRef.ANY);
                    Outcome o = submit(steps.next(), refund);
                    answers.add(o.accepted() ? new ServiceAnswer(sr, Codes.DIAMETER_SUCCESS, want.unit, amount, false)
                            : ServiceAnswer.of(sr, resultOf((Rejection) o)));
                }
                case Codes.CHECK_BALANCE -> {
                    long available = query(l -> l.available(account, want.unit, sr.service()).orElse(0L));
                    extra.add(Avps.integer32(Codes.CHECK_BALANCE_RESULT, 0, true,
                            available >= want.amount ? CHECK_BALANCE_ENOUGH_CREDIT : CHECK_BALANCE_NO_CREDIT));
                    answers.add(ServiceAnswer.of(sr, Codes.DIAMETER_SUCCESS));
                }
                default -> { // PRICE_ENQUIRY: money costs itself; other units cost what the catalog says
                    long price = -1;
                    if (want.unit == Unit.MONEY) {
                        price = want.amount;
                    } else if (rate(ccr, account, sr, null, want) instanceof Rating.Decided decided) {
                        Rated r = decided.rated();
                        price = decided.free() ? 0 : r.tariff() == null ? -1
                                : Rated.priceBetween(r.tariff(), r.band(), 0, want.amount);
                    }
                    if (price < 0) {
                        answers.add(ServiceAnswer.of(sr, Codes.DIAMETER_RATING_FAILED));
                    } else {
                        extra.add(Avps.grouped(Codes.COST_INFORMATION, 0, true, List.of(
                                Avps.grouped(Codes.UNIT_VALUE, 0, true, List.of(
                                        Avps.long64(Codes.VALUE_DIGITS, 0, true, price),
                                        Avps.integer32(Codes.EXPONENT, 0, true, -config.currencyMinorDigits()))),
                                Avps.unsigned32(Codes.CURRENCY_CODE, 0, true, config.currencyNumeric()))));
                        answers.add(ServiceAnswer.of(sr, Codes.DIAMETER_SUCCESS));
                    }
                }
            }
        }
        return new Result(topLevel(answers), null, account, Map.of(), true, answers, extra);
    }

    /**
     * A one-off event (an SMS) the catalog rates: refused, free (recorded only), or debited from
     * the service's units and, when they do not cover it, from money at the tariff. A debit is
     * all or nothing: an event is not delivered in part.
     */
    private ServiceAnswer debitRated(Steps steps, String account, CcRequest.ServiceRequest sr, Want want, Rating rating)
            throws Busy {
        if (rating instanceof Rating.Refused refused) {
            return ServiceAnswer.of(sr, refused.resultCode());
        }
        Rated rated = ((Rating.Decided) rating).rated();
        String step = steps.next();
        if (((Rating.Decided) rating).free()) {
            recordUsage(steps, step, account, new CcSession.Grant(0, want.unit, want.amount, sr.service(), rated),
                    want.amount, 0);
            return new ServiceAnswer(sr, Codes.DIAMETER_SUCCESS, want.unit, want.amount, false);
        }
        Outcome units = submit(step, new Operation.Transfer(account, config.counterpartyAccount(), want.unit,
                want.amount, sr.service()));
        if (units instanceof Outcome.Transferred) {
            recordUsage(steps, step, account, new CcSession.Grant(0, want.unit, want.amount, sr.service(),
                    rated.paidFrom(Rated.Source.UNITS, want.amount)), want.amount, want.amount);
            return new ServiceAnswer(sr, Codes.DIAMETER_SUCCESS, want.unit, want.amount, false);
        }
        if (!(units instanceof Rejection.InsufficientBalance) || rated.tariff() == null) {
            return ServiceAnswer.of(sr, resultOf((Rejection) units));
        }
        long price = Rated.priceBetween(rated.tariff(), rated.band(), 0, want.amount);
        if (price > 0) {
            step = steps.next();
            Outcome money = submit(step, new Operation.Transfer(account, config.counterpartyAccount(), Unit.MONEY,
                    price, sr.service()));
            if (!(money instanceof Outcome.Transferred)) {
                return ServiceAnswer.of(sr, resultOf((Rejection) money));
            }
        }
        recordUsage(steps, step, account, new CcSession.Grant(0, want.unit, want.amount, sr.service(),
                rated.paidFrom(Rated.Source.MONEY, price)), want.amount, price);
        return new ServiceAnswer(sr, Codes.DIAMETER_SUCCESS, want.unit, want.amount, false);
    }

    /**
     * One service of an initial or update request: settle what was used on the current grant,
     * then grant again when asked. Without a catalog rating the service, both go in one linked
     * ledger command when the balance allows.
     */
    private ServiceAnswer serve(CcSession session, CcRequest ccr, String account, CcRequest.ServiceRequest sr,
                                CcSession.Grant current, Map<CcSession.GrantKey, CcSession.Grant> grants) throws Busy {
        Steps steps = new Steps(session, ccr, sr.grantKey());
        Want want;
        try {
            want = want(ccr, sr, current, ccr.requestType() == Codes.INITIAL_REQUEST);
        } catch (RatingFailed failed) {
            if (current != null) {
                settle(steps, account, current, usedOf(sr, current.unit()));
            }
            return ServiceAnswer.of(sr, Codes.DIAMETER_RATING_FAILED);
        }
        if (current != null || want == null) {
            return serveAdmitted(steps, ccr, account, sr, current, want, grants);
        }
        Admission admitted = admit(steps.session, ccr, sr, want);
        if (admitted.refusal() != null) {
            return admitted.refusal();
        }
        ServiceAnswer answer = serveAdmitted(steps, ccr, account, sr, null, want, grants);
        if (admitted.held() && answer.resultCode() != Codes.DIAMETER_SUCCESS) {
            admission.releaseIfHeld(grantTag(steps.session.key, sr.grantKey())); // nothing granted: the pools go back
        }
        return answer;
    }

    /** The rest of {@link #serve}, once layered admission (if asked) let the service in. */
    private ServiceAnswer serveAdmitted(Steps steps, CcRequest ccr, String account, CcRequest.ServiceRequest sr,
                                        CcSession.Grant current, Want want, Map<CcSession.GrantKey, CcSession.Grant> grants)
            throws Busy {
        Rating rating = want == null ? new Rating.None() : rate(ccr, account, sr, current, want);
        switch (rating) {
            case Rating.Refused refused -> {
                LOG.log(System.Logger.Level.INFO, "session {0}, rating group {1}: {2}", ccr.sessionId(),
                        String.valueOf(sr.ratingGroup()), refused.reason());
                if (current != null) {
                    settle(steps, account, current, usedOf(sr, current.unit()));
                }
                return ServiceAnswer.of(sr, refused.resultCode());
            }
            case Rating.Decided decided -> {
                ServiceAnswer answer = serveRated(steps, account, sr, current, want, decided, grants);
                return decided.moneyChecked() >= 0 && answer.resultCode() == Codes.DIAMETER_SUCCESS
                        ? answer.withRemainingMoney(decided.moneyChecked()) : answer;
            }
            case Rating.None none -> { }
        }
        if (current == null && want == null) {
            if (sr.used() != null) {
                chargeWithoutGrant(steps, account, sr, sr.used());
            }
            return ServiceAnswer.of(sr, Codes.DIAMETER_SUCCESS);
        }
        if (current != null && (want == null || current.rated() != null)) {
            // a rated grant that the catalog no longer rates settles at its own price, then is granted as before
            settle(steps, account, current, usedOf(sr, current.unit()));
            if (want == null) {
                return ServiceAnswer.of(sr, Codes.DIAMETER_SUCCESS);
            }
            current = null;
        }
        if (current != null) {
            long used = usedOf(sr, current.unit());
            String commitStep = steps.next();
            Outcome o = submit(commitStep, new Operation.Linked(List.of(commit(current, used),
                    reserve(steps, account, want.unit, want.amount))));
            if (o instanceof Outcome.LinkedApplied applied) {
                recordUsage(steps, commitStep, account, current, used, used);
                return granted(sr, (Outcome.Reserved) applied.steps().get(1), want.unit, false, grants);
            }
            if (o instanceof Rejection.LinkedRejected rejected && rejected.stepIndex() == 1
                    && rejected.cause() instanceof Rejection.InsufficientBalance short1 && short1.available() > 0) {
                commitStep = steps.next();
                Outcome partial = submit(commitStep, new Operation.Linked(List.of(commit(current, used),
                        reserve(steps, account, want.unit, short1.available()))));
                if (partial instanceof Outcome.LinkedApplied applied) {
                    recordUsage(steps, commitStep, account, current, used, used);
                    return granted(sr, (Outcome.Reserved) applied.steps().get(1), want.unit, true, grants);
                }
            }
            // the usage must be settled whatever happens to the new grant
            settle(steps, account, current, used);
        }
        return grantAlone(steps, account, sr, want, grants);
    }

    /** Whether layered admission let a service in: a refusal to answer, or whether pools are now held. */
    private record Admission(ServiceAnswer refusal, boolean held) {}

    /**
     * Layered admission of a first grant whose request carries QoS-Information: IMS calls go to
     * the service layer, everything else to the bearer layer. The request's QoS class is the
     * latency class, its larger requested bandwidth the bandwidth and, for volume, the grant the
     * data volume; of these the layer is asked for the ones it checks. A value outside the layer's
     * range is answered 5004 naming the AVP; a full pool 4010; a full admission table 3004.
     */
    private Admission admit(CcSession session, CcRequest ccr, CcRequest.ServiceRequest sr, Want want) throws Busy {
        Optional<io.credence.admission.AdmissionPolicy> policy = admission.policy();
        QosInformation qos = policy.isEmpty() ? null : QosInformation.of(ccr.message(), sr.ratingGroup());
        if (qos == null) {
            return new Admission(null, false);
        }
        io.credence.admission.Layer layer = CreditControlConfig.CONTEXT_IMS.equals(ccr.serviceContextId())
                ? io.credence.admission.Layer.SERVICE : io.credence.admission.Layer.BEARER;
        Map<io.credence.admission.QosParameter, Long> offered = new java.util.EnumMap<>(
                io.credence.admission.QosParameter.class);
        if (qos.bandwidthKbps() >= 0) {
            offered.put(io.credence.admission.QosParameter.BANDWIDTH_KBPS, qos.bandwidthKbps());
        }
        if (qos.qci() >= 0) {
            offered.put(io.credence.admission.QosParameter.LATENCY_CLASS, qos.qci());
        }
        if (want.unit == Unit.BYTES) {
            offered.put(io.credence.admission.QosParameter.DATA_VOLUME_BYTES, want.amount);
        }
        offered.keySet().retainAll(policy.get().layer(layer).ranges().keySet());
        String id = grantTag(session.key, sr.grantKey());
        long ttl = config.validityTimeSeconds() + (long) config.graceSeconds();
        io.credence.admission.AdmissionResult result = admission.admit(id, new io.credence.admission.QosRequest(layer,
                offered), Math.min(ttl, policy.get().ttlSecondsMax()));
        return switch (result) {
            case io.credence.admission.AdmissionResult.Admitted admitted -> new Admission(null, true);
            case io.credence.admission.AdmissionResult.Rejected rejected -> new Admission(ServiceAnswer.of(sr,
                    Codes.DIAMETER_INVALID_AVP_VALUE).withProblem(rejected.layer().jsonName() + " layer: "
                    + rejected.reason(), switch (rejected.parameter()) {
                        case BANDWIDTH_KBPS -> qos.bandwidthAvp();
                        case LATENCY_CLASS -> qos.qciAvp();
                        default -> null;
                    }), false);
            case io.credence.admission.AdmissionResult.NoCapacity full -> new Admission(ServiceAnswer.of(sr,
                    Codes.DIAMETER_END_USER_SERVICE_DENIED).withProblem(full.layer().jsonName() + " layer: the "
                    + full.pool().jsonName() + " pool has " + full.free() + " free, " + full.requested() + " asked",
                    null), false);
            case io.credence.admission.AdmissionResult.Busy busy -> throw new Busy("admission table full ("
                    + busy.admissionsMax() + ")");
            case io.credence.admission.AdmissionResult.DuplicateId duplicate -> new Admission(ServiceAnswer.of(sr,
                    Codes.DIAMETER_UNABLE_TO_COMPLY).withProblem(duplicate.reason(), null), false);
        };
    }

    /** What the catalog says about a grant. */
    private sealed interface Rating {
        /** The catalog does not rate this service: units of the requested unit only, as without a catalog. */
        record None() implements Rating {}

        /** Refused by a rule or an outlet check; nothing is granted. */
        record Refused(long resultCode, String reason) implements Rating {}

        /**
         * Granted free, or paid from units first and then money at {@code rated.tariff()} (null:
         * units only). {@code moneyChecked}: the caller's money when an outlet check passed, else -1.
         */
        record Decided(Rated rated, boolean free, long moneyChecked) implements Rating {}
    }

    /**
     * The catalog's say on a grant, asked afresh for every grant so that a changed attribute
     * (the called party answered, a handover) or a reloaded catalog prices the units granted from
     * now on, while units already granted settle at the price they were granted at. Attributes a
     * request leaves out keep the value an earlier request of the session gave.
     */
    private Rating rate(CcRequest ccr, String account, CcRequest.ServiceRequest sr, CcSession.Grant current, Want want)
            throws Busy {
        RatingEngine engine = rating.get();
        Catalog.Service service = engine == null ? null : engine.catalog().serviceOf(sr.ratingGroup());
        if (service == null) {
            return new Rating.None();
        }
        if (service.unit() != want.unit) {
            return new Rating.Refused(Codes.DIAMETER_RATING_FAILED, "asked in " + want.unit + "; service "
                    + service.name() + " is rated in " + service.unit());
        }
        Catalog catalog = engine.catalog();
        long now = clock.getAsLong();
        RatingRequest earlier = current != null && current.rated() != null ? current.rated().request() : null;
        Terminal served = TerminalAttributes.calling(ccr.message(), catalog.terminalTypes(), imsiOf(ccr));
        Terminal other = TerminalAttributes.called(ccr.message());
        boolean terminating = TerminalAttributes.terminating(ccr.message());
        RatingRequest request = new RatingRequest(service.name(),
                merge(earlier == null ? null : earlier.calling(), terminating ? other : served),
                merge(earlier == null ? null : earlier.called(), terminating ? served : other),
                outletOr(TerminalAttributes.outlet(ccr.message()), earlier), now);
        RatingEngine.Decision decision = engine.rate(request);
        long callUnits = current == null ? 0 : current.callUnitsAfter(usedOf(sr, current.unit()));
        Rated rated = switch (decision) {
            case RatingEngine.Decision.Denied denied -> null;
            case RatingEngine.Decision.Free free -> new Rated(service.name(), catalog.version(), catalog.currency(),
                    request, free.rule().name(), null, null, Rated.Source.FREE, callUnits, 0);
            case RatingEngine.Decision.Charged charged -> new Rated(service.name(), catalog.version(),
                    catalog.currency(), request, charged.rule().name(), charged.tariff(), charged.band(),
                    Rated.Source.UNITS, callUnits, 0);
            case RatingEngine.Decision.Unrated unrated -> {
                Tariff fallback = service.moneyTariff() == null ? null : catalog.tariffs().get(service.moneyTariff());
                yield new Rated(service.name(), catalog.version(), catalog.currency(), request, null, fallback,
                        fallback == null ? null : bandOf(engine, fallback, now), Rated.Source.UNITS, callUnits, 0);
            }
        };
        if (decision instanceof RatingEngine.Decision.Denied denied) {
            return new Rating.Refused(Codes.DIAMETER_END_USER_SERVICE_DENIED, "denied by rule '" + denied.rule().name()
                    + "': " + denied.reason());
        }
        if (current != null && current.rated() != null && !Objects.equals(current.rated().rule(), rated.rule())) {
            LOG.log(System.Logger.Level.INFO, "session {0}: re-rated from rule ''{1}'' to ''{2}'' after {3} units",
                    ccr.sessionId(), current.rated().rule(), rated.rule(), String.valueOf(callUnits));
        }
        long moneyChecked = -1;
        if (current == null && engine.outlet(request.outlet()) instanceof OutletPolicy.Check check) {
            long[] available = availableResource(account, sr, service.unit(), rated);
            if (!check.allows(available[0])) {
                return new Rating.Refused(Codes.DIAMETER_END_USER_SERVICE_DENIED, "outlet " + request.outlet()
                        + " routes callers with more than " + check.threshold() + " " + service.unit()
                        + " available; " + account + " has " + available[0]);
            }
            moneyChecked = available[1];
        }
        return new Rating.Decided(rated, decision instanceof RatingEngine.Decision.Free, moneyChecked);
    }

    private static String outletOr(String outlet, RatingRequest earlier) {
        return outlet != null || earlier == null ? outlet : earlier.outlet();
    }

    /** A terminal's attributes from this request, each one it leaves out taken from {@code earlier}. */
    private static Terminal merge(Terminal earlier, Terminal now) {
        if (earlier == null) {
            return now;
        }
        return new Terminal(now.network() != null ? now.network() : earlier.network(),
                now.type() != null ? now.type() : earlier.type(),
                now.roaming() != null ? now.roaming() : earlier.roaming());
    }

    /** The band of the tariff's own steps in force at {@code atMillis} (the first by name when several). */
    private static String bandOf(RatingEngine engine, Tariff tariff, long atMillis) {
        return engine.bandsAt(atMillis).stream().filter(tariff.bandSteps()::containsKey).sorted().findFirst()
                .orElse(null);
    }

    private static String imsiOf(CcRequest ccr) {
        for (CcRequest.Subscription s : ccr.subscriptions()) {
            if (s.type() == io.credence.ledger.IdentityType.IMSI) {
                return s.data();
            }
        }
        return null;
    }

    /**
     * What a caller can spend on a service: units of the service's own unit, plus the units its
     * money buys at the tariff the call would be charged at (an outlet's threshold is compared with
     * this); and the money alone, which the grant reports as Remaining-Balance.
     */
    private long[] availableResource(String account, CcRequest.ServiceRequest sr, Unit unit, Rated rated) throws Busy {
        long[] both = query(l -> new long[] {l.available(account, unit, sr.service()).orElse(0L),
                l.available(account, Unit.MONEY, sr.service()).orElse(0L)});
        long units = both[0];
        if (rated.tariff() == null || rated.source() == Rated.Source.FREE) {
            return both;
        }
        return new long[] {Math.addExact(units, Rated.unitsAffordable(rated.tariff(), rated.band(), rated.callUnits(),
                both[1], Long.MAX_VALUE - units)), both[1]};
    }

    /**
     * A grant the catalog decided: free (nothing reserved; usage recorded at a zero price), or from
     * units of the service's unit (buckets first, by the ledger's consumption order) and, when they
     * run out, from money at the tariff. The current grant is settled first at its own price.
     */
    private ServiceAnswer serveRated(Steps steps, String account, CcRequest.ServiceRequest sr, CcSession.Grant current,
                                     Want want, Rating.Decided decided, Map<CcSession.GrantKey, CcSession.Grant> grants)
            throws Busy {
        if (current != null) {
            settle(steps, account, current, usedOf(sr, current.unit()));
        }
        Rated rated = decided.rated();
        if (decided.free()) {
            grants.put(sr.grantKey(), new CcSession.Grant(0, want.unit, want.amount, sr.service(), rated));
            return new ServiceAnswer(sr, Codes.DIAMETER_SUCCESS, want.unit, want.amount, false);
        }
        Outcome units = submit(steps.next(), reserve(steps, account, want.unit, want.amount));
        if (units instanceof Outcome.Reserved reserved) {
            return grantedRated(sr, reserved, want.unit, reserved.amount(), rated.paidFrom(Rated.Source.UNITS,
                    reserved.amount()), false, grants);
        }
        if (!(units instanceof Rejection.InsufficientBalance shortOfUnits)) {
            return ServiceAnswer.of(sr, resultOf((Rejection) units));
        }
        if (shortOfUnits.available() > 0) {
            Outcome partial = submit(steps.next(), reserve(steps, account, want.unit, shortOfUnits.available()));
            if (partial instanceof Outcome.Reserved reserved) {
                // with a money tariff the next request is paid from money: the service goes on
                return grantedRated(sr, reserved, want.unit, reserved.amount(), rated.paidFrom(Rated.Source.UNITS,
                        reserved.amount()), rated.tariff() == null, grants);
            }
        }
        if (rated.tariff() == null) {
            return ServiceAnswer.of(sr, Codes.DIAMETER_CREDIT_LIMIT_REACHED);
        }
        long price = Rated.priceBetween(rated.tariff(), rated.band(), rated.callUnits(), want.amount);
        if (price == 0) {
            grants.put(sr.grantKey(), new CcSession.Grant(0, want.unit, want.amount, sr.service(),
                    rated.paidFrom(Rated.Source.MONEY, 0)));
            return new ServiceAnswer(sr, Codes.DIAMETER_SUCCESS, want.unit, want.amount, false);
        }
        Outcome money = submit(steps.next(), reserve(steps, account, Unit.MONEY, price));
        if (money instanceof Outcome.Reserved reserved) {
            return grantedRated(sr, reserved, want.unit, want.amount, rated.paidFrom(Rated.Source.MONEY,
                    reserved.amount()), false, grants);
        }
        if (money instanceof Rejection.InsufficientBalance shortOfMoney && shortOfMoney.available() > 0) {
            long affordable = Rated.unitsAffordable(rated.tariff(), rated.band(), rated.callUnits(),
                    shortOfMoney.available(), want.amount);
            long partialPrice = Rated.priceBetween(rated.tariff(), rated.band(), rated.callUnits(), affordable);
            if (affordable > 0 && partialPrice > 0) {
                Outcome partial = submit(steps.next(), reserve(steps, account, Unit.MONEY, partialPrice));
                if (partial instanceof Outcome.Reserved reserved) {
                    return grantedRated(sr, reserved, want.unit, affordable, rated.paidFrom(Rated.Source.MONEY,
                            reserved.amount()), true, grants);
                }
                money = partial;
            }
        }
        return ServiceAnswer.of(sr, money instanceof Rejection r ? resultOf(r) : Codes.DIAMETER_UNABLE_TO_COMPLY);
    }

    private ServiceAnswer grantedRated(CcRequest.ServiceRequest sr, Outcome.Reserved reserved, Unit unit, long units,
                                       Rated rated, boolean finalUnits, Map<CcSession.GrantKey, CcSession.Grant> grants) {
        grants.put(sr.grantKey(), new CcSession.Grant(reserved.reservationId(), unit, units, sr.service(), rated));
        return new ServiceAnswer(sr, Codes.DIAMETER_SUCCESS, unit, units, finalUnits);
    }

    private ServiceAnswer grantAlone(Steps steps, String account, CcRequest.ServiceRequest sr, Want want,
                                     Map<CcSession.GrantKey, CcSession.Grant> grants) throws Busy {
        Outcome o = submit(steps.next(), reserve(steps, account, want.unit, want.amount));
        if (o instanceof Outcome.Reserved reserved) {
            return granted(sr, reserved, want.unit, false, grants);
        }
        if (o instanceof Rejection.InsufficientBalance short1 && short1.available() > 0) {
            Outcome partial = submit(steps.next(), reserve(steps, account, want.unit, short1.available()));
            if (partial instanceof Outcome.Reserved reserved) {
                return granted(sr, reserved, want.unit, true, grants);
            }
            o = partial;
        }
        return ServiceAnswer.of(sr, resultOf((Rejection) o));
    }

    private ServiceAnswer granted(CcRequest.ServiceRequest sr, Outcome.Reserved reserved, Unit unit, boolean finalUnits,
                                  Map<CcSession.GrantKey, CcSession.Grant> grants) {
        grants.put(sr.grantKey(), new CcSession.Grant(reserved.reservationId(), unit, reserved.amount(), sr.service()));
        return new ServiceAnswer(sr, Codes.DIAMETER_SUCCESS, unit, reserved.amount(), finalUnits);
    }

    /**
     * Charges {@code used} on a grant and returns the rest: the units themselves, or their price
     * when money holds the grant. Usage beyond the grant is charged as overdraft within the
     * account's credit limit; past the limit only the grant is charged and the excess is logged.
     * A grant that already expired returned its hold: usage is then charged directly if the
     * balance allows. Whatever was charged becomes a usage record.
     */
    private void settle(Steps steps, String account, CcSession.Grant grant, long used) throws Busy {
        Rated rated = grant.rated();
        boolean money = rated != null && rated.source() == Rated.Source.MONEY;
        Unit unit = rated == null ? grant.unit() : rated.reservedUnit(grant.unit());
        long charge = money ? rated.moneyFor(used) : used;
        long reserved = rated == null ? grant.amount() : rated.reserved();
        String step = steps.next();
        if (grant.free()) {
            // nothing was reserved: a free call is only recorded; a zero-price grant overrun is charged
            if (money && charge > 0) {
                chargeWithoutGrant(steps, account, new CcRequest.ServiceRequest(grant.service().ratingGroup(),
                        grant.service().serviceId(), null, null), Map.of(Unit.MONEY, charge));
            }
            recordUsage(steps, step, account, grant, used, money ? charge : 0);
            return;
        }
        Outcome o = submit(step, new Operation.Commit(grant.reservationId(), charge, true));
        switch (o) {
            case Outcome.Committed committed -> { }
            case Rejection.CreditLimitExceeded over -> {
                submit(steps.next(), new Operation.Commit(grant.reservationId(), reserved, false));
                LOG.log(System.Logger.Level.WARNING, "{0} used {1} {2} on a grant of {3} beyond its credit limit; "
                        + "{4} {5} not charged", account, used, grant.unit(), grant.amount(), charge - reserved, unit);
                charge = reserved;
            }
            case Rejection.Expired expired -> chargeWithoutGrant(steps, account,
                    new CcRequest.ServiceRequest(grant.service().ratingGroup(), grant.service().serviceId(), null, null),
                    Map.of(unit, charge));
            case Rejection other -> LOG.log(System.Logger.Level.WARNING, "settling reservation {0} for {1}: {2}",
                    grant.reservationId(), account, other.message());
            default -> throw new IllegalStateException("unexpected " + o);
        }
        recordUsage(steps, step, account, grant, used, charge);
    }

    /**
     * The usage record of a settled grant; its id is the ledger step that charged it, so a request
     * retransmitted after a restart writes the same record again and readers keep one.
     */
    private void recordUsage(Steps steps, String stepId, String account, CcSession.Grant grant, long used, long charged) {
        if (used <= 0) {
            return;
        }
        Rated rated = grant.rated();
        boolean money = rated != null && rated.source() == Rated.Source.MONEY;
        Map<String, String> attributes = new LinkedHashMap<>();
        if (rated != null && rated.request() != null) {
            RatingRequest r = rated.request();
            putIfKnown(attributes, "callingNetwork", r.calling().network());
            putIfKnown(attributes, "callingTerminal", r.calling().type());
            putIfKnown(attributes, "callingRoaming", r.calling().roaming());
            putIfKnown(attributes, "calledNetwork", r.called().network());
            putIfKnown(attributes, "calledTerminal", r.called().type());
            putIfKnown(attributes, "outlet", r.outlet());
            putIfKnown(attributes, "band", rated.band());
            putIfKnown(attributes, "catalogVersion", rated.catalogVersion());
        }
        // a debit, so negative, as records write every balance change
        List<UsageRecord.BalanceChange> balances = charged > 0 ? List.of(new UsageRecord.BalanceChange(account,
                rated == null ? grant.unit() : rated.reservedUnit(grant.unit()), -charged)) : List.of();
        try {
            usage.accept(new UsageRecord(stepId, clock.getAsLong(), account, steps.session.origin, steps.session.sessionId,
                    rated != null ? rated.service() : unratedService(grant.service()), grant.service().ratingGroup(),
                    attributes,
                    rated == null ? null : rated.rule(), rated == null || rated.tariff() == null ? null : rated.tariff().id(),
                    rated == null ? "UNRATED" : rated.decision(), grant.unit(), used, used, money ? charged : 0,
                    rated == null ? null : rated.currency(), balances, List.of(stepId)));
        } catch (RuntimeException e) {
            // the charge stands; a record that could not be written is logged with everything it held
            LOG.log(System.Logger.Level.ERROR, "usage record " + stepId + " for " + account + " not written", e);
        }
    }

    /** What a record names a service the catalog does not rate: its rating group and service id. */
    private static String unratedService(ServiceRef service) {
        return "rg:" + Steps.part(service.ratingGroup()) + "." + Steps.part(service.serviceId());
    }

    private static void putIfKnown(Map<String, String> attributes, String name, Object value) {
        if (value != null) {
            attributes.put(name, value.toString());
        }
    }

    private void chargeWithoutGrant(Steps steps, String account, CcRequest.ServiceRequest sr, Map<Unit, Long> used)
            throws Busy {
        for (var e : used.entrySet()) {
            if (e.getValue() <= 0) {
                continue;
            }
            Outcome o = submit(steps.next(), new Operation.Transfer(account, config.counterpartyAccount(), e.getKey(),
                    e.getValue(), sr.service()));
            if (o instanceof Rejection r) {
                LOG.log(System.Logger.Level.WARNING, "{0} reported {1} {2} without a grant; not charged: {3}", account,
                        e.getValue(), e.getKey(), r.message());
            }
        }
    }

    /** What to grant: the requested amount, or the default quota for an empty request. */
    private record Want(Unit unit, long amount) {}

    private static final class RatingFailed extends Exception {
        private static final long serialVersionUID = 1L;

        RatingFailed() {
            super(null, null, false, false);
        }
    }

    private Want want(CcRequest ccr, CcRequest.ServiceRequest sr, CcSession.Grant current, boolean grantWhenAbsent)
            throws RatingFailed {
        if (sr.requested() == null && !grantWhenAbsent) {
            return null;
        }
        CreditControlConfig.Quota quota = config.ratingGroupQuotas().get(sr.ratingGroup());
        if (quota == null) {
            quota = config.serviceContextQuotas().get(ccr.serviceContextId());
        }
        Unit unit = current != null ? current.unit() : quota != null ? quota.unit() : null;
        if (sr.requested() == null || sr.requested().isEmpty()) {
            if (quota == null || (unit != null && unit != quota.unit())) {
                throw new RatingFailed();
            }
            return new Want(quota.unit(), quota.amount());
        }
        if (unit == null) {
            var first = sr.requested().entrySet().iterator().next();
            return first.getValue() > 0 ? new Want(first.getKey(), first.getValue()) : null;
        }
        Long amount = sr.requested().get(unit);
        if (amount == null) {
            throw new RatingFailed(); // asked in a unit this service is not rated in
        }
        return amount > 0 ? new Want(unit, amount) : null;
    }

    private static Want firstRequested(CcRequest.ServiceRequest sr) {
        var first = sr.requested().entrySet().iterator().next();
        return new Want(first.getKey(), first.getValue());
    }

    private static long usedOf(CcRequest.ServiceRequest sr, Unit unit) {
        return sr.used() == null ? 0 : sr.used().getOrDefault(unit, 0L);
    }

    /**
     * The held grant a request's service reports on: the exact key, else (a request naming only
     * the rating group) the grant of that rating group on the same UPF.
     */
    private static CcSession.GrantKey grantKey(Map<CcSession.GrantKey, CcSession.Grant> grants,
                                               CcRequest.ServiceRequest sr) {
        CcSession.GrantKey exact = sr.grantKey();
        if (grants.containsKey(exact)) {
            return exact;
        }
        for (CcSession.GrantKey key : grants.keySet()) {
            if (key.service().ratingGroup() == sr.ratingGroup() && sr.serviceId() == ServiceRef.NONE
                    && Objects.equals(key.upfId(), sr.upfId())) {
                return key;
            }
        }
        return exact;
    }

    private Operation.Commit commit(CcSession.Grant grant, long used) {
        return new Operation.Commit(grant.reservationId(), used, true);
    }

    private Operation.Reserve reserve(Steps steps, String account, Unit unit, long amount) {
        long ttl = (config.validityTimeSeconds() + (long) config.graceSeconds()) * 1000;
        return new Operation.Reserve(account, config.counterpartyAccount(), unit, amount, steps.grant.service(), ttl,
                grantTag(steps.session.key, steps.grant));
    }

    /** The ledger tag of a session's grant for one service: how a restarted server finds it again. */
    static String grantTag(String sessionKey, CcSession.GrantKey grant) {
        return "cc:" + sessionKey + ":" + Steps.part(grant);
    }

    private static long resultOf(Rejection rejection) {
        return switch (rejection) {
            case Rejection.InsufficientBalance r -> Codes.DIAMETER_CREDIT_LIMIT_REACHED;
            case Rejection.CreditLimitExceeded r -> Codes.DIAMETER_CREDIT_LIMIT_REACHED;
            case Rejection.AccountNotActive r -> Codes.DIAMETER_END_USER_SERVICE_DENIED;
            case Rejection.UnknownAccount r -> Codes.DIAMETER_USER_UNKNOWN;
            case Rejection.LinkedRejected r -> resultOf(r.cause());
            default -> Codes.DIAMETER_UNABLE_TO_COMPLY;
        };
    }

    /** All services failed alike: that is the session's result too; otherwise success. */
    private static long topLevel(List<ServiceAnswer> answers) {
        if (answers.isEmpty()) {
            return Codes.DIAMETER_SUCCESS;
        }
        long first = answers.get(0).resultCode;
        for (ServiceAnswer a : answers) {
            if (a.resultCode != first) {
                return Codes.DIAMETER_SUCCESS;
            }
        }
        return first;
    }

    /** Whether the ledger remembers the first step of this termination for one of its services. */
    private boolean terminatedBefore(CcSession session, CcRequest ccr) throws Busy {
        List<String> firstSteps = new ArrayList<>();
        for (CcRequest.ServiceRequest sr : ccr.services()) {
            firstSteps.add(new Steps(session, ccr, sr.grantKey()).next());
        }
        firstSteps.add(new Steps(session, ccr, CcSession.GrantKey.ANY).next());
        return query(l -> firstSteps.stream().anyMatch(id -> l.outcomeOf(id).isPresent()));
    }

    /**
     * An update or termination for a session this server does not remember (it restarted): the
     * session's grants are still open in the ledger under their tags, so it is rebuilt from them.
     * Its last request number is unknown, so the next number is accepted as it comes; a
     * retransmitted request is recognised by its step ids (see {@link #submit}).
     */
    private boolean recover(CcSession session, CcRequest ccr) throws Busy {
        List<CcSession.GrantKey> services = new ArrayList<>();
        for (CcRequest.ServiceRequest sr : ccr.services()) {
            services.add(sr.grantKey());
        }
        if (services.isEmpty()) {
            services.add(CcSession.GrantKey.ANY); // a single-service session, or a termination that lists nothing
        }
        Map<CcSession.GrantKey, CcSession.Grant> grants = query(l -> {
            Map<CcSession.GrantKey, CcSession.Grant> found = new LinkedHashMap<>();
            for (CcSession.GrantKey service : services) {
                l.openReservationTagged(grantTag(session.key, service)).ifPresent(r -> found.put(service,
                        new CcSession.Grant(r.reservationId(), r.unit(), r.amount(), r.service())));
            }
            return found;
        });
        if (grants.isEmpty()) {
            return false;
        }
        String account = query(l -> l.reservation(grants.values().iterator().next().reservationId())
                .map(r -> r.accountId()).orElse(null));
        if (account == null) {
            return false;
        }
        session.accountId = account;
        session.grants = Map.copyOf(repriced(ccr, grants));
        session.recovered = true;
        LOG.log(System.Logger.Level.INFO, "session {0} recovered from the ledger with {1} grant(s)", ccr.sessionId(),
                String.valueOf(grants.size()));
        return true;
    }

    /**
     * Recovered grants that money holds for a service rated in other units: the ledger keeps the
     * money, not the tariff, so the tariff is found again by rating the retransmitted request with
     * the catalog in force, and the grant's units are what its money buys from the start of the call.
     * (The position in the call before the restart is not kept: a stepped tariff starts over.)
     */
    private Map<CcSession.GrantKey, CcSession.Grant> repriced(CcRequest ccr, Map<CcSession.GrantKey, CcSession.Grant> grants) {
        RatingEngine engine = rating.get();
        if (engine == null) {
            return grants;
        }
        Map<CcSession.GrantKey, CcSession.Grant> out = new LinkedHashMap<>();
        for (var e : grants.entrySet()) {
            CcSession.Grant g = e.getValue();
            Catalog.Service service = engine.catalog().serviceOf(g.service().ratingGroup());
            if (g.unit() != Unit.MONEY || service == null || service.unit() == Unit.MONEY) {
                out.put(e.getKey(), g);
                continue;
            }
            Catalog catalog = engine.catalog();
            long now = clock.getAsLong();
            RatingRequest request = new RatingRequest(service.name(),
                    TerminalAttributes.calling(ccr.message(), catalog.terminalTypes(), imsiOf(ccr)),
                    TerminalAttributes.called(ccr.message()), TerminalAttributes.outlet(ccr.message()), now);
            Tariff tariff = null;
            String band = null;
            String rule = null;
            if (engine.rate(request) instanceof RatingEngine.Decision.Charged charged) {
                tariff = charged.tariff();
                band = charged.band();
                rule = charged.rule().name();
            } else if (service.moneyTariff() != null) {
                tariff = catalog.tariffs().get(service.moneyTariff());
                band = bandOf(engine, tariff, now);
            }
            if (tariff == null) {
                out.put(e.getKey(), g); // settles as money used; the client's units find no price
                continue;
            }
            long units = Rated.unitsAffordable(tariff, band, 0, g.amount(), Long.MAX_VALUE / 2);
            out.put(e.getKey(), new CcSession.Grant(g.reservationId(), service.unit(), units, g.service(),
                    new Rated(service.name(), catalog.version(), catalog.currency(), request, rule, tariff, band,
                            Rated.Source.MONEY, 0, g.amount())));
        }
        return out;
    }

    // ---------------------------------------------------------------- subscribers

    private record Subscriber(String accountId, AccountStatus status) {}

    private Subscriber findSubscriber(CcRequest ccr) throws Busy {
        return query(l -> {
            for (CcRequest.Subscription s : ccr.subscriptions()) {
                Optional<String> account = l.accountForIdentity(s.type(), s.data());
                if (account.isPresent()) {
                    return l.account(account.get()).map(v -> new Subscriber(v.accountId(), v.status())).orElse(null);
                }
            }
            return null;
        });
    }

    private static String describe(List<CcRequest.Subscription> subscriptions) {
        StringBuilder out = new StringBuilder();
        for (CcRequest.Subscription s : subscriptions) {
            out.append(out.isEmpty() ? "" : ", ").append(s.type()).append(' ').append(s.data());
        }
        return out.toString();
    }

    // ---------------------------------------------------------------- ledger access

    /**
     * Ledger request ids of one request and service: {@code cc:<session>:<number>:<rg>.<sid>:<step>},
     * with {@code @<upf digest>} after the service when an Nchf consumer named the UPF.
     */
    private static final class Steps {
        private final String stem;
        final CcSession session;
        final CcSession.GrantKey grant;
        private final CcRequest ccr;
        private int step;

        Steps(CcSession session, CcRequest ccr, CcSession.GrantKey grant) {
            this.session = session;
            this.ccr = ccr;
            this.grant = grant;
            this.stem = "cc:" + session.key + ":" + ccr.requestNumber() + ":" + part(grant) + ":";
        }

        Steps forService(CcSession.GrantKey other) {
            return new Steps(session, ccr, other);
        }

        String next() {
            return stem + step++;
        }

        static String part(CcSession.GrantKey grant) {
            String service = part(grant.service().ratingGroup()) + "." + part(grant.service().serviceId());
            return grant.upfId() == null ? service : service + "@" + keyOf(grant.upfId()).substring(0, 11);
        }

        static String part(long value) {
            return value == ServiceRef.NONE ? "n" : Long.toString(value);
        }
    }

    /**
     * Submits one step. A step id the ledger already used for other content means this request was
     * handled before from a state this server no longer has (it restarted, and the client
     * retransmits): the first outcome is the truth, and the request is answered from it.
     */
    private Outcome submit(String requestId, Operation operation) throws Busy {
        Outcome outcome = await(ledger.submit(new Command(requestId, operation)));
        if (outcome instanceof Rejection.DuplicateRequest) {
            return query(l -> l.outcomeOf(requestId)).orElse(outcome);
        }
        return outcome;
    }

    private <T> T query(Function<Ledger, T> query) throws Busy {
        return await(ledger.query(query));
    }

    private static <T> T await(Submission<T> submission) throws Busy {
        return switch (submission) {
            case Submission.Accepted<T> accepted -> {
                try {
                    yield accepted.answer().get(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new Busy("interrupted");
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    throw new Busy("ledger failed: " + e.getMessage());
                }
            }
            case Submission.Busy<T> busy -> throw new Busy("ledger queue full (" + busy.queueMax() + ")");
            case Submission.Stopped<T> stopped -> throw new Busy("ledger stopped: " + stopped.reason());
            case Submission.TooLarge<T> tooLarge -> throw new IllegalStateException("command of " + tooLarge.bytes()
                    + " bytes exceeds a journal record");
        };
    }

    // ---------------------------------------------------------------- answers

    private List<Avp> compose(DiameterMessage request, CcRequest ccr, Result result) {
        List<Avp> avps = new ArrayList<>();
        avps.add(Avps.utf8(Codes.SESSION_ID, 0, true, ccr.sessionId()));
        avps.add(Avps.unsigned32(Codes.RESULT_CODE, 0, true, result.resultCode));
        avps.add(Avps.utf8(Codes.ORIGIN_HOST, 0, true, local.originHost()));
        avps.add(Avps.utf8(Codes.ORIGIN_REALM, 0, true, local.originRealm()));
        avps.add(ccr.application()); // as the client named it: bare, or vendor-specific
        avps.add(Avps.integer32(Codes.CC_REQUEST_TYPE, 0, true, ccr.requestType()));
        avps.add(Avps.unsigned32(Codes.CC_REQUEST_NUMBER, 0, true, ccr.requestNumber()));
        if (ccr.requestType() == Codes.EVENT_REQUEST) {
            avps.add(Avps.integer32(Codes.REQUESTED_ACTION, 0, true, ccr.requestedAction()));
        }
        if (ccr.multipleServices()) {
            for (ServiceAnswer a : result.services) {
                avps.add(Avps.grouped(Codes.MULTIPLE_SERVICES_CREDIT_CONTROL, 0, true, serviceAvps(a)));
            }
        } else if (!result.services.isEmpty()) {
            ServiceAnswer a = result.services.get(0);
            if (a.unit != null) {
                avps.add(ServiceUnits.write(Codes.GRANTED_SERVICE_UNIT, a.unit, a.granted, config));
                if (ccr.requestType() != Codes.EVENT_REQUEST) {
                    avps.add(Avps.unsigned32(Codes.VALIDITY_TIME, 0, true, config.validityTimeSeconds()));
                }
                if (a.finalUnits) {
                    avps.add(finalUnitIndication());
                }
            }
            if (a.resultCode != Codes.DIAMETER_SUCCESS) {
                avps.set(1, Avps.unsigned32(Codes.RESULT_CODE, 0, true, a.resultCode));
            }
        }
        result.services.stream().filter(a -> a.remainingMoney() >= 0).findFirst().ifPresent(a ->
                avps.add(Avps.grouped(Codes.REMAINING_BALANCE, io.credence.diameter.codec.Dictionary.VENDOR_3GPP, true,
                        List.of(Avps.grouped(Codes.UNIT_VALUE, 0, true, List.of(
                                        Avps.long64(Codes.VALUE_DIGITS, 0, true, a.remainingMoney()),
                                        Avps.integer32(Codes.EXPONENT, 0, true, -config.currencyMinorDigits()))),
                                Avps.unsigned32(Codes.CURRENCY_CODE, 0, true, config.currencyNumeric())))));
        avps.addAll(result.extra);
        ServiceAnswer problem = result.services.stream().filter(a -> a.problem() != null).findFirst().orElse(null);
        String errorMessage = result.errorMessage != null ? result.errorMessage
                : problem == null ? null : problem.problem();
        if (errorMessage != null) {
            avps.add(Avps.utf8(Codes.ERROR_MESSAGE, 0, false, errorMessage.length() > 200
                    ? errorMessage.substring(0, 200) : errorMessage));
        }
        if (problem != null && problem.failedAvp() != null) {
            avps.add(Avps.grouped(Codes.FAILED_AVP, 0, true, List.of(problem.failedAvp())));
        }
        return avps;
    }

    private List<Avp> serviceAvps(ServiceAnswer a) {
        List<Avp> m = new ArrayList<>();
        if (a.unit != null) {
            m.add(ServiceUnits.write(Codes.GRANTED_SERVICE_UNIT, a.unit, a.granted, config));
        }
        if (a.request.ratingGroup() != ServiceRef.NONE) {
            m.add(Avps.unsigned32(Codes.RATING_GROUP, 0, true, a.request.ratingGroup()));
        }
        if (a.request.serviceId() != ServiceRef.NONE) {
            m.add(Avps.unsigned32(Codes.SERVICE_IDENTIFIER, 0, true, a.request.serviceId()));
        }
        if (a.request.upfId() != null) {
            m.add(Avps.utf8(Codes.CREDENCE_UPF_ID, Codes.VENDOR_CREDENCE, false, a.request.upfId()));
        }
        if (a.unit != null) {
            m.add(Avps.unsigned32(Codes.VALIDITY_TIME, 0, true, config.validityTimeSeconds()));
        }
        m.add(Avps.unsigned32(Codes.RESULT_CODE, 0, true, a.resultCode));
        if (a.finalUnits) {
            m.add(finalUnitIndication());
        }
        return m;
    }

    /** TERMINATE, or REDIRECT to the configured server (a top-up portal) when one is set. */
    private Avp finalUnitIndication() {
        CreditControlConfig.Redirect redirect = config.redirect();
        if (redirect == null) {
            return Avps.grouped(Codes.FINAL_UNIT_INDICATION, 0, true,
                    List.of(Avps.integer32(Codes.FINAL_UNIT_ACTION, 0, true, Codes.FUA_TERMINATE)));
        }
        return Avps.grouped(Codes.FINAL_UNIT_INDICATION, 0, true, List.of(
                Avps.integer32(Codes.FINAL_UNIT_ACTION, 0, true, Codes.FUA_REDIRECT),
                Avps.grouped(Codes.REDIRECT_SERVER, 0, true, List.of(
                        Avps.integer32(Codes.REDIRECT_ADDRESS_TYPE, 0, true, redirect.addressType()),
                        Avps.utf8(Codes.REDIRECT_SERVER_ADDRESS, 0, true, redirect.address())))));
    }

    /** A session-level failure answer: what could be read of the request, the code, Failed-AVP. */
    private List<Avp> failure(DiameterMessage request, long resultCode, Avp failedAvp, String message) {
        List<Avp> avps = new ArrayList<>();
        String sessionId = CcRequest.sessionIdOf(request);
        if (sessionId != null) {
            avps.add(Avps.utf8(Codes.SESSION_ID, 0, true, sessionId));
        }
        avps.add(Avps.unsigned32(Codes.RESULT_CODE, 0, true, resultCode));
        avps.add(Avps.utf8(Codes.ORIGIN_HOST, 0, true, local.originHost()));
        avps.add(Avps.utf8(Codes.ORIGIN_REALM, 0, true, local.originRealm()));
        avps.add(CcRequest.applicationToEcho(request));
        for (long echoed : new long[] {Codes.CC_REQUEST_TYPE, Codes.CC_REQUEST_NUMBER}) {
            request.find(echoed, 0).filter(a -> a.data().length == 4).ifPresent(avps::add);
        }
        if (message != null) {
            avps.add(Avps.utf8(Codes.ERROR_MESSAGE, 0, false, message.length() > 200 ? message.substring(0, 200) : message));
        }
        if (failedAvp != null) {
            avps.add(Avps.grouped(Codes.FAILED_AVP, 0, true, List.of(failedAvp)));
        }
        return avps;
    }

    private DiameterMessage protocolError(DiameterMessage request, long resultCode, String message) {
        DiameterMessage answer = request.answer(failure(request, resultCode, null, message));
        return answer.withErrorBit();
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
        CcSession session = sessions.get(sessionId);
        if (session == null || session.finished) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no open session " + sessionId));
        }
        Optional<Peer> peer = peers.apply(session.peerHost);
        if (peer.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalStateException("peer " + session.peerHost
                    + " of session " + sessionId + " is not connected"));
        }
        List<Avp> avps = new ArrayList<>();
        avps.add(Avps.utf8(Codes.SESSION_ID, 0, true, sessionId));
        avps.add(Avps.utf8(Codes.ORIGIN_HOST, 0, true, local.originHost()));
        avps.add(Avps.utf8(Codes.ORIGIN_REALM, 0, true, local.originRealm()));
        avps.add(Avps.utf8(Codes.DESTINATION_REALM, 0, true, session.clientRealm));
        avps.add(Avps.utf8(Codes.DESTINATION_HOST, 0, true, session.clientHost));
        avps.add(session.application != null ? session.application
                : Avps.unsigned32(Codes.AUTH_APPLICATION_ID, 0, true, Codes.APP_CREDIT_CONTROL));
        avps.addAll(specific);
        DiameterMessage request = new DiameterMessage(DiameterMessage.FLAG_REQUEST | DiameterMessage.FLAG_PROXIABLE,
                command, Codes.APP_CREDIT_CONTROL, 0, ThreadLocalRandom.current().nextInt() & 0xFFFF_FFFFL, avps);
        return peer.get().send(request).thenApply(answer -> answer.find(Codes.RESULT_CODE, 0)
                .map(Avp::unsigned32).orElse(0L));
    }

    /** Sends RAR to every open session of an account (after a top-up); returns how many were asked. */
    public int reAuthorizeAccount(String accountId) {
        int asked = 0;
        for (CcSession s : sessions.values()) {
            if (!s.finished && accountId.equals(s.accountId)) {
                reAuthorize(s.sessionId).exceptionally(e -> 0L);
                asked++;
            }
        }
        return asked;
    }

    // ---------------------------------------------------------------- listing and housekeeping

    /** Sessions open now (not finished), for the metrics gauge; walks the table, so not per request. */
    public long openSessionCount() {
        return sessions.values().stream().filter(s -> !s.finished).count();
    }

    public Optional<SessionView> session(String sessionId) {
        return Optional.ofNullable(sessions.get(sessionId)).map(CreditControlServer::view);
    }

    public List<SessionView> sessions(int limit) {
        return sessions.values().stream().filter(s -> !s.finished && (s.lastAnswer != null || s.recovered))
                .sorted(Comparator.comparing(s -> s.sessionId)).limit(limit).map(CreditControlServer::view).toList();
    }


    private static SessionView view(CcSession s) {
        List<SessionView.GrantView> grants = new ArrayList<>();
        for (CcSession.Grant g : s.grants.values()) {
            grants.add(new SessionView.GrantView(g.service().ratingGroup(), g.service().serviceId(), g.unit().name(),
                    g.amount(), g.reservationId()));
        }
        return new SessionView(s.sessionId, s.accountId, s.peerHost, s.lastNumber, s.finished, grants);
    }

    /**
     * Forgets finished sessions after the retransmission window, and silent ones once their grants
     * have expired in the ledger (Validity-Time plus grace), keeping the table bounded.
     */
    private void sweep() {
        long now = clock.getAsLong();
        long silentMillis = (config.validityTimeSeconds() + (long) config.graceSeconds()
                + config.closedRetentionSeconds()) * 1000;
        long finishedMillis = config.closedRetentionSeconds() * 1000L;
        sessions.values().removeIf(s -> now - s.touchedAtMillis > (s.finished ? finishedMillis : silentMillis)
                && s.pending == 0);
    }

    /** Short digest of a Session-Id (which may be long and contain any character) for request ids. */
    static String keyOf(String sessionId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(sessionId.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        workers.shutdown();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
