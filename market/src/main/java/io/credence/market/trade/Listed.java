package io.credence.market.trade;

import io.credence.market.contract.Offer;
import io.credence.market.contract.Signed;

/** An offer as discovery shows it; {@code score} is its ranking against a buyer's needs, 0 when unranked. */
public record Listed(Signed<Offer> offer, long logIndex, long score) {}
