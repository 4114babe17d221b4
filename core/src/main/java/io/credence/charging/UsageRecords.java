package io.credence.charging;

import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;
import io.credence.rating.RatingRequest;
import io.credence.records.UsageRecord;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The usage record of a settled grant (or an event). Its id is the ledger step that charged it,
 * so a request applied again (a replay) makes the same record and readers keep one.
 */
final class UsageRecords {
    private UsageRecords() {}

    /**
     * @param used        the units used (raw)
     * @param charged     what the balances were charged, in the grant's reserved unit
     * @param unrecovered what could not be charged (0 when all was), in the same unit
     */
    static void add(RequestContext ctx, String stepId, ServiceKey key, Grant grant, long used, long charged,
                    long unrecovered) {
        if (used <= 0 || ctx.session.accountId == null) {
            return;
        }
        RatedGrant rated = grant.rated();
        boolean money = rated != null && rated.source() == RatedGrant.Source.MONEY;
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
        if (key.upfId() != null) {
            attributes.put("upf", key.upfId());
        }
        Unit chargedUnit = rated == null ? grant.unit() : rated.reservedUnit(grant.unit());
        if (unrecovered > 0) {
            // what the balance could not pay stays visible: revenue assurance reads it here
            attributes.put("unrecovered", Long.toString(unrecovered));
            attributes.put("unrecoveredUnit", chargedUnit.name());
        }
        List<UsageRecord.BalanceChange> balances = charged > 0
                ? List.of(new UsageRecord.BalanceChange(ctx.session.accountId, chargedUnit, -charged)) : List.of();
        ctx.records.add(new UsageRecord(stepId, ctx.nowMillis, ctx.session.accountId, ctx.session.origin.interfaceName(),
                ctx.session.id, rated != null ? rated.service() : unratedService(key.service()),
                key.ratingGroup() == ServiceRef.NONE ? UsageRecord.RATING_GROUP_NONE : key.ratingGroup(), attributes,
                rated == null ? null : rated.rule(), rated == null || rated.tariff() == null ? null : rated.tariff().id(),
                rated == null ? UsageRecord.UNRATED : rated.decision(), grant.unit(), used, used,
                money ? charged : 0, rated == null ? null : rated.currency(), balances, List.of(stepId)));
    }

    /** What a record names a service the catalog does not rate: its rating group and service id. */
    static String unratedService(ServiceRef service) {
        return "rg:" + RequestContext.part(service.ratingGroup()) + "." + RequestContext.part(service.serviceId());
    }

    private static void putIfKnown(Map<String, String> attributes, String name, Object value) {
        if (value != null) {
            attributes.put(name, value.toString());
        }
    }
}
