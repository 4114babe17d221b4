package io.credence.market.contract;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What a validator checks before co-signing a contract. Pure: the same inputs give the same
 * answer, and every problem is named, not only the first, so the parties can fix them all at once.
 *
 * <p><b>Signatures.</b> The contract must carry exactly one signature by the provider and one by
 * the buyer, and no one else's; each must verify over the contract's canonical bytes (so any
 * field changed after signing breaks both) with the key it carries, and that key must be the one
 * the {@link KeyDirectory} has for the party. A signature that verifies under a key nobody
 * registered proves nothing, so "wrong key" and "does not verify" are separate problems. The
 * offer must be signed by its provider in the same way.
 *
 * <p><b>Offer.</b> The contract names the offer by hash; provider, resource type, charging
 * standard, service level and price must be the offer's; amount at most the offer's; the period
 * inside the offer's. The fee must be {@link Fees#expected}. Whether the offer was withdrawn, or
 * its capacity already sold, is known only to the log, so the integrator checks it there.
 *
 * <p><b>Resource-using node.</b> An operator buys for one of its subscribers, so the contract
 * must name that subscriber's terminal. A personal buyer buys for itself, and a personal buyer's
 * account id is its terminal (as a provider's account is its terminal), so the node must equal
 * the buyer id: stated explicitly rather than implied by an absent field, so the signed bytes
 * say where the resource goes. In neither case may the node be the provider's relaying terminal.
 *
 * <p><b>Time.</b> A contract may not be created after {@code nowMillis} (a clock running ahead
 * would let it claim a later offer state) and its period must not be over at {@code nowMillis}.
 */
public final class ContractRules {
    private ContractRules() {}

    /** The verdict: consistent, or every problem found. */
    public sealed interface Result {}

    public record Consistent() implements Result {}

    public record Inconsistent(List<String> problems) implements Result {
        public Inconsistent {
            problems = List.copyOf(problems);
            if (problems.isEmpty()) {
                throw new IllegalArgumentException("an inconsistent contract has at least one problem");
            }
        }
    }

    public static Result check(Signed<Contract> signedContract, Signed<Offer> signedOffer, KeyDirectory keys,
                               long nowMillis) {
        return check(signedContract, signedOffer, keys, nowMillis, null);
    }

    /**
     * As {@link #check(Signed, Signed, KeyDirectory, long)}, taking the offer's signature as
     * verified when {@code offers} (the caller's own memo, may be null) has verified these exact
     * bytes before; the key must still be the registered one.
     */
    public static Result check(Signed<Contract> signedContract, Signed<Offer> signedOffer, KeyDirectory keys,
                               long nowMillis, VerifiedOffers offers) {
        Contract contract = signedContract.entry();
        Offer offer = signedOffer.entry();
        List<String> problems = new ArrayList<>();
        checkContractSignatures(signedContract, keys, problems);
        byte[] offerBytes = offer.encode();
        byte[] offerHash = offers == null ? null : offer.hash();
        checkSigner("offer", "offer provider", offer.providerId(), signedOffer, keys, problems,
                signature -> offers == null ? signature.verifies(offerBytes)
                        : offers.verifies(offerHash, offerBytes, signature));
        checkAgainstOffer(contract, offer, problems);
        long expectedFee = Fees.expected(contract);
        if (contract.feeMinor() != expectedFee) {
            problems.add("fee " + contract.feeMinor() + " differs from the expected fee " + expectedFee + " ("
                    + contract.chargingStandard() + ")");
        }
        checkResourceUsingNode(contract, offer, problems);
        if (contract.createdAtMillis() > nowMillis) {
            problems.add("created at " + contract.createdAtMillis() + ", after now " + nowMillis);
        }
        if (contract.periodEndMillis() <= nowMillis) {
            problems.add("period ended at " + contract.periodEndMillis() + ", not after now " + nowMillis);
        }
        return problems.isEmpty() ? new Consistent() : new Inconsistent(problems);
    }

    private static void checkContractSignatures(Signed<Contract> signed, KeyDirectory keys, List<String> problems) {
        Contract contract = signed.entry();
        byte[] bytes = contract.encode();
        if (contract.providerId().equals(contract.buyerId())) {
            problems.add("provider and buyer are the same party " + contract.providerId());
        }
        checkSigner("contract", "provider", contract.providerId(), signed, keys, problems, s -> s.verifies(bytes));
        checkSigner("contract", "buyer", contract.buyerId(), signed, keys, problems, s -> s.verifies(bytes));
        for (Signature signature : signed.signatures()) {
            String signerId = signature.signerId();
            if (!signerId.equals(contract.providerId()) && !signerId.equals(contract.buyerId())) {
                problems.add("unexpected contract signature by " + signerId + ", neither provider nor buyer");
            }
        }
    }

    /** One party's signature on {@code signed}: present once, with the registered key, verifying. */
    private static void checkSigner(String what, String role, String partyId, Signed<?> signed,
                                    KeyDirectory keys, List<String> problems, Predicate<Signature> verifies) {
        List<Signature> signatures = signed.by(partyId);
        if (signatures.isEmpty()) {
            problems.add(role + " signature missing on the " + what + " (" + partyId + ")");
            return;
        }
        if (signatures.size() > 1) {
            problems.add(role + " " + partyId + " signed the " + what + " " + signatures.size() + " times");
        }
        Optional<byte[]> registered = keys.publicKey(partyId);
        for (Signature signature : signatures) {
            if (registered.isEmpty()) {
                problems.add(role + " " + partyId + " has no registered key");
            } else if (!signature.hasKey(registered.get())) {
                problems.add(role + " signed the " + what + " with a key that is not the registered key of " + partyId);
            }
            if (!verifies.test(signature)) {
                problems.add(role + " signature by " + partyId + " does not verify over the " + what + " bytes");
            }
        }
    }

    private static void checkAgainstOffer(Contract contract, Offer offer, List<String> problems) {
        byte[] offerHash = offer.hash();
        if (!Arrays.equals(contract.offerHash(), offerHash)) {
            problems.add("offer hash mismatch: the contract names " + HexFormat.of().formatHex(contract.offerHash())
                    + ", the offer is " + HexFormat.of().formatHex(offerHash));
        }
        if (!contract.providerId().equals(offer.providerId())) {
            problems.add("provider " + contract.providerId() + " differs from the offer's " + offer.providerId());
        }
        if (contract.resourceType() != offer.resourceType()) {
            problems.add("resource type " + contract.resourceType() + " differs from the offer's " + offer.resourceType());
        }
        if (contract.chargingStandard() != offer.chargingStandard()) {
            problems.add("charging standard " + contract.chargingStandard() + " differs from the offer's "
                    + offer.chargingStandard());
        }
        if (contract.serviceLevel() != offer.serviceLevel()) {
            problems.add("service level " + contract.serviceLevel() + " differs from the offer's " + offer.serviceLevel());
        }
        if (contract.pricePerUnitMinor() != offer.pricePerUnitMinor()) {
            problems.add("price " + contract.pricePerUnitMinor() + " differs from the offer's "
                    + offer.pricePerUnitMinor());
        }
        if (contract.amount() > offer.amount()) {
            problems.add("amount " + contract.amount() + " above the offer's " + offer.amount());
        }
        if (!offer.covers(contract.periodStartMillis(), contract.periodEndMillis())) {
            problems.add("period " + contract.periodStartMillis() + ".." + contract.periodEndMillis()
                    + " not within the offer's period " + offer.periodStartMillis() + ".." + offer.periodEndMillis());
        }
    }

    private static void checkResourceUsingNode(Contract contract, Offer offer, List<String> problems) {
        String node = contract.resourceUsingNode();
        switch (contract.buyerType()) {
            case OPERATOR -> {
                if (node == null) {
                    problems.add("operator buyer without a resource-using node");
                }
            }
            case PERSONAL -> {
                if (!contract.buyerId().equals(node)) {
                    problems.add("personal buyer's resource-using node " + (node == null ? "(none)" : node)
                            + " is not the buyer's own terminal " + contract.buyerId());
                }
            }
        }
        if (offer.terminalId().equals(node)) {
            problems.add("resource-using node " + node + " is the provider's relaying terminal");
        }
    }
}
