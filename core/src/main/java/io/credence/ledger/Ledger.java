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
import io.credence.ledger.Outcome.LinkedApplied;
import io.credence.ledger.Rejection.DuplicateRequest;
import io.credence.ledger.Rejection.LimitExceeded;
import io.credence.ledger.Rejection.LinkedRejected;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.credence.ledger.LedgerInvariants.check;

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
 *
 * <p>This class takes commands in, remembers their request ids, moves time and answers queries.
 * Each kind of operation is carried out by its own part, over the accounts they share:
 *
 * <pre>
 *   AccountRegistry   accounts, their status and credit limits, subscriber identities
 *   ValueMovements    top-ups and transfers              \  both change buckets only through
 *   Reservations      reserve, commit, release, expiry   /  Postings (unit sums, transfer log)
 *   SequenceStreams   numbered usage reports
 *   Deadlines         what expires when
 *   UndoLog           how a linked chain's steps are taken back
 * </pre>
 */
public final class Ledger implements LedgerView {
    private final LedgerLimits limits;
    final HashMap<String, Account> accounts = new HashMap<>();
    /**
     * Each bound subscriber identity to its account, for the lookup every charging request starts
     * with; each account also lists its own ({@link Account#identities()}). Accounts are never
     * removed, so holding the account itself is safe.
     */
    final HashMap<SubscriberIdentity, Account> identities = new HashMap<>();
    final RequestLog requests;
    final ServiceFilterPool serviceFilters = new ServiceFilterPool();
    private final UndoLog undo = new UndoLog();
    final Postings postings;
    private final Deadlines deadlines = new Deadlines();
    final Reservations reservations;
    private final AccountRegistry registry;
    private final ValueMovements movements;
    private final SequenceStreams streams;
    private final CommandCodec.Fingerprinter fingerprinter = new CommandCodec.Fingerprinter();

    public Ledger(LedgerLimits limits) {
        this.limits = limits;
        this.requests = new RequestLog(limits.requestIdsMax(), limits.requestIdRetentionMillis());
        this.postings = new Postings(accounts, undo, new TransferLog(limits.transfersRetainedMax()));
        this.reservations = new Reservations(limits, accounts, postings, deadlines, undo);
        this.registry = new AccountRegistry(limits, accounts, identities, undo);
        this.movements = new ValueMovements(limits, accounts, postings, deadlines, serviceFilters);
        this.streams = new SequenceStreams(accounts, undo);
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
        postings.requestId = command.requestId();
        Outcome outcome = execute(command.operation());
        postings.requestId = null;
        reservations.trimClosed();
        requests.put(command.requestId(), new RequestLog.Entry(fingerprint, outcome, postings.nowMillis));
        postings.checkUnitSums();
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
        long target = Math.max(postings.nowMillis, nowMillis);
        for (Deadlines.Deadline due = deadlines.pollDueBy(target); due != null; due = deadlines.pollDueBy(target)) {
            postings.nowMillis = Math.max(postings.nowMillis, due.atMillis());
            if (due.bucketAccount() == null) {
                if (!reservations.expireIfDue(due.id(), due.atMillis())) {
                    deadlines.staleEntryPassed();
                }
            } else {
                Account account = due.bucketAccount();
                Bucket bucket = account.bucket(due.id());
                if (bucket != null && accounts.get(account.id) == account) {
                    postings.sweepIfExpired(account, bucket);
                }
            }
        }
        postings.nowMillis = target;
        requests.forgetOlderThan(target);
        reservations.forgetClosedOlderThan(target - limits.requestIdRetentionMillis());
        reservations.trimClosed();
        postings.checkUnitSums();
    }

    @Override
    public long nowMillis() {
        return postings.nowMillis;
    }

    /**
     * One step of a larger command the charging engine applies (a grant, a settlement): the same
     * checks and effects as the step alone, under {@code requestId} (which transfer records carry),
     * but without a request-id entry of its own: the engine's session remembers the answer of the
     * whole request. Call {@link #endEngineCommand} once the command is done.
     */
    public Outcome engineStep(String requestId, Step step) {
        check(!undo.recording(), "engine steps are not linked chains");
        postings.requestId = requestId;
        try {
            return step(step);
        } finally {
            postings.requestId = null;
        }
    }

    /** Closes an engine command: the same upkeep and checks as after any command. */
    public void endEngineCommand() {
        reservations.trimClosed();
        postings.checkUnitSums();
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
        return account == null ? 0 : account.available(unit, service, postings.nowMillis);
    }

    private Outcome execute(Operation operation) {
        return switch (operation) {
            case CreateAccount create -> registry.createAccount(create);
            case UpdateAccount update -> registry.updateAccount(update);
            case BindIdentity bind -> registry.bindIdentity(bind);
            case UnbindIdentity unbind -> registry.unbindIdentity(unbind);
            case Linked linked -> linked(linked);
            case Step step -> step(step);
        };
    }

    private Outcome step(Step step) {
        return switch (step) {
            case TopUp topUp -> movements.topUp(topUp);
            case Transfer transfer -> movements.transfer(transfer);
            case Reserve reserve -> reservations.reserve(reserve);
            case Commit commit -> reservations.commit(commit);
            case Release release -> reservations.release(release);
            case Advance advance -> streams.advance(advance);
        };
    }

    /**
     * All steps or none: a rejected step takes back the steps before it, and the ids they drew,
     * so that the ledger is as if the chain had never run.
     */
    private Outcome linked(Linked op) {
        undo.begin();
        long bucketIdBefore = postings.nextBucketId;
        long reservationIdBefore = reservations.nextReservationId;
        List<Outcome> outcomes = new ArrayList<>(op.steps().size());
        try {
            for (int i = 0; i < op.steps().size(); i++) {
                Outcome outcome = step(op.steps().get(i));
                if (outcome instanceof Rejection rejection) {
                    undo.rollback();
                    postings.nextBucketId = bucketIdBefore;
                    reservations.nextReservationId = reservationIdBefore;
                    return new LinkedRejected(i, rejection);
                }
                outcomes.add(outcome);
            }
            return new LinkedApplied(outcomes);
        } finally {
            undo.end();
        }
    }

    /** Rebuilds what is derived from the state alone (after a snapshot is read). */
    void restoreDeadlines() {
        deadlines.restore(reservations.open, accounts);
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
            bucketViews.add(b.view(postings.nowMillis, account.creditLimit(b.unit)));
            total[b.unit.ordinal()] += b.amount;
            reserved[b.unit.ordinal()] += b.reserved;
            present[b.unit.ordinal()] = true;
        }
        List<Balance> balances = new ArrayList<>();
        for (Unit unit : Unit.values()) {
            if (present[unit.ordinal()] || limitsByUnit.containsKey(unit)) {
                balances.add(new Balance(unit, total[unit.ordinal()], reserved[unit.ordinal()],
                        account.available(unit, ServiceRef.ANY, postings.nowMillis), account.creditLimit(unit)));
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
        return account == null ? Optional.empty() : Optional.of(account.available(unit, service, postings.nowMillis));
    }

    /** The open reservation holding {@code tag}, if any. */
    @Override
    public Optional<ReservationView> openReservationTagged(String tag) {
        Reservation r = reservations.openByTag.get(tag);
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
        Reservation r = reservations.open.get(reservationId);
        if (r != null) {
            return Optional.of(r.view());
        }
        ReservationStatus status = reservations.closed.status(reservationId);
        if (status == null) {
            return Optional.empty();
        }
        return Optional.of(new ReservationView(reservationId, status, null, null, null, 0, null, 0,
                reservations.closed.closedAt(reservationId)));
    }

    /** An account's transfers still retained in memory, newest first; empty if the account is unknown. */
    @Override
    public Optional<List<TransferRecord>> transfers(String accountId, long beforeSeq, int limit) {
        Account account = accounts.get(accountId);
        return account == null ? Optional.empty() : Optional.of(postings.transfers.of(account, beforeSeq, limit));
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
        return reservations.open.size();
    }

    @Override
    public int requestIdCount() {
        return requests.size();
    }

    @Override
    public long lastTransferSeq() {
        return postings.transfers.lastSeq();
    }

    /**
     * Recomputes every invariant from scratch (slow; for tests and after recovery): per-unit sums
     * are zero, reserved amounts match open holds, no bucket exceeds its bounds, the identity
     * lookup and the accounts' own lists agree, and every sequence stream is well formed.
     */
    @Override
    public void verifyInvariants() {
        LedgerAudit.verify(accounts, identities, reservations, postings);
    }
}
