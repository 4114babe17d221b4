package io.credence.charging.simulation;

import io.credence.charging.ChargingEngine;
import io.credence.ledger.ReservationStatus;
import io.credence.ledger.ReservationView;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/** The simulation's check that no quota is held by nobody, or by two. */
final class SimHolds {
    private SimHolds() {}

    /**
     * Every open reservation is held by exactly one of: an open session's grant, a share's hold,
     * an admission's billing, a cloud SIM's grant; none is past its deadline.
     */
    static void noneLeaked(ChargingEngine engine, SimShares shares, SimDevices devices, Consumer<String> failed) {
        Set<Long> held = new HashSet<>();
        int open = 0;
        for (ChargingEngine.SessionView s : engine.sessions(Integer.MAX_VALUE)) {
            for (ChargingEngine.GrantView g : s.grants()) {
                if (g.reservationId() == 0) {
                    continue; // free, or priced at zero: nothing held
                }
                require(failed, held.add(g.reservationId()), "reservation " + g.reservationId() + " held by two grants");
                ReservationView r = engine.ledger().reservation(g.reservationId()).orElse(null);
                if (r != null && r.status() == ReservationStatus.OPEN) {
                    open++;
                    require(failed, r.expiresAtMillis() > engine.nowMillis(), "reservation " + r.reservationId()
                            + " open past its deadline");
                }
            }
        }
        for (String shareId : shares.shareIds()) {
            var share = engine.share(shareId).orElse(null);
            for (String tag : new String[] {"share." + shareId, "share." + shareId + ".fee"}) {
                ReservationView r = engine.ledger().openReservationTagged(tag).orElse(null);
                if (r != null) {
                    require(failed, share != null && share.open(), "share " + shareId + " holds " + tag + " but is "
                            + (share == null ? "unknown" : share.status()));
                    require(failed, held.add(r.reservationId()), "reservation " + r.reservationId() + " held twice");
                    require(failed, r.expiresAtMillis() > engine.nowMillis(), "share hold " + tag + " open past its deadline");
                    open++;
                }
            }
        }
        for (ReservationView grant : devices.openGrants(engine)) {
            require(failed, held.add(grant.reservationId()), "device grant " + grant.reservationId() + " held twice");
            require(failed, grant.expiresAtMillis() > engine.nowMillis(), "device grant " + grant.reservationId()
                    + " open past its deadline");
            open++;
        }
        for (var billing : engine.admissionBillings().values()) {
            require(failed, held.add(billing.reservationId()), "reservation " + billing.reservationId()
                    + " held by a grant and an admission, or two admissions");
            ReservationView r = engine.ledger().reservation(billing.reservationId()).orElse(null);
            if (r != null && r.status() == ReservationStatus.OPEN) {
                open++;
            }
        }
        require(failed, engine.ledger().openReservationCount() == open, engine.ledger().openReservationCount()
                + " reservations open, but the open sessions' grants, the admissions' billings, the shares' holds"
                + " and the device grants hold " + open);
    }

    private static void require(Consumer<String> failed, boolean condition, String what) {
        if (!condition) {
            failed.accept(what);
        }
    }
}
