package io.credence.charging;

import io.credence.charging.ChargingOutcome.Result;
import io.credence.charging.ChargingOutcome.ServiceOutcome;
import io.credence.ledger.AccountStatus;
import io.credence.ledger.ServiceRef;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What each kind of request does to a session: an initial request finds the subscriber and grants
 * every service; an update settles what was used and grants again; a termination settles and
 * releases everything. Usage reported for a session the engine no longer knows is still charged
 * when the request says whose it is.
 */
final class SessionFlow {
    private SessionFlow() {}

    static ChargingOutcome initial(RequestContext ctx) {
        ChargingOutcome refusal = findSubscriber(ctx, false);
        if (refusal != null) {
            return refusal;
        }
        Map<ServiceKey, Grant> grants = new LinkedHashMap<>();
        List<ServiceOutcome> answers = new ArrayList<>();
        for (ChargingRequest.ServiceUsage usage : ctx.request.services()) {
            answers.add(ServiceCharging.serve(ctx, usage, null, grants, true));
        }
        ctx.session.grants.putAll(grants);
        Result overall = ChargingOutcome.overall(answers);
        // an initial request that failed for every service ends the session (RFC 4006 5.1)
        return new ChargingOutcome(overall, null, null, answers, null, -1, overall != Result.SUCCESS);
    }

    static ChargingOutcome update(RequestContext ctx) {
        Map<ServiceKey, Grant> grants = ctx.session.grants;
        List<ServiceOutcome> answers = new ArrayList<>();
        for (ChargingRequest.ServiceUsage usage : ctx.request.services()) {
            ServiceKey held = heldKey(grants, usage.key());
            Grant current = grants.remove(held);
            if (current != null && current.admitted()) {
                Admissions.renew(ctx, held);
            }
            answers.add(ServiceCharging.serve(ctx, usage, current, grants, false));
        }
        return new ChargingOutcome(ChargingOutcome.overall(answers), null, null, answers, null, -1, false);
    }

    static ChargingOutcome terminate(RequestContext ctx) {
        Map<ServiceKey, Grant> grants = ctx.session.grants;
        List<ChargingRequest.ServiceUsage> reported = new ArrayList<>(ctx.request.services());
        for (var held : new ArrayList<>(grants.entrySet())) {
            ServiceKey key = held.getKey();
            ChargingRequest.ServiceUsage usage = reportOn(reported, key);
            long used = usage == null ? 0 : Pricing.usedOf(usage, held.getValue().unit());
            if (usage != null) {
                reported.remove(usage);
            }
            Settlement.settle(ctx, ctx.steps(key), held.getValue(), used);
            if (held.getValue().admitted()) {
                Admissions.release(ctx, key);
            }
        }
        grants.clear();
        for (ChargingRequest.ServiceUsage usage : reported) {
            // usage on services the session held no grant for is charged too
            if (usage.used() != null) {
                Settlement.chargeWithoutGrant(ctx, ctx.steps(usage.key()), usage.used());
            }
        }
        return new ChargingOutcome(Result.SUCCESS, null, null, List.of(), null, -1, true);
    }

    /**
     * An update or termination for a session that is not open: never opened, forgotten long after
     * it went silent, or finished. What it reports is charged to the session's subscriber, or to
     * the one its identities name (recorded as unrecovered when none does); the answer is
     * UNKNOWN_SESSION either way.
     */
    static ChargingOutcome unknownSession(RequestContext ctx) {
        boolean reportsUsage = ctx.request.services().stream().anyMatch(s -> s.used() != null
                && s.used().values().stream().anyMatch(v -> v > 0));
        boolean finished = ctx.session.state != Session.State.UNKNOWN;
        if (reportsUsage) {
            Optional<String> account = ctx.session.accountId != null ? Optional.of(ctx.session.accountId)
                    : accountOf(ctx);
            if (account.isPresent()) {
                ctx.session.accountId = account.get();
                for (ChargingRequest.ServiceUsage usage : ctx.request.services()) {
                    if (usage.used() != null) {
                        Settlement.chargeWithoutGrant(ctx, ctx.steps(usage.key()), usage.used());
                    }
                }
            } else {
                for (ChargingRequest.ServiceUsage usage : ctx.request.services()) {
                    if (usage.used() != null) {
                        usage.used().forEach((unit, amount) -> {
                            if (amount > 0) {
                                ctx.unrecovered.add(new ChargingResult.Unrecovered(null, unit, amount,
                                        "reported for an unknown session that names no known subscriber"));
                            }
                        });
                    }
                }
            }
        }
        return ChargingOutcome.refused(Result.UNKNOWN_SESSION, "session " + ctx.request.sessionId()
                + (finished ? " has finished" : " is not known (never opened, or forgotten)"), null, true);
    }

    static ChargingOutcome event(RequestContext ctx) {
        ChargingOutcome refusal = findSubscriber(ctx, ctx.request.action() == ChargingRequest.EventAction.REFUND_ACCOUNT);
        return refusal != null ? refusal : Events.apply(ctx);
    }

    /**
     * Finds the account of the first identity bound to one; a refusal when none is (USER_UNKNOWN)
     * or it is not active (END_USER_SERVICE_DENIED, unless {@code inactiveAllowed}).
     */
    private static ChargingOutcome findSubscriber(RequestContext ctx, boolean inactiveAllowed) {
        Optional<String> account = accountOf(ctx);
        if (account.isEmpty()) {
            return ChargingOutcome.refused(Result.USER_UNKNOWN, "no account for " + describe(ctx.request.identities()),
                    ctx.request.identities().isEmpty() ? ChargingOutcome.Field.IDENTITIES : null, true);
        }
        ctx.session.accountId = account.get();
        AccountStatus status = ctx.ledger.status(account.get()).orElseThrow();
        if (status != AccountStatus.ACTIVE && !inactiveAllowed) {
            return ChargingOutcome.refused(Result.END_USER_SERVICE_DENIED, "account " + account.get() + " is " + status,
                    null, true);
        }
        return null;
    }

    private static Optional<String> accountOf(RequestContext ctx) {
        for (ChargingRequest.Identity identity : ctx.request.identities()) {
            Optional<String> account = ctx.ledger.accountForIdentity(identity.type(), identity.value());
            if (account.isPresent()) {
                return account;
            }
        }
        return Optional.empty();
    }

    /**
     * The held grant a request's service reports on: the exact key, else (a request naming only
     * the rating group) the grant of that rating group on the same UPF.
     */
    static ServiceKey heldKey(Map<ServiceKey, Grant> grants, ServiceKey asked) {
        if (grants.containsKey(asked)) {
            return asked;
        }
        for (ServiceKey key : grants.keySet()) {
            if (key.ratingGroup() == asked.ratingGroup() && asked.serviceId() == ServiceRef.NONE
                    && Objects.equals(key.upfId(), asked.upfId())) {
                return key;
            }
        }
        return asked;
    }

    /** The service of a termination that reports on a held grant (same rating group, service if named, UPF). */
    private static ChargingRequest.ServiceUsage reportOn(List<ChargingRequest.ServiceUsage> reported, ServiceKey held) {
        for (ChargingRequest.ServiceUsage usage : reported) {
            ServiceKey k = usage.key();
            if (k.ratingGroup() == held.ratingGroup()
                    && (k.serviceId() == ServiceRef.NONE || k.serviceId() == held.serviceId())
                    && Objects.equals(k.upfId(), held.upfId())) {
                return usage;
            }
        }
        return null;
    }

    private static String describe(List<ChargingRequest.Identity> identities) {
        StringBuilder out = new StringBuilder();
        for (ChargingRequest.Identity i : identities) {
            out.append(out.isEmpty() ? "" : ", ").append(i.type()).append(' ').append(i.value());
        }
        return out.isEmpty() ? "(no identity given)" : out.toString();
    }
}
