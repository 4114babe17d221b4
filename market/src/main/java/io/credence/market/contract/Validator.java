package io.credence.market.contract;

import java.util.Objects;

/**
 * One validator: checks a contract with {@link ContractRules} and signs its verdict. An approval
 * is the co-signature a {@link Quorum} counts; a refusal is signed too, so a party cannot claim
 * a validator never answered.
 */
public record Validator(String validatorId, Ed25519.KeyPair key) {
    public Validator {
        Canonical.requireId("validatorId", validatorId);
        Objects.requireNonNull(key, "key");
    }

    public Signed<Validation> validate(Signed<Contract> contract, Signed<Offer> offer, KeyDirectory keys,
                                       long nowMillis) {
        byte[] contractHash = contract.entry().hash();
        Validation verdict = switch (ContractRules.check(contract, offer, keys, nowMillis)) {
            case ContractRules.Consistent consistent -> new Validation(contractHash, validatorId, true, "");
            case ContractRules.Inconsistent inconsistent -> new Validation(contractHash, validatorId, false,
                    // Problems quote other parties' ids; the bound keeps the entry within its size.
                    Canonical.truncateUtf8(String.join("; ", inconsistent.problems()), ContractLimits.REASON_BYTES_MAX));
        };
        return Signed.sign(verdict, validatorId, key);
    }
}
