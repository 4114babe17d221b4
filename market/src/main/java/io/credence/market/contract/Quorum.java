package io.credence.market.contract;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * N of M configured validators must approve a contract for it to be effective.
 *
 * <p>N must be a strict majority of M. Any two sets of N validators then share at least one
 * validator, so two conflicting contracts (the same capacity sold twice) can both become
 * effective only if some validator approved both — which an honest validator, seeing the log,
 * does not. With N at or below M/2, two disjoint honest groups could each approve one.
 *
 * <p>An approval counts only if it is for this contract's hash, from a configured validator not
 * already counted, and signed by that validator's configured key (the key the validation carries
 * must be that key, and the signature must verify). Refusals never count. The contract's own
 * party signatures are the validators' business ({@link ContractRules}), not re-checked here.
 */
public final class Quorum {
    private final int required;
    private final Map<String, byte[]> validatorKeys;

    /**
     * @param required      N, approvals needed
     * @param validatorKeys the M configured validators' ids and 32-byte public keys
     */
    public Quorum(int required, Map<String, byte[]> validatorKeys) {
        Objects.requireNonNull(validatorKeys, "validatorKeys");
        int configured = validatorKeys.size();
        if (configured == 0 || configured > ContractLimits.VALIDATORS_MAX) {
            throw new IllegalArgumentException("validators must be 1.." + ContractLimits.VALIDATORS_MAX + ", was "
                    + configured);
        }
        if (required < 1 || required > configured) {
            throw new IllegalArgumentException("required must be 1.." + configured + " (the configured validators), was "
                    + required);
        }
        if (2L * required <= configured) {
            throw new IllegalArgumentException("a quorum of " + required + " of " + configured
                    + " is not a majority: two disjoint quorums could approve conflicting contracts");
        }
        Map<String, byte[]> copy = new TreeMap<>();
        validatorKeys.forEach((id, key) -> copy.put(Canonical.requireId("validatorId", id),
                Canonical.requireBytes("key of validator " + id, key, Ed25519.PUBLIC_KEY_BYTES)));
        this.required = required;
        this.validatorKeys = Collections.unmodifiableMap(copy);
    }

    public int required() {
        return required;
    }

    /** The configured validator ids. */
    public Set<String> validators() {
        return validatorKeys.keySet();
    }

    public QuorumResult evaluate(Signed<Contract> contract, List<Signed<Validation>> validations) {
        return evaluate(contract, validations, v -> false);
    }

    /**
     * As {@link #evaluate(Signed, List)}, not verifying the signatures of approvals for which
     * {@code signedHere} holds: verdicts the caller's own in-process validators signed a moment
     * ago, which verifying again would only repeat. Their key must still be the configured one.
     */
    public QuorumResult evaluate(Signed<Contract> contract, List<Signed<Validation>> validations,
                                 java.util.function.Predicate<Signed<Validation>> signedHere) {
        if (validations.size() > ContractLimits.VALIDATIONS_MAX) {
            // Each one may cost a signature check; a flood is refused before any work is done.
            return new QuorumResult.NotEffective(validations.size() + " validations, more than "
                    + ContractLimits.VALIDATIONS_MAX + " are looked at");
        }
        byte[] contractHash = contract.entry().hash();
        Set<String> counted = new TreeSet<>();
        List<String> ignored = new ArrayList<>();
        for (Signed<Validation> signed : validations) {
            Validation validation = signed.entry();
            String validatorId = validation.validatorId();
            byte[] key = validatorKeys.get(validatorId);
            if (key == null) {
                ignored.add(validatorId + " is not a configured validator");
            } else if (!validation.concerns(contractHash)) {
                ignored.add(validatorId + " validated another contract");
            } else if (!validation.approved()) {
                ignored.add(validatorId + " refused");
            } else if (counted.contains(validatorId)) {
                ignored.add(validatorId + " approved more than once; counted once");
            } else if (!signedWith(signed, validatorId, key, signedHere.test(signed))) {
                ignored.add(validatorId + "'s approval is not signed with its configured key");
            } else {
                counted.add(validatorId);
            }
        }
        if (counted.size() >= required) {
            return new QuorumResult.Effective(List.copyOf(counted));
        }
        return new QuorumResult.NotEffective(counted.size() + " of " + required + " required approvals"
                + (counted.isEmpty() ? "" : " (" + String.join(", ", counted) + ")")
                + (ignored.isEmpty() ? "" : "; not counted: " + String.join("; ", ignored)));
    }

    private static boolean signedWith(Signed<Validation> signed, String validatorId, byte[] key, boolean signedHere) {
        byte[] bytes = signed.entry().encode();
        for (Signature signature : signed.by(validatorId)) {
            if (signature.hasKey(key) && (signedHere || signature.verifies(bytes))) {
                return true;
            }
        }
        return false;
    }
}
