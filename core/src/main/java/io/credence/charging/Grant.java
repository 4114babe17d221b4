package io.credence.charging;

import io.credence.ledger.Unit;

/**
 * A grant a session holds for one service: {@code amount} of {@code unit}, backed by a ledger
 * reservation (id {@code reservationId}) in that unit, or, when the catalog rated it
 * ({@code rated} not null), by money at a tariff, or by nothing at all for a free call
 * (reservation 0). {@code admitted}: layered admission holds pools for it under the grant's tag.
 */
public record Grant(long reservationId, Unit unit, long amount, RatedGrant rated, boolean admitted) {
    public Grant {
        if (unit == null || amount < 0 || reservationId < 0) {
            throw new IllegalArgumentException("a grant has a unit, an amount >= 0 and a reservation id >= 0");
        }
    }

    /** No reservation behind it: a call a catalog rule made free (or a zero price). */
    boolean free() {
        return reservationId == 0;
    }

    /** Units of this service the session will have used once {@code used} more are settled. */
    long callUnitsAfter(long used) {
        return (rated == null ? 0 : rated.callUnits()) + used;
    }
}
