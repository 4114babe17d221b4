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
        /** Holds {@code amount} of {@code unit} on the buyer for the provider until {@code untilMillis}; null when held, else why not. */
        String hold(String contractId, String buyerAccount, String providerAccount, Unit unit, long amount,
                    long untilMillis);

        /** Pays {@code amount} (in the hold's unit) to the provider and returns the rest; false when nothing was held any more. */
        boolean settle(String contractId, long amount);

        boolean held(String contractId);

        /** What the account could pay now in {@code unit} (for the payment-ability check). */
        long available(String accountId, Unit unit);
    }

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

    /**
     * Why the contract is unfit whatever the desk's state (malformed id, no live offer, inconsistent
     * with it or not signed by both parties' registered keys), or null. Pure signature work: may
     * run outside the marketplace's lock.
     */
    Refusal check(Signed<Contract> signed, Signed<Offer> offer, KeyDirectory keys) {
        Contract c = signed.entry();
        if (!c.contractId().matches("[A-Za-z0-9._-]{1,64}")) {
            return new Refusal("contract-refused", List.of("contractId must be 1..64 letters, digits and - _ ."));
        }
        if (offer == null) {
            return new Refusal("contract-refused", List.of("no live offer has hash "
                    + HexFormat.of().formatHex(c.offerHash()) + " (withdrawn, expired or never published)"));
        }
        if (ContractRules.check(signed, offer, keys, clockMillis.getAsLong()) instanceof ContractRules.Inconsistent bad) {
            return new Refusal("contract-refused", bad.problems());
        }
        return null;
    }

    /** Why the checked contract cannot be put on the log now (id taken, offer gone meanwhile, buyer unable to pay), or null. */
    Refusal admit(Signed<Contract> signed, Signed<Offer> offerNow) {
        Contract c = signed.entry();
        if (contracts.containsKey(c.contractId())) {
            return new Refusal("contract-exists", List.of("contract id '" + c.contractId() + "' is taken"));
        }
        if (contracts.size() >= CONTRACTS_MAX) {
            return new Refusal("contract-refused", List.of("the desk holds " + CONTRACTS_MAX + " contracts already"));
        }
        if (offerNow == null) {
            return new Refusal("contract-refused", List.of("the offer was withdrawn while the contract was checked"));
        }
        if (c.buyerType() == BuyerType.PERSONAL) {
            Charge fee = charge(c, Fees.expected(c));
            long balance = escrow.available(c.buyerId(), fee.unit());
            if (PaymentCheck.check(balance, charge(c, payment.thresholdMinor()).amount(), fee.amount(), null,
                    payment.relax()) instanceof PaymentCheck.Unable unable) {
                return new Refusal("payment-refused", List.of(unable.failedCheck() + ": " + unable.detail()));
            }
        }
        return null;
    }

    record Refusal(String type, List<String> problems) {}

    /** The contract is on the log at {@code index}: record it, then let the validators judge it. */
    State accepted(Signed<Contract> signed, Signed<Offer> offer, long index) {
        State state = new State(signed, offer, index);
        contracts.put(signed.entry().contractId(), state);
        byHash.put(HexFormat.of().formatHex(signed.entry().hash()), state);
        return state;
    }

    /** Each configured validator's verdict on the contract, to be put on the log. */
    List<Signed<Validation>> validate(Signed<Contract> signed, Signed<Offer> offer, KeyDirectory keys) {
        List<Signed<Validation>> out = new ArrayList<>();
        for (Validator v : validators) {
            out.add(v.validate(signed, offer, keys, clockMillis.getAsLong()));
        }
        return out;
    }

    /** A validation is on the log: count it; the contract becomes effective once the quorum holds and the fee is escrowed. */
    void validated(Signed<Validation> validation, boolean escrowNow) {
        State state = byHash.get(HexFormat.of().formatHex(validation.entry().contractHash()));
        if (state == null || state.status != Status.VALIDATING) {
            return;
        }
        state.validations.add(validation);
        if (!(quorum.evaluate(state.contract, state.validations) instanceof QuorumResult.Effective effective)) {
            if (state.validations.size() >= quorum.validators().size()) {
                state.status = Status.NOT_EFFECTIVE;
                state.reason = ((QuorumResult.NotEffective) quorum.evaluate(state.contract, state.validations)).reason();
            }
            return;
        }
        Contract c = state.contract.entry();
        if (escrowNow) {
            Charge fee = charge(c, c.feeMinor());
            String refused = escrow.hold(c.contractId(), c.buyerId(), c.providerId(), fee.unit(), fee.amount(),
                    c.periodEndMillis());
            if (refused != null) {
                state.status = Status.NOT_EFFECTIVE;
                state.reason = "escrow: " + refused;
                return;
            }
        } else if (!escrow.held(c.contractId())) {
            // replaying: effective only if its escrow was taken (or it ended, which a later result says)
            state.status = Status.NOT_EFFECTIVE;
            state.reason = "no escrow was held";
            state.approvedBy = effective.validators();
            return;
        }
        state.status = Status.EFFECTIVE;
        state.approvedBy = effective.validators();
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

    /** The execution result is on the log: the contract has ended; settle it from the escrow (at most once). */
    void ended(ExecutionResult result) {
        State state = contracts.get(result.contractId());
        if (state == null) {
            return;
        }
        state.result = result;
        state.status = Status.ENDED;
        state.proposedFee = -1;
        // operators settle all their relay contracts once per period (settlePeriod); everyone else now
        if (state.contract.entry().buyerType() != BuyerType.OPERATOR) {
            escrow.settle(result.contractId(), charge(state.contract.entry(), result.feePaidMinor()).amount());
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
                    && escrow.settle(c.contractId(), charge(c, s.result.feePaidMinor()).amount())) {
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
