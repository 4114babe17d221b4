package io.credence.market.trade;

import io.credence.market.contract.ExecutionResult;

/** What ending a contract, proposing or answering an early end, or allocating it answers. */
public sealed interface EndAnswer {
    record Ended(ExecutionResult result, long logIndex) implements EndAnswer {}

    /** The provider's proposal is waiting for the buyer. */
    record Proposed(String contractId, long feeMinor) implements EndAnswer {}

    record Rejected(String contractId) implements EndAnswer {}

    /** @param status HTTP-like: 404 unknown, 403 not this party's to do, 409 not in a state to */
    record Refused(int status, String reason) implements EndAnswer {}
}
