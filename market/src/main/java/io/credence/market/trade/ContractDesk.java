package io.credence.market.trade;

import io.credence.ledger.Unit;
import io.credence.market.contract.Allocation;
import io.credence.market.contract.BuyerType;
import io.credence.market.contract.Contract;
import io.credence.market.contract.ContractRules;
import io.credence.market.contract.ExecutionResult;
import io.credence.market.contract.Fees;
import io.credence.market.contract.KeyDirectory;
import io.credence.market.contract.Offer;
import io.credence.market.contract.Payment;
import io.credence.market.contract.PaymentCheck;
import io.credence.market.contract.Quorum;
import io.credence.market.contract.QuorumResult;
import io.credence.market.contract.Signed;
import io.credence.market.contract.Termination;
import io.credence.market.contract.UnitKind;
import io.credence.market.contract.Validation;
import io.credence.market.contract.Validator;
import io.credence.market.contract.VerifiedOffers;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Contracts between a provider and a buyer, on the same log as the offers they come from.
 *
 * <p>A contract arrives signed by both parties. It is checked (both signatures against the
 * registered keys, consistency with its offer, and for a personal buyer the ability to pay), put
 * on the log, and validated by the configured validators, whose co-signatures go on the log too.
 * Once a quorum approves, the buyer's fee is held in escrow in the ledger for the provider and the
 * contract is effective. A termination is first written on the log as the execution result (its
 * kind and fee) and only then settled from the escrow; after a crash, results whose escrow is
 * still held are settled on start. The escrow is one ledger reservation per contract, so a
 * settlement happens at most once however often it is retried.
 */
public final class ContractDesk {
    static final int CONTRACTS_MAX = 1_000_000;

    /** The ledger side of contracts; implemented by the server over the durable ledger. */
    public interface Escrow {
        /**
         * For each hold, in order: null when {@code amount} of {@code unit} is held on the buyer for
         * the provider until {@code untilMillis} (or was held before under the contract's id), else
         * why not. The contracts admitted together are escrowed together: an implementation over a
         * group-committing ledger submits them all before waiting, so a batch costs one force.
         */
        List<String> holdAll(List<Hold> holds);

        /**
         * Pays the provider {@code paidMinor / feeMinor} of what is held (rounded down; all of it when
         * the whole fee is paid) and returns the rest; false when nothing was held any more. A share,
         * not an amount: the hold was taken at the unit rate in force then, which is what the buyer
         * agreed to, whatever the rate is at settlement.
         */
        boolean settle(String contractId, long paidMinor, long feeMinor);

        boolean held(String contractId);

        /** {@link #held} for each contract, as of one moment: a replay asks once for all it found validated. */
        default boolean[] heldAll(List<String> contractIds) {
            boolean[] held = new boolean[contractIds.size()];
            for (int i = 0; i < held.length; i++) {
                held[i] = held(contractIds.get(i));
            }
            return held;
        }

        /** What each account could pay now in the unit (for the payment-ability check), in order, as of one moment. */
        long[] availableAll(List<Funds> funds);
    }

    /** One escrow to take, for {@link Escrow#holdAll}. */
    public record Hold(String contractId, String buyerAccount, String providerAccount, Unit unit, long amount,
                       long untilMillis) {}

    /** An account's balance in one unit, as the payment-ability check asks for it. */
    public record Funds(String accountId, Unit unit) {}

    /**
     * What a fee in money's minor units is worth in the units an operator lets buyers pay with:
     * {@code perMinor} of {@code unit} for each minor unit (e.g. data packs: 10,000 bytes).
     */
    public record Rate(Unit unit, long perMinor) {
        public Rate {
            if (perMinor < 1 || unit == Unit.MONEY) {
                throw new IllegalArgumentException("a rate converts money into another unit, at least 1 per minor unit");
            }
        }
    }

    /** The operator's defaults: bonus credit 1 service unit, free minutes 6 seconds, data packs 10,000 bytes per minor unit. */
    public static final Map<UnitKind, Rate> RATES_DEFAULT = Map.of(
            UnitKind.BONUS_CREDIT, new Rate(Unit.SERVICE_UNITS, 1),
            UnitKind.FREE_MINUTES, new Rate(Unit.SECONDS, 6),
            UnitKind.DATA_PACK, new Rate(Unit.BYTES, 10_000));

    /** A fee as it is paid: in money, or converted into the contract's payment unit. */
    record Charge(Unit unit, long amount) {}

    Charge charge(Contract c, long feeMinor) {
        return switch (c.payment()) {
            case Payment.Money money -> new Charge(Unit.MONEY, feeMinor);
            case Payment.Units units -> {
                Rate rate = rates.get(units.unitKind());
                yield new Charge(rate.unit(), Math.multiplyExact(feeMinor, rate.perMinor()));
            }
        };
    }

    /** Where a contract stands. */
    public enum Status { VALIDATING, EFFECTIVE, NOT_EFFECTIVE, ENDED }

    static final class State {
        final Signed<Contract> contract;
        /** The offer it was made from, as it was when the contract was logged (null if gone at replay). */
        final Signed<Offer> offer;
        final long logIndex;
        final List<Signed<Validation>> validations = new ArrayList<>();
        Status status = Status.VALIDATING;
        String reason = "";
        List<String> approvedBy = List.of();
        ExecutionResult result;
        /** The provider's proposed fee for stopping early, waiting for the buyer's answer; -1 when none. */
        long proposedFee = -1;
        /** What the provider's home base station answered (null while waiting): allocated or refused. */
        Allocation allocation;
        /** The quorum holds and the escrow is being taken. */
        boolean escrowDue;

        State(Signed<Contract> contract, Signed<Offer> offer, long logIndex) {
            this.contract = contract;
            this.offer = offer;
            this.logIndex = logIndex;
        }
    }

    private final List<Validator> validators;
    private final Map<String, byte[]> validatorKeys;
    private final Map<UnitKind, Rate> rates;
    private final Quorum quorum;
    private final Escrow escrow;
    private final PaymentPolicy payment;
    private final LongSupplier clockMillis;
    private final Map<String, State> contracts = new LinkedHashMap<>();
    private final Map<String, State> byHash = new LinkedHashMap<>();
    /** Contracts whose quorum is on the log and whose fee is still to be escrowed ({@link #holdDue}). */
    private final List<State> escrowDue = new ArrayList<>();
    /** Contracts whose quorum a replay found, effective if their escrow is held ({@link #replayed}). */
    private final List<State> quorumReplayed = new ArrayList<>();
    /** Contracts a replay found ended, settled if their escrow is still held (a crash came between). */
    private final List<State> endedReplayed = new ArrayList<>();
    /** Verdicts of the in-process validators being applied now (by identity): their signatures need no second check. */
    private final java.util.Set<Signed<Validation>> signedHere =
            java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    /** The market's own memo of offer signatures it verified (each validator keeps its own). */
    private final VerifiedOffers verifiedOffers = new VerifiedOffers(VerifiedOffers.CAPACITY_DEFAULT);
    /** Where the next contract's validators start, so the in-process ones share the signing. */
    private final java.util.concurrent.atomic.AtomicInteger nextValidator = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * @param thresholdMinor a personal buyer with at least this much money may contract whatever the fee
     */
    public record PaymentPolicy(long thresholdMinor, PaymentCheck.Policy relax) {}

    /**
     * @param inProcess     validators run here (their keys among {@code validatorKeys}); empty when
     *                      all validators are separate processes that post their verdicts
     * @param validatorKeys the M configured validators' public keys
     * @param required      the quorum N (a majority of M)
     */
    public ContractDesk(List<Validator> inProcess, Map<String, byte[]> validatorKeys, int required, Escrow escrow,
                        PaymentPolicy payment, Map<UnitKind, Rate> rates, LongSupplier clockMillis) {
        if (!rates.keySet().containsAll(java.util.EnumSet.allOf(UnitKind.class))) {
            throw new IllegalArgumentException("every unit kind needs a rate, missing from " + rates.keySet());
        }
        this.rates = Map.copyOf(rates);
        this.validators = List.copyOf(inProcess);
        this.validatorKeys = Map.copyOf(validatorKeys);
        for (Validator v : inProcess) {
            if (!java.util.Arrays.equals(validatorKeys.get(v.validatorId()), v.key().publicKey())) {
                throw new IllegalArgumentException("in-process validator " + v.validatorId() + " is not configured with its key");
            }
        }
        this.quorum = new Quorum(required, validatorKeys);
        this.escrow = escrow;
        this.payment = payment;
        this.clockMillis = clockMillis;
    }

    Optional<State> contract(String contractId) {
        return Optional.ofNullable(contracts.get(contractId));
    }

    /** A proposed contract as checked: refused (nothing to log), or the in-process validators' verdicts. */
    record Checked(Refusal refusal, List<Signed<Validation>> verdicts) {}

    /**
     * Checks what can be checked whatever the desk's state (id well formed, a live offer, the
     * contract consistent with it and signed by both parties' registered keys) and has the
     * in-process validators judge it. Pure signature work: may run outside the marketplace's lock.
     *
     * <p>The validators are asked in turn, starting with a different one for each contract, until
     * the quorum's approvals are in: with 3 of 4 the fourth is asked only when one of the first
     * three refuses, so a contract costs three validators' signature work, not four. The first
     * validator's check is also the market's own (the same rules on the same inputs): when it
     * finds the contract inconsistent, the contract is refused with its problems and not logged.
     */
    Checked check(Signed<Contract> signed, Signed<Offer> offer, KeyDirectory keys) {
        Contract c = signed.entry();
        if (!c.contractId().matches("[A-Za-z0-9._-]{1,64}")) {
            return refused(List.of("contractId must be 1..64 letters, digits and - _ ."));
        }
        // addressed as /v1/market/contracts/{contractId}: refused here, when it is new, not when the log replays
        String notASegment = io.credence.ledger.Ids.pathSegmentProblem(c.contractId());
        if (notASegment != null) {
            return refused(List.of("contractId " + notASegment));
        }
        if (offer == null) {
            return refused(List.of("no live offer has hash " + HexFormat.of().formatHex(c.offerHash())
                    + " (withdrawn, expired or never published)"));
        }
        if (validators.isEmpty()) {
            return ContractRules.check(signed, offer, keys, clockMillis.getAsLong(), verifiedOffers)
                    instanceof ContractRules.Inconsistent bad ? refused(bad.problems()) : new Checked(null, List.of());
        }
        List<Signed<Validation>> verdicts = new ArrayList<>();
        int first = Math.floorMod(nextValidator.getAndIncrement(), validators.size());
        int approvals = 0;
        for (int i = 0; i < validators.size() && approvals < quorum.required(); i++) {
            Validator.Judgement judged = validators.get((first + i) % validators.size())
                    .judge(signed, offer, keys, clockMillis.getAsLong());
            if (i == 0 && judged.result() instanceof ContractRules.Inconsistent bad) {
                return refused(bad.problems());
            }
            verdicts.add(judged.verdict());
            if (judged.verdict().entry().approved()) {
                approvals++;
            }
        }
        return new Checked(null, verdicts);
    }

    private static Checked refused(List<String> problems) {
        return new Checked(new Refusal("contract-refused", problems), List.of());
    }

    /**
     * For each checked contract, in order, why it cannot be put on the log now (id taken, also by
     * an earlier one of the batch; offer gone meanwhile; buyer unable to pay), or null. The
     * balances are read once for the batch, and what earlier contracts of the batch will escrow
     * from the same balance is counted as spent.
     *
     * @param offersNow each contract's offer as it is live now (null when gone)
     */
    List<Refusal> admitAll(List<Signed<Contract>> batch, List<Signed<Offer>> offersNow) {
        List<Refusal> refusals = new ArrayList<>(batch.size());
        java.util.Set<String> ids = new java.util.HashSet<>();
        List<Funds> funds = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            Contract c = batch.get(i).entry();
            Refusal refusal = null;
            if (contracts.containsKey(c.contractId()) || !ids.add(c.contractId())) {
                refusal = new Refusal("contract-exists", List.of("contract id '" + c.contractId() + "' is taken"));
            } else if (contracts.size() + ids.size() > CONTRACTS_MAX) {
                refusal = new Refusal("contract-refused", List.of("the desk holds " + CONTRACTS_MAX + " contracts already"));
            } else if (offersNow.get(i) == null) {
                refusal = new Refusal("contract-refused", List.of("the offer was withdrawn while the contract was checked"));
            } else if (c.buyerType() == BuyerType.PERSONAL) {
                funds.add(new Funds(c.buyerId(), charge(c, 0).unit()));
            }
            refusals.add(refusal);
        }
        long[] balances = funds.isEmpty() ? new long[0] : escrow.availableAll(funds);
        Map<Funds, Long> spent = new java.util.HashMap<>();
        int next = 0;
        for (int i = 0; i < batch.size(); i++) {
            Contract c = batch.get(i).entry();
            if (refusals.get(i) != null || c.buyerType() != BuyerType.PERSONAL) {
                continue;
            }
            Funds account = funds.get(next);
            long balance = balances[next++] - spent.getOrDefault(account, 0L);
            Charge fee = charge(c, Fees.expected(c));
            if (PaymentCheck.check(balance, charge(c, payment.thresholdMinor()).amount(), fee.amount(), null,
                    payment.relax()) instanceof PaymentCheck.Unable unable) {
                refusals.set(i, new Refusal("payment-refused", List.of(unable.failedCheck() + ": " + unable.detail())));
            } else {
                spent.merge(account, charge(c, c.feeMinor()).amount(), Long::sum);
            }
        }
        return refusals;
    }

    record Refusal(String type, List<String> problems) {}

    /** The contract is on the log at {@code index}: record it, then let the validators judge it. */
    State accepted(Signed<Contract> signed, Signed<Offer> offer, long index) {
        State state = new State(signed, offer, index);
        contracts.put(signed.entry().contractId(), state);
        byHash.put(HexFormat.of().formatHex(signed.entry().hash()), state);
        return state;
    }

    /**
     * A validation is on the log: count it. Once the quorum holds the contract is due for its
     * escrow ({@link #holdDue}, called by the marketplace after applying a batch); when replaying,
     * it is effective only if its escrow was taken before.
     */
    void validated(Signed<Validation> validation, boolean escrowNow) {
        State state = byHash.get(HexFormat.of().formatHex(validation.entry().contractHash()));
        if (state == null || state.status != Status.VALIDATING || state.escrowDue) {
            return;
        }
        state.validations.add(validation);
        // the quorum verifies each approval's signature: only worth asking once enough approvals are in
        long approvals = state.validations.stream().filter(v -> v.entry().approved()).count();
        boolean allIn = state.validations.size() >= quorum.validators().size();
        if (approvals < quorum.required() && !allIn) {
            return;
        }
        // a replay (escrowNow false) reads verdicts that were checked before they went on the log: their
        // keys are still compared with the configured ones, their signatures not verified again (three
        // Ed25519 verifies per contract made a new leader's replay of 2,000 contracts take 1.6 s)
        QuorumResult result = quorum.evaluate(state.contract, state.validations,
                v -> !escrowNow || signedHere.contains(v));
        if (!(result instanceof QuorumResult.Effective effective)) {
            if (allIn) {
                state.status = Status.NOT_EFFECTIVE;
                state.reason = ((QuorumResult.NotEffective) result).reason();
            }
            return;
        }
        state.approvedBy = effective.validators();
        state.escrowDue = true; // no later verdict counts now
        if (escrowNow) {
            escrowDue.add(state);
        } else {
            quorumReplayed.add(state); // effective if its escrow was taken: asked for all at once (replayed)
        }
    }

    /**
     * The replay is over: each contract it found validated is effective if its escrow is held, and
     * each it found ended whose escrow is still held (the process stopped between the result and
     * its settlement) is settled now; whether they are held is one question to the ledger for all
     * of them (on a node of a Raft group each question is a round trip through the group).
     */
    void replayed() {
        if (!endedReplayed.isEmpty()) {
            boolean[] stillHeld = escrow.heldAll(endedReplayed.stream().map(s -> s.contract.entry().contractId())
                    .toList());
            for (int i = 0; i < stillHeld.length; i++) {
                State state = endedReplayed.get(i);
                if (stillHeld[i]) {
                    escrow.settle(state.result.contractId(), state.result.feePaidMinor(),
                            state.contract.entry().feeMinor());
                }
            }
            endedReplayed.clear();
        }
        List<State> open = quorumReplayed.stream().filter(s -> s.status == Status.VALIDATING).toList();
        boolean[] held = open.isEmpty() ? new boolean[0]
                : escrow.heldAll(open.stream().map(s -> s.contract.entry().contractId()).toList());
        for (int i = 0; i < open.size(); i++) {
            State state = open.get(i);
            if (held[i]) {
                state.status = Status.EFFECTIVE;
            } else {
                state.status = Status.NOT_EFFECTIVE;
                state.reason = "no escrow was held";
            }
        }
        quorumReplayed.forEach(s -> s.escrowDue = false);
        quorumReplayed.clear();
    }

    /**
     * Runs {@code applying} while the quorum takes {@code verdicts} (made by this desk's
     * in-process validators, see {@link #check}) as signed: under the marketplace's lock.
     */
    void applyingOwnVerdicts(List<Signed<Validation>> verdicts, Runnable applying) {
        signedHere.addAll(verdicts);
        try {
            applying.run();
        } finally {
            signedHere.clear();
        }
    }

    /** Escrows the fee of every contract whose quorum was applied since the last call, in one ledger batch. */
    void holdDue() {
        if (escrowDue.isEmpty()) {
            return;
        }
        List<State> due = List.copyOf(escrowDue);
        escrowDue.clear();
        List<Hold> holds = new ArrayList<>(due.size());
        for (State state : due) {
            Contract c = state.contract.entry();
            Charge fee = charge(c, c.feeMinor());
            holds.add(new Hold(c.contractId(), c.buyerId(), c.providerId(), fee.unit(), fee.amount(),
                    c.periodEndMillis()));
        }
        List<String> refused;
        try {
            refused = escrow.holdAll(holds);
        } catch (RuntimeException failed) {
            for (State state : due) {
                state.escrowDue = false;
                state.status = Status.NOT_EFFECTIVE;
                state.reason = "escrow: " + failed.getMessage();
            }
            throw failed;
        }
        for (int i = 0; i < due.size(); i++) {
            State state = due.get(i);
            state.escrowDue = false;
            if (refused.get(i) == null) {
                state.status = Status.EFFECTIVE;
            } else {
                state.status = Status.NOT_EFFECTIVE;
                state.reason = "escrow: " + refused.get(i);
            }
        }
    }

    /** Why a validator's posted verdict cannot count for {@code state}, or null when it is fit for the log. */
    String admitValidation(State state, Signed<Validation> verdict) {
        Validation v = verdict.entry();
        byte[] key = validatorKeys.get(v.validatorId());
        if (key == null) {
            return "validator '" + v.validatorId() + "' is not one of the configured validators";
        }
        if (verdict.signatures().size() != 1 || !verdict.signatures().getFirst().hasKey(key)
                || !verdict.signatures().getFirst().signerId().equals(v.validatorId())
                || !verdict.signatures().getFirst().verifies(v.encode())) {
            return "the verdict is not signed by validator '" + v.validatorId() + "''s configured key";
        }
        if (!v.concerns(state.contract.entry().hash())) {
            return "the verdict is about another contract";
        }
        if (state.status != Status.VALIDATING) {
            return "contract '" + state.contract.entry().contractId() + "' is " + state.status + " already";
        }
        for (Signed<Validation> earlier : state.validations) {
            if (earlier.entry().validatorId().equals(v.validatorId())) {
                return "validator '" + v.validatorId() + "' has judged this contract already";
            }
        }
        return null;
    }

    /** Effective contracts no base station has answered yet, oldest first, that {@code servedBy} accepts. */
    List<State> awaitingAllocation(java.util.function.Predicate<State> servedBy, int limit) {
        List<State> out = new ArrayList<>();
        for (State s : contracts.values()) {
            if (s.status == Status.EFFECTIVE && s.allocation == null && servedBy.test(s)) {
                out.add(s);
                if (out.size() == limit) {
                    break;
                }
            }
        }
        return out;
    }

    /** The base station's answer is on the log. */
    void allocated(Allocation allocation) {
        State state = contracts.get(allocation.contractId());
        if (state != null && state.allocation == null) {
            state.allocation = allocation;
        }
    }

    /** Contracts waiting for {@code validatorId}'s verdict, oldest first. */
    List<State> waitingFor(String validatorId, int limit) {
        List<State> out = new ArrayList<>();
        for (State s : contracts.values()) {
            if (s.status == Status.VALIDATING
                    && s.validations.stream().noneMatch(v -> v.entry().validatorId().equals(validatorId))) {
                out.add(s);
                if (out.size() == limit) {
                    break;
                }
            }
        }
        return out;
    }

    /**
     * The execution result is on the log: the contract has ended; settle it from the escrow (at
     * most once): now, or when replaying, once the replay is over ({@link #replayed}).
     */
    void ended(ExecutionResult result, boolean settleNow) {
        State state = contracts.get(result.contractId());
        if (state == null) {
            return;
        }
        state.result = result;
        state.status = Status.ENDED;
        state.proposedFee = -1;
        // operators settle all their relay contracts once per period (settlePeriod); everyone else now
        if (state.contract.entry().buyerType() != BuyerType.OPERATOR) {
            if (settleNow) {
                escrow.settle(result.contractId(), result.feePaidMinor(), state.contract.entry().feeMinor());
            } else {
                endedReplayed.add(state);
            }
        }
    }

    /**
     * An operator's period: every contract it bought that ended before {@code beforeMillis} and
     * is not settled yet is paid from its escrow. Each settles at most once (its escrow is one
     * reservation), so a batch interrupted by a crash is simply run again.
     *
     * @return the contracts settled now and the fees paid
     */
    List<ExecutionResult> settlePeriod(String operatorId, long beforeMillis) {
        List<ExecutionResult> settled = new ArrayList<>();
        for (State s : contracts.values()) {
            Contract c = s.contract.entry();
            if (s.status == Status.ENDED && c.buyerType() == BuyerType.OPERATOR && c.buyerId().equals(operatorId)
                    && s.result.endedAtMillis() < beforeMillis
                    && escrow.settle(c.contractId(), s.result.feePaidMinor(), c.feeMinor())) {
                settled.add(s.result);
            }
        }
        return settled;
    }

    /** The result a termination of {@code kind} would write now, or why it cannot end that way. */
    Object termination(State state, Termination kind, long feeMinor) {
        if (state.status != Status.EFFECTIVE) {
            return "contract '" + state.contract.entry().contractId() + "' is " + state.status
                    + (state.reason.isEmpty() ? "" : " (" + state.reason + ")");
        }
        Contract c = state.contract.entry();
        long now = clockMillis.getAsLong();
        if (kind == Termination.COMPLETED && now < c.periodEndMillis()) {
            return "contract '" + c.contractId() + "' runs until " + java.time.Instant.ofEpochMilli(c.periodEndMillis())
                    + "; before that the provider may only propose to stop early";
        }
        long ran = Math.max(0, Math.min(now, c.periodEndMillis()) - c.periodStartMillis());
        long fee = switch (kind) {
            case COMPLETED -> Fees.completion(c);
            case BUYER_EARLY -> Fees.buyerEarly(c, ran);
            case PROVIDER_EARLY -> feeMinor;
        };
        return new ExecutionResult(c.contractId(), kind, now, ran, fee);
    }

}
