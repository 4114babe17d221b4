package io.credence.ledger;

import io.credence.ledger.Operation.Commit;
import io.credence.ledger.Operation.CreateAccount;
import io.credence.ledger.Operation.Release;
import io.credence.ledger.Operation.Reserve;
import io.credence.ledger.Operation.TopUp;
import io.credence.ledger.Operation.Transfer;
import io.credence.ledger.Operation.UpdateAccount;
import io.credence.ledger.Outcome.Reserved;
import io.credence.ledger.Outcome.ToppedUp;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A ledger and a clock for tests that read like the story they check: {@code at(t)}, then
 * {@code submit(operation)}. Request ids are generated unless given; every command is followed
 * by the ledger's full invariant check.
 */
final class LedgerStory {
    static final long T0 = 1_700_000_000_000L;
    static final ServiceRef ANY = ServiceRef.ANY;

    final Ledger ledger;
    long now = T0;
    private int requests;

    LedgerStory() {
        this(LedgerLimits.DEFAULTS);
    }

    LedgerStory(LedgerLimits limits) {
        ledger = new Ledger(limits);
    }

    static LedgerLimits limits(int accountsMax, int bucketsPerAccountMax, int reservationsMax, long ttlMaxMillis,
                               int requestIdsMax, long retentionMillis, int transfersRetainedMax) {
        return new LedgerLimits(accountsMax, bucketsPerAccountMax, reservationsMax, ttlMaxMillis, requestIdsMax,
                retentionMillis, transfersRetainedMax);
    }

    LedgerStory at(long millis) {
        now = millis;
        return this;
    }

    /** Moves the ledger's own time (an idle tick, as the journal's writer gives it), not just the story's clock. */
    LedgerStory advanceTo(long millis) {
        now = millis;
        ledger.advanceTo(millis);
        ledger.verifyInvariants();
        return this;
    }

    LedgerStory later(long millis) {
        now += millis;
        return this;
    }

    Outcome submit(Operation operation) {
        return submit("req-" + ++requests, operation);
    }

    Outcome submit(String requestId, Operation operation) {
        Outcome outcome = ledger.apply(new Command(requestId, operation), now);
        ledger.verifyInvariants();
        return outcome;
    }

    /** Submits and insists on the outcome type. */
    <T extends Outcome> T expect(Class<T> type, Operation operation) {
        Outcome outcome = submit(operation);
        assertThat(outcome).as("outcome of %s", operation).isInstanceOf(type);
        return type.cast(outcome);
    }

    // ---------------------------------------------------------------- common steps

    LedgerStory subscriber(String id) {
        return account(id, AccountKind.SUBSCRIBER, Map.of());
    }

    LedgerStory subscriberWithCredit(String id, long moneyCreditLimit) {
        return account(id, AccountKind.SUBSCRIBER, Map.of(Unit.MONEY, moneyCreditLimit));
    }

    LedgerStory operator(String id) {
        return account(id, AccountKind.OPERATOR, Map.of());
    }

    LedgerStory account(String id, AccountKind kind, Map<Unit, Long> creditLimits) {
        expect(Outcome.AccountCreated.class, new CreateAccount(id, kind, creditLimits));
        return this;
    }

    LedgerStory status(String id, AccountStatus status) {
        expect(Outcome.AccountUpdated.class, new UpdateAccount(id, status, null));
        return this;
    }

    /** Tops up the main balance from the system account. */
    long topUp(String id, Unit unit, long amount) {
        return expect(ToppedUp.class, new TopUp(Ids.SYSTEM_ACCOUNT, id, unit, amount, null)).bucketId();
    }

    long topUpMoney(String id, long amount) {
        return topUp(id, Unit.MONEY, amount);
    }

    /** Tops up a new bucket and returns its id. */
    long bucket(String id, Unit unit, long amount, BucketSpec spec) {
        return expect(ToppedUp.class, new TopUp(Ids.SYSTEM_ACCOUNT, id, unit, amount, spec)).bucketId();
    }

    long bucket(String id, long moneyAmount, int priority, long validUntilMillis) {
        return bucket(id, Unit.MONEY, moneyAmount, new BucketSpec(0, validUntilMillis, priority, ServiceFilter.ALL));
    }

    Reserved reserve(String id, String counterparty, long amount) {
        return reserve(id, counterparty, Unit.MONEY, amount, ANY, 60_000);
    }

    Reserved reserve(String id, String counterparty, Unit unit, long amount, ServiceRef service, long ttlMillis) {
        return expect(Reserved.class, new Reserve(id, counterparty, unit, amount, service, ttlMillis));
    }

    Outcome commit(long reservationId, long amount) {
        return submit(new Commit(reservationId, amount, false));
    }

    Outcome overdraftCommit(long reservationId, long amount) {
        return submit(new Commit(reservationId, amount, true));
    }

    Outcome release(long reservationId) {
        return submit(new Release(reservationId));
    }

    Outcome transfer(String from, String to, long amount) {
        return submit(new Transfer(from, to, Unit.MONEY, amount, ANY));
    }

    // ---------------------------------------------------------------- looking

    AccountView view(String id) {
        return ledger.account(id).orElseThrow();
    }

    Balance balance(String id, Unit unit) {
        return view(id).balances().stream().filter(b -> b.unit() == unit).findFirst()
                .orElse(new Balance(unit, 0, 0, ledger.available(id, unit, ANY).orElseThrow(), 0));
    }

    Balance money(String id) {
        return balance(id, Unit.MONEY);
    }

    long available(String id, Unit unit, ServiceRef service) {
        return ledger.available(id, unit, service).orElseThrow();
    }

    long availableMoney(String id) {
        return available(id, Unit.MONEY, ANY);
    }

    BucketView bucketView(String id, long bucketId) {
        return view(id).buckets().stream().filter(b -> b.bucketId() == bucketId).findFirst().orElse(null);
    }

    /** Amounts of an account's buckets by id, main balances included. */
    Map<Long, Long> amounts(String id) {
        Map<Long, Long> out = new java.util.TreeMap<>();
        view(id).buckets().forEach(b -> out.put(b.bucketId(), b.amount()));
        return out;
    }

    List<TransferRecord> transfers(String id) {
        return ledger.transfers(id, 0, 1000).orElseThrow();
    }

    /** A fingerprint of everything visible, to show that a rejected command changed nothing. */
    Object everything() {
        List<String> ids = List.of("system", "alice", "bob", "carol", "shop", "op", "sys2");
        List<Object> out = new java.util.ArrayList<>();
        for (String id : ids) {
            out.add(ledger.account(id));
            out.add(ledger.transfers(id, 0, 1000));
            out.add(ledger.identitiesOf(id));
            for (int stream = 0; stream <= Account.STREAMS_MAX; stream++) {
                out.add(ledger.sequence(id, "sim-" + stream));
            }
        }
        out.add(ledger.identityCount());
        out.add(ledger.lastTransferSeq());
        out.add(ledger.openReservationCount());
        out.add(ledger.accountCount());
        for (long r = 1; r <= 20; r++) {
            out.add(ledger.reservation(r));
        }
        return out;
    }
}
