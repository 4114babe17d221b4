package io.credence.ledger;

import io.credence.ledger.Operation.Advance;
import io.credence.ledger.Operation.BindIdentity;
import io.credence.ledger.Operation.Commit;
import io.credence.ledger.Operation.CreateAccount;
import io.credence.ledger.Operation.Linked;
import io.credence.ledger.Operation.Release;
import io.credence.ledger.Operation.Reserve;
import io.credence.ledger.Operation.Step;
import io.credence.ledger.Operation.TopUp;
import io.credence.ledger.Operation.Transfer;
import io.credence.ledger.Operation.UnbindIdentity;
import io.credence.ledger.Operation.UpdateAccount;
import io.credence.ledger.Outcome.AccountCreated;
import io.credence.ledger.Outcome.AccountUpdated;
import io.credence.ledger.Outcome.Advanced;
import io.credence.ledger.Outcome.Committed;
import io.credence.ledger.Outcome.IdentityBound;
import io.credence.ledger.Outcome.IdentityUnbound;
import io.credence.ledger.Outcome.LinkedApplied;
import io.credence.ledger.Outcome.Released;
import io.credence.ledger.Outcome.Reserved;
import io.credence.ledger.Outcome.ToppedUp;
import io.credence.ledger.Outcome.Transferred;
import io.credence.ledger.Rejection.AccountExists;
import io.credence.ledger.Rejection.AccountNotActive;
import io.credence.ledger.Rejection.CommitExceedsReservation;
import io.credence.ledger.Rejection.CreditLimitExceeded;
import io.credence.ledger.Rejection.DuplicateRequest;
import io.credence.ledger.Rejection.Expired;
import io.credence.ledger.Rejection.IdentityTaken;
import io.credence.ledger.Rejection.InsufficientBalance;
import io.credence.ledger.Rejection.InvalidOperation;
import io.credence.ledger.Rejection.LimitExceeded;
import io.credence.ledger.Rejection.LinkedRejected;
import io.credence.ledger.Rejection.NotASystemAccount;
import io.credence.ledger.Rejection.ReservationClosed;
import io.credence.ledger.Rejection.StaleSequence;
import io.credence.ledger.Rejection.UnknownAccount;
import io.credence.ledger.Rejection.UnknownIdentity;
import io.credence.ledger.Rejection.UnknownReservation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;

/**
 * The charging ledger as a deterministic state machine. No clock, no threads, no I/O: time comes
 * in with each command, and the same commands at the same times always reach the same state, so
 * the journal can replay it and tests can simulate it.
 *
 * <p>One thread owns an instance. Every operation first checks everything that could make it fail
 * and only then mutates, so a rejection changes nothing; linked chains additionally keep an undo
 * log so that a later step's rejection can take back the earlier steps.
 *
 * <p>Invariant, checked after every command: per unit, the sum of all bucket amounts over all
 * accounts is zero (system accounts go negative by exactly what they issued).
 */
public final class Ledger implements LedgerView {
    private record Deadline(long atMillis, long id, Account bucketAccount) {
        /** Time, then reservations before buckets, then id; written out because it runs log(n) times per reserve. */
        static final Comparator<Deadline> ORDER = (a, b) -> {
            if (a.atMillis != b.atMillis) {
                return Long.compare(a.atMillis, b.atMillis);
            }
            boolean aBucket = a.bucketAccount != null;
            boolean bBucket = b.bucketAccount != null;
            if (aBucket != bBucket) {
                return aBucket ? 1 : -1;
            }
            return Long.compare(a.id, b.id);
        };
    }


    private static final int STALE_DEADLINES_COMPACT_MIN = 4096;
    static final int SERVICE_FILTERS_CANONICAL_MAX = 65_536;

    private final LedgerLimits limits;
    final HashMap<String, Account> accounts = new HashMap<>();
    /**
     * Each bound subscriber identity to its account, for the lookup every charging request starts
     * with; each account also lists its own ({@link Account#identities()}). Accounts are never
     * removed, so holding the account itself is safe.
     */
    final HashMap<SubscriberIdentity, Account> identities = new HashMap<>();
    final HashMap<Long, Reservation> open = new HashMap<>();
    /** Open reservations that carry a tag, by tag (at most one each). */
    final HashMap<String, Reservation> openByTag = new HashMap<>();
    final ClosedReservations closed = new ClosedReservations();
    final RequestLog requests;
    /** Canonical instances of the service filters buckets use (see {@link #canonical}). */
    private final HashMap<ServiceFilter, ServiceFilter> serviceFilters = new HashMap<>();
    final TransferLog transfers;
    private final PriorityQueue<Deadline> deadlines = new PriorityQueue<>(Deadline.ORDER);
    private int staleDeadlines;
    /** Running sum of every bucket amount per unit: the double-entry check. */
    private final long[] unitSums = new long[Unit.count()];
    long nextBucketId = 1;
    long nextReservationId = 1;
    long nowMillis;
    /** Non-null while a linked chain runs: how to take back each mutation, in order. */
    private ArrayList<Runnable> undo;
    private String currentRequestId;
    private final CommandCodec.Fingerprinter fingerprinter = new CommandCodec.Fingerprinter();

    public Ledger(LedgerLimits limits) {
        this.limits = limits;
        this.requests = new RequestLog(limits.requestIdsMax(), limits.requestIdRetentionMillis());
        this.transfers = new TransferLog(limits.transfersRetainedMax());
        accounts.put(Ids.SYSTEM_ACCOUNT, new Account(Ids.SYSTEM_ACCOUNT, AccountKind.SYSTEM));
    }

    @Override
    public LedgerLimits limits() {
        return limits;
    }

    /** Applies a command at {@code nowMillis} (earlier times count as the ledger's current time). */
    public Outcome apply(Command command, long nowMillis) {
        return apply(command, nowMillis, fingerprinter.of(command.operation()));
    }

    /**
     * As {@link #apply(Command, long)}, with the operation's fingerprint computed by the caller
     * (the journal already has the encoded bytes; see {@link CommandCodec#fingerprint}).
     */
    public Outcome apply(Command command, long nowMillis, long fingerprint) {
        advanceTo(nowMillis);
        RequestLog.Entry seen = requests.get(command.requestId());
        if (seen != null) {
            return seen.fingerprint() == fingerprint ? seen.outcome() : new DuplicateRequest(command.requestId());
        }
        if (requests.full()) {
            // Not remembered: the client may retry once older ids leave the retention window.
            return new LimitExceeded("requestIdsMax", limits.requestIdsMax());
        }
        currentRequestId = command.requestId();
        Outcome outcome = execute(command.operation());
        currentRequestId = null;
        trimClosed();
        requests.put(command.requestId(), new RequestLog.Entry(fingerprint, outcome, this.nowMillis));
        checkUnitSums();
        return outcome;
    }

    /**
     * Moves ledger time forward, expiring due reservations and buckets. Never moves it back.
     *
     * <p>Each expiry happens as of its own deadline, not as of {@code nowMillis}: the result must
     * not depend on how often time was advanced in between (the journal's idle ticks are not
     * journaled; a replay advances only at command times), so advanceTo(a) then advanceTo(b)
     * reaches exactly the state of advanceTo(b).
     */
    public void advanceTo(long nowMillis) {
        long target = Math.max(this.nowMillis, nowMillis);
        while (!deadlines.isEmpty() && deadlines.peek().atMillis() <= target) {
            Deadline due = deadlines.poll();
            this.nowMillis = Math.max(this.nowMillis, due.atMillis());
            if (due.bucketAccount() == null) {
                Reservation r = open.get(due.id());
                if (r != null && r.expiresAtMillis == due.atMillis()) {
                    close(r, ReservationStatus.EXPIRED);
                } else {
                    staleDeadlines = Math.max(0, staleDeadlines - 1);
                }
            } else {
                Account account = due.bucketAccount();
                Bucket bucket = account.bucket(due.id());
                if (bucket != null && accounts.get(account.id) == account) {
                    sweepIfExpired(account, bucket);
                }
            }
        }
        this.nowMillis = target;
        requests.forgetOlderThan(this.nowMillis);
        forgetClosedOlderThan(this.nowMillis - limits.requestIdRetentionMillis());
        trimClosed();
        checkUnitSums();
    }

    @Override
    public long nowMillis() {
        return nowMillis;
    }

    /**
     * One step of a larger command the charging engine applies (a grant, a settlement): the same
     * checks and effects as the step alone, under {@code requestId} (which transfer records carry),
     * but without a request-id entry of its own: the engine's session remembers the answer of the
     * whole request. Call {@link #endEngineCommand} once the command is done.
     */
    public Outcome engineStep(String requestId, Step step) {
        check(undo == null, "engine steps are not linked chains");
        currentRequestId = requestId;
        try {
            return step(step);
        } finally {
            currentRequestId = null;
        }
    }

    /** Closes an engine command: the same upkeep and checks as after any command. */
    public void endEngineCommand() {
        trimClosed();
        checkUnitSums();
    }

    /** An account's status, or empty when there is no such account (cheaper than {@link #account}). */
    @Override
    public Optional<AccountStatus> status(String accountId) {
        Account account = accounts.get(accountId);
        return account == null ? Optional.empty() : Optional.of(account.status);
    }

    /** What the account could take for {@code service} now, credit limit included; 0 for no such account. */
    public long availableNow(String accountId, Unit unit, ServiceRef service) {
        Account account = accounts.get(accountId);
        return account == null ? 0 : account.available(unit, service, nowMillis);
    }

    private Outcome execute(Operation operation) {
        return switch (operation) {
            case CreateAccount create -> createAccount(create);
            case UpdateAccount update -> updateAccount(update);
            case BindIdentity bind -> bindIdentity(bind);
            case UnbindIdentity unbind -> unbindIdentity(unbind);
            case Linked linked -> linked(linked);
            case Step step -> step(step);
        };
    }

    private Outcome step(Step step) {
        return switch (step) {
            case TopUp topUp -> topUp(topUp);
            case Transfer transfer -> transfer(transfer);
            case Reserve reserve -> reserve(reserve);
            case Commit commit -> commit(commit);
            case Release release -> release(release);
            case Advance advance -> advance(advance);
        };
    }

    // ---------------------------------------------------------------- accounts

    private Outcome createAccount(CreateAccount op) {
        if (accounts.containsKey(op.accountId())) {
            return new AccountExists(op.accountId());
        }
        if (accounts.size() >= limits.accountsMax()) {
            return new LimitExceeded("accountsMax", limits.accountsMax());
        }
        Account account = new Account(op.accountId(), op.kind());
        account.setCreditLimits(op.creditLimits());
        accounts.put(account.id, account);
        return new AccountCreated(account.id);
    }

    private Outcome updateAccount(UpdateAccount op) {
        Account account = accounts.get(op.accountId());
        if (account == null) {
            return new UnknownAccount(op.accountId());
        }
        if (account.status == AccountStatus.CLOSED) {
            return new AccountNotActive(account.id, account.status);
        }
        if (op.creditLimits() != null) {
            for (Unit unit : Unit.values()) {
                Bucket main = account.main(unit);
                long used = main == null ? 0 : -(main.amount - main.reserved);
                long limit = op.creditLimits().getOrDefault(unit, 0L);
                if (account.kind != AccountKind.SYSTEM && used > limit) {
                    return new InvalidOperation("creditLimits." + unit,
                            "account '" + account.id + "' already uses " + used + " of credit");
                }
            }
        }
        if (op.status() != null) {
            account.status = op.status();
        }
        if (op.creditLimits() != null) {
            account.setCreditLimits(op.creditLimits());
        }
        return new AccountUpdated(account.id, account.status);
    }

    // ---------------------------------------------------------------- subscriber identities

    /**
     * A SUSPENDED account may gain identities (provisioning often precedes activation); a CLOSED
     * one may not. Closing an account leaves its identities bound: a number is freed only by an
     * explicit unbind, so it never passes to someone else by accident.
     */
    private Outcome bindIdentity(BindIdentity op) {
        check(undo == null, "identities are not linked steps, so there is nothing to undo");
        Account account = accounts.get(op.accountId());
        if (account == null) {
            return new UnknownAccount(op.accountId());
        }
        if (account.status == AccountStatus.CLOSED) {
            return new AccountNotActive(account.id, account.status);
        }
        SubscriberIdentity identity = op.identity();
        Account holder = identities.get(identity);
        if (holder == account) {
            // A repeat under a new request id (a provisioning system re-sending its state) is fine.
            return new IdentityBound(op.type(), op.value(), account.id);
        }
        if (holder != null) {
            return new IdentityTaken(op.type(), op.value(), holder.id);
        }
        if (identities.size() >= limits.identitiesMax()) {
            return new LimitExceeded("identitiesMax", limits.identitiesMax());
        }
        identities.put(identity, account);
        account.addIdentity(identity);
        check(identities.size() <= limits.identitiesMax(), "identities within identitiesMax");
        return new IdentityBound(op.type(), op.value(), account.id);
    }

    private Outcome unbindIdentity(UnbindIdentity op) {
        check(undo == null, "identities are not linked steps, so there is nothing to undo");
        SubscriberIdentity identity = op.identity();
        Account holder = identities.remove(identity);
        if (holder == null) {
            return new UnknownIdentity(op.type(), op.value());
        }
        holder.removeIdentity(identity);
        return new IdentityUnbound(op.type(), op.value(), holder.id);
    }

    // ---------------------------------------------------------------- value movements

    private Outcome topUp(TopUp op) {
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
        Rejection sourceProblem = checkDebitFitsMain(source, op.unit(), op.amount());
        if (sourceProblem != null) {
            return sourceProblem;
        }
        BucketSpec spec = op.bucket();
        if (spec == null) {
            Rejection targetProblem = checkCreditFits(target, op.unit(), op.amount());
            if (targetProblem != null) {
                return targetProblem;
            }
        } else {
            if (target.nonMainBucketCount() >= bucketsMax()) {
                return new LimitExceeded("bucketsPerAccountMax", limits.bucketsPerAccountMax());
            }
            if (spec.validUntilMillis() <= nowMillis) {
                return new InvalidOperation("bucket.validUntilMillis", "is not after the ledger time " + nowMillis);
            }
            Rejection targetProblem = checkCreditFits(target, op.unit(), op.amount()); // buckets count too
            if (targetProblem != null) {
                return targetProblem;
            }
        }
        adjustAmount(ensureMain(source, op.unit()), -op.amount());
        Bucket credited;
        if (spec == null) {
            credited = ensureMain(target, op.unit());
        } else {
            credited = new Bucket(allocateBucketId(), op.unit(), spec.validFromMillis(), spec.validUntilMillis(),
                    spec.priority(), canonical(spec.services()));
            addBucket(target, credited);
            if (spec.validUntilMillis() != BucketSpec.FOREVER) {
                deadlines.add(new Deadline(spec.validUntilMillis(), credited.id, target));
            }
        }
        adjustAmount(credited, op.amount());
        long seq = recordTransfer(TransferKind.TOP_UP, source, target, op.unit(), op.amount(), 0, 0, credited.id);
        return new ToppedUp(seq, credited.id);
    }

    private Outcome transfer(Transfer op) {
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
        long available = from.available(op.unit(), op.service(), nowMillis);
        if (available < op.amount()) {
            return new InsufficientBalance(from.id, op.unit(), op.amount(), available);
        }
        Rejection creditProblem = checkCreditFits(to, op.unit(), op.amount());
        if (creditProblem != null) {
            return creditProblem;
        }
        debit(from, op.unit(), op.service(), op.amount());
        adjustAmount(ensureMain(to, op.unit()), op.amount());
        long seq = recordTransfer(TransferKind.TRANSFER, from, to, op.unit(), op.amount(), 0, 0, 0);
        return new Transferred(seq);
    }

    // ---------------------------------------------------------------- reservations

    private Outcome reserve(Reserve op) {
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
        long available = account.available(op.unit(), op.service(), nowMillis);
        if (available < op.amount()) {
            return new InsufficientBalance(account.id, op.unit(), op.amount(), available);
        }
        if (op.tag() != null && openByTag.containsKey(op.tag())) {
            return new InvalidOperation("tag", "reservation " + openByTag.get(op.tag()).id + " already holds tag '"
                    + op.tag() + "'");
        }
        Reservation reservation = hold(account, counterparty, op);
        putOpen(reservation);
        deadlines.add(new Deadline(reservation.expiresAtMillis, reservation.id, null));
        compactDeadlinesIfMostlyStale();
        return new Reserved(reservation.id, reservation.amount, reservation.expiresAtMillis);
    }

    /** Takes holds in consumption order; the caller checked that enough is available. */
    private Reservation hold(Account account, Account counterparty, Reserve op) {
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
            Bucket main = ensureMain(account, op.unit());
            check(main.available(nowMillis, op.service(), creditLimit) >= remaining, "credit covers the rest");
            holdBuckets[holds] = main;
            holdAmounts[holds++] = remaining;
        }
        for (int i = 0; i < holds; i++) {
            adjustReserved(holdBuckets[i], holdAmounts[i]);
        }
        Bucket[] buckets = java.util.Arrays.copyOf(holdBuckets, holds);
        long[] amounts = java.util.Arrays.copyOf(holdAmounts, holds);
        return new Reservation(allocateReservationId(), account, counterparty, op.unit(), op.amount(), op.service(),
                Bucket.saturatedAdd(nowMillis, op.ttlMillis()), buckets, amounts, op.tag());
    }

    private Outcome commit(Commit op) {
        Reservation r = open.get(op.reservationId());
        if (r == null) {
            return closedOrUnknown(op.reservationId());
        }
        if (op.amount() > r.amount && !op.overdraft()) {
            return new CommitExceedsReservation(r.id, r.amount, op.amount());
        }
        long overdraft = Math.max(0, op.amount() - r.amount);
        if (overdraft > 0) {
            long available = r.account.available(r.unit, r.service, nowMillis);
            if (available < overdraft) {
                return new CreditLimitExceeded(r.account.id, r.unit, overdraft, available);
            }
        }
        if (op.amount() > 0) {
            Rejection creditProblem = checkCreditFits(r.counterparty, r.unit, op.amount());
            if (creditProblem != null) {
                return creditProblem;
            }
        }
        long fromHolds = Math.min(op.amount(), r.amount);
        long remaining = fromHolds;
        for (int i = 0; i < r.holdBuckets.length; i++) {
            long take = Math.min(remaining, r.holdAmounts[i]);
            adjustAmount(r.holdBuckets[i], -take);
            remaining -= take;
        }
        check(remaining == 0, "holds cover the committed amount");
        // Free the holds before an overdraft debit, which may draw on what they returned.
        releaseHolds(r);
        if (overdraft > 0) {
            debit(r.account, r.unit, r.service, overdraft);
        }
        long seq = 0;
        if (op.amount() > 0) {
            adjustAmount(ensureMain(r.counterparty, r.unit), op.amount());
            seq = recordTransfer(TransferKind.COMMIT, r.account, r.counterparty, r.unit, op.amount(), overdraft, r.id, 0);
        }
        closeReleased(r, ReservationStatus.COMMITTED);
        return new Committed(r.id, op.amount(), r.amount - fromHolds, overdraft, seq);
    }

    private Outcome release(Release op) {
        Reservation r = open.get(op.reservationId());
        if (r == null) {
            return closedOrUnknown(op.reservationId());
        }
        close(r, ReservationStatus.RELEASED);
        return new Released(r.id, r.amount);
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
            adjustReserved(r.holdBuckets[i], -r.holdAmounts[i]);
        }
    }

    /** Closes a reservation whose holds are already freed; sweeps buckets that expired meanwhile. */
    private void closeReleased(Reservation r, ReservationStatus status) {
        removeOpen(r, status);
        if (status != ReservationStatus.EXPIRED) {
            staleDeadlines++;
        }
        for (Bucket b : r.holdBuckets) {
            sweepIfExpired(r.account, b);
        }
    }

    // ---------------------------------------------------------------- sequence streams

    /**
     * No status check, unlike the value movements: the usage behind a report already happened,
     * and refusing it on a suspended or closed account would not undo that, only lose the count
     * (or leave its number free for a retry after reactivation to be counted late).
     */
    private Outcome advance(Advance op) {
        Account account = accounts.get(op.accountId());
        if (account == null) {
            return new UnknownAccount(op.accountId());
        }
        SequenceStream stream = account.stream(op.stream());
        if (stream == null) {
            if (account.streamCount() >= Account.STREAMS_MAX) {
                return new LimitExceeded("streamsPerAccount", Account.STREAMS_MAX);
            }
        } else {
            if (op.seq() <= stream.lastSeq) {
                return new StaleSequence(account.id, stream.name, op.seq(), stream.lastSeq);
            }
            if (stream.total > Long.MAX_VALUE - op.amount()) {
                return new LimitExceeded("total of " + account.id + " stream " + stream.name, Long.MAX_VALUE);
            }
        }
        if (stream == null) {
            stream = new SequenceStream(op.stream());
            addStream(account, stream);
        }
        moveStream(stream, op.seq(), op.amount());
        return new Advanced(account.id, stream.name, stream.lastSeq, stream.total);
    }

    // ---------------------------------------------------------------- linked chains

    private Outcome linked(Linked op) {
        check(undo == null, "linked chains do not nest");
        undo = new ArrayList<>();
        long bucketIdBefore = nextBucketId;
        long reservationIdBefore = nextReservationId;
        List<Outcome> outcomes = new ArrayList<>(op.steps().size());
        try {
            for (int i = 0; i < op.steps().size(); i++) {
                Outcome outcome = step(op.steps().get(i));
                if (outcome instanceof Rejection rejection) {
                    for (int u = undo.size() - 1; u >= 0; u--) {
                        undo.get(u).run();
                    }
                    nextBucketId = bucketIdBefore;
                    nextReservationId = reservationIdBefore;
                    return new LinkedRejected(i, rejection);
                }
                outcomes.add(outcome);
            }
            return new LinkedApplied(outcomes);
        } finally {
            undo = null;
        }
    }

    // ---------------------------------------------------------------- checks before mutation

    private int bucketsMax() {
        // Room is kept for one main balance per unit.
        return limits.bucketsPerAccountMax() - Unit.count();
    }

    private Rejection checkCreditFits(Account account, Unit unit, long amount) {
        long current = account.total(unit);
        if (current > Long.MAX_VALUE - amount) {
            return new LimitExceeded("balance of " + account.id + " " + unit, Long.MAX_VALUE);
        }
        return null;
    }

    private Rejection checkDebitFitsMain(Account account, Unit unit, long amount) {
        Bucket main = account.main(unit);
        long current = main == null ? 0 : main.amount - main.reserved; // its own holds are promised too
        // Long.MIN_VALUE + 1 so that a negated system balance still fits in a long.
        if (current < Long.MIN_VALUE + 1 + amount) {
            return new LimitExceeded("issued total of " + account.id + " " + unit, Long.MAX_VALUE);
        }
        return null;
    }

    // ---------------------------------------------------------------- mutation primitives

    /** Takes {@code amount} from the account's buckets in consumption order; the caller checked it fits. */
    private void debit(Account account, Unit unit, ServiceRef service, long amount) {
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

    private void sweepIfExpired(Account account, Bucket bucket) {
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

    private Bucket ensureMain(Account account, Unit unit) {
        Bucket main = account.main(unit);
        if (main == null) {
            main = Bucket.main(allocateBucketId(), unit);
            addBucket(account, main);
        }
        return main;
    }

    private void adjustAmount(Bucket bucket, long delta) {
        bucket.amount += delta;
        unitSums[bucket.unit.ordinal()] += delta;
        check(bucket.isMain() || bucket.amount >= 0, "only a main balance goes negative");
        if (undo != null) {
            undo.add(() -> {
                bucket.amount -= delta;
                unitSums[bucket.unit.ordinal()] -= delta;
            });
        }
    }

    private void adjustReserved(Bucket bucket, long delta) {
        bucket.reserved += delta;
        check(bucket.reserved >= 0, "reserved never negative");
        if (undo != null) {
            undo.add(() -> bucket.reserved -= delta);
        }
    }

    private void addBucket(Account account, Bucket bucket) {
        account.addBucket(bucket);
        if (undo != null) {
            undo.add(() -> account.removeBucket(bucket));
        }
    }

    private void removeBucket(Account account, Bucket bucket) {
        check(bucket.amount == 0 && bucket.reserved == 0, "only empty buckets are removed");
        account.removeBucket(bucket);
        if (undo != null) {
            undo.add(() -> account.addBucket(bucket));
        }
    }

    private void addStream(Account account, SequenceStream stream) {
        account.addStream(stream);
        check(account.streamCount() <= Account.STREAMS_MAX, "streams within STREAMS_MAX");
        if (undo != null) {
            undo.add(() -> account.removeLastStream(stream));
        }
    }

    private void moveStream(SequenceStream stream, long seq, long amount) {
        long seqBefore = stream.lastSeq;
        long totalBefore = stream.total;
        check(seq > seqBefore, "a stream only moves forward");
        stream.lastSeq = seq;
        stream.total = Math.addExact(totalBefore, amount); // checked before: cannot throw
        if (undo != null) {
            undo.add(() -> {
                stream.lastSeq = seqBefore;
                stream.total = totalBefore;
            });
        }
    }

    void putOpen(Reservation r) {
        open.put(r.id, r);
        if (r.tag != null) {
            openByTag.put(r.tag, r);
        }
        if (undo != null) {
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
        closed.add(r.id, status, nowMillis);
        if (undo != null) {
            undo.add(() -> {
                closed.remove(r.id);
                open.put(r.id, r);
                if (r.tag != null) {
                    openByTag.put(r.tag, r);
                }
            });
        }
    }

    private long recordTransfer(TransferKind kind, Account from, Account to, Unit unit, long amount, long overdraft,
                                long reservationId, long bucketId) {
        long seq = transfers.lastSeq() + 1;
        long fromBefore = from.lastTransferSeq;
        long toBefore = to.lastTransferSeq;
        TransferLog.Entry overwritten = undo == null ? null : transfers.occupantOfSlotFor(seq);
        transfers.append(kind, from.id, to.id, unit, amount, overdraft, reservationId, bucketId, nowMillis,
                currentRequestId, fromBefore, toBefore);
        from.lastTransferSeq = seq;
        to.lastTransferSeq = seq;
        if (undo != null) {
            undo.add(() -> {
                transfers.undoAppend(seq, overwritten);
                from.lastTransferSeq = fromBefore;
                to.lastTransferSeq = toBefore;
            });
        }
        return seq;
    }

    /**
     * One shared instance per distinct filter: every decoded top-up carries its own copy, and a
     * million packs for the same rating group would otherwise keep a million equal filters (48
     * bytes each). Bounded: past {@link #SERVICE_FILTERS_CANONICAL_MAX} distinct filters a new one
     * is kept as is, which costs memory but never correctness.
     */
    ServiceFilter canonical(ServiceFilter filter) {
        if (filter.coversAll()) {
            return ServiceFilter.ALL;
        }
        ServiceFilter known = serviceFilters.get(filter);
        if (known != null) {
            return known;
        }
        if (serviceFilters.size() < SERVICE_FILTERS_CANONICAL_MAX) {
            serviceFilters.put(filter, filter);
        }
        return filter;
    }

    private long allocateBucketId() {
        return nextBucketId++;
    }

    private long allocateReservationId() {
        return nextReservationId++;
    }

    /** Runs between commands only: an eviction inside a linked chain would not be undone on rollback. */
    private void trimClosed() {
        while (closed.size() > limits.requestIdsMax()) {
            closed.removeOldest();
        }
    }

    private void forgetClosedOlderThan(long horizonMillis) {
        while (!closed.isEmpty() && closed.oldestClosedAt() <= horizonMillis) {
            closed.removeOldest();
        }
    }

    private void compactDeadlinesIfMostlyStale() {
        // Never inside a linked chain: a reservation it closed may be reopened by the rollback.
        if (undo == null && staleDeadlines > STALE_DEADLINES_COMPACT_MIN && staleDeadlines * 2 > deadlines.size()) {
            deadlines.removeIf(d -> d.bucketAccount() == null && !open.containsKey(d.id()));
            staleDeadlines = 0;
        }
    }

    void restoreDeadlines() {
        deadlines.clear();
        staleDeadlines = 0;
        for (Reservation r : open.values()) {
            deadlines.add(new Deadline(r.expiresAtMillis, r.id, null));
        }
        for (Account account : accounts.values()) {
            for (Bucket b : account.buckets) {
                if (b.validUntilMillis != BucketSpec.FOREVER) {
                    deadlines.add(new Deadline(b.validUntilMillis, b.id, account));
                }
            }
        }
    }

    private void checkUnitSums() {
        for (int u = 0; u < unitSums.length; u++) {
            // The message is built only on failure: this runs twice per command.
            if (unitSums[u] != 0) {
                check(false, "double entry: sum of " + Unit.ofOrdinal(u) + " over all accounts is zero, was "
                        + unitSums[u]);
            }
        }
    }

    static void check(boolean condition, String invariant) {
        if (!condition) {
            throw new IllegalStateException("ledger invariant broken: " + invariant);
        }
    }

    /** As {@link #check(boolean, String)}, describing the invariant only when it is broken (hot loops). */
    static void check(boolean condition, java.util.function.Supplier<String> invariant) {
        if (!condition) {
            throw new IllegalStateException("ledger invariant broken: " + invariant.get());
        }
    }

    // ---------------------------------------------------------------- queries

    @Override
    public Optional<AccountView> account(String accountId) {
        Account account = accounts.get(accountId);
        return account == null ? Optional.empty() : Optional.of(view(account));
    }

    private AccountView view(Account account) {
        List<BucketView> bucketViews = new ArrayList<>(account.buckets.length);
        Map<Unit, Long> limitsByUnit = account.creditLimitMap();
        long[] total = new long[Unit.count()];
        long[] reserved = new long[Unit.count()];
        boolean[] present = new boolean[Unit.count()];
        for (Bucket b : account.buckets) {
            bucketViews.add(b.view(nowMillis, account.creditLimit(b.unit)));
            total[b.unit.ordinal()] += b.amount;
            reserved[b.unit.ordinal()] += b.reserved;
            present[b.unit.ordinal()] = true;
        }
        List<Balance> balances = new ArrayList<>();
        for (Unit unit : Unit.values()) {
            if (present[unit.ordinal()] || limitsByUnit.containsKey(unit)) {
                balances.add(new Balance(unit, total[unit.ordinal()], reserved[unit.ordinal()],
                        account.available(unit, ServiceRef.ANY, nowMillis), account.creditLimit(unit)));
            }
        }
        return new AccountView(account.id, account.kind, account.status, limitsByUnit, balances, bucketViews);
    }

    /** The account a subscriber identity is bound to; empty also for a value no identity of that type could have. */
    @Override
    public Optional<String> accountForIdentity(IdentityType type, String value) {
        if (type == null || type.valueProblem(value) != null) {
            return Optional.empty();
        }
        Account account = identities.get(new SubscriberIdentity(type, value));
        return account == null ? Optional.empty() : Optional.of(account.id);
    }

    /** The identities bound to an account, in the order they were bound; empty if the account is unknown. */
    @Override
    public List<SubscriberIdentity> identitiesOf(String accountId) {
        Account account = accounts.get(accountId);
        return account == null ? List.of() : account.identities();
    }

    /**
     * An account's sequence stream: its last accepted number and running total; empty when the
     * account does not exist or has never advanced that stream.
     */
    @Override
    public Optional<SequenceView> sequence(String accountId, String stream) {
        Account account = accounts.get(accountId);
        SequenceStream s = account == null ? null : account.stream(stream);
        return s == null ? Optional.empty() : Optional.of(s.view());
    }

    /** What an account could spend now on {@code service}, credit limit included. */
    @Override
    public Optional<Long> available(String accountId, Unit unit, ServiceRef service) {
        Account account = accounts.get(accountId);
        return account == null ? Optional.empty() : Optional.of(account.available(unit, service, nowMillis));
    }

    /** The open reservation holding {@code tag}, if any. */
    @Override
    public Optional<ReservationView> openReservationTagged(String tag) {
        Reservation r = openByTag.get(tag);
        return r == null ? Optional.empty() : Optional.of(r.view());
    }

    /**
     * The first outcome of a request id still remembered, whatever its operation was: lets a front
     * end that lost its own memory tell "already done, and this was the answer" from "never seen".
     */
    @Override
    public Optional<Outcome> outcomeOf(String requestId) {
        RequestLog.Entry entry = requests.get(requestId);
        return entry == null ? Optional.empty() : Optional.of(entry.outcome());
    }

    @Override
    public Optional<ReservationView> reservation(long reservationId) {
        Reservation r = open.get(reservationId);
        if (r != null) {
            return Optional.of(r.view());
        }
        ReservationStatus status = closed.status(reservationId);
        if (status == null) {
            return Optional.empty();
        }
        return Optional.of(new ReservationView(reservationId, status, null, null, null, 0, null, 0,
                closed.closedAt(reservationId)));
    }

    /** An account's transfers still retained in memory, newest first; empty if the account is unknown. */
    @Override
    public Optional<List<TransferRecord>> transfers(String accountId, long beforeSeq, int limit) {
        Account account = accounts.get(accountId);
        return account == null ? Optional.empty() : Optional.of(transfers.of(account, beforeSeq, limit));
    }

    @Override
    public int accountCount() {
        return accounts.size();
    }

    @Override
    public int identityCount() {
        return identities.size();
    }

    @Override
    public int openReservationCount() {
        return open.size();
    }

    @Override
    public int requestIdCount() {
        return requests.size();
    }

    @Override
    public long lastTransferSeq() {
        return transfers.lastSeq();
    }

    /**
     * Recomputes every invariant from scratch (slow; for tests and after recovery): per-unit sums
     * are zero, reserved amounts match open holds, no bucket exceeds its bounds, the identity
     * lookup and the accounts' own lists agree, and every sequence stream is well formed.
     */
    @Override
    public void verifyInvariants() {
        long[] sums = new long[Unit.count()];
        // identity keys and a mutable total per bucket: recovery runs this over every open hold
        Map<Bucket, long[]> holds = new java.util.IdentityHashMap<>(accounts.size() * 2);
        int tagged = 0;
        for (Reservation r : open.values()) {
            if (r.tag != null) {
                tagged++;
                check(openByTag.get(r.tag) == r, () -> "tag " + r.tag + " leads to reservation " + r.id);
            }
            for (int i = 0; i < r.holdBuckets.length; i++) {
                holds.computeIfAbsent(r.holdBuckets[i], b -> new long[1])[0] += r.holdAmounts[i];
            }
        }
        check(tagged == openByTag.size(), "every tag leads to an open reservation");
        for (Account account : accounts.values()) {
            for (Bucket b : account.buckets) {
                sums[b.unit.ordinal()] += b.amount;
                long[] held = holds.get(b);
                check(b.reserved == (held == null ? 0 : held[0]),
                        () -> "bucket " + b.id + " reserved equals its holds");
                check(b.isMain() ? b.amount - b.reserved >= -account.creditLimit(b.unit) || account.kind == AccountKind.SYSTEM
                        : b.amount >= b.reserved, () -> "bucket " + b.id + " holds no more than it has");
            }
        }
        int listed = 0;
        for (Account account : accounts.values()) {
            for (SubscriberIdentity identity : account.identities()) {
                check(identities.get(identity) == account,
                        () -> "identity " + identity + " maps to the account listing it");
                listed++;
            }
        }
        check(listed == identities.size(), "every bound identity is listed by its account");
        for (Account account : accounts.values()) {
            check(account.streamCount() <= Account.STREAMS_MAX, () -> "account " + account.id + " has at most "
                    + Account.STREAMS_MAX + " streams");
            for (SequenceStream stream : account.streams()) {
                check(Ids.streamProblem(stream.name) == null, () -> "stream name '" + stream.name + "' is valid");
                check(account.stream(stream.name) == stream,
                        () -> "stream " + stream.name + " appears once on " + account.id);
                check(stream.lastSeq > 0, () -> "stream " + stream.name + " of " + account.id + " was advanced");
                check(stream.total >= 0, () -> "stream " + stream.name + " of " + account.id + " has a total >= 0");
            }
        }
        for (int u = 0; u < sums.length; u++) {
            check(sums[u] == 0, "sum of " + Unit.ofOrdinal(u) + " is zero, was " + sums[u]);
            check(unitSums[u] == 0, "running sum of " + Unit.ofOrdinal(u) + " is zero");
        }
    }
}
