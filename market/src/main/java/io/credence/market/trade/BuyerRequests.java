package io.credence.market.trade;

import io.credence.ledger.Ids;
import io.credence.market.contract.Request;
import io.credence.market.contract.RequestAnswer;
import io.credence.market.contract.Signed;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Mode B of the marketplace: buyers broadcast what they need, signed with their registered keys,
 * and providers answer with one of their live offers or "cannot serve" ({@link Listings} knows
 * both the keys and the offers).
 */
final class BuyerRequests {
    static final int REQUESTS_MAX = 100_000;
    static final int ANSWERS_PER_REQUEST_MAX = 256;

    /** The marketplace's lock, shared by every capability: each change goes on the log under it. */
    private final ReentrantLock lock;
    private final LogAppender appender;
    private final Listings listings;
    private final LongSupplier clockMillis;
    /** The buyers' broadcast requests and the providers' answers, by request id; under the lock. */
    private final Map<String, Requested> requests = new LinkedHashMap<>();

    BuyerRequests(ReentrantLock lock, LogAppender appender, Listings listings, LongSupplier clockMillis) {
        this.lock = lock;
        this.appender = appender;
        this.listings = listings;
        this.clockMillis = clockMillis;
    }

    Publication broadcast(byte[] signedRequest) {
        Decoded<Request> decoded = Decoded.of(signedRequest, Request.class, "request");
        if (decoded.problem() != null) {
            return new Publication.Refused("signedRequest", decoded.problem());
        }
        Signed<Request> request = decoded.signed();
        String notASegment = Ids.pathSegmentProblem(request.entry().requestId());
        if (notASegment != null) {
            // addressed as /v1/market/requests/{requestId}
            return new Publication.Refused("signedRequest", "requestId " + notASegment);
        }
        lock.lock();
        try {
            Request r = request.entry();
            Requested known = requests.get(r.requestId());
            if (known != null) {
                return Arrays.equals(known.request().encode(), request.encode())
                        ? new Publication.Published(r.requestId(), known.logIndex(), true)
                        : new Publication.Refused("signedRequest", "request id '" + r.requestId() + "' is taken");
            }
            String problem = listings.signedBy(request, r.buyerId(), null, "buyer");
            if (problem != null) {
                return new Publication.Refused("signedRequest", problem);
            }
            if (r.periodEndMillis() <= clockMillis.getAsLong()) {
                return new Publication.Refused("signedRequest", "the requested period is over");
            }
            if (requests.size() >= REQUESTS_MAX) {
                return new Publication.Refused("signedRequest", "the marketplace holds " + REQUESTS_MAX + " requests already");
            }
            return new Publication.Published(r.requestId(), appender.append(request), false);
        } finally {
            lock.unlock();
        }
    }

    Publication answer(byte[] signedAnswer) {
        Decoded<RequestAnswer> decoded = Decoded.of(signedAnswer, RequestAnswer.class, "answer");
        if (decoded.problem() != null) {
            return new Publication.Refused("signedAnswer", decoded.problem());
        }
        Signed<RequestAnswer> answer = decoded.signed();
        lock.lock();
        try {
            RequestAnswer a = answer.entry();
            Requested requested = requests.get(a.requestId());
            if (requested == null) {
                return new Publication.Refused("signedAnswer", "no request '" + a.requestId() + "'");
            }
            if (requested.answers().stream().anyMatch(x -> x.answer().entry().providerId().equals(a.providerId()))) {
                return new Publication.Refused("signedAnswer", "provider '" + a.providerId() + "' answered already");
            }
            if (requested.answers().size() >= ANSWERS_PER_REQUEST_MAX) {
                return new Publication.Refused("signedAnswer", "request '" + a.requestId() + "' has "
                        + ANSWERS_PER_REQUEST_MAX + " answers already");
            }
            String problem = listings.signedByProvider(answer, a.providerId(), null);
            if (problem != null) {
                return new Publication.Refused("signedAnswer", problem);
            }
            if (a.offerId() != null) {
                Listed offer = listings.listed(a.offerId());
                if (offer == null || !offer.offer().entry().providerId().equals(a.providerId())) {
                    return new Publication.Refused("signedAnswer", "offer '" + a.offerId() + "' is not a live offer of '"
                            + a.providerId() + "'");
                }
            }
            return new Publication.Published(a.requestId(), appender.append(answer), false);
        } finally {
            lock.unlock();
        }
    }

    /** Open requests (period not over), oldest first; copies, as the answers grow under the lock. */
    List<Requested> requests(int limit) {
        lock.lock();
        try {
            long now = clockMillis.getAsLong();
            return requests.values().stream().filter(r -> r.request().entry().periodEndMillis() > now).limit(limit)
                    .map(r -> new Requested(r.request(), r.logIndex(), List.copyOf(r.answers()))).toList();
        } finally {
            lock.unlock();
        }
    }

    Optional<Requested> request(String requestId) {
        lock.lock();
        try {
            return Optional.ofNullable(requests.get(requestId))
                    .map(r -> new Requested(r.request(), r.logIndex(), List.copyOf(r.answers())));
        } finally {
            lock.unlock();
        }
    }

    /** A request is on the log at {@code index}; its answers are added as they follow it. */
    void requested(Signed<Request> request, long index) {
        requests.put(request.entry().requestId(), new Requested(request, index, new ArrayList<>()));
    }

    /** An answer is on the log at {@code index}. */
    void answered(Signed<RequestAnswer> answer, long index) {
        Requested requested = requests.get(answer.entry().requestId());
        if (requested != null) {
            requested.answers().add(new Answered(answer, index));
        }
    }
}
