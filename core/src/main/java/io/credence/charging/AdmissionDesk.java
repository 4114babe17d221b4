package io.credence.charging;

import io.credence.admission.AdmissionControl;
import io.credence.admission.AdmissionResult;
import io.credence.admission.ChargingParameters;
import io.credence.admission.EffectiveUsage;
import io.credence.ledger.Ledger;
import io.credence.ledger.Operation;
import io.credence.ledger.Outcome;
import io.credence.ledger.Rejection;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;
import io.credence.records.UsageRecord;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Layered admissions asked for directly (the HTTP API), billed or not: admitting takes the pools
 * and, for a billed one, its reservation in the same command; ending commits the effective bytes
 * on it (overdraft within the credit limit, else what was reserved), gives the pools back and
 * writes the usage record. The billings of live admissions and the settlements of ended ones are
 * engine state: journaled, in snapshots, so a retried end gets its first answer after a restart too.
 */
final class AdmissionDesk {
    /** Who pays for each live admission. */
    final HashMap<String, AdmissionBilling> billings = new HashMap<>();
    /** The most recent settlements, oldest first: the eldest goes past the policy's admissionsMax. */
    final LinkedHashMap<String, AdmissionSettlement> settlements = new LinkedHashMap<>();

    AdmissionAnswers.Admit admit(Ledger ledger, AdmissionControl control, EngineCommand.Admit c, long now) {
        if (control == null) {
            return new AdmissionAnswers.NotConfigured();
        }
        AdmissionBilling held = live(control, c.admissionId(), now) ? billings.get(c.admissionId()) : null;
        if (held != null && c.accountId() != null && !held.accountId().equals(c.accountId())) {
            return new AdmissionAnswers.BilledToAnother(held);
        }
        AdmissionResult result = control.admit(c.admissionId(), c.request(), c.ttlMillis(), now);
        if (c.accountId() == null || !(result instanceof AdmissionResult.Admitted admitted)
                || admitted.charging().reservationBytes() == 0) {
            return new AdmissionAnswers.Answered(result, null);
        }
        if (held != null) {
            return new AdmissionAnswers.Answered(result, held); // a retry: the same admission, the same reservation
        }
        long bytes = admitted.charging().reservationBytes();
        Outcome reserved = ledger.engineStep(stepId(c.admissionId(), admitted.expiresAtMillis(), "reserve"),
                new Operation.Reserve(c.accountId(), c.counterpartyId(), Unit.BYTES, bytes, ServiceRef.ANY,
                        c.ttlMillis()));
        if (!(reserved instanceof Outcome.Reserved r)) {
            control.release(c.admissionId(), now); // the pools go back; a retry admits and reserves afresh
            return new AdmissionAnswers.ReservationRefused((Rejection) reserved);
        }
        AdmissionBilling billing = new AdmissionBilling(admitted.charging().layer(), c.accountId(), r.reservationId(),
                r.amount());
        billings.put(c.admissionId(), billing);
        settlements.remove(c.admissionId()); // the id lives again: an older settlement is not its answer
        return new AdmissionAnswers.Answered(result, billing);
    }

    EngineOutcome.AdmissionEnded end(Ledger ledger, AdmissionControl control, EngineCommand.EndAdmission c, long now) {
        if (control == null) {
            return ended(new AdmissionAnswers.NotConfigured());
        }
        String id = c.admissionId();
        AdmissionBilling billing = live(control, id, now) ? billings.get(id) : null;
        if (c.usage() == null || billing == null) {
            AdmissionSettlement settled = settlements.get(id);
            if (c.usage() != null && settled != null && billing == null
                    && settled.requestId().equals(commitRequestId(c.requestId(), settled.billing()))) {
                return ended(new AdmissionAnswers.Settled(settled, true));
            }
            return release(ledger, control, id, now);
        }
        return settle(ledger, control, id, billing, c, now);
    }

    /** Released whole: the pools back, a billed admission's reservation given back uncharged. */
    private EngineOutcome.AdmissionEnded release(Ledger ledger, AdmissionControl control, String id, long now) {
        AdmissionBilling billing = live(control, id, now) ? billings.remove(id) : null;
        ChargingParameters released = control.release(id, now).orElse(null);
        if (released == null) {
            billings.remove(id);
            return ended(new AdmissionAnswers.Unknown());
        }
        long given = 0;
        if (billing != null) {
            // an expired or closed reservation holds nothing any more: the admission is released all the same
            Outcome o = ledger.engineStep("admission:" + billing.reservationId() + ":release",
                    new Operation.Release(billing.reservationId()));
            given = o instanceof Outcome.Released r ? r.released() : 0;
        }
        return ended(new AdmissionAnswers.Released(released, billing, given));
    }

    /**
     * The effective bytes committed on the reservation, overdraft within the credit limit as the
     * charging path does; past the limit only what was reserved is charged. Then the admission goes.
     */
    private EngineOutcome.AdmissionEnded settle(Ledger ledger, AdmissionControl control, String id,
                                                AdmissionBilling billing, EngineCommand.EndAdmission c, long now) {
        long reservationId = billing.reservationId();
        EffectiveUsage used = c.usage().effective();
        String requestId = commitRequestId(c.requestId(), billing);
        String committedRequestId = requestId;
        Outcome outcome = ledger.engineStep(requestId, new Operation.Commit(reservationId, used.effectiveBytes(), true));
        if (outcome instanceof Rejection.CreditLimitExceeded) {
            committedRequestId = "admission:" + reservationId + ":commit-reserved";
            outcome = ledger.engineStep(committedRequestId, new Operation.Commit(reservationId,
                    Math.min(used.effectiveBytes(), billing.reservedBytes()), false));
        }
        if (outcome instanceof Rejection rejection) {
            return ended(new AdmissionAnswers.CommitRefused(rejection)); // nothing charged; a plain end releases it
        }
        Outcome.Committed committed = (Outcome.Committed) outcome;
        billings.remove(id);
        ChargingParameters released = control.release(id, now).orElse(null);
        AdmissionSettlement done = new AdmissionSettlement(requestId, committedRequestId, billing, c.usage(), committed,
                released);
        settlements.remove(id);
        settlements.put(id, done);
        for (var eldest = settlements.keySet().iterator(); settlements.size() > control.policy().admissionsMax(); ) {
            eldest.next();
            eldest.remove();
        }
        long charged = committed.committed();
        List<UsageRecord.BalanceChange> balances = charged > 0
                ? List.of(new UsageRecord.BalanceChange(billing.accountId(), Unit.BYTES, -charged)) : List.of();
        UsageRecord record = new UsageRecord(committedRequestId, now, billing.accountId(), "http", id,
                "admission:" + billing.layer().jsonName(), UsageRecord.RATING_GROUP_NONE, Map.of(), null, null,
                UsageRecord.UNRATED, Unit.BYTES, used.rawBytes(), used.effectiveBytes(), 0, null, balances,
                List.of(committedRequestId));
        return new EngineOutcome.AdmissionEnded(new AdmissionAnswers.Settled(done, false), List.of(record));
    }

    /** Drops the billings of admissions that are no longer live (their reservations lapse on their own). */
    void sweep(AdmissionControl control, long now) {
        if (control != null && !billings.isEmpty()) {
            billings.keySet().removeIf(id -> !live(control, id, now));
        }
    }

    private static boolean live(AdmissionControl control, String id, long now) {
        control.expire(now);
        return control.find(id).isPresent();
    }

    /** The client's request id, or one derived from the reservation, so a retry without one still charges once. */
    private static String commitRequestId(String requestId, AdmissionBilling billing) {
        return requestId != null ? requestId : "admission:" + billing.reservationId() + ":commit";
    }

    /** A ledger step id of an admission: its id's digest and its expiry (so a later admission under the same id differs). */
    private static String stepId(String admissionId, long expiresAtMillis, String step) {
        return "admission:" + Digests.shortKey(admissionId, 16) + ":" + expiresAtMillis + ":" + step;
    }

    private static EngineOutcome.AdmissionEnded ended(AdmissionAnswers.End answer) {
        return new EngineOutcome.AdmissionEnded(answer, List.of());
    }
}
