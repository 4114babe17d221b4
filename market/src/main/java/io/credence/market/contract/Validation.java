package io.credence.market.contract;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A validator's verdict on one contract, named by the contract's hash. An approval is the
 * validator's co-signature; a refusal says why, so the parties can fix and re-sign. Signed by
 * the validator.
 *
 * @param reason empty for an approval, the problems found for a refusal
 */
public record Validation(byte[] contractHash, String validatorId, boolean approved, String reason) implements Entry {
    public Validation {
        contractHash = Canonical.requireBytes("contractHash", contractHash, Canonical.SHA256_BYTES);
        Canonical.requireId("validatorId", validatorId);
        Canonical.requireText("reason", reason, ContractLimits.REASON_BYTES_MAX);
        if (approved != reason.isEmpty()) {
            throw new IllegalArgumentException(approved ? "an approval carries no reason" : "a refusal must say why");
        }
    }

    @Override
    public EntryKind kind() {
        return EntryKind.VALIDATION;
    }

    @Override
    public byte[] contractHash() {
        return contractHash.clone();
    }

    /** Whether this validation is about the contract whose hash is {@code hash}. */
    public boolean concerns(byte[] hash) {
        return Arrays.equals(contractHash, hash);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Validation that && Arrays.equals(contractHash, that.contractHash)
                && validatorId.equals(that.validatorId) && approved == that.approved && reason.equals(that.reason);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(contractHash), validatorId, approved, reason);
    }

    @Override
    public String toString() {
        return "Validation[contractHash=" + HexFormat.of().formatHex(contractHash) + ", validatorId=" + validatorId
                + ", approved=" + approved + ", reason=" + reason + "]";
    }
}
