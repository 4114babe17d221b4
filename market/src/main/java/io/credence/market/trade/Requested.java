package io.credence.market.trade;

import io.credence.market.contract.Request;
import io.credence.market.contract.Signed;

import java.util.List;

/** A buyer's broadcast request and the answers providers gave it, in log order. */
public record Requested(Signed<Request> request, long logIndex, List<Answered> answers) {}
