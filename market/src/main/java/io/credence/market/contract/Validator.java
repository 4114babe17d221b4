package io.credence.market.contract;

import java.util.Objects;

/**
 * One validator: checks a contract with {@link ContractRules} and signs its verdict. An approval
 * is the co-signature a {@link Quorum} counts; a refusal is signed too, so a party cannot claim
 * a validator never answered.
 */
public record Validator(String validatorId, Ed25519.KeyPair key, VerifiedOffers offers) {
    public Validator {
        Canonical.requireId("validatorId", validatorId);
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(offers, "offers");
    }

    /** A validator that remembers the offer signatures it verified (see {@link VerifiedOffers}). */
    public Validator(String validatorId, Ed25519.KeyPair key) {
        this(validatorId, key, new VerifiedOffers(VerifiedOffers.CAPACITY_DEFAULT));
    }

    public Signed<Validation> validate(Signed<Contract> contract, Signed<Offer> offer, KeyDirectory keys,
                                       long nowMillis) {
        return judge(contract, offer, keys, nowMillis).verdict();
    }

    /** The rules' answer and the signed verdict made from it. */
    public record Judgement(ContractRules.Result result, Signed<Validation> verdict) {}

    public Judgement judge(Signed<Contract> contract, Signed<Offer> offer, KeyDirectory keys, long nowMillis) {
        byte[] contractHash = contract.entry().hash();
        ContractRules.Result result = ContractRules.check(contract, offer, keys, nowMillis, offers);
        Validation verdict = switch (result) {
            case ContractRules.Consistent consistent -> new Validation(contractHash, validatorId, true, "");
            case ContractRules.Inconsistent inconsistent -> new Validation(contractHash, validatorId, false,
                    // Problems quote other parties' ids; the bound keeps the entry within its size.
                    Canonical.truncateUtf8(String.join("; ", inconsistent.problems()), ContractLimits.REASON_BYTES_MAX));
        };
        return new Judgement(result, Signed.sign(verdict, validatorId, key));
    }
}
