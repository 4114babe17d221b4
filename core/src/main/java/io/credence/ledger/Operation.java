package io.credence.ledger;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What a command does. Records validate their own shape (lengths, signs, ranges); whether the
 * operation can succeed against the current state is the ledger's decision and comes back as an
 * {@link Outcome}.
 */
public sealed interface Operation {

    /** Opens an account. A SYSTEM account has no credit limit: it is where value is issued from. */
    record CreateAccount(String accountId, AccountKind kind, Map<Unit, Long> creditLimits) implements Operation {
        public CreateAccount {
            Ids.requireAccountId(accountId, "accountId");
            requireNonNull(kind, "kind");
            creditLimits = copyLimits(creditLimits);
        }
    }

    /** Changes status and/or credit limits; a null field keeps the current value. */
    record UpdateAccount(String accountId, AccountStatus status, Map<Unit, Long> creditLimits) implements Operation {
        public UpdateAccount {
            Ids.requireAccountId(accountId, "accountId");
            creditLimits = creditLimits == null ? null : copyLimits(creditLimits);
        }
    }

    /**
     * Binds a subscriber identity to an account, so that charging requests naming the identity
     * (Diameter Subscription-Id) find the account. Binding it again to the same account is a
     * no-op; an identity bound elsewhere must be unbound first, so a number never moves silently.
     */
    record BindIdentity(IdentityType type, String value, String accountId) implements Operation {
        public BindIdentity {
            requireIdentity(type, value);
            Ids.requireAccountId(accountId, "accountId");
        }

        public SubscriberIdentity identity() {
            return new SubscriberIdentity(type, value);
        }
    }

    /** Frees a subscriber identity; the account it was bound to keeps everything else. */
    record UnbindIdentity(IdentityType type, String value) implements Operation {
        public UnbindIdentity {
            requireIdentity(type, value);
        }

        public SubscriberIdentity identity() {
            return new SubscriberIdentity(type, value);
        }
    }

    /**
     * Issues value from a system account: into the main balance when {@code bucket} is null, else
     * into a new bucket of that shape.
     */
    record TopUp(String sourceAccountId, String accountId, Unit unit, long amount, BucketSpec bucket)
            implements Step {
        public TopUp {
            Ids.requireAccountId(sourceAccountId, "sourceAccountId");
            Ids.requireAccountId(accountId, "accountId");
            requireNonNull(unit, "unit");
            requirePositive(amount, "amount");
        }
    }

    /** Moves value from one account (its buckets for {@code service}, then main) to another's main balance. */
    record Transfer(String fromAccountId, String toAccountId, Unit unit, long amount, ServiceRef service)
            implements Step {
        public Transfer {
            Ids.requireAccountId(fromAccountId, "fromAccountId");
            Ids.requireAccountId(toAccountId, "toAccountId");
            if (fromAccountId.equals(toAccountId)) {
                throw new IllegalArgumentException("toAccountId must differ from fromAccountId");
            }
            requireNonNull(unit, "unit");
            requirePositive(amount, "amount");
            requireNonNull(service, "service");
        }
    }

    /**
     * Holds {@code amount} on {@code accountId} for {@code service} for {@code ttlMillis} from the
     * time the command is applied; a commit pays the counterparty. The lifetime is relative so a
     * retried request carries the same operation as the first attempt.
     *
     * <p>{@code tag} (optional) names what the hold is for, e.g. one service of a credit-control
     * session; at most one open reservation carries a tag, and it can be found by it, so a
     * front end that lost its memory (a restart) can find its grants again in the ledger.
     */
    record Reserve(String accountId, String counterpartyId, Unit unit, long amount, ServiceRef service,
                   long ttlMillis, String tag) implements Step {
        public Reserve(String accountId, String counterpartyId, Unit unit, long amount, ServiceRef service,
                       long ttlMillis) {
            this(accountId, counterpartyId, unit, amount, service, ttlMillis, null);
        }

        public Reserve {
            if (tag != null && Ids.requestIdProblem(tag) != null) {
                throw new IllegalArgumentException("tag: " + Ids.requestIdProblem(tag));
            }
            Ids.requireAccountId(accountId, "accountId");
            Ids.requireAccountId(counterpartyId, "counterpartyId");
            if (accountId.equals(counterpartyId)) {
                throw new IllegalArgumentException("counterpartyId must differ from accountId");
            }
            requireNonNull(unit, "unit");
            requirePositive(amount, "amount");
            requireNonNull(service, "service");
            requirePositive(ttlMillis, "ttlMillis");
        }
    }

    /**
     * Settles a reservation: {@code amount} is charged, the rest returns. Above the reserved
     * amount only with {@code overdraft}, and then only within the account's credit limit.
     */
    record Commit(long reservationId, long amount, boolean overdraft) implements Step {
        public Commit {
            requirePositive(reservationId, "reservationId");
            if (amount < 0) {
                throw new IllegalArgumentException("amount must be >= 0, was " + amount);
            }
        }
    }

    /** Returns everything a reservation holds. */
    record Release(long reservationId) implements Step {
        public Release {
            requirePositive(reservationId, "reservationId");
        }
    }

    /**
     * Moves the account's named stream to {@code seq} and adds {@code amount} to its total. Only a
     * {@code seq} above the stream's last is accepted, so a repeated or older report changes
     * nothing (it is answered {@link Rejection.StaleSequence}); gaps are fine, a lost report is
     * simply never counted.
     *
     * <p>For reporters that number their reports, such as a device agent per SIM: unlike the
     * request-id table, which forgets after its retention, a stream remembers its last number for
     * as long as the account exists, and as a {@link Step} it can be linked with the charge it
     * stands for, so the report is counted exactly once together with it. The account's status is
     * not checked: the usage already happened, and refusing to count it would lose it. Streams are
     * never removed; an account has at most 16 (a seventeenth is {@link Rejection.LimitExceeded}).
     */
    record Advance(String accountId, String stream, long seq, long amount) implements Step {
        public Advance {
            Ids.requireAccountId(accountId, "accountId");
            String problem = Ids.streamProblem(stream);
            if (problem != null) {
                throw new IllegalArgumentException("stream: " + problem);
            }
            requirePositive(seq, "seq");
            if (amount < 0) {
                throw new IllegalArgumentException("amount must be >= 0, was " + amount);
            }
        }
    }

    /** Steps that succeed or fail as a whole: on the first rejection nothing of the chain remains. */
    record Linked(List<Step> steps) implements Operation {
        public static final int STEPS_MAX = 16;

        public Linked {
            steps = List.copyOf(steps);
            if (steps.isEmpty() || steps.size() > STEPS_MAX) {
                throw new IllegalArgumentException("a linked command has 1.." + STEPS_MAX + " steps, was " + steps.size());
            }
        }
    }

    /** The operations that may be part of a {@link Linked} chain. */
    sealed interface Step extends Operation permits TopUp, Transfer, Reserve, Commit, Release, Advance {}

    private static void requireNonNull(Object value, String field) {
        if (value == null) {
            throw new IllegalArgumentException(field + " must not be null");
        }
    }

    private static void requireIdentity(IdentityType type, String value) {
        requireNonNull(type, "type");
        String problem = type.valueProblem(value);
        if (problem != null) {
            throw new IllegalArgumentException("value: " + problem);
        }
    }

    private static void requirePositive(long value, String field) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + " must be > 0, was " + value);
        }
    }

    private static Map<Unit, Long> copyLimits(Map<Unit, Long> limits) {
        if (limits == null || limits.isEmpty()) {
            return Map.of();
        }
        for (Map.Entry<Unit, Long> e : limits.entrySet()) {
            requireNonNull(e.getKey(), "creditLimits unit");
            if (e.getValue() == null || e.getValue() < 0) {
                throw new IllegalArgumentException("creditLimits." + e.getKey() + " must be >= 0");
            }
        }
        return Map.copyOf(new EnumMap<>(limits));
    }
}
