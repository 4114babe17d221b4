package io.credence.charging;

import io.credence.ledger.Operation;
import io.credence.ledger.Outcome;
import io.credence.ledger.Rejection;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;

import java.util.Map;

/**
 * Reported usage is always accounted for. What a client reports is charged from its grant; beyond
 * the grant, or when the grant lapsed, from the balance, as overdraft within the credit limit; and
 * what nothing can pay is recorded as unrecovered (in the usage record and the result, for a
 * metric), never dropped. Every charge becomes a usage record.
 */
final class Settlement {
    private Settlement() {}

    /**
     * Charges {@code used} units on a grant and returns the rest: the units themselves, or their
     * price when money holds the grant.
     */
    static void settle(RequestContext ctx, RequestContext.Steps steps, Grant grant, long used) {
        RatedGrant rated = grant.rated();
        boolean money = rated != null && rated.source() == RatedGrant.Source.MONEY;
        Unit unit = rated == null ? grant.unit() : rated.reservedUnit(grant.unit());
        long charge = money ? rated.moneyFor(used) : grant.free() ? 0 : used; // a free call owes nothing
        String step = steps.next();
        long charged;
        if (grant.free()) {
            // nothing was reserved: a free call is only recorded; a zero-price grant's overrun is charged
            charged = charge > 0 ? fromBalance(ctx, steps, step, unit, charge) : 0;
        } else {
            charged = commit(ctx, steps, step, grant, unit, charge);
        }
        long unrecovered = charge - charged;
        if (unrecovered > 0) {
            ctx.unrecovered.add(new ChargingResult.Unrecovered(ctx.session.accountId, unit, unrecovered,
                    "more than the grant and the credit limit cover"));
        }
        UsageRecords.add(ctx, step, steps.key, grant, used, charged, unrecovered);
    }

    /**
     * Commits the grant's reservation for {@code charge}; beyond what it holds, as overdraft as far
     * as the credit limit allows. A reservation that lapsed already returned its hold: the charge
     * then comes from the balance. Returns what was charged.
     */
    private static long commit(RequestContext ctx, RequestContext.Steps steps, String step, Grant grant, Unit unit,
                               long charge) {
        var held = ctx.ledger.reservation(grant.reservationId());
        boolean open = held.isPresent() && held.get().status() == io.credence.ledger.ReservationStatus.OPEN;
        if (!open) {
            return fromBalance(ctx, steps, step, unit, charge);
        }
        long reserved = held.get().amount();
        long payable = charge;
        if (charge > reserved) {
            // the overdraft can draw on what the hold returns, as the ledger's commit does
            long overdraftRoom = ctx.ledger.availableNow(ctx.session.accountId, unit, steps.key.service());
            payable = reserved + Math.min(charge - reserved, overdraftRoom);
        }
        Outcome o = steps.apply(step, new Operation.Commit(grant.reservationId(), payable, true));
        if (o instanceof Outcome.Committed committed) {
            return committed.committed();
        }
        // the checks above make a refusal impossible short of a bug; the hold is returned and charged anew
        throw new IllegalStateException("commit of reservation " + grant.reservationId() + " for " + payable
                + " refused: " + ((Rejection) o).message());
    }

    /**
     * Usage a client reports on a service it holds no grant for (it used units before asking, or
     * its grant lapsed): charged from the balance. Returns nothing; shortfalls are recorded.
     */
    static void chargeWithoutGrant(RequestContext ctx, RequestContext.Steps steps, Map<Unit, Long> used) {
        for (var e : used.entrySet()) {
            if (e.getValue() <= 0) {
                continue;
            }
            String step = steps.next();
            long charged = fromBalance(ctx, steps, step, e.getKey(), e.getValue());
            long unrecovered = e.getValue() - charged;
            if (unrecovered > 0) {
                ctx.unrecovered.add(new ChargingResult.Unrecovered(ctx.session.accountId, e.getKey(), unrecovered,
                        "reported without a grant; the balance and the credit limit do not cover it"));
            }
            UsageRecords.add(ctx, step, steps.key, new Grant(0, e.getKey(), 0, null, false), e.getValue(), charged,
                    unrecovered);
        }
    }

    /** Takes up to {@code amount} from the balance (credit limit included); returns what it took. */
    static long fromBalance(RequestContext ctx, RequestContext.Steps steps, String step, Unit unit, long amount) {
        String account = ctx.session.accountId;
        if (account == null || amount <= 0) {
            return 0;
        }
        ServiceRef service = steps.key.service();
        long take = Math.min(amount, ctx.ledger.availableNow(account, unit, service));
        if (take <= 0) {
            return 0;
        }
        Outcome o = steps.apply(step, new Operation.Transfer(account, ctx.config.counterpartyAccount(), unit, take,
                service));
        return o instanceof Outcome.Transferred ? take : 0; // a suspended account pays nothing more: recorded
    }
}
