package io.credence.market.trade;

/** What a separate validator's posted verdict answers. */
public sealed interface VerdictAnswer {
    record Counted(ContractAnswer contract) implements VerdictAnswer {}

    record Refused(int status, String reason) implements VerdictAnswer {}
}
