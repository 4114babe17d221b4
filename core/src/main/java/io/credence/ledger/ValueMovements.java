package io.credence.ledger;

import io.credence.ledger.Operation.TopUp;
import io.credence.ledger.Operation.Transfer;
import io.credence.ledger.Outcome.ToppedUp;
import io.credence.ledger.Outcome.Transferred;
import io.credence.ledger.Rejection.AccountNotActive;
import io.credence.ledger.Rejection.InsufficientBalance;
import io.credence.ledger.Rejection.InvalidOperation;
import io.credence.ledger.Rejection.LimitExceeded;
import io.credence.ledger.Rejection.NotASystemAccount;
import io.credence.ledger.Rejection.UnknownAccount;

import java.util.Map;

/**
 * Value that moves at once, without a hold: a top-up issued by a system account (to the main
 * balance or into a new bucket with its own validity and services) and a transfer between two
 * accounts.
 */
final class ValueMovements {
    private final LedgerLimits limits;
    private final Map<String, Account> accounts;
    private final Postings postings;
    private final Deadlines deadlines;
    private final ServiceFilterPool serviceFilters;

    ValueMovements(LedgerLimits limits, Map<String, Account> accounts, Postings postings, Deadlines deadlines,
                   ServiceFilterPool serviceFilters) {
        this.limits = limits;
        this.accounts = accounts;
        this.postings = postings;
        this.deadlines = deadlines;
        this.serviceFilters = serviceFilters;
    }

    Outcome topUp(TopUp op) {
        Account source = accounts.get(op.sourceAccountId());
        if (source == null) {
            return new UnknownAccount(op.sourceAccountId());
        }
        if (source.kind != AccountKind.SYSTEM) {
            return new NotASystemAccount(source.id);
        }
        Account target = accounts.get(op.accountId());
        if (target == null) {
            return new UnknownAccount(op.accountId());
        }
        if (target.status == AccountStatus.CLOSED) {
            return new AccountNotActive(target.id, target.status);
        }
        if (source == target) {
            return new InvalidOperation("accountId", "a system account cannot top itself up");
        }
        Rejection sourceProblem = postings.checkDebitFitsMain(source, op.unit(), op.amount());
        if (sourceProblem != null) {
            return sourceProblem;
        }
        BucketSpec spec = op.bucket();
        if (spec == null) {
            Rejection targetProblem = postings.checkCreditFits(target, op.unit(), op.amount());
            if (targetProblem != null) {
                return targetProblem;
            }
        } else {
            if (target.nonMainBucketCount() >= bucketsMax()) {
                return new LimitExceeded("bucketsPerAccountMax", limits.bucketsPerAccountMax());
            }
            if (spec.validUntilMillis() <= postings.nowMillis) {
                return new InvalidOperation("bucket.validUntilMillis", "is not after the ledger time "
                        + postings.nowMillis);
            }
            Rejection targetProblem = postings.checkCreditFits(target, op.unit(), op.amount()); // buckets count too
            if (targetProblem != null) {
                return targetProblem;
            }
        }
        postings.adjustAmount(postings.ensureMain(source, op.unit()), -op.amount());
        Bucket credited;
        if (spec == null) {
            credited = postings.ensureMain(target, op.unit());
        } else {
            credited = new Bucket(postings.allocateBucketId(), op.unit(), spec.validFromMillis(),
                    spec.validUntilMillis(), spec.priority(), serviceFilters.canonical(spec.services()));
            postings.addBucket(target, credited);
            if (spec.validUntilMillis() != BucketSpec.FOREVER) {
                deadlines.addBucket(target, credited);
            }
        }
        postings.adjustAmount(credited, op.amount());
        long seq = postings.recordTransfer(TransferKind.TOP_UP, source, target, op.unit(), op.amount(), 0, 0,
                credited.id);
        return new ToppedUp(seq, credited.id);
    }

    private int bucketsMax() {
        // Room is kept for one main balance per unit.
        return limits.bucketsPerAccountMax() - Unit.count();
    }

    Outcome transfer(Transfer op) {
        Account from = accounts.get(op.fromAccountId());
        if (from == null) {
            return new UnknownAccount(op.fromAccountId());
        }
        if (from.status != AccountStatus.ACTIVE) {
            return new AccountNotActive(from.id, from.status);
        }
        Account to = accounts.get(op.toAccountId());
        if (to == null) {
            return new UnknownAccount(op.toAccountId());
        }
        if (to.status == AccountStatus.CLOSED) {
            return new AccountNotActive(to.id, to.status);
        }
        long available = from.available(op.unit(), op.service(), postings.nowMillis);
        if (available < op.amount()) {
            return new InsufficientBalance(from.id, op.unit(), op.amount(), available);
        }
        Rejection creditProblem = postings.checkCreditFits(to, op.unit(), op.amount());
        if (creditProblem != null) {
            return creditProblem;
        }
        postings.debit(from, op.unit(), op.service(), op.amount());
        postings.adjustAmount(postings.ensureMain(to, op.unit()), op.amount());
        long seq = postings.recordTransfer(TransferKind.TRANSFER, from, to, op.unit(), op.amount(), 0, 0, 0);
        return new Transferred(seq);
    }
}
