package io.credence.charging;

import io.credence.charging.ChargingOutcome.Result;
import io.credence.charging.ChargingOutcome.ServiceOutcome;
import io.credence.charging.Pricing.Rating;
import io.credence.ledger.Ids;
import io.credence.ledger.Operation;
import io.credence.ledger.Outcome;
import io.credence.ledger.Rejection;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;

import java.util.ArrayList;
import java.util.List;

/**
 * One-off events (RFC 4006 EVENT_REQUEST): a direct debit (an SMS), a refund, a balance check, a
 * price enquiry. A debit is all or nothing: an event is not delivered in part.
 */
final class Events {
    private Events() {}

    static ChargingOutcome apply(RequestContext ctx) {
        ChargingRequest request = ctx.request;
        List<ServiceOutcome> answers = new ArrayList<>();
        Boolean enoughCredit = null;
        long price = -1;
        for (ChargingRequest.ServiceUsage usage : request.services()) {
            ServiceCharging.Want want;
            try {
                // enquiries are answered in whatever unit they ask; debits must match the service's unit
                boolean enquiry = request.action() == ChargingRequest.EventAction.PRICE_ENQUIRY
                        || request.action() == ChargingRequest.EventAction.CHECK_BALANCE;
                want = enquiry && usage.requested() != null && !usage.requested().isEmpty()
                        ? firstRequested(usage) : ServiceCharging.want(ctx, usage, null, true);
            } catch (ServiceCharging.RatingFailed failed) {
                answers.add(ServiceOutcome.of(usage.key(), Result.RATING_FAILED));
                continue;
            }
            if (want == null) {
                // a requested amount of zero: nothing to debit or refund (the ledger takes no zero amounts)
                answers.add(ServiceOutcome.of(usage.key(), Result.SUCCESS));
                continue;
            }
            RequestContext.Steps steps = ctx.steps(usage.key());
            String account = ctx.session.accountId;
            switch (request.action()) {
                case DIRECT_DEBITING -> answers.add(debit(ctx, steps, usage, want));
                case REFUND_ACCOUNT -> answers.add(refund(ctx, steps, usage, want));
                case CHECK_BALANCE -> {
                    long available = ctx.ledger.availableNow(account, want.unit(), usage.service());
                    enoughCredit = available >= want.amount();
                    answers.add(ServiceOutcome.of(usage.key(), Result.SUCCESS));
                }
                case PRICE_ENQUIRY -> {
                    long p = priceOf(ctx, usage, want);
                    if (p < 0) {
                        answers.add(ServiceOutcome.of(usage.key(), Result.RATING_FAILED));
                    } else {
                        price = p;
                        answers.add(ServiceOutcome.of(usage.key(), Result.SUCCESS));
                    }
                }
                case NONE -> throw new IllegalStateException("an event always names its action");
            }
        }
        return new ChargingOutcome(ChargingOutcome.overall(answers), null, null, answers, enoughCredit, price, true);
    }

    private static ServiceOutcome debit(RequestContext ctx, RequestContext.Steps steps,
                                        ChargingRequest.ServiceUsage usage, ServiceCharging.Want want) {
        Rating rating = Pricing.rate(ctx, usage, null, want.unit());
        ServiceKey key = usage.key();
        if (rating instanceof Rating.Refused refused) {
            return ServiceOutcome.refused(key, refused.result(), refused.reason(), null);
        }
        String account = ctx.session.accountId;
        String step = steps.next();
        if (rating instanceof Rating.None) {
            Outcome o = steps.apply(step, new Operation.Transfer(account, ctx.config.counterpartyAccount(),
                    want.unit(), want.amount(), usage.service()));
            return o instanceof Outcome.Transferred ? delivered(ctx, key, want)
                    : ServiceOutcome.of(key, ServiceCharging.resultOf((Rejection) o));
        }
        RatedGrant rated = ((Rating.Decided) rating).rated();
        if (((Rating.Decided) rating).free()) {
            UsageRecords.add(ctx, step, key, new Grant(0, want.unit(), want.amount(), rated, false), want.amount(), 0, 0);
            return delivered(ctx, key, want);
        }
        if (ctx.ledger.availableNow(account, want.unit(), usage.service()) >= want.amount()) {
            steps.apply(step, new Operation.Transfer(account, ctx.config.counterpartyAccount(), want.unit(),
                    want.amount(), usage.service()));
            UsageRecords.add(ctx, step, key, new Grant(0, want.unit(), want.amount(),
                    rated.paidFrom(RatedGrant.Source.UNITS, want.amount()), false), want.amount(), want.amount(), 0);
            return delivered(ctx, key, want);
        }
        if (rated.tariff() == null) {
            return ServiceOutcome.of(key, Result.CREDIT_LIMIT_REACHED);
        }
        long price = RatedGrant.priceBetween(rated.tariff(), rated.band(), 0, want.amount());
        if (price > 0) {
            Outcome money = steps.apply(step, new Operation.Transfer(account, ctx.config.counterpartyAccount(),
                    Unit.MONEY, price, usage.service()));
            if (!(money instanceof Outcome.Transferred)) {
                return ServiceOutcome.of(key, ServiceCharging.resultOf((Rejection) money));
            }
        }
        UsageRecords.add(ctx, step, key, new Grant(0, want.unit(), want.amount(),
                rated.paidFrom(RatedGrant.Source.MONEY, price), false), want.amount(), price, 0);
        return delivered(ctx, key, want);
    }

    private static ServiceOutcome refund(RequestContext ctx, RequestContext.Steps steps,
                                         ChargingRequest.ServiceUsage usage, ServiceCharging.Want want) {
        long amount = usage.used() != null && usage.requested() == null
                ? usage.used().getOrDefault(want.unit(), want.amount()) : want.amount();
        if (amount == 0) {
            return ServiceOutcome.of(usage.key(), Result.SUCCESS); // a refund of zero used units
        }
        String counterparty = ctx.config.counterpartyAccount();
        Operation.Step refund = counterparty.equals(Ids.SYSTEM_ACCOUNT)
                ? new Operation.TopUp(Ids.SYSTEM_ACCOUNT, ctx.session.accountId, want.unit(), amount, null)
                : new Operation.Transfer(counterparty, ctx.session.accountId, want.unit(), amount, ServiceRef.ANY);
        Outcome o = steps.apply(refund);
        return o.accepted() ? new ServiceOutcome(usage.key(), Result.SUCCESS, want.unit(), amount, false, 0, -1, null, null)
                : ServiceOutcome.of(usage.key(), ServiceCharging.resultOf((Rejection) o));
    }

    /** Money costs itself; other units cost what the catalog says; -1 when nothing prices them. */
    private static long priceOf(RequestContext ctx, ChargingRequest.ServiceUsage usage, ServiceCharging.Want want) {
        if (want.unit() == Unit.MONEY) {
            return want.amount();
        }
        if (Pricing.rate(ctx, usage, null, want.unit()) instanceof Rating.Decided decided) {
            RatedGrant r = decided.rated();
            return decided.free() ? 0 : r.tariff() == null ? -1 : RatedGrant.priceBetween(r.tariff(), r.band(), 0,
                    want.amount());
        }
        return -1;
    }

    private static ServiceOutcome delivered(RequestContext ctx, ServiceKey key, ServiceCharging.Want want) {
        return new ServiceOutcome(key, Result.SUCCESS, want.unit(), want.amount(), false, 0, -1, null, null);
    }

    private static ServiceCharging.Want firstRequested(ChargingRequest.ServiceUsage usage) {
        var first = usage.requested().entrySet().iterator().next();
        return new ServiceCharging.Want(first.getKey(), first.getValue());
    }
}
