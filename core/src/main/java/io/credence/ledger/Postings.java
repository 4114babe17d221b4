package io.credence.ledger;

import java.util.Map;

import static io.credence.ledger.LedgerInvariants.check;

/**
 * The only code that changes a bucket or writes a transfer record. Each change keeps the running
 * per-unit sums (the double-entry check after every command) and, inside a linked chain, logs how
 * to take it back. Postings are stamped with the ledger's time and the running request's id, both
 * kept here because every posting needs them.
 *
 * <p>Callers check first and post after: the checks before mutation are here too, and the
 * primitives only assert what the checks promised.
 */
final class Postings {
    /** Every account by id, shared with the ledger; for the system account that expired buckets return to. */
    private final Map<String, Account> accounts;
    private final UndoLog undo;
    final TransferLog transfers;
    /** Running sum of every bucket amount per unit: the double-entry check. */
    private final long[] unitSums = new long[Unit.count()];
    /** The ledger's time: never goes back (see {@link Ledger#advanceTo}). */
    long nowMillis;
    /** The request whose command runs now, for the transfer records; null between commands. */
    String requestId;
    long nextBucketId = 1;

    Postings(Map<String, Account> accounts, UndoLog undo, TransferLog transfers) {
        this.accounts = accounts;
        this.undo = undo;
        this.transfers = transfers;
    }

    // ---------------------------------------------------------------- checks before mutation

    Rejection checkCreditFits(Account account, Unit unit, long amount) {
        long current = account.total(unit);
        if (current > Long.MAX_VALUE - amount) {
            return new Rejection.LimitExceeded("balance of " + account.id + " " + unit, Long.MAX_VALUE);
        }
        return null;
    }

    Rejection checkDebitFitsMain(Account account, Unit unit, long amount) {
        Bucket main = account.main(unit);
        long current = main == null ? 0 : main.amount - main.reserved; // its own holds are promised too
        // Long.MIN_VALUE + 1 so that a negated system balance still fits in a long.
        if (current < Long.MIN_VALUE + 1 + amount) {
            return new Rejection.LimitExceeded("issued total of " + account.id + " " + unit, Long.MAX_VALUE);
        }
        return null;
    }

    // ---------------------------------------------------------------- value

    /** Takes {@code amount} from the account's buckets in consumption order; the caller checked it fits. */
    void debit(Account account, Unit unit, ServiceRef service, long amount) {
        long remaining = amount;
        long creditLimit = account.creditLimit(unit);
        for (Bucket b : account.buckets.clone()) {
            if (remaining == 0) {
                return;
            }
            if (b.unit == unit) {
                long take = Math.min(remaining, b.available(nowMillis, service, creditLimit));
                if (take > 0) {
                    adjustAmount(b, -take);
                    remaining -= take;
                }
            }
        }
        if (remaining > 0) {
            Bucket main = ensureMain(account, unit);
            check(main.available(nowMillis, service, creditLimit) >= remaining, "credit covers the debit");
            adjustAmount(main, -remaining);
        }
    }

    /** Returns what an expired, unheld bucket still has to the system account, and removes the bucket. */
    void sweepIfExpired(Account account, Bucket bucket) {
        if (bucket.isMain() || !bucket.expiredAt(nowMillis) || bucket.reserved != 0) {
            return;
        }
        if (bucket.amount > 0) {
            Account system = accounts.get(Ids.SYSTEM_ACCOUNT);
            long amount = bucket.amount;
            adjustAmount(bucket, -amount);
            adjustAmount(ensureMain(system, bucket.unit), amount);
            recordTransfer(TransferKind.BUCKET_EXPIRY, account, system, bucket.unit, amount, 0, 0, bucket.id);
        }
        removeBucket(account, bucket);
    }

    void adjustAmount(Bucket bucket, long delta) {
        bucket.amount += delta;
        unitSums[bucket.unit.ordinal()] += delta;
        check(bucket.isMain() || bucket.amount >= 0, "only a main balance goes negative");
        if (undo.recording()) {
            undo.add(() -> {
                bucket.amount -= delta;
                unitSums[bucket.unit.ordinal()] -= delta;
            });
        }
    }

    void adjustReserved(Bucket bucket, long delta) {
        bucket.reserved += delta;
        check(bucket.reserved >= 0, "reserved never negative");
        if (undo.recording()) {
            undo.add(() -> bucket.reserved -= delta);
        }
    }

    // ---------------------------------------------------------------- buckets

    Bucket ensureMain(Account account, Unit unit) {
        Bucket main = account.main(unit);
        if (main == null) {
            main = Bucket.main(allocateBucketId(), unit);
            addBucket(account, main);
        }
        return main;
    }

    long allocateBucketId() {
        return nextBucketId++;
    }

    void addBucket(Account account, Bucket bucket) {
        account.addBucket(bucket);
        if (undo.recording()) {
            undo.add(() -> account.removeBucket(bucket));
        }
    }

    private void removeBucket(Account account, Bucket bucket) {
        check(bucket.amount == 0 && bucket.reserved == 0, "only empty buckets are removed");
        account.removeBucket(bucket);
        if (undo.recording()) {
            undo.add(() -> account.addBucket(bucket));
        }
    }

    // ---------------------------------------------------------------- transfer records

    long recordTransfer(TransferKind kind, Account from, Account to, Unit unit, long amount, long overdraft,
                        long reservationId, long bucketId) {
        long seq = transfers.lastSeq() + 1;
        long fromBefore = from.lastTransferSeq;
        long toBefore = to.lastTransferSeq;
        TransferLog.Entry overwritten = undo.recording() ? transfers.occupantOfSlotFor(seq) : null;
        transfers.append(kind, from.id, to.id, unit, amount, overdraft, reservationId, bucketId, nowMillis,
                requestId, fromBefore, toBefore);
        from.lastTransferSeq = seq;
        to.lastTransferSeq = seq;
        if (undo.recording()) {
            undo.add(() -> {
                transfers.undoAppend(seq, overwritten);
                from.lastTransferSeq = fromBefore;
                to.lastTransferSeq = toBefore;
            });
        }
        return seq;
    }

    // ---------------------------------------------------------------- double entry

    /** Per unit, the running sum of all bucket amounts is zero; runs after every command. */
    void checkUnitSums() {
        for (int u = 0; u < unitSums.length; u++) {
            // The message is built only on failure: this runs twice per command.
            if (unitSums[u] != 0) {
                check(false, "double entry: sum of " + Unit.ofOrdinal(u) + " over all accounts is zero, was "
                        + unitSums[u]);
            }
        }
    }

    /** The running sum of bucket amounts in the unit of that ordinal, for the full invariant check. */
    long unitSum(int unitOrdinal) {
        return unitSums[unitOrdinal];
    }
}
