package io.credence.ledger;

import io.credence.ledger.Operation.Commit;
import io.credence.ledger.Operation.Release;
import io.credence.ledger.Operation.Reserve;
import io.credence.ledger.Outcome.Committed;
import io.credence.ledger.Outcome.Released;
import io.credence.ledger.Outcome.Reserved;
import io.credence.ledger.Rejection.AccountNotActive;
import io.credence.ledger.Rejection.CommitExceedsReservation;
import io.credence.ledger.Rejection.CreditLimitExceeded;
import io.credence.ledger.Rejection.Expired;
import io.credence.ledger.Rejection.InsufficientBalance;
import io.credence.ledger.Rejection.InvalidOperation;
import io.credence.ledger.Rejection.LimitExceeded;
import io.credence.ledger.Rejection.ReservationClosed;
import io.credence.ledger.Rejection.UnknownAccount;
import io.credence.ledger.Rejection.UnknownReservation;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import static io.credence.ledger.LedgerInvariants.check;

/**
 * Holds on an account's buckets, from reserve to commit, release or expiry, and the memory of
 * recently closed ones. This is the hot path of charging: a reserve allocates the reservation and
 * its deadline and nothing else, and a commit allocates nothing outside a linked chain.
 */
final class Reservations {
    private final LedgerLimits limits;
    private final Map<String, Account> accounts;
    private final Postings postings;
    private final Deadlines deadlines;
    private final UndoLog undo;
    final HashMap<Long, Reservation> open = new HashMap<>();
    /** Open reservations that carry a tag, by tag (at most one each). */
    final HashMap<String, Reservation> openByTag = new HashMap<>();
    final ClosedReservations closed = new ClosedReservations();
    long nextReservationId = 1;

    Reservations(LedgerLimits limits, Map<String, Account> accounts, Postings postings, Deadlines deadlines,
                 UndoLog undo) {
        this.limits = limits;
        this.accounts = accounts;
        this.postings = postings;
        this.deadlines = deadlines;
        this.undo = undo;
    }

    Outcome reserve(Reserve op) {
        Account account = accounts.get(op.accountId());
        if (account == null) {
            return new UnknownAccount(op.accountId());
        }
        if (account.status != AccountStatus.ACTIVE) {
            return new AccountNotActive(account.id, account.status);
        }
        Account counterparty = accounts.get(op.counterpartyId());
        if (counterparty == null) {
            return new UnknownAccount(op.counterpartyId());
        }
        if (counterparty.status == AccountStatus.CLOSED) {
            return new AccountNotActive(counterparty.id, counterparty.status);
        }
        if (op.ttlMillis() > limits.reservationTtlMaxMillis()) {
            return new LimitExceeded("reservationTtlMaxMillis", limits.reservationTtlMaxMillis());
        }
        if (open.size() >= limits.reservationsMax()) {
            return new LimitExceeded("reservationsMax", limits.reservationsMax());
        }
        long available = account.available(op.unit(), op.service(), postings.nowMillis);
        if (available < op.amount()) {
            return new InsufficientBalance(account.id, op.unit(), op.amount(), available);
        }
        if (op.tag() != null && openByTag.containsKey(op.tag())) {
            return new InvalidOperation("tag", "reservation " + openByTag.get(op.tag()).id + " already holds tag '"
                    + op.tag() + "'");
        }
        Reservation reservation = hold(account, counterparty, op);
        putOpen(reservation);
        deadlines.addReservation(reservation);
        if (!undo.recording()) {
            deadlines.compactIfMostlyStale(open);
        }
        return new Reserved(reservation.id, reservation.amount, reservation.expiresAtMillis);
    }

    /** Takes holds in consumption order; the caller checked that enough is available. */
    private Reservation hold(Account account, Account counterparty, Reserve op) {
        long nowMillis = postings.nowMillis;
        Bucket[] holdBuckets = new Bucket[account.buckets.length + 1];
        long[] holdAmounts = new long[holdBuckets.length];
        int holds = 0;
        long remaining = op.amount();
        long creditLimit = account.creditLimit(op.unit());
        for (Bucket b : account.buckets) {
            if (remaining == 0) {
                break;
            }
            if (b.unit == op.unit()) {
                long take = Math.min(remaining, b.available(nowMillis, op.service(), creditLimit));
                if (take > 0) {
                    holdBuckets[holds] = b;
                    holdAmounts[holds++] = take;
                    remaining -= take;
                }
            }
        }
        if (remaining > 0) {
            // Only the credit limit is left, and the account has no main balance yet.
            Bucket main = postings.ensureMain(account, op.unit());
            check(main.available(nowMillis, op.service(), creditLimit) >= remaining, "credit covers the rest");
            holdBuckets[holds] = main;
            holdAmounts[holds++] = remaining;
        }
        for (int i = 0; i < holds; i++) {
            postings.adjustReserved(holdBuckets[i], holdAmounts[i]);
        }
        Bucket[] buckets = Arrays.copyOf(holdBuckets, holds);
        long[] amounts = Arrays.copyOf(holdAmounts, holds);
        return new Reservation(nextReservationId++, account, counterparty, op.unit(), op.amount(), op.service(),
                Bucket.saturatedAdd(nowMillis, op.ttlMillis()), buckets, amounts, op.tag());
    }

    Outcome commit(Commit op) {
        Reservation r = open.get(op.reservationId());
        if (r == null) {
            return closedOrUnknown(op.reservationId());
        }
        if (op.amount() > r.amount && !op.overdraft()) {
            return new CommitExceedsReservation(r.id, r.amount, op.amount());
        }
        long overdraft = Math.max(0, op.amount() - r.amount);
        if (overdraft > 0) {
            long available = r.account.available(r.unit, r.service, postings.nowMillis);
            if (available < overdraft) {
                return new CreditLimitExceeded(r.account.id, r.unit, overdraft, available);
            }
        }
        if (op.amount() > 0) {
            Rejection creditProblem = postings.checkCreditFits(r.counterparty, r.unit, op.amount());
            if (creditProblem != null) {
                return creditProblem;
            }
        }
        long fromHolds = Math.min(op.amount(), r.amount);
        long remaining = fromHolds;
        for (int i = 0; i < r.holdBuckets.length; i++) {
            long take = Math.min(remaining, r.holdAmounts[i]);
            postings.adjustAmount(r.holdBuckets[i], -take);
            remaining -= take;
        }
        check(remaining == 0, "holds cover the committed amount");
        // Free the holds before an overdraft debit, which may draw on what they returned.
        releaseHolds(r);
        if (overdraft > 0) {
            postings.debit(r.account, r.unit, r.service, overdraft);
        }
        long seq = 0;
        if (op.amount() > 0) {
            postings.adjustAmount(postings.ensureMain(r.counterparty, r.unit), op.amount());
            seq = postings.recordTransfer(TransferKind.COMMIT, r.account, r.counterparty, r.unit, op.amount(),
                    overdraft, r.id, 0);
        }
        closeReleased(r, ReservationStatus.COMMITTED);
        return new Committed(r.id, op.amount(), r.amount - fromHolds, overdraft, seq);
    }

    Outcome release(Release op) {
        Reservation r = open.get(op.reservationId());
        if (r == null) {
            return closedOrUnknown(op.reservationId());
        }
        close(r, ReservationStatus.RELEASED);
        return new Released(r.id, r.amount);
    }

    /**
     * Expires the reservation a deadline due at {@code atMillis} names, if it is still open with that
     * deadline; false for a stale entry (the reservation closed before).
     */
    boolean expireIfDue(long reservationId, long atMillis) {
        Reservation r = open.get(reservationId);
        if (r == null || r.expiresAtMillis != atMillis) {
            return false;
        }
        close(r, ReservationStatus.EXPIRED);
        return true;
    }

    private Rejection closedOrUnknown(long reservationId) {
        ReservationStatus status = closed.status(reservationId);
        if (status == null) {
            return new UnknownReservation(reservationId);
        }
        return status == ReservationStatus.EXPIRED
                ? new Expired(reservationId, closed.closedAt(reservationId))
                : new ReservationClosed(reservationId, status);
    }

    /** Closes a reservation, returning everything it holds. */
    private void close(Reservation r, ReservationStatus status) {
        releaseHolds(r);
        closeReleased(r, status);
    }

    private void releaseHolds(Reservation r) {
        for (int i = 0; i < r.holdBuckets.length; i++) {
            postings.adjustReserved(r.holdBuckets[i], -r.holdAmounts[i]);
        }
    }

    /** Closes a reservation whose holds are already freed; sweeps buckets that expired meanwhile. */
    private void closeReleased(Reservation r, ReservationStatus status) {
        removeOpen(r, status);
        if (status != ReservationStatus.EXPIRED) {
            deadlines.reservationClosedEarly();
        }
        for (Bucket b : r.holdBuckets) {
            postings.sweepIfExpired(r.account, b);
        }
    }

    void putOpen(Reservation r) {
        open.put(r.id, r);
        if (r.tag != null) {
            openByTag.put(r.tag, r);
        }
        if (undo.recording()) {
            undo.add(() -> {
                open.remove(r.id);
                if (r.tag != null) {
                    openByTag.remove(r.tag, r);
                }
            });
        }
    }

    private void removeOpen(Reservation r, ReservationStatus status) {
        open.remove(r.id);
        if (r.tag != null) {
            openByTag.remove(r.tag, r);
        }
        closed.add(r.id, status, postings.nowMillis);
        if (undo.recording()) {
            undo.add(() -> {
                closed.remove(r.id);
                open.put(r.id, r);
                if (r.tag != null) {
                    openByTag.put(r.tag, r);
                }
            });
        }
    }

    // ---------------------------------------------------------------- memory of closed reservations

    /** Runs between commands only: an eviction inside a linked chain would not be undone on rollback. */
    void trimClosed() {
        while (closed.size() > limits.requestIdsMax()) {
            closed.removeOldest();
        }
    }

    void forgetClosedOlderThan(long horizonMillis) {
        while (!closed.isEmpty() && closed.oldestClosedAt() <= horizonMillis) {
            closed.removeOldest();
        }
    }
}
