package io.credence.charging;

import io.credence.charging.ChargingOutcome.Result;
import io.credence.charging.ChargingOutcome.ServiceOutcome;
import io.credence.charging.Pricing.Rating;
import io.credence.ledger.Operation;
import io.credence.ledger.Outcome;
import io.credence.ledger.Rejection;
import io.credence.ledger.Unit;
import io.credence.rating.Catalog;

import java.util.Map;

/**
 * One service of a request: what was used on its grant is settled, then it is granted again when
 * asked. A grant reserves up to what is available inside this one command: nothing can take the
 * balance between the settlement and the new grant, and a request for more than is left is granted
 * what is left, marked final.
 */
final class ServiceCharging {
    private ServiceCharging() {}

    /** What to grant: the requested amount, or the default grant for an empty request. */
    record Want(Unit unit, long amount) {}

    /** The service's unit cannot be told, or has no default grant (RATING_FAILED). */
    static final class RatingFailed extends Exception {
        private static final long serialVersionUID = 1L;

        RatingFailed() {
            super(null, null, false, false);
        }
    }

    /**
     * An initial or update request's service.
     *
     * @param current the grant the session holds for it (removed from {@code grants} by the caller), or null
     * @param grants  the session's grants after this request: a new grant is put here
     */
    static ServiceOutcome serve(RequestContext ctx, ChargingRequest.ServiceUsage usage, Grant current,
                                Map<ServiceKey, Grant> grants, boolean initial) {
        RequestContext.Steps steps = ctx.steps(usage.key());
        Want want;
        try {
            want = want(ctx, usage, current, initial);
        } catch (RatingFailed failed) {
            settleReported(ctx, steps, usage, current);
            return ServiceOutcome.refused(usage.key(), Result.RATING_FAILED, "no default grant or a unit the service "
                    + "is not rated in", null);
        }
        if (current != null || want == null) {
            return serveAdmitted(ctx, steps, usage, current, want, grants, current != null && current.admitted());
        }
        Admissions.Admission admitted = Admissions.admit(ctx, usage, want);
        if (admitted.refusal() != null) {
            settleReported(ctx, steps, usage, null);
            return admitted.refusal();
        }
        ServiceOutcome answer = serveAdmitted(ctx, steps, usage, null, want, grants, admitted.held());
        if (admitted.held() && answer.result() != Result.SUCCESS) {
            Admissions.release(ctx, usage.key()); // nothing granted: the pools go back
        }
        return answer;
    }

    /** The rest of {@link #serve}, once layered admission (if asked) let the service in. */
    private static ServiceOutcome serveAdmitted(RequestContext ctx, RequestContext.Steps steps,
                                                ChargingRequest.ServiceUsage usage, Grant current, Want want,
                                                Map<ServiceKey, Grant> grants, boolean admitted) {
        Rating rating = want == null ? Pricing.NONE : Pricing.rate(ctx, usage, current, want.unit());
        switch (rating) {
            case Rating.Refused refused -> {
                settleReported(ctx, steps, usage, current);
                return ServiceOutcome.refused(usage.key(), refused.result(), refused.reason(), null);
            }
            case Rating.Decided decided -> {
                ServiceOutcome answer = serveRated(ctx, steps, usage, current, want, decided, grants, admitted);
                return decided.moneyChecked() >= 0 && answer.result() == Result.SUCCESS
                        ? answer.withRemainingMoney(decided.moneyChecked()) : answer;
            }
            case Rating.None none -> { }
        }
        // whatever happens to the next grant, the usage is settled first
        settleReported(ctx, steps, usage, current);
        if (want == null) {
            return ServiceOutcome.of(usage.key(), Result.SUCCESS);
        }
        return grantUnits(ctx, steps, usage.key(), want, grants, admitted);
    }

    /**
     * What the service reports is charged whatever becomes of its next grant: on the grant it
     * held, or (holding none) straight from the balance.
     */
    private static void settleReported(RequestContext ctx, RequestContext.Steps steps, ChargingRequest.ServiceUsage usage,
                                       Grant current) {
        if (current != null) {
            Settlement.settle(ctx, steps, current, Pricing.usedOf(usage, current.unit()));
        } else if (usage.used() != null) {
            Settlement.chargeWithoutGrant(ctx, steps, usage.used());
        }
    }

    /**
     * Reserves {@code want} of the service's unit, or what is available when less (marked final);
     * nothing available is CREDIT_LIMIT_REACHED (or the reservation's own refusal).
     */
    private static ServiceOutcome grantUnits(RequestContext ctx, RequestContext.Steps steps, ServiceKey key, Want want,
                                             Map<ServiceKey, Grant> grants, boolean admitted) {
        long available = ctx.ledger.availableNow(ctx.session.accountId, want.unit(), key.service());
        long amount = Math.min(want.amount(), available);
        if (amount <= 0) {
            return ServiceOutcome.of(key, Result.CREDIT_LIMIT_REACHED);
        }
        Outcome reserved = steps.apply(reserve(ctx, want.unit(), amount, key));
        if (!(reserved instanceof Outcome.Reserved r)) {
            return ServiceOutcome.of(key, resultOf((Rejection) reserved));
        }
        grants.put(key, new Grant(r.reservationId(), want.unit(), r.amount(), null, admitted));
        return granted(ctx, key, want.unit(), r.amount(), amount < want.amount());
    }

    /**
     * A grant the catalog decided: free (nothing reserved; usage recorded at a zero price), or from
     * units of the service's unit (buckets first) and, when they run out, from money at the tariff.
     * The current grant is settled first at its own price.
     */
    private static ServiceOutcome serveRated(RequestContext ctx, RequestContext.Steps steps,
                                             ChargingRequest.ServiceUsage usage, Grant current, Want want,
                                             Rating.Decided decided, Map<ServiceKey, Grant> grants, boolean admitted) {
        settleReported(ctx, steps, usage, current);
        ServiceKey key = usage.key();
        RatedGrant rated = decided.rated();
        if (decided.free()) {
            grants.put(key, new Grant(0, want.unit(), want.amount(), rated, admitted));
            return granted(ctx, key, want.unit(), want.amount(), false, rated);
        }
        String account = ctx.session.accountId;
        long units = Math.min(want.amount(), ctx.ledger.availableNow(account, want.unit(), key.service()));
        if (units > 0) {
            Outcome reserved = steps.apply(reserve(ctx, want.unit(), units, key));
            if (reserved instanceof Outcome.Reserved r) {
                // with a money tariff the next request is paid from money: the service goes on
                boolean last = units < want.amount() && rated.tariff() == null;
                grants.put(key, new Grant(r.reservationId(), want.unit(), r.amount(),
                        rated.paidFrom(RatedGrant.Source.UNITS, r.amount()), admitted));
                return granted(ctx, key, want.unit(), r.amount(), last, rated);
            }
            return ServiceOutcome.of(key, resultOf((Rejection) reserved));
        }
        if (rated.tariff() == null) {
            return ServiceOutcome.of(key, Result.CREDIT_LIMIT_REACHED);
        }
        long price = RatedGrant.priceBetween(rated.tariff(), rated.band(), rated.callUnits(), want.amount());
        if (price == 0) {
            grants.put(key, new Grant(0, want.unit(), want.amount(), rated.paidFrom(RatedGrant.Source.MONEY, 0),
                    admitted));
            return granted(ctx, key, want.unit(), want.amount(), false, rated);
        }
        long money = ctx.ledger.availableNow(account, Unit.MONEY, key.service());
        long affordable = money >= price ? want.amount()
                : RatedGrant.unitsAffordable(rated.tariff(), rated.band(), rated.callUnits(), money, want.amount());
        long cost = RatedGrant.priceBetween(rated.tariff(), rated.band(), rated.callUnits(), affordable);
        if (affordable <= 0) {
            return ServiceOutcome.of(key, Result.CREDIT_LIMIT_REACHED);
        }
        if (cost == 0) { // a free first block is all the money buys: granted, nothing held, and it is the last
            grants.put(key, new Grant(0, want.unit(), affordable, rated.paidFrom(RatedGrant.Source.MONEY, 0),
                    admitted));
            return granted(ctx, key, want.unit(), affordable, true, rated);
        }
        Outcome reserved = steps.apply(reserve(ctx, Unit.MONEY, cost, key));
        if (!(reserved instanceof Outcome.Reserved r)) {
            return ServiceOutcome.of(key, resultOf((Rejection) reserved));
        }
        grants.put(key, new Grant(r.reservationId(), want.unit(), affordable,
                rated.paidFrom(RatedGrant.Source.MONEY, r.amount()), admitted));
        return granted(ctx, key, want.unit(), affordable, affordable < want.amount(), rated);
    }

    private static ServiceOutcome granted(RequestContext ctx, ServiceKey key, Unit unit, long amount, boolean last) {
        return granted(ctx, key, unit, amount, last, null);
    }

    /**
     * A grant rated at a tariff with time-band prices ends where the bands change: its validity is
     * cut to that moment, so the client reports then (VALIDITY_TIME) and what it uses after is
     * granted and priced in the new band. This is what Tariff-Time-Change is for, without the
     * client having to split its usage at the boundary.
     */
    private static ServiceOutcome granted(RequestContext ctx, ServiceKey key, Unit unit, long amount, boolean last,
                                          RatedGrant rated) {
        long validity = ctx.config.validitySeconds();
        if (rated != null && rated.tariff() != null && !rated.tariff().bandSteps().isEmpty() && ctx.catalog != null) {
            long untilChange = ctx.catalog.rating().millisUntilBandsChange(ctx.nowMillis);
            if (untilChange < validity * 1000L) {
                validity = Math.max(1, (untilChange + 999) / 1000);
            }
        }
        return new ServiceOutcome(key, Result.SUCCESS, unit, amount, last, validity, -1, null, null);
    }

    static Operation.Reserve reserve(RequestContext ctx, Unit unit, long amount, ServiceKey key) {
        return new Operation.Reserve(ctx.session.accountId, ctx.config.counterpartyAccount(), unit, amount,
                key.service(), ctx.config.grantTtlMillis());
    }

    /**
     * What to grant: the requested amount in the service's unit, or the default grant for an empty
     * request (the rating group's, else the catalog service's, else the service context's). Null
     * when nothing is to be granted (nothing asked outside an initial request, or zero asked).
     */
    static Want want(RequestContext ctx, ChargingRequest.ServiceUsage usage, Grant current, boolean grantWhenAbsent)
            throws RatingFailed {
        Map<Unit, Long> requested = usage.requested();
        if (requested == null && !grantWhenAbsent) {
            return null;
        }
        EngineConfig.Quota quota = defaultQuota(ctx, usage.key().ratingGroup());
        Unit unit = current != null ? current.unit() : quota != null ? quota.unit() : null;
        if (requested == null || requested.isEmpty()) {
            if (quota == null || (unit != null && unit != quota.unit())) {
                throw new RatingFailed();
            }
            return new Want(quota.unit(), quota.amount());
        }
        if (unit == null) {
            var first = requested.entrySet().iterator().next();
            return first.getValue() > 0 ? new Want(first.getKey(), first.getValue()) : null;
        }
        Long amount = requested.get(unit);
        if (amount == null) {
            throw new RatingFailed(); // asked in a unit this service is not rated in
        }
        return amount > 0 ? new Want(unit, amount) : null;
    }

    /** The options' grant for the rating group, else the catalog service's, else the service context's. */
    static EngineConfig.Quota defaultQuota(RequestContext ctx, long ratingGroup) {
        EngineConfig.Quota quota = ctx.config.ratingGroupQuotas().get(ratingGroup);
        if (quota != null) {
            return quota;
        }
        Catalog.Service service = Pricing.serviceOf(ctx, ratingGroup);
        if (service != null) {
            return new EngineConfig.Quota(service.unit(), service.defaultQuota());
        }
        return ctx.config.serviceContextQuotas().get(ctx.request.serviceContext());
    }

    static Result resultOf(Rejection rejection) {
        return switch (rejection) {
            case Rejection.InsufficientBalance r -> Result.CREDIT_LIMIT_REACHED;
            case Rejection.CreditLimitExceeded r -> Result.CREDIT_LIMIT_REACHED;
            case Rejection.AccountNotActive r -> Result.END_USER_SERVICE_DENIED;
            case Rejection.UnknownAccount r -> Result.USER_UNKNOWN;
            case Rejection.LimitExceeded r -> Result.TOO_BUSY;
            case Rejection.LinkedRejected r -> resultOf(r.cause());
            default -> Result.END_USER_SERVICE_DENIED;
        };
    }
}
