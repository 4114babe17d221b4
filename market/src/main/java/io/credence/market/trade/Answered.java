package io.credence.market.trade;

import io.credence.market.contract.RequestAnswer;
import io.credence.market.contract.Signed;

/** A provider's answer to a buyer's request, as it is on the log. */
public record Answered(Signed<RequestAnswer> answer, long logIndex) {}
