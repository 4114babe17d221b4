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
import io.credence.ledger.Outcome.Committed;
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
import io.credence.ledger.Rejection.InsufficientBalance;
import io.credence.ledger.Rejection.InvalidOperation;
import io.credence.ledger.Rejection.LimitExceeded;
import io.credence.ledger.Rejection.LinkedRejected;
import io.credence.ledger.Rejection.NotASystemAccount;
import io.credence.ledger.Rejection.ReservationClosed;
import io.credence.ledger.Rejection.UnknownAccount;
import io.credence.ledger.Rejection.UnknownReservation;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A deliberately plain reference model of the ledger rules, written from the rules and not from
 * {@link Ledger}'s code: every bucket, reservation, request and transfer ever made lives in a plain
 * list or map, reserved amounts and balances are recomputed from the open reservations each time
 * they are needed, arithmetic on balances is done in {@link BigInteger}, and a linked chain is
 * rolled back by restoring a deep copy taken before it started (no undo log).
 *
 * <p>Where the rules leave a choice open that is visible in outcomes (which check wins when several
 * fail, the order in which new main balances get their ids, which request id an expiry transfer
 * carries), the model follows the ledger. Where the ledger's first cut broke a rule, the model
 * follows the rule:
 * <ul>
 *   <li>every deadline is handled at its own time, so {@code Expired.expiredAtMillis}, the closing
 *       time of a reservation and a bucket expiry's {@code atMillis} do not depend on when the
 *       ledger heard of the time (idle ticks are not journaled);</li>
 *   <li>an overdraft may use everything the account had free before the commit;</li>
 *   <li>no account's total of a unit passes {@code Long.MAX_VALUE}, buckets included, and the holds
 *       on one account and unit never add up past it either;</li>
 *   <li>a system account issues at most {@code Long.MAX_VALUE}, counting what its own
 *       reservations hold;</li>
 *   <li>a linked chain that is rolled back leaves the memory of closed reservations as it was.</li>
 * </ul>
 *
 * <p>Sequence streams follow {@link Operation.Advance}: only a number above the stream's last is
 * accepted, whatever the account's status; at most {@link Account#STREAMS_MAX} streams an
 * account; a total never passes {@code Long.MAX_VALUE}.
 */
final class ReferenceLedger {
    static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);

    static final class Acct {
        final String id;
        final AccountKind kind;
        AccountStatus status = AccountStatus.ACTIVE;
        Map<Unit, Long> limits;
        /** Sequence streams by name, in the order they were first advanced. */
        Map<String, SequenceView> streams = new LinkedHashMap<>();

        Acct(String id, AccountKind kind, Map<Unit, Long> limits) {
            this.id = id;
            this.kind = kind;
            this.limits = new EnumMap<>(Unit.class);
            this.limits.putAll(limits);
        }

        Acct copy() {
            Acct c = new Acct(id, kind, limits);
            c.status = status;
            c.streams = new LinkedHashMap<>(streams);
            return c;
        }

        long creditLimit(Unit unit) {
            return kind == AccountKind.SYSTEM ? Long.MAX_VALUE : limits.getOrDefault(unit, 0L);
        }
    }

    static final class Bkt {
        final long id;
        final String accountId;
        final Unit unit;
        long amount;
        final long validFrom;
        final long validUntil;
        final int priority;
        final ServiceFilter services;
        final boolean main;

        Bkt(long id, String accountId, Unit unit, long validFrom, long validUntil, int priority, ServiceFilter services,
            boolean main) {
            this.id = id;
            this.accountId = accountId;
            this.unit = unit;
            this.validFrom = validFrom;
            this.validUntil = validUntil;
            this.priority = priority;
            this.services = services;
            this.main = main;
        }

        Bkt copy() {
            Bkt c = new Bkt(id, accountId, unit, validFrom, validUntil, priority, services, main);
            c.amount = amount;
            return c;
        }
    }

    record Hold(long bucketId, long amount) {}

    static final class Res {
        final long id;
        final String accountId;
        final String counterpartyId;
        final Unit unit;
        final long amount;
        final ServiceRef service;
        final long expiresAt;
        final List<Hold> holds;
        ReservationStatus status = ReservationStatus.OPEN;
        long closedAt;

        Res(long id, String accountId, String counterpartyId, Unit unit, long amount, ServiceRef service,
            long expiresAt, List<Hold> holds) {
            this.id = id;
            this.accountId = accountId;
            this.counterpartyId = counterpartyId;
            this.unit = unit;
            this.amount = amount;
            this.service = service;
            this.expiresAt = expiresAt;
            this.holds = List.copyOf(holds);
        }

        Res copy() {
            Res c = new Res(id, accountId, counterpartyId, unit, amount, service, expiresAt, holds);
            c.status = status;
            c.closedAt = closedAt;
            return c;
        }
    }

    record Req(Operation operation, Outcome outcome, long atMillis) {}

    /** Consumption order: higher priority, then earlier end of validity, then lower id; main balances last. */
    static final Comparator<Bkt> CONSUMPTION = (x, y) -> {
        if (x.main != y.main) {
            return x.main ? 1 : -1;
        }
        if (x.priority != y.priority) {
            return x.priority > y.priority ? -1 : 1;
        }
        if (x.validUntil != y.validUntil) {
            return Long.compare(x.validUntil, y.validUntil);
        }
        return Long.compare(x.id, y.id);
    };

    final LedgerLimits limits;
    Map<String, Acct> accounts = new LinkedHashMap<>();
    List<Bkt> buckets = new ArrayList<>();
    /** Every reservation made (and not rolled back), open or closed. */
    Map<Long, Res> reservations = new HashMap<>();
    /** Closed reservations still remembered, oldest first. */
    List<Long> closedMemory = new ArrayList<>();
    LinkedHashMap<String, Req> requests = new LinkedHashMap<>();
    List<TransferRecord> transfers = new ArrayList<>();
    /** Bound identities ("TYPE value") to account ids. Never part of a linked chain, so not in {@link State}. */
    Map<String, String> identities = new LinkedHashMap<>();
    long now;
    long nextBucketId = 1;
    long nextReservationId = 1;
    private String currentRequestId;

    ReferenceLedger(LedgerLimits limits) {
        this.limits = limits;
        accounts.put(Ids.SYSTEM_ACCOUNT, new Acct(Ids.SYSTEM_ACCOUNT, AccountKind.SYSTEM, Map.of()));
    }

    // ---------------------------------------------------------------- state copies (for linked chains)

    private record State(Map<String, Acct> accounts, List<Bkt> buckets, Map<Long, Res> reservations,
                         List<Long> closedMemory, List<TransferRecord> transfers, long nextBucketId,
                         long nextReservationId) {}

    private State copyState() {
        Map<String, Acct> a = new LinkedHashMap<>();
        accounts.forEach((k, v) -> a.put(k, v.copy()));
        List<Bkt> b = new ArrayList<>();
        buckets.forEach(x -> b.add(x.copy()));
        Map<Long, Res> r = new HashMap<>();
        reservations.forEach((k, v) -> r.put(k, v.copy()));
        return new State(a, b, r, new ArrayList<>(closedMemory), new ArrayList<>(transfers), nextBucketId,
                nextReservationId);
    }

    private void restore(State s) {
        accounts = s.accounts();
        buckets = s.buckets();
        reservations = s.reservations();
        closedMemory = s.closedMemory();
        transfers = s.transfers();
        nextBucketId = s.nextBucketId();
        nextReservationId = s.nextReservationId();
    }

    // ---------------------------------------------------------------- derived values, recomputed each time

    /** An account's buckets of every unit in consumption order. */
    List<Bkt> bucketsOf(String accountId) {
        return bucketsOf(accountId, null);
    }

    /** An account's buckets of {@code unit} (null: every unit) in consumption order. */
    List<Bkt> bucketsOf(String accountId, Unit unit) {
        List<Bkt> out = new ArrayList<>();
        for (Bkt b : buckets) {
            if (b.accountId.equals(accountId) && (unit == null || b.unit == unit)) {
                out.add(b);
            }
        }
        out.sort(CONSUMPTION);
        return out;
    }

    Bkt bucket(long id) {
        for (Bkt b : buckets) {
            if (b.id == id) {
                return b;
            }
        }
        return null;
    }

    Bkt main(String accountId, Unit unit) {
        for (Bkt b : buckets) {
            if (b.main && b.unit == unit && b.accountId.equals(accountId)) {
                return b;
            }
        }
        return null;
    }

    long reserved(Bkt bucket) {
        long sum = 0;
        for (Res r : reservations.values()) {
            if (r.status == ReservationStatus.OPEN) {
                for (Hold h : r.holds) {
                    if (h.bucketId() == bucket.id) {
                        sum += h.amount();
                    }
                }
            }
        }
        return sum;
    }

    static boolean covers(ServiceFilter filter, ServiceRef service) {
        if (filter.ratingGroups().isEmpty() && filter.serviceIds().isEmpty()) {
            return true;
        }
        boolean byGroup = service.ratingGroup() != ServiceRef.NONE && filter.ratingGroups().contains(service.ratingGroup());
        boolean byId = service.serviceId() != ServiceRef.NONE && filter.serviceIds().contains(service.serviceId());
        return byGroup || byId;
    }

    boolean usableNow(Bkt b) {
        return b.main || (b.validFrom <= now && now < b.validUntil);
    }

    /** What a debit or hold could take from this bucket now; the main balance counts the credit limit. */
    BigInteger free(Bkt b, ServiceRef service) {
        if (!usableNow(b) || !covers(b.services, service)) {
            return BigInteger.ZERO;
        }
        BigInteger free = big(b.amount).subtract(big(reserved(b)));
        if (b.main) {
            free = free.add(big(accounts.get(b.accountId).creditLimit(b.unit)));
        }
        return free.max(BigInteger.ZERO);
    }

    BigInteger availableBig(String accountId, Unit unit, ServiceRef service) {
        BigInteger sum = BigInteger.ZERO;
        for (Bkt b : bucketsOf(accountId, unit)) {
            sum = sum.add(free(b, service));
        }
        if (main(accountId, unit) == null) {
            sum = sum.add(big(accounts.get(accountId).creditLimit(unit)));
        }
        return sum;
    }

    /** What a debit or hold could take now; holds of one unit on one account never add up past Long.MAX_VALUE. */
    long available(String accountId, Unit unit, ServiceRef service) {
        BigInteger roomForHolds = MAX.subtract(reservedTotal(accountId, unit));
        return availableBig(accountId, unit, service).min(roomForHolds).longValueExact();
    }

    BigInteger total(String accountId, Unit unit) {
        BigInteger sum = BigInteger.ZERO;
        for (Bkt b : bucketsOf(accountId, unit)) {
            sum = sum.add(big(b.amount));
        }
        return sum;
    }

    BigInteger reservedTotal(String accountId, Unit unit) {
        BigInteger sum = BigInteger.ZERO;
        for (Bkt b : bucketsOf(accountId, unit)) {
            sum = sum.add(big(reserved(b)));
        }
        return sum;
    }

    List<Res> openReservations() {
        List<Res> out = new ArrayList<>();
        for (Res r : reservations.values()) {
            if (r.status == ReservationStatus.OPEN) {
                out.add(r);
            }
        }
        return out;
    }

    static BigInteger big(long v) {
        return BigInteger.valueOf(v);
    }

    // ---------------------------------------------------------------- commands

    Outcome apply(Command command, long atMillis) {
        advance(atMillis);
        Req seen = requests.get(command.requestId());
        if (seen != null) {
            return seen.operation().equals(command.operation()) ? seen.outcome()
                    : new DuplicateRequest(command.requestId());
        }
        if (requests.size() >= limits.requestIdsMax()) {
            return new LimitExceeded("requestIdsMax", limits.requestIdsMax());
        }
        currentRequestId = command.requestId();
        Outcome outcome = switch (command.operation()) {
            case CreateAccount op -> createAccount(op);
            case UpdateAccount op -> updateAccount(op);
            case BindIdentity op -> bindIdentity(op);
            case UnbindIdentity op -> unbindIdentity(op);
            case Linked op -> linked(op);
            case Step op -> step(op);
        };
        currentRequestId = null;
        requests.put(command.requestId(), new Req(command.operation(), outcome, now));
        trimClosedMemory();
        return outcome;
    }

    /**
     * Moves time forward. Every deadline that passed is handled at its own time, in time order
     * (reservations before buckets at the same instant, then by id), so that when the ledger
     * hears of the time does not matter.
     */
    void advance(long atMillis) {
        long target = Math.max(now, atMillis);
        record Event(long at, int kind, long id) {}
        List<Event> events = new ArrayList<>();
        for (Res r : openReservations()) {
            if (r.expiresAt <= target) {
                events.add(new Event(r.expiresAt, 0, r.id));
            }
        }
        for (Bkt b : buckets) {
            if (!b.main && b.validUntil <= target) {
                events.add(new Event(b.validUntil, 1, b.id));
            }
        }
        events.sort(Comparator.comparingLong(Event::at).thenComparingInt(Event::kind).thenComparingLong(Event::id));
        for (Event e : events) {
            now = Math.max(now, e.at());
            if (e.kind() == 0) {
                Res r = reservations.get(e.id());
                if (r.status == ReservationStatus.OPEN) {
                    close(r, ReservationStatus.EXPIRED);
                }
            } else {
                Bkt b = bucket(e.id());
                if (b != null) {
                    sweepIfExpired(b);
                }
            }
        }
        now = target;
        long horizon = now - limits.requestIdRetentionMillis();
        requests.values().removeIf(q -> q.atMillis() <= horizon);
        closedMemory.removeIf(id -> reservations.get(id).closedAt <= horizon);
        trimClosedMemory();
    }

    private void trimClosedMemory() {
        while (closedMemory.size() > limits.requestIdsMax()) {
            closedMemory.removeFirst();
        }
    }

    private Outcome createAccount(CreateAccount op) {
        if (accounts.containsKey(op.accountId())) {
            return new AccountExists(op.accountId());
        }
        if (accounts.size() >= limits.accountsMax()) {
            return new LimitExceeded("accountsMax", limits.accountsMax());
        }
        accounts.put(op.accountId(), new Acct(op.accountId(), op.kind(), op.creditLimits()));
        return new AccountCreated(op.accountId());
    }

    private Outcome updateAccount(UpdateAccount op) {
        Acct a = accounts.get(op.accountId());
        if (a == null) {
            return new UnknownAccount(op.accountId());
        }
        if (a.status == AccountStatus.CLOSED) {
            return new AccountNotActive(a.id, a.status);
        }
        if (op.creditLimits() != null && a.kind != AccountKind.SYSTEM) {
            for (Unit unit : Unit.values()) {
                Bkt main = main(a.id, unit);
                long used = main == null ? 0 : reserved(main) - main.amount;
                if (used > op.creditLimits().getOrDefault(unit, 0L)) {
                    return new InvalidOperation("creditLimits." + unit, "");
                }
            }
        }
        if (op.status() != null) {
            a.status = op.status();
        }
        if (op.creditLimits() != null) {
            a.limits = new EnumMap<>(Unit.class);
            a.limits.putAll(op.creditLimits());
        }
        return new AccountUpdated(a.id, a.status);
    }

    private Outcome bindIdentity(BindIdentity op) {
        Acct a = accounts.get(op.accountId());
        if (a == null) {
            return new UnknownAccount(op.accountId());
        }
        if (a.status == AccountStatus.CLOSED) {
            return new AccountNotActive(a.id, a.status);
        }
        String key = op.type() + " " + op.value();
        String holder = identities.get(key);
        if (holder != null && !holder.equals(a.id)) {
            return new Rejection.IdentityTaken(op.type(), op.value(), holder);
        }
        if (holder == null && identities.size() >= limits.identitiesMax()) {
            return new LimitExceeded("identitiesMax", limits.identitiesMax());
        }
        identities.put(key, a.id);
        return new Outcome.IdentityBound(op.type(), op.value(), a.id);
    }

    private Outcome unbindIdentity(UnbindIdentity op) {
        String holder = identities.remove(op.type() + " " + op.value());
        return holder == null ? new Rejection.UnknownIdentity(op.type(), op.value())
                : new Outcome.IdentityUnbound(op.type(), op.value(), holder);
    }

    private Outcome linked(Linked op) {
        State before = copyState();
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < op.steps().size(); i++) {
            Outcome o = step(op.steps().get(i));
            if (o instanceof Rejection r) {
                restore(before);
                return new LinkedRejected(i, r);
            }
            outcomes.add(o);
        }
        return new LinkedApplied(outcomes);
    }

    private Outcome step(Step step) {
        return switch (step) {
            case TopUp op -> topUp(op);
            case Transfer op -> transfer(op);
            case Reserve op -> reserve(op);
            case Commit op -> commit(op);
            case Release op -> release(op);
            case Advance op -> advance(op);
        };
    }

    private Outcome advance(Advance op) {
        Acct a = accounts.get(op.accountId());
        if (a == null) {
            return new UnknownAccount(op.accountId());
        }
        SequenceView before = a.streams.get(op.stream());
        if (before == null && a.streams.size() >= Account.STREAMS_MAX) {
            return new LimitExceeded("streamsPerAccount", Account.STREAMS_MAX);
        }
        long last = before == null ? 0 : before.lastSeq();
        long total = before == null ? 0 : before.total();
        if (before != null && op.seq() <= last) {
            return new Rejection.StaleSequence(a.id, op.stream(), op.seq(), last);
        }
        if (big(total).add(big(op.amount())).compareTo(MAX) > 0) {
            return new LimitExceeded("total of " + a.id + " stream " + op.stream(), Long.MAX_VALUE);
        }
        SequenceView after = new SequenceView(op.stream(), op.seq(), total + op.amount());
        a.streams.put(op.stream(), after);
        return new Outcome.Advanced(a.id, op.stream(), after.lastSeq(), after.total());
    }

    /** Balances are longs: no account's total of a unit may pass Long.MAX_VALUE. */
    private Rejection creditFits(String accountId, Unit unit, long amount) {
        if (total(accountId, unit).add(big(amount)).compareTo(MAX) > 0) {
            return new LimitExceeded("balance of " + accountId + " " + unit, Long.MAX_VALUE);
        }
        return null;
    }

    private Outcome topUp(TopUp op) {
        Acct source = accounts.get(op.sourceAccountId());
        if (source == null) {
            return new UnknownAccount(op.sourceAccountId());
        }
        if (source.kind != AccountKind.SYSTEM) {
            return new NotASystemAccount(source.id);
        }
        Acct target = accounts.get(op.accountId());
        if (target == null) {
            return new UnknownAccount(op.accountId());
        }
        if (target.status == AccountStatus.CLOSED) {
            return new AccountNotActive(target.id, target.status);
        }
        if (source == target) {
            return new InvalidOperation("accountId", "");
        }
        // A system account issues at most Long.MAX_VALUE in all, counting what its own reservations hold.
        Bkt sourceMain = main(source.id, op.unit());
        BigInteger sourceFree = sourceMain == null ? BigInteger.ZERO
                : big(sourceMain.amount).subtract(big(reserved(sourceMain)));
        if (sourceFree.subtract(big(op.amount())).compareTo(MAX.negate()) < 0) {
            return new LimitExceeded("issued total of " + source.id + " " + op.unit(), Long.MAX_VALUE);
        }
        BucketSpec spec = op.bucket();
        if (spec == null) {
            Rejection r = creditFits(target.id, op.unit(), op.amount());
            if (r != null) {
                return r;
            }
        } else {
            long nonMain = buckets.stream().filter(b -> b.accountId.equals(target.id) && !b.main).count();
            if (nonMain >= limits.bucketsPerAccountMax() - Unit.count()) {
                return new LimitExceeded("bucketsPerAccountMax", limits.bucketsPerAccountMax());
            }
            if (spec.validUntilMillis() <= now) {
                return new InvalidOperation("bucket.validUntilMillis", "");
            }
            Rejection r = creditFits(target.id, op.unit(), op.amount());
            if (r != null) {
                return r;
            }
        }
        ensureMain(source.id, op.unit()).amount -= op.amount();
        Bkt credited;
        if (spec == null) {
            credited = ensureMain(target.id, op.unit());
        } else {
            credited = new Bkt(nextBucketId++, target.id, op.unit(), spec.validFromMillis(), spec.validUntilMillis(),
                    spec.priority(), spec.services(), false);
            buckets.add(credited);
        }
        credited.amount += op.amount();
        long seq = record(TransferKind.TOP_UP, source.id, target.id, op.unit(), op.amount(), 0, 0, credited.id);
        return new ToppedUp(seq, credited.id);
    }

    private Outcome transfer(Transfer op) {
        Acct from = accounts.get(op.fromAccountId());
        if (from == null) {
            return new UnknownAccount(op.fromAccountId());
        }
        if (from.status != AccountStatus.ACTIVE) {
            return new AccountNotActive(from.id, from.status);
        }
        Acct to = accounts.get(op.toAccountId());
        if (to == null) {
            return new UnknownAccount(op.toAccountId());
        }
        if (to.status == AccountStatus.CLOSED) {
            return new AccountNotActive(to.id, to.status);
        }
        long available = available(from.id, op.unit(), op.service());
        if (available < op.amount()) {
            return new InsufficientBalance(from.id, op.unit(), op.amount(), available);
        }
        Rejection r = creditFits(to.id, op.unit(), op.amount());
        if (r != null) {
            return r;
        }
        debit(from.id, op.unit(), op.service(), op.amount());
        ensureMain(to.id, op.unit()).amount += op.amount();
        return new Transferred(record(TransferKind.TRANSFER, from.id, to.id, op.unit(), op.amount(), 0, 0, 0));
    }

    private Outcome reserve(Reserve op) {
        Acct account = accounts.get(op.accountId());
        if (account == null) {
            return new UnknownAccount(op.accountId());
        }
        if (account.status != AccountStatus.ACTIVE) {
            return new AccountNotActive(account.id, account.status);
        }
        Acct counterparty = accounts.get(op.counterpartyId());
        if (counterparty == null) {
            return new UnknownAccount(op.counterpartyId());
        }
        if (counterparty.status == AccountStatus.CLOSED) {
            return new AccountNotActive(counterparty.id, counterparty.status);
        }
        if (op.ttlMillis() > limits.reservationTtlMaxMillis()) {
            return new LimitExceeded("reservationTtlMaxMillis", limits.reservationTtlMaxMillis());
        }
        if (openReservations().size() >= limits.reservationsMax()) {
            return new LimitExceeded("reservationsMax", limits.reservationsMax());
        }
        long available = available(account.id, op.unit(), op.service());
        if (available < op.amount()) {
            return new InsufficientBalance(account.id, op.unit(), op.amount(), available);
        }
        List<Hold> holds = new ArrayList<>();
        long remaining = op.amount();
        for (Bkt b : bucketsOf(account.id, op.unit())) {
            long take = free(b, op.service()).min(big(remaining)).longValueExact();
            if (take > 0) {
                holds.add(new Hold(b.id, take));
                remaining -= take;
            }
        }
        if (remaining > 0) {
            // only credit is left, on a main balance that does not exist yet
            holds.add(new Hold(ensureMain(account.id, op.unit()).id, remaining));
        }
        Res r = new Res(nextReservationId++, account.id, counterparty.id, op.unit(), op.amount(), op.service(),
                now + op.ttlMillis(), holds);
        reservations.put(r.id, r);
        return new Reserved(r.id, r.amount, r.expiresAt);
    }

    private Outcome commit(Commit op) {
        Res r = reservations.get(op.reservationId());
        if (r == null || r.status != ReservationStatus.OPEN) {
            return closedOrUnknown(op.reservationId());
        }
        if (op.amount() > r.amount && !op.overdraft()) {
            return new CommitExceedsReservation(r.id, r.amount, op.amount());
        }
        long overdraft = Math.max(0, op.amount() - r.amount);
        if (overdraft > 0) {
            long available = available(r.accountId, r.unit, r.service);
            if (available < overdraft) {
                return new CreditLimitExceeded(r.accountId, r.unit, overdraft, available);
            }
        }
        if (op.amount() > 0) {
            Rejection rejection = creditFits(r.counterpartyId, r.unit, op.amount());
            if (rejection != null) {
                return rejection;
            }
        }
        // The reservation is over: its holds are consumed in order up to the amount, the rest is free again.
        r.status = ReservationStatus.COMMITTED;
        long fromHolds = Math.min(op.amount(), r.amount);
        long remaining = fromHolds;
        for (Hold h : r.holds) {
            long take = Math.min(remaining, h.amount());
            bucket(h.bucketId()).amount -= take;
            remaining -= take;
        }
        if (overdraft > 0) {
            debit(r.accountId, r.unit, r.service, overdraft);
        }
        long seq = 0;
        if (op.amount() > 0) {
            ensureMain(r.counterpartyId, r.unit).amount += op.amount();
            seq = record(TransferKind.COMMIT, r.accountId, r.counterpartyId, r.unit, op.amount(), overdraft, r.id, 0);
        }
        r.status = ReservationStatus.OPEN;
        close(r, ReservationStatus.COMMITTED);
        return new Committed(r.id, op.amount(), r.amount - fromHolds, overdraft, seq);
    }

    private Outcome release(Release op) {
        Res r = reservations.get(op.reservationId());
        if (r == null || r.status != ReservationStatus.OPEN) {
            return closedOrUnknown(op.reservationId());
        }
        close(r, ReservationStatus.RELEASED);
        return new Released(r.id, r.amount);
    }

    private Rejection closedOrUnknown(long id) {
        if (!closedMemory.contains(id)) {
            return new UnknownReservation(id);
        }
        Res r = reservations.get(id);
        return r.status == ReservationStatus.EXPIRED ? new Expired(id, r.closedAt) : new ReservationClosed(id, r.status);
    }

    private void close(Res r, ReservationStatus status) {
        r.status = status;
        r.closedAt = now;
        closedMemory.add(r.id);
        for (Hold h : r.holds) {
            Bkt b = bucket(h.bucketId());
            if (b != null) {
                sweepIfExpired(b);
            }
        }
    }

    /** An expired bucket that nothing holds goes away; what is left in it returns to the system account. */
    private void sweepIfExpired(Bkt b) {
        if (b.main || now < b.validUntil || reserved(b) != 0) {
            return;
        }
        if (b.amount > 0) {
            long amount = b.amount;
            b.amount = 0;
            ensureMain(Ids.SYSTEM_ACCOUNT, b.unit).amount += amount;
            record(TransferKind.BUCKET_EXPIRY, b.accountId, Ids.SYSTEM_ACCOUNT, b.unit, amount, 0, 0, b.id);
        }
        buckets.remove(b);
    }

    private void debit(String accountId, Unit unit, ServiceRef service, long amount) {
        long remaining = amount;
        for (Bkt b : bucketsOf(accountId, unit)) {
            long take = free(b, service).min(big(remaining)).longValueExact();
            b.amount -= take;
            remaining -= take;
        }
        if (remaining > 0) {
            Bkt main = ensureMain(accountId, unit);
            if (free(main, service).compareTo(big(remaining)) < 0) {
                throw new AssertionError("model: debit of " + amount + " does not fit " + accountId);
            }
            main.amount -= remaining;
        }
    }

    private Bkt ensureMain(String accountId, Unit unit) {
        Bkt main = main(accountId, unit);
        if (main == null) {
            main = new Bkt(nextBucketId++, accountId, unit, 0, BucketSpec.FOREVER, Integer.MIN_VALUE, ServiceFilter.ALL,
                    true);
            buckets.add(main);
        }
        return main;
    }

    private long record(TransferKind kind, String from, String to, Unit unit, long amount, long overdraft,
                        long reservationId, long bucketId) {
        long seq = transfers.size() + 1;
        transfers.add(new TransferRecord(seq, kind, from, to, unit, amount, overdraft, reservationId, bucketId, now,
                currentRequestId));
        return seq;
    }

    // ---------------------------------------------------------------- views, in the ledger's public shapes

    /** The transfers of an account the ledger can still list (its ring holds the newest ones), newest first. */
    List<TransferRecord> retainedTransfers(String accountId) {
        long oldestRetained = transfers.size() - limits.transfersRetainedMax() + 1;
        List<TransferRecord> out = new ArrayList<>();
        for (int i = transfers.size() - 1; i >= 0; i--) {
            TransferRecord t = transfers.get(i);
            if (t.seq() < oldestRetained) {
                break;
            }
            if (t.fromAccountId().equals(accountId) || t.toAccountId().equals(accountId)) {
                out.add(t);
            }
        }
        return out;
    }

    List<BucketView> bucketViews(String accountId) {
        Acct a = accounts.get(accountId);
        List<BucketView> out = new ArrayList<>();
        for (Bkt b : bucketsOf(accountId)) {
            long reserved = reserved(b);
            long available;
            if (b.main) {
                available = big(b.amount).subtract(big(reserved)).add(big(a.creditLimit(b.unit)))
                        .max(BigInteger.ZERO).min(MAX).longValueExact();
            } else {
                available = usableNow(b) ? b.amount - reserved : 0;
            }
            out.add(new BucketView(b.id, b.unit, b.amount, reserved, available, b.validFrom, b.validUntil,
                    b.main ? 0 : b.priority, b.services, b.main));
        }
        return out;
    }

    Map<Unit, Long> nonZeroLimits(String accountId) {
        Map<Unit, Long> out = new EnumMap<>(Unit.class);
        accounts.get(accountId).limits.forEach((u, v) -> {
            if (v != 0) {
                out.put(u, v);
            }
        });
        return out;
    }

    ReservationView reservationView(long id) {
        Res r = reservations.get(id);
        if (r != null && r.status == ReservationStatus.OPEN) {
            return new ReservationView(id, ReservationStatus.OPEN, r.accountId, r.counterpartyId, r.unit, r.amount,
                    r.service, r.expiresAt, 0);
        }
        if (closedMemory.contains(id)) {
            return new ReservationView(id, r.status, null, null, null, 0, null, 0, r.closedAt);
        }
        return null;
    }
}
