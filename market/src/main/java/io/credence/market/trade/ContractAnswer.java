package io.credence.market.trade;

import java.util.List;

/** Where a proposed contract stands once the marketplace has answered it. */
public sealed interface ContractAnswer {
    record Effective(String contractId, long logIndex, List<String> validators) implements ContractAnswer {}

    /** On the log, waiting for the separate validator processes' verdicts. */
    record Validating(String contractId, long logIndex) implements ContractAnswer {}

    /** On the log, but the validators' quorum or the escrow said no. */
    record NotEffective(String contractId, long logIndex, String reason) implements ContractAnswer {}

    /** Not put on the log: {@code type} contract-refused, payment-refused, contract-exists. */
    record Refused(String type, List<String> problems) implements ContractAnswer {}
}
