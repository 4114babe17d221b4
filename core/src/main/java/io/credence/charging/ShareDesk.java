package io.credence.charging;

import io.credence.charging.DataShare.Status;
import io.credence.charging.ShareAnswers.Refusal;
import io.credence.ledger.AccountStatus;
import io.credence.ledger.Ledger;
import io.credence.ledger.Operation;
import io.credence.ledger.Outcome;
import io.credence.ledger.Rejection;
import io.credence.ledger.ReservationView;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;
import io.credence.records.UsageRecord;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Data lent from one terminal to another through a base station, as engine state: the shares,
 * the supplier's bytes agreed today, and each share's deadline. Opening, a usage report and a
 * cancel are each one command, so a share and the holds behind it never disagree, also after a
 * crash (they are journaled together).
 *
 * <p>Opening holds the agreed bytes on the supplier (tag {@code share.<id>}) and, for a sale, the
 * fee for all of them on the borrower ({@code share.<id>.fee}, paid to the supplier). Every report
 * from the base station is a cumulative total: what is new is settled (bytes to the network, fee
 * to the supplier) and the rest held again for another lifetime, so the holds are always exactly
 * what was not metered yet; a repeated total settles nothing twice. When no report comes before
 * the holds lapse, the share ends EXPIRED with what its last report settled (SETTLED when it was
 * used up). An ended share is kept for reading until its retention passes.
 */
final class ShareDesk {
    private record Deadline(long atMillis, String shareId) {}

    private static final Comparator<Deadline> BY_TIME = Comparator.comparingLong(Deadline::atMillis)
            .thenComparing(Deadline::shareId);

    /** Every share kept, in the order they were opened. */
    final LinkedHashMap<String, DataShare> shares = new LinkedHashMap<>();
    final HashMap<String, String> byRequest = new HashMap<>();
    /** Bytes each supplier agreed to lend on {@link #agreedDay}, by SIM. */
    final HashMap<String, Long> agreed = new HashMap<>();
    long agreedDay = Long.MIN_VALUE;
    /** Every share's deadline: open ones' holds lapse, ended ones are forgotten. */
    private final TreeSet<Deadline> deadlines = new TreeSet<>(BY_TIME);
    int openCount;
    /** How long an ended share is kept, as the last command's terms said (a share lapses without a command). */
    long endedRetentionMillis = ShareTerms.ENDED_RETENTION_DEFAULT_MILLIS;

    static String bytesTag(String shareId) {
        return "share." + shareId;
    }

    static String feeTag(String shareId) {
        return "share." + shareId + ".fee";
    }

    // ---------------------------------------------------------------- open

    ShareAnswers.Open open(Ledger ledger, EngineCommand.OpenShare c) {
        endedRetentionMillis = c.terms().endedRetentionMillis();
        String known = byRequest.get(c.requestKey());
        if (known != null) {
            return new ShareAnswers.Opened(shares.get(known), true);
        }
        if (c.supplierSim().equals(c.borrowerSim()) || c.supplierAccount().equals(c.borrowerAccount())) {
            return new ShareAnswers.Refused(Refusal.SAME_TERMINAL, "borrower and supplier are the same user");
        }
        String inactive = inactive(ledger, c.borrowerAccount());
        if (inactive != null) {
            return new ShareAnswers.Refused(Refusal.BORROWER_USER, "borrower's " + inactive);
        }
        inactive = inactive(ledger, c.supplierAccount());
        if (inactive != null) {
            return new ShareAnswers.Refused(Refusal.SUPPLIER_USER, "supplier's " + inactive);
        }
        if (!c.borrowerAllowed()) {
            return new ShareAnswers.Refused(Refusal.BORROWER_NOT_ALLOWED, "the supplier does not lend to '"
                    + c.borrowerSim() + "'");
        }
        long now = ledger.nowMillis();
        long day = Math.floorDiv(now, 86_400_000L);
        long agreedToday = agreedOn(c.supplierSim(), day);
        if (c.maxBytesPerDay() > 0 && agreedToday + c.bytes() > c.maxBytesPerDay()) {
            return new ShareAnswers.Refused(Refusal.DAILY_LIMIT, "the supplier lends at most " + c.maxBytesPerDay()
                    + " bytes a day; " + agreedToday + " are agreed today, " + c.bytes() + " asked");
        }
        ShareTerms terms = c.terms();
        long available = ledger.availableNow(c.supplierAccount(), Unit.BYTES, terms.service());
        if (available < c.bytes()) {
            return new ShareAnswers.Refused(Refusal.SUPPLIER_SHORT, "the supplier has " + Math.max(0, available)
                    + " bytes left, " + c.bytes() + " asked");
        }
        long fee = DataShare.fee(c.bytes(), c.priceMinorPerMb());
        long canPay = ledger.availableNow(c.borrowerAccount(), Unit.MONEY, ServiceRef.ANY);
        if (fee > canPay) {
            return new ShareAnswers.Refused(Refusal.BORROWER_CANNOT_PAY, "the fee for " + c.bytes() + " bytes is "
                    + fee + "; the borrower can pay " + Math.max(0, canPay));
        }
        if (!makeRoom(terms.sharesMax())) {
            return new ShareAnswers.Refused(Refusal.SHARES_FULL, "the share table is full (" + terms.sharesMax()
                    + " open shares)");
        }
        String id = c.shareId();
        Outcome held = ledger.engineStep("share." + id + ".open", new Operation.Reserve(c.supplierAccount(),
                terms.systemAccountId(), Unit.BYTES, c.bytes(), terms.service(), terms.holdTtlMillis(), bytesTag(id)));
        if (!(held instanceof Outcome.Reserved bytesHeld)) {
            return new ShareAnswers.Refused(Refusal.SUPPLIER_SHORT, ((Rejection) held).message());
        }
        if (fee > 0) {
            Outcome feeHeld = ledger.engineStep("share." + id + ".open.fee", new Operation.Reserve(c.borrowerAccount(),
                    c.supplierAccount(), Unit.MONEY, fee, ServiceRef.ANY, terms.holdTtlMillis(), feeTag(id)));
            if (!(feeHeld instanceof Outcome.Reserved)) {
                ledger.engineStep("share." + id + ".open.undo", new Operation.Release(bytesHeld.reservationId()));
                return new ShareAnswers.Refused(Refusal.BORROWER_CANNOT_PAY, "the fee for " + c.bytes()
                        + " bytes is " + fee + ": " + ((Rejection) feeHeld).message());
            }
        }
        DataShare share = new DataShare(id, c.requestKey(), c.baseStationId(), c.supplierSim(), c.borrowerSim(),
                c.supplierAccount(), c.borrowerAccount(), c.bytes(), c.priceMinorPerMb(), now, day, Status.OPEN, 0, 0,
                false, null, bytesHeld.expiresAtMillis());
        shares.put(id, share);
        byRequest.put(c.requestKey(), id);
        deadlines.add(new Deadline(share.deadlineMillis(), id));
        agreed.put(c.supplierSim(), agreedToday + c.bytes());
        openCount++;
        return new ShareAnswers.Opened(share, false);
    }

    private long agreedOn(String supplierSim, long day) {
        if (day != agreedDay) { // a new day: what was agreed before does not count against it
            agreed.clear();
            agreedDay = day;
        }
        return agreed.getOrDefault(supplierSim, 0L);
    }

    /** Room for one more share: forgets the eldest ended ones first; false when every share kept is open. */
    private boolean makeRoom(int sharesMax) {
        if (openCount >= sharesMax) {
            return false;
        }
        var eldest = shares.values().iterator();
        while (shares.size() >= sharesMax && eldest.hasNext()) {
            DataShare s = eldest.next();
            if (!s.open()) {
                eldest.remove();
                byRequest.remove(s.requestKey());
                deadlines.remove(new Deadline(s.deadlineMillis(), s.id()));
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- usage reports

    EngineOutcome.ShareMetered meter(Ledger ledger, EngineCommand.MeterShare c) {
        endedRetentionMillis = c.terms().endedRetentionMillis();
        DataShare share = shares.get(c.shareId());
        if (share == null) {
            return metered(new ShareAnswers.UnknownShare(c.shareId()));
        }
        if (!share.baseStationId().equals(c.baseStationId())) {
            return metered(new ShareAnswers.NotYours(c.shareId()));
        }
        if (!share.open()) {
            return metered(new ShareAnswers.Ended(share));
        }
        ShareTerms terms = c.terms();
        long over = Math.max(0, c.totalBytes() - share.limitBytes());
        long metered = Math.min(c.totalBytes(), share.limitBytes());
        if (metered < share.usedBytes()) {
            return metered(new ShareAnswers.BadTotal("totalBytes " + c.totalBytes() + " is below the "
                    + share.usedBytes() + " bytes already reported; totals never go down"));
        }
        Optional<ReservationView> bytesHeld = ledger.openReservationTagged(bytesTag(share.id()));
        Optional<ReservationView> feeHeld = ledger.openReservationTagged(feeTag(share.id()));
        long now = ledger.nowMillis();
        if (bytesHeld.isEmpty() && share.usedBytes() < share.limitBytes()) {
            // its holds are gone (a renewal the ledger refused): what the last report settled stands
            DataShare ended = end(share.settled(Status.EXPIRED, share.usedBytes(), share.feePaid(),
                    share.deadlineMillis()), now, terms);
            feeHeld.ifPresent(fee -> ledger.engineStep("share." + share.id() + ".lapsed",
                    new Operation.Release(fee.reservationId())));
            return metered(new ShareAnswers.Ended(ended));
        }
        String step = "share." + share.id() + ".m" + metered + (c.last() ? ".final" : "");
        long feeNow = share.feeFor(metered);
        long newBytes = metered - share.usedBytes();
        long newFee = feeNow - share.feePaid();
        boolean goesOn = !c.last() && metered < share.limitBytes();
        if (bytesHeld.isPresent()) {
            ledger.engineStep(step, new Operation.Commit(bytesHeld.get().reservationId(), newBytes, false));
        }
        if (feeHeld.isPresent()) {
            ledger.engineStep(step + ".fee", new Operation.Commit(feeHeld.get().reservationId(), newFee, false));
        }
        long deadline = now + terms.holdTtlMillis();
        if (goesOn) {
            // the rest is held again for another lifetime: a report, even with nothing new, proves the base station alive
            Outcome again = ledger.engineStep(step + ".hold", new Operation.Reserve(share.supplierAccount(),
                    terms.systemAccountId(), Unit.BYTES, share.limitBytes() - metered, terms.service(),
                    terms.holdTtlMillis(), bytesTag(share.id())));
            if (again instanceof Outcome.Reserved reserved) {
                deadline = reserved.expiresAtMillis();
            }
            long feeLeft = share.feeFor(share.limitBytes()) - feeNow;
            if (feeHeld.isPresent() && feeLeft > 0) {
                ledger.engineStep(step + ".fee.hold", new Operation.Reserve(share.borrowerAccount(),
                        share.supplierAccount(), Unit.MONEY, feeLeft, ServiceRef.ANY, terms.holdTtlMillis(),
                        feeTag(share.id())));
            }
        }
        List<UsageRecord> records = newBytes == 0 && newFee == 0 ? List.of()
                : List.of(record(share, newBytes, newFee, metered, now, terms));
        DataShare next;
        if (c.last()) {
            next = end(share.settled(Status.SETTLED, metered, feeNow, share.deadlineMillis()), now, terms);
        } else {
            next = share.settled(Status.OPEN, metered, feeNow, deadline);
            if (metered == share.limitBytes()) {
                next = next.cutOffBy("limit"); // used up: nothing more is held; the final report or the deadline ends it
            }
            reschedule(share, next);
        }
        return new EngineOutcome.ShareMetered(new ShareAnswers.Metered(next, over), records);
    }

    private static EngineOutcome.ShareMetered metered(ShareAnswers.Meter answer) {
        return new EngineOutcome.ShareMetered(answer, List.of());
    }

    private static UsageRecord record(DataShare share, long bytes, long fee, long metered, long now, ShareTerms terms) {
        String id = "share." + share.id() + ".m" + metered;
        List<UsageRecord.BalanceChange> balances = new ArrayList<>();
        balances.add(new UsageRecord.BalanceChange(share.supplierAccount(), Unit.BYTES, -bytes));
        if (fee > 0) {
            balances.add(new UsageRecord.BalanceChange(share.borrowerAccount(), Unit.MONEY, -fee));
            balances.add(new UsageRecord.BalanceChange(share.supplierAccount(), Unit.MONEY, fee));
        }
        return new UsageRecord(id, now, share.borrowerAccount(), "share", share.id(), "data-share",
                terms.service().ratingGroup(), Map.of("supplierSim", share.supplierSim(), "borrowerSim",
                share.borrowerSim(), "baseStation", share.baseStationId()), null, null,
                fee > 0 ? UsageRecord.CHARGED : UsageRecord.FREE, Unit.BYTES, bytes, bytes, fee, null, balances,
                List.of(id));
    }

    // ---------------------------------------------------------------- cancel

    ShareAnswers.Cancel cancel(EngineCommand.CancelShare c) {
        DataShare share = shares.get(c.shareId());
        if (share == null) {
            return new ShareAnswers.UnknownShare(c.shareId());
        }
        boolean borrower = c.simId().equals(share.borrowerSim());
        if (!borrower && !c.simId().equals(share.supplierSim())) {
            return new ShareAnswers.NotAParty(c.shareId());
        }
        if (!share.open() || share.cutOff()) {
            return new ShareAnswers.CutOff(share);
        }
        DataShare next = share.cutOffBy(borrower ? "borrower" : "supplier");
        shares.put(next.id(), next);
        return new ShareAnswers.CutOff(next);
    }

    // ---------------------------------------------------------------- time

    /**
     * Shares whose holds lapsed end (EXPIRED, or SETTLED when used up: their last report settled
     * everything); ended shares past their retention are forgotten.
     */
    void advanceTo(long nowMillis) {
        while (!deadlines.isEmpty() && deadlines.first().atMillis() <= nowMillis) {
            Deadline due = deadlines.pollFirst();
            DataShare share = shares.get(due.shareId());
            if (share == null) {
                continue;
            }
            if (share.open()) {
                Status status = share.usedBytes() == share.limitBytes() ? Status.SETTLED : Status.EXPIRED;
                DataShare ended = share.settled(status, share.usedBytes(), share.feePaid(),
                        due.atMillis() + endedRetentionMillis);
                shares.put(ended.id(), ended);
                openCount--;
                deadlines.add(new Deadline(ended.deadlineMillis(), ended.id()));
            } else {
                shares.remove(share.id());
                byRequest.remove(share.requestKey());
            }
        }
    }

    private DataShare end(DataShare share, long now, ShareTerms terms) {
        DataShare ended = share.settled(share.status(), share.usedBytes(), share.feePaid(),
                now + terms.endedRetentionMillis());
        reschedule(shares.get(share.id()), ended);
        openCount--;
        return ended;
    }

    private void reschedule(DataShare before, DataShare after) {
        deadlines.remove(new Deadline(before.deadlineMillis(), before.id()));
        deadlines.add(new Deadline(after.deadlineMillis(), after.id()));
        shares.put(after.id(), after);
    }

    /** Puts back a share a snapshot kept. */
    void restore(DataShare share) {
        shares.put(share.id(), share);
        byRequest.put(share.requestKey(), share.id());
        deadlines.add(new Deadline(share.deadlineMillis(), share.id()));
        if (share.open()) {
            openCount++;
        }
    }

    /** Every open share's bytes hold is exactly what it has not settled yet (or nothing, once lapsed). */
    void verify(Ledger ledger) {
        for (DataShare s : shares.values()) {
            if (!s.open()) {
                continue;
            }
            long held = ledger.openReservationTagged(bytesTag(s.id())).map(ReservationView::amount).orElse(0L);
            if (held != 0 && held != s.limitBytes() - s.usedBytes()) {
                throw new IllegalStateException("engine invariant broken: share " + s.id() + " holds " + held
                        + " bytes, " + (s.limitBytes() - s.usedBytes()) + " are not settled");
            }
        }
    }

    private static String inactive(Ledger ledger, String accountId) {
        Optional<AccountStatus> status = ledger.status(accountId);
        if (status.isEmpty()) {
            return "account '" + accountId + "' does not exist";
        }
        return status.get() == AccountStatus.ACTIVE ? null : "account '" + accountId + "' is " + status.get();
    }
}
