package io.credence.market.contract;

import java.util.Objects;

/**
 * How a contract's service ended and what was paid; see {@link Fees} for the fee of each
 * termination. Signed by the party that reports it (the integrator decides who).
 */
public record ExecutionResult(String contractId, Termination termination, long endedAtMillis, long actualDurationMillis,
                              long feePaidMinor) implements Entry {
    public ExecutionResult {
        Canonical.requireId("contractId", contractId);
        Objects.requireNonNull(termination, "termination");
        EntryChecks.instant("endedAtMillis", endedAtMillis);
        Canonical.requireRange("actualDurationMillis", actualDurationMillis, 0, ContractLimits.PERIOD_MILLIS_MAX);
        Canonical.requireRange("feePaidMinor", feePaidMinor, 0, ContractLimits.FEE_MINOR_MAX);
    }

    @Override
    public EntryKind kind() {
        return EntryKind.EXECUTION_RESULT;
    }
}
