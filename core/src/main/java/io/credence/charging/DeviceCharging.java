package io.credence.charging;

import io.credence.ledger.Ledger;
import io.credence.ledger.Operation;
import io.credence.ledger.Outcome;
import io.credence.ledger.Rejection;
import io.credence.ledger.ReservationView;
import io.credence.ledger.SequenceView;
import io.credence.ledger.Unit;
import io.credence.records.UsageRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A cloud SIM's quota in the engine: one pre-authorised grant per SIM (a reservation tagged with
 * it), and numbered usage reports, each counted on the SIM's report stream and charged in the same
 * command, so nothing can separate "counted" from "charged", and a report sent again (same number)
 * is a duplicate forever, not only while a request id is remembered.
 *
 * <p>A report's bytes come from the grant; past it, as overdraft within the credit limit; what
 * even that cannot pay is counted all the same and reported as uncharged. What the grant still
 * holds is held again (or, on the last report, returned).
 */
final class DeviceCharging {
    static final String ORIGIN = "device";

    private DeviceCharging() {}

    static String stream(String simId) {
        return "sim." + simId;
    }

    static String tag(String simId) {
        return "dev." + simId;
    }

    static DeviceAnswers.GrantAnswer grant(Ledger ledger, EngineCommand.DeviceGrant c) {
        DeviceTerms terms = c.terms();
        Optional<ReservationView> open = ledger.openReservationTagged(tag(c.simId()));
        if (open.isPresent()) {
            return new DeviceAnswers.Granted(grantOf(open.get()), true);
        }
        long wanted = Math.min(c.askedBytes() > 0 ? c.askedBytes() : terms.grantBytesDefault(), terms.grantBytesMax());
        long available = ledger.availableNow(c.accountId(), Unit.BYTES, terms.service());
        long amount = Math.min(wanted, available);
        if (amount <= 0) {
            return new DeviceAnswers.Exhausted(Math.max(0, available));
        }
        Outcome o = ledger.engineStep("dev." + c.simId() + ".g" + ledger.nowMillis(), new Operation.Reserve(
                c.accountId(), terms.systemAccountId(), Unit.BYTES, amount, terms.service(), terms.grantTtlMillis(),
                tag(c.simId())));
        return o instanceof Outcome.Reserved r
                ? new DeviceAnswers.Granted(new DeviceAnswers.Grant(r.reservationId(), r.amount(), r.expiresAtMillis()),
                false)
                : new DeviceAnswers.GrantRefused((Rejection) o);
    }

    /** The reports of one request, in order; each its own answer, and the usage record of each charged. */
    static EngineOutcome.DeviceReported report(Ledger ledger, EngineCommand.DeviceReports c) {
        List<DeviceAnswers.ReportAnswer> answers = new ArrayList<>(c.reports().size());
        List<UsageRecord> records = new ArrayList<>();
        for (DeviceAnswers.Report r : c.reports()) {
            answers.add(one(ledger, c, r, records));
        }
        return new EngineOutcome.DeviceReported(answers, records);
    }

    private static DeviceAnswers.ReportAnswer one(Ledger ledger, EngineCommand.DeviceReports c, DeviceAnswers.Report r,
                                                  List<UsageRecord> records) {
        DeviceTerms terms = c.terms();
        String stream = stream(c.simId());
        if (ledger.status(c.accountId()).isEmpty()) {
            return new DeviceAnswers.ReportRefused(new Rejection.UnknownAccount(c.accountId()));
        }
        SequenceView counted = ledger.sequence(c.accountId(), stream).orElse(new SequenceView(stream, 0, 0));
        Optional<ReservationView> grant = ledger.openReservationTagged(tag(c.simId()));
        if (r.seq() <= counted.lastSeq()) {
            return new DeviceAnswers.Reported(r.seq(), true, counted.total(), 0, grant.map(DeviceCharging::grantOf)
                    .orElse(null), 0, 0);
        }
        String step = "dev." + c.simId() + ".r" + r.seq();
        long charged;
        long returned = 0;
        long over = 0;
        DeviceAnswers.Grant still = null;
        if (grant.isPresent()) {
            long held = grant.get().amount();
            long id = grant.get().reservationId();
            if (r.bytes() <= held) {
                Outcome.Committed done = (Outcome.Committed) ledger.engineStep(step, new Operation.Commit(id, r.bytes(),
                        false));
                charged = done.committed();
                if (r.last() || held == r.bytes()) {
                    returned = r.last() ? done.released() : 0;
                } else {
                    Outcome again = ledger.engineStep(step + ".hold", new Operation.Reserve(c.accountId(),
                            terms.systemAccountId(), Unit.BYTES, held - r.bytes(), terms.service(), terms.grantTtlMillis(),
                            tag(c.simId())));
                    if (again instanceof Outcome.Reserved reserved) {
                        still = new DeviceAnswers.Grant(reserved.reservationId(), reserved.amount(),
                                reserved.expiresAtMillis());
                    }
                }
            } else {
                over = r.bytes() - held;
                // past the grant: as overdraft, as far as the credit limit allows (the hold's return counts)
                long room = ledger.availableNow(c.accountId(), Unit.BYTES, terms.service());
                long payable = held + Math.min(over, room);
                Outcome.Committed done = (Outcome.Committed) ledger.engineStep(step, new Operation.Commit(id, payable,
                        payable > held));
                charged = done.committed();
            }
        } else {
            long take = Math.min(r.bytes(), ledger.availableNow(c.accountId(), Unit.BYTES, terms.service()));
            charged = 0;
            if (take > 0 && ledger.engineStep(step, new Operation.Transfer(c.accountId(), terms.systemAccountId(),
                    Unit.BYTES, take, terms.service())) instanceof Outcome.Transferred) {
                charged = take;
            }
        }
        Outcome.Advanced advanced = (Outcome.Advanced) ledger.engineStep(step + ".count", new Operation.Advance(
                c.accountId(), stream, r.seq(), r.bytes()));
        long uncharged = r.bytes() - charged;
        Map<String, String> attributes = uncharged > 0
                ? Map.of("deviceId", c.deviceId(), "unrecovered", Long.toString(uncharged), "unrecoveredUnit", "BYTES")
                : Map.of("deviceId", c.deviceId());
        records.add(new UsageRecord(step, ledger.nowMillis(), c.accountId(), ORIGIN, c.simId(), "device-data",
                terms.service().ratingGroup(), attributes, null, null, UsageRecord.CHARGED, Unit.BYTES, r.bytes(),
                r.bytes(), 0, null, charged > 0 ? List.of(new UsageRecord.BalanceChange(c.accountId(), Unit.BYTES,
                -charged)) : List.of(), List.of(step)));
        return new DeviceAnswers.Reported(r.seq(), false, advanced.total(), returned, still, over, uncharged);
    }

    private static DeviceAnswers.Grant grantOf(ReservationView r) {
        return new DeviceAnswers.Grant(r.reservationId(), r.amount(), r.expiresAtMillis());
    }
}
