package io.credence.charging;

import io.credence.ledger.IdentityType;
import io.credence.ledger.Unit;
import io.credence.rating.Catalog;
import io.credence.rating.OutletPolicy;
import io.credence.rating.RatingEngine;
import io.credence.rating.RatingRequest;
import io.credence.rating.Tariff;
import io.credence.rating.Terminal;

/**
 * The catalog's say on a grant, asked afresh for every grant, so a changed attribute (the called
 * party answered, a handover) or a reloaded catalog prices the units granted from now on, while
 * units already granted settle at the price they were granted at. Attributes a request leaves
 * out keep the value an earlier grant of the session was rated with.
 */
final class Pricing {
    private Pricing() {}

    /** What the catalog says about a grant. */
    sealed interface Rating {
        /** The catalog does not rate this service: units of the requested unit only. */
        record None() implements Rating {}

        /** Refused by a rule, an outlet check or a unit mismatch; nothing is granted. */
        record Refused(ChargingOutcome.Result result, String reason) implements Rating {}

        /**
         * Granted free, or paid from units first and then money at the tariff (null: units only).
         * {@code moneyChecked}: the caller's money when an outlet check passed, else -1.
         */
        record Decided(RatedGrant rated, boolean free, long moneyChecked) implements Rating {}
    }

    static final Rating NONE = new Rating.None();

    /** The catalog service a rating group belongs to, or null (no catalog, or not rated). */
    static Catalog.Service serviceOf(RequestContext ctx, long ratingGroup) {
        InstalledCatalog catalog = ctx.catalog;
        return catalog == null ? null : catalog.catalog().serviceOf(ratingGroup);
    }

    static Rating rate(RequestContext ctx, ChargingRequest.ServiceUsage usage, Grant current, Unit unit) {
        Catalog.Service service = serviceOf(ctx, usage.key().ratingGroup());
        if (service == null) {
            return NONE;
        }
        if (service.unit() != unit) {
            return new Rating.Refused(ChargingOutcome.Result.RATING_FAILED, "asked in " + unit + "; service "
                    + service.name() + " is rated in " + service.unit());
        }
        RatingEngine engine = ctx.catalog.rating();
        Catalog catalog = engine.catalog();
        RatingRequest earlier = current != null && current.rated() != null ? current.rated().request() : null;
        ChargingRequest.Attributes a = ctx.request.attributes();
        Terminal served = new Terminal(a.servedNetwork(), catalog.terminalTypes().classify(a.servedImei(), null),
                roaming(a.visitedPlmn(), imsiOf(ctx.request)));
        Terminal other = new Terminal(a.otherNetwork(), null, null);
        RatingRequest request = new RatingRequest(service.name(),
                merge(earlier == null ? null : earlier.calling(), a.terminating() ? other : served),
                merge(earlier == null ? null : earlier.called(), a.terminating() ? served : other),
                a.outlet() != null || earlier == null ? a.outlet() : earlier.outlet(), ctx.nowMillis);
        RatingEngine.Decision decision = engine.rate(request);
        long callUnits = current == null ? 0 : current.callUnitsAfter(usedOf(usage, current.unit()));
        RatedGrant rated = switch (decision) {
            case RatingEngine.Decision.Denied denied -> null;
            case RatingEngine.Decision.Free free -> new RatedGrant(service.name(), catalog.version(),
                    catalog.currency(), request, free.rule().name(), null, null, RatedGrant.Source.FREE, callUnits, 0);
            case RatingEngine.Decision.Charged charged -> new RatedGrant(service.name(), catalog.version(),
                    catalog.currency(), request, charged.rule().name(), charged.tariff(), charged.band(),
                    RatedGrant.Source.UNITS, callUnits, 0);
            case RatingEngine.Decision.Unrated unrated -> {
                Tariff fallback = service.moneyTariff() == null ? null : catalog.tariffs().get(service.moneyTariff());
                yield new RatedGrant(service.name(), catalog.version(), catalog.currency(), request, null, fallback,
                        fallback == null ? null : bandOf(engine, fallback, ctx.nowMillis), RatedGrant.Source.UNITS,
                        callUnits, 0);
            }
        };
        if (decision instanceof RatingEngine.Decision.Denied denied) {
            return new Rating.Refused(ChargingOutcome.Result.END_USER_SERVICE_DENIED, "denied by rule '"
                    + denied.rule().name() + "': " + denied.reason());
        }
        long moneyChecked = -1;
        if (current == null && engine.outlet(request.outlet()) instanceof OutletPolicy.Check check) {
            long[] available = availableResource(ctx, usage, service.unit(), rated);
            if (!check.allows(available[0])) {
                return new Rating.Refused(ChargingOutcome.Result.END_USER_SERVICE_DENIED, "outlet " + request.outlet()
                        + " routes callers with more than " + check.threshold() + " " + service.unit()
                        + " available; " + ctx.session.accountId + " has " + available[0]);
            }
            moneyChecked = available[1];
        }
        return new Rating.Decided(rated, decision instanceof RatingEngine.Decision.Free, moneyChecked);
    }

    /** Whether the terminal is outside its home network: MCC + first two MNC digits compared. */
    static Boolean roaming(String visitedPlmn, String imsi) {
        if (imsi == null || imsi.length() < 5 || visitedPlmn == null || visitedPlmn.length() < 5
                || !visitedPlmn.chars().allMatch(Character::isDigit)) {
            return null;
        }
        return !imsi.startsWith(visitedPlmn.substring(0, 5));
    }

    private static String imsiOf(ChargingRequest request) {
        for (ChargingRequest.Identity identity : request.identities()) {
            if (identity.type() == IdentityType.IMSI) {
                return identity.value();
            }
        }
        return null;
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
    static String bandOf(RatingEngine engine, Tariff tariff, long atMillis) {
        return engine.bandsAt(atMillis).stream().filter(tariff.bandSteps()::containsKey).sorted().findFirst()
                .orElse(null);
    }

    /**
     * What a caller can spend on a service: units of the service's own unit, plus the units its
     * money buys at the tariff the call would be charged at (an outlet's threshold is compared with
     * this); and the money alone, which the grant reports as remaining money.
     */
    private static long[] availableResource(RequestContext ctx, ChargingRequest.ServiceUsage usage, Unit unit,
                                            RatedGrant rated) {
        String account = ctx.session.accountId;
        long units = ctx.ledger.availableNow(account, unit, usage.service());
        long money = ctx.ledger.availableNow(account, Unit.MONEY, usage.service());
        if (rated.tariff() == null || rated.source() == RatedGrant.Source.FREE) {
            return new long[] {units, money};
        }
        return new long[] {Math.addExact(units, RatedGrant.unitsAffordable(rated.tariff(), rated.band(),
                rated.callUnits(), money, Long.MAX_VALUE - units)), money};
    }

    static long usedOf(ChargingRequest.ServiceUsage usage, Unit unit) {
        return usage.used() == null ? 0 : usage.used().getOrDefault(unit, 0L);
    }
}
