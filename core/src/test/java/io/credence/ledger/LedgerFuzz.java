package io.credence.ledger;

import io.credence.ledger.Operation.Advance;
import io.credence.ledger.Operation.Commit;
import io.credence.ledger.Operation.CreateAccount;
import io.credence.ledger.Operation.Linked;
import io.credence.ledger.Operation.Release;
import io.credence.ledger.Operation.Reserve;
import io.credence.ledger.Operation.Step;
import io.credence.ledger.Operation.TopUp;
import io.credence.ledger.Operation.Transfer;
import io.credence.ledger.Operation.UpdateAccount;
import io.credence.ledger.Rejection.InvalidOperation;
import io.credence.ledger.Rejection.LinkedRejected;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.fail;

/**
 * Seeded random commands for the model and snapshot tests. A few accounts so that operations
 * collide; amounts biased to the edges (1, max, max-1, exactly the available balance and one
 * either side); time that stands still, creeps, jumps past expiries and sometimes goes back;
 * retried request ids, some with a changed operation; linked chains; sequence stream reports,
 * repeated, late, with gaps, and sometimes on an account that already has every stream it may.
 */
final class LedgerFuzz {
    static final String[] ACCOUNTS = {"system", "a", "b", "c", "d", "sys2", "ghost"};
    static final ServiceRef[] SERVICES = {ServiceRef.ANY, ServiceRef.ratingGroup(10), ServiceRef.ratingGroup(20),
            new ServiceRef(ServiceRef.NONE, 7), new ServiceRef(10, 7)};
    static final ServiceFilter[] FILTERS = {ServiceFilter.ALL, ServiceFilter.ratingGroups(10L),
            ServiceFilter.ratingGroups(20L), new ServiceFilter(Set.of(), Set.of(7L)), ServiceFilter.ratingGroups(10L, 20L),
            new ServiceFilter(Set.of(20L), Set.of(7L))};
    static final Unit[] UNITS = {Unit.MONEY, Unit.MONEY, Unit.MONEY, Unit.BYTES, Unit.BYTES, Unit.SECONDS};
    static final long MAX = Long.MAX_VALUE;
    /** Two more names than an account may have streams, so that the limit is met. */
    static final String[] STREAMS = new String[Account.STREAMS_MAX + 2];

    static {
        for (int i = 0; i < STREAMS.length; i++) {
            STREAMS[i] = "sim-" + i;
        }
    }

    final Random rnd;
    final ReferenceLedger model;
    private final List<Command> history = new ArrayList<>();
    private long time;
    private int requestCounter;

    /** Most sequences start with a few funded accounts, so that later commands meet something to work on. */
    private final List<Operation> prelude = new ArrayList<>();

    LedgerFuzz(Random rnd, ReferenceLedger model, long startMillis) {
        this.rnd = rnd;
        this.model = model;
        this.time = startMillis;
        if (rnd.nextInt(10) < 9) {
            for (String id : List.of("a", "b", "c", "d")) {
                if (!id.equals("d") || rnd.nextInt(4) > 0) {
                    prelude.add(new CreateAccount(id, AccountKind.values()[rnd.nextInt(3)], creditLimits()));
                }
            }
            for (int i = rnd.nextInt(6); i > 0; i--) {
                prelude.add(new TopUp("system", ACCOUNTS[1 + rnd.nextInt(4)], unit(), 1 + rnd.nextInt(10_000),
                        rnd.nextBoolean() ? null : bucketSpec()));
            }
            if (rnd.nextInt(6) == 0) {
                // every stream an account may have, in one chain, so that later reports meet the limit
                List<Step> all = new ArrayList<>();
                for (int i = 0; i < Account.STREAMS_MAX; i++) {
                    all.add(new Advance("a", STREAMS[i], 1 + rnd.nextInt(3), rnd.nextInt(100)));
                }
                prelude.add(new Linked(all));
            }
        }
    }

    static LedgerLimits randomLimits(Random rnd) {
        if (rnd.nextBoolean()) {
            LedgerLimits d = LedgerLimits.DEFAULTS;
            return new LedgerLimits(d.accountsMax(), d.bucketsPerAccountMax(), d.reservationsMax(),
                    d.reservationTtlMaxMillis(), d.requestIdsMax(), d.requestIdRetentionMillis(), 1 + rnd.nextInt(12),
                    d.identitiesMax());
        }
        return new LedgerLimits(5 + rnd.nextInt(4), Unit.count() + 1 + rnd.nextInt(4), 1 + rnd.nextInt(4),
                100 + rnd.nextInt(5000), 8 + rnd.nextInt(60), 200 + rnd.nextInt(5000), 1 + rnd.nextInt(20));
    }

    /** A command, the time to apply it at, and idle ticks (earlier times) to give the ledger before it. */
    record Timed(Command command, long atMillis, long[] ticksBefore) {}

    Timed next() {
        long before = time;
        advanceTime();
        long at = rnd.nextInt(50) == 0 ? time - rnd.nextInt(1000) : time; // sometimes a stale clock
        // Idle ticks fall between the previous command and this one (never after it).
        long[] ticks = new long[rnd.nextInt(10) < 2 ? 1 + rnd.nextInt(2) : 0];
        for (int i = 0; i < ticks.length; i++) {
            long from = Math.max(before, model.now);
            ticks[i] = at <= from ? model.now : from + (long) (rnd.nextDouble() * (at - from));
        }
        java.util.Arrays.sort(ticks);
        return new Timed(nextCommand(), at, ticks);
    }

    private void advanceTime() {
        int roll = rnd.nextInt(100);
        if (roll < 35) {
            return;
        }
        if (roll < 70) {
            time += 1 + rnd.nextInt(50);
        } else if (roll < 92) {
            time += 50 + rnd.nextInt(2000);
        } else {
            time += 2000 + rnd.nextInt(60_000);
        }
    }

    private Command nextCommand() {
        int roll = rnd.nextInt(100);
        Command command;
        if (!prelude.isEmpty()) {
            command = new Command("p" + requestCounter++, prelude.removeFirst());
        } else if (roll < 8 && !history.isEmpty()) {
            command = history.get(rnd.nextInt(history.size())); // a retry
        } else if (roll < 12 && !history.isEmpty()) {
            command = new Command(history.get(rnd.nextInt(history.size())).requestId(), operation()); // reused id
        } else {
            command = new Command("q" + requestCounter++, operation());
        }
        history.add(command);
        if (history.size() > 40) {
            history.removeFirst();
        }
        return command;
    }

    Operation operation() {
        int roll = rnd.nextInt(100);
        if (roll < 6 || (roll < 25 && model.accounts.size() < 4)) {
            return createAccount();
        }
        if (roll < 11) {
            return updateAccount();
        }
        if (roll < 90) {
            return step();
        }
        int n = 1 + rnd.nextInt(rnd.nextInt(10) == 0 ? Linked.STEPS_MAX : 4);
        List<Step> steps = new ArrayList<>();
        while (steps.size() < n) {
            if (rnd.nextInt(4) == 0 && steps.size() + 2 <= n) {
                // reserve, then settle what this very chain reserved (ids are predictable)
                Reserve reserve = reserve();
                long predictedId = model.nextReservationId + steps.stream().filter(s -> s instanceof Reserve).count();
                steps.add(reserve);
                steps.add(rnd.nextBoolean() ? new Commit(predictedId, commitAmount(reserve.amount(), reserve.accountId(),
                        reserve.unit(), reserve.service()), rnd.nextBoolean()) : new Release(predictedId));
            } else {
                steps.add(step());
            }
        }
        return new Linked(steps);
    }

    private Step step() {
        if (rnd.nextInt(10) == 0) {
            return advance();
        }
        int roll = rnd.nextInt(100);
        if (roll < 30) {
            return topUp();
        }
        if (roll < 45) {
            return transfer();
        }
        if (roll < 72 || (model.openReservations().isEmpty() && rnd.nextInt(4) > 0)) {
            return reserve();
        }
        if (roll < 90) {
            ReferenceLedger.Res r = pickReservation();
            long reservationId = r != null ? r.id : reservationIdWithoutState();
            long amount = r != null ? commitAmount(r.amount, r.accountId, r.unit, r.service) : amount(100);
            return new Commit(reservationId, amount, rnd.nextBoolean());
        }
        ReferenceLedger.Res r = pickReservation();
        return new Release(r != null ? r.id : reservationIdWithoutState());
    }

    /** Mostly the next number or a repeat; sometimes late, far ahead or at the very end; totals pushed to overflow. */
    private Advance advance() {
        ReferenceLedger.Acct full = model.accounts.get("a");
        String account = full != null && full.streams.size() == Account.STREAMS_MAX && rnd.nextInt(3) == 0 ? "a"
                : rnd.nextInt(12) == 0 ? "system" : account();
        String stream = rnd.nextInt(10) < 6 ? STREAMS[rnd.nextInt(3)] : STREAMS[rnd.nextInt(STREAMS.length)];
        ReferenceLedger.Acct known = model.accounts.get(account);
        SequenceView now = known == null ? null : known.streams.get(stream);
        long last = now == null ? 0 : now.lastSeq();
        long total = now == null ? 0 : now.total();
        long seq = switch (rnd.nextInt(10)) {
            case 0, 1 -> Math.max(1, last);                            // a repeat
            case 2 -> Math.max(1, last - 1 - rnd.nextInt(3));          // late
            case 3 -> last == MAX ? MAX : last + 2 + rnd.nextInt(10);  // a gap
            case 4 -> rnd.nextInt(20) == 0 ? MAX : 1;
            default -> last == MAX ? MAX : last + 1;
        };
        long amount = switch (rnd.nextInt(12)) {
            case 0 -> 0;
            case 1 -> MAX;
            case 2 -> MAX - total;                         // exactly fills the total
            case 3 -> total == 0 ? MAX : MAX - total + 1;      // one past it
            default -> rnd.nextInt(1000);
        };
        return new Advance(account, stream, seq, amount);
    }

    private CreateAccount createAccount() {
        AccountKind kind = rnd.nextInt(6) == 0 ? AccountKind.SYSTEM : AccountKind.values()[rnd.nextInt(3)];
        String id = rnd.nextInt(5) == 0 ? "sys2" : account();
        if (id.equals("sys2")) {
            kind = AccountKind.SYSTEM;
        }
        return new CreateAccount(id, kind, creditLimits());
    }

    private UpdateAccount updateAccount() {
        AccountStatus status = switch (rnd.nextInt(8)) {
            case 0, 1 -> null;
            case 2, 3, 4 -> AccountStatus.ACTIVE;
            case 5, 6 -> AccountStatus.SUSPENDED;
            default -> AccountStatus.CLOSED;
        };
        Map<Unit, Long> limits = rnd.nextBoolean() ? null : creditLimits();
        if (status == null && limits == null) {
            status = AccountStatus.ACTIVE;
        }
        return new UpdateAccount(account(), status, limits);
    }

    private Map<Unit, Long> creditLimits() {
        Map<Unit, Long> limits = new EnumMap<>(Unit.class);
        int roll = rnd.nextInt(10);
        if (roll < 4) {
            return limits;
        }
        limits.put(Unit.MONEY, switch (rnd.nextInt(6)) {
            case 0 -> 0L;
            case 1 -> MAX;
            case 2 -> MAX - 1;
            default -> (long) rnd.nextInt(2000);
        });
        if (roll == 9) {
            limits.put(Unit.BYTES, rnd.nextBoolean() ? MAX : 1 + rnd.nextInt(100_000));
        }
        return limits;
    }

    private TopUp topUp() {
        String source = rnd.nextInt(8) == 0 ? account() : (rnd.nextInt(5) == 0 ? "sys2" : "system");
        String target = account();
        Unit unit = unit();
        int roll = rnd.nextInt(100);
        long amount = roll < 3 ? MAX : roll < 5 ? MAX - 1 : roll < 15 ? 1 : 1 + rnd.nextInt(rnd.nextBoolean() ? 100 : 100_000);
        return new TopUp(source, target, unit, amount, rnd.nextInt(10) < 4 ? null : bucketSpec());
    }

    private BucketSpec bucketSpec() {
        long now = time;
        long from = switch (rnd.nextInt(4)) {
            case 0 -> 0;
            case 1 -> now;
            case 2 -> now + 1 + rnd.nextInt(500); // not valid yet
            default -> Math.max(0, now - rnd.nextInt(100));
        };
        long until = switch (rnd.nextInt(6)) {
            case 0 -> BucketSpec.FOREVER;
            case 1 -> Math.max(from + 1, now); // already over: rejected unless from is in the future
            case 2 -> from + 1 + rnd.nextInt(50);
            default -> from + 1 + rnd.nextInt(5000);
        };
        int priority = switch (rnd.nextInt(7)) {
            case 0 -> Integer.MAX_VALUE;
            case 1 -> Integer.MIN_VALUE + 1;
            case 2 -> -1;
            case 3 -> 5;
            default -> rnd.nextInt(3);
        };
        return new BucketSpec(from, until, priority, FILTERS[rnd.nextInt(FILTERS.length)]);
    }

    private Transfer transfer() {
        String from = account();
        String to = otherThan(from);
        Unit unit = unit();
        ServiceRef service = service();
        return new Transfer(from, to, unit, amount(from, unit, service), service);
    }

    private Reserve reserve() {
        String account = rnd.nextInt(12) == 0 ? "system" : account();
        String counterparty = otherThan(account);
        Unit unit = unit();
        ServiceRef service = service();
        long ttlMax = model.limits.reservationTtlMaxMillis();
        long ttl = switch (rnd.nextInt(12)) {
            case 0 -> 1;
            case 1 -> ttlMax;
            case 2 -> ttlMax == MAX ? ttlMax : ttlMax + 1;
            case 3, 4, 5 -> 1 + rnd.nextInt(100);
            default -> 1 + (long) (rnd.nextDouble() * Math.min(ttlMax, 20_000));
        };
        return new Reserve(account, counterparty, unit, amount(account, unit, service), service, ttl);
    }

    /** Edge-biased amounts: 1, 2, max, max-1, the available balance and one either side, random. */
    private long amount(String account, Unit unit, ServiceRef service) {
        long available = model.accounts.containsKey(account) ? model.available(account, unit, service) : 0;
        return switch (rnd.nextInt(12)) {
            case 0 -> 1;
            case 1 -> 2;
            case 2 -> MAX;
            case 3 -> MAX - 1;
            case 4, 5 -> clampPositive(available);
            case 6 -> clampPositive(available + 1);
            case 7 -> clampPositive(available - 1);
            case 8 -> clampPositive(available / 2);
            default -> amount(1000);
        };
    }

    private long amount(int bound) {
        return 1 + rnd.nextInt(bound);
    }

    private long commitAmount(long reserved, String account, Unit unit, ServiceRef service) {
        long available = model.accounts.containsKey(account) ? model.available(account, unit, service) : 0;
        return switch (rnd.nextInt(11)) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> Math.max(0, reserved - 1);
            case 3, 4 -> reserved;
            case 5 -> reserved + 1 < 0 ? MAX : reserved + 1;
            case 6 -> saturated(reserved, available);
            case 7 -> saturated(reserved, available + 1);
            case 8 -> MAX;
            default -> (long) (rnd.nextDouble() * reserved);
        };
    }

    private static long saturated(long a, long b) {
        long r = a + b;
        return r < 0 ? MAX : r;
    }

    private static long clampPositive(long v) {
        return v < 1 ? 1 : v;
    }

    private ReferenceLedger.Res pickReservation() {
        List<ReferenceLedger.Res> open = model.openReservations();
        if (!open.isEmpty() && rnd.nextInt(10) < 7) {
            return open.get(rnd.nextInt(open.size()));
        }
        List<ReferenceLedger.Res> all = new ArrayList<>(model.reservations.values());
        if (!all.isEmpty() && rnd.nextInt(10) < 8) {
            return all.get(rnd.nextInt(all.size()));
        }
        return null;
    }

    private long reservationIdWithoutState() {
        return rnd.nextBoolean() ? model.nextReservationId : 1 + rnd.nextInt(50);
    }

    private String account() {
        int roll = rnd.nextInt(40);
        if (roll == 0) {
            return "ghost";
        }
        if (roll < 3) {
            return "system";
        }
        return ACCOUNTS[1 + rnd.nextInt(4)];
    }

    private String otherThan(String account) {
        String other;
        do {
            other = rnd.nextInt(8) == 0 ? "system" : account();
        } while (other.equals(account));
        return other;
    }

    private Unit unit() {
        return UNITS[rnd.nextInt(UNITS.length)];
    }

    private ServiceRef service() {
        return SERVICES[rnd.nextInt(SERVICES.length)];
    }

    // ---------------------------------------------------------------- comparison

    /** Outcomes compared whole, except the free-text reason of an InvalidOperation. */
    static Outcome comparable(Outcome outcome) {
        return switch (outcome) {
            case InvalidOperation r -> new InvalidOperation(r.field(), "");
            case LinkedRejected r -> new LinkedRejected(r.stepIndex(), (Rejection) comparable(r.cause()));
            default -> outcome;
        };
    }

    /** One account as seen from outside; built from the ledger's views and from the model, then compared whole. */
    record AccountState(String id, AccountKind kind, AccountStatus status, Map<Unit, Long> creditLimits,
                        List<UnitState> units, List<BucketView> buckets, List<TransferRecord> transfers,
                        List<SequenceView> streams) {}

    /** Totals as BigInteger so that a wrapped long in the ledger shows up as a difference. */
    record UnitState(Unit unit, boolean shown, BigInteger total, BigInteger reserved, long available,
                     long creditLimit, List<Long> availableByService) {}

    record LedgerState(long nowMillis, int accounts, int openReservations, int requestIds, long lastTransferSeq,
                       List<AccountState> accountStates, List<ReservationView> reservations) {}

    static LedgerState stateOf(Ledger ledger, long reservationIdsUpTo) {
        List<AccountState> accounts = new ArrayList<>();
        for (String id : ACCOUNTS) {
            AccountView view = ledger.account(id).orElse(null);
            if (view == null) {
                accounts.add(null);
                continue;
            }
            List<UnitState> units = new ArrayList<>();
            for (Unit unit : Unit.values()) {
                Balance b = view.balances().stream().filter(x -> x.unit() == unit).findFirst().orElse(null);
                List<Long> byService = new ArrayList<>();
                for (ServiceRef service : b == null ? new ServiceRef[] {ServiceRef.ANY} : SERVICES) {
                    byService.add(ledger.available(id, unit, service).orElseThrow());
                }
                units.add(b == null ? new UnitState(unit, false, null, null, 0, 0, byService)
                        : new UnitState(unit, true, BigInteger.valueOf(b.total()), BigInteger.valueOf(b.reserved()),
                        b.available(), b.creditLimit(), byService));
            }
            List<SequenceView> streams = new ArrayList<>();
            for (String stream : STREAMS) {
                streams.add(ledger.sequence(id, stream).orElse(null));
            }
            accounts.add(new AccountState(id, view.kind(), view.status(), view.creditLimits(), units, view.buckets(),
                    ledger.transfers(id, 0, Integer.MAX_VALUE).orElseThrow(), streams));
        }
        List<ReservationView> reservations = new ArrayList<>();
        for (long r = 1; r <= reservationIdsUpTo; r++) {
            reservations.add(ledger.reservation(r).orElse(null));
        }
        return new LedgerState(ledger.nowMillis(), ledger.accountCount(), ledger.openReservationCount(),
                ledger.requestIdCount(), ledger.lastTransferSeq(), accounts, reservations);
    }

    static LedgerState stateOf(ReferenceLedger model, long reservationIdsUpTo) {
        List<AccountState> accounts = new ArrayList<>();
        for (String id : ACCOUNTS) {
            ReferenceLedger.Acct a = model.accounts.get(id);
            if (a == null) {
                accounts.add(null);
                continue;
            }
            List<UnitState> units = new ArrayList<>();
            for (Unit unit : Unit.values()) {
                boolean shown = !model.bucketsOf(id, unit).isEmpty() || model.nonZeroLimits(id).containsKey(unit);
                List<Long> byService = new ArrayList<>();
                for (ServiceRef service : !shown ? new ServiceRef[] {ServiceRef.ANY} : SERVICES) {
                    byService.add(model.available(id, unit, service));
                }
                units.add(!shown ? new UnitState(unit, false, null, null, 0, 0, byService)
                        : new UnitState(unit, true, model.total(id, unit), model.reservedTotal(id, unit),
                        model.available(id, unit, ServiceRef.ANY), a.creditLimit(unit), byService));
            }
            List<SequenceView> streams = new ArrayList<>();
            for (String stream : STREAMS) {
                streams.add(a.streams.get(stream));
            }
            accounts.add(new AccountState(id, a.kind, a.status, model.nonZeroLimits(id), units, model.bucketViews(id),
                    model.retainedTransfers(id), streams));
        }
        List<ReservationView> reservations = new ArrayList<>();
        for (long r = 1; r <= reservationIdsUpTo; r++) {
            reservations.add(model.reservationView(r));
        }
        return new LedgerState(model.now, model.accounts.size(), model.openReservations().size(),
                model.requests.size(), model.transfers.size(), accounts, reservations);
    }

    /** Everything the ledger shows from outside must be what the model computes. */
    static void assertSameState(Ledger ledger, ReferenceLedger model, Object context) {
        ledger.verifyInvariants();
        long upTo = model.nextReservationId + 1;
        LedgerState expected = stateOf(model, upTo);
        LedgerState actual = stateOf(ledger, upTo);
        if (!expected.equals(actual)) {
            fail("ledger state differs from the model after %s%n  at %s", context, firstDifference("state", expected, actual));
        }
    }

    /** Where two values (records and lists of them) first differ, as "path: expected ... but was ...". */
    static String firstDifference(String path, Object expected, Object actual) {
        if (Objects.equals(expected, actual)) {
            return null;
        }
        if (expected instanceof Record && actual != null && expected.getClass() == actual.getClass()) {
            for (java.lang.reflect.RecordComponent c : expected.getClass().getRecordComponents()) {
                try {
                    String d = firstDifference(path + "." + c.getName(), c.getAccessor().invoke(expected),
                            c.getAccessor().invoke(actual));
                    if (d != null) {
                        return d;
                    }
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        if (expected instanceof List<?> e && actual instanceof List<?> a) {
            for (int i = 0; i < Math.min(e.size(), a.size()); i++) {
                String d = firstDifference(path + "[" + i + "]", e.get(i), a.get(i));
                if (d != null) {
                    return d;
                }
            }
        }
        return path + ":\n    expected " + expected + "\n    but was  " + actual;
    }

    /** Two ledgers (an original and its restored snapshot) show the same state. */
    static void assertSameState(Ledger restored, Ledger original, long reservationIdsUpTo, Object context) {
        restored.verifyInvariants();
        LedgerState expected = stateOf(original, reservationIdsUpTo);
        LedgerState actual = stateOf(restored, reservationIdsUpTo);
        if (!expected.equals(actual)) {
            fail("restored ledger differs from the original after %s%n  at %s", context,
                    firstDifference("state", expected, actual));
        }
    }

    static String describe(Timed timed) {
        return "command " + timed.command() + " at " + timed.atMillis()
                + (timed.ticksBefore().length > 0 ? " after ticks " + java.util.Arrays.toString(timed.ticksBefore()) : "");
    }

    static boolean sameOutcome(Outcome a, Outcome b) {
        return Objects.equals(comparable(a), comparable(b));
    }
}
