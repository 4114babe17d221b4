package io.credence.market.trade;

import io.credence.market.contract.Contract;
import io.credence.market.contract.Offer;
import io.credence.market.contract.Signed;

import java.util.Map;

/** A contract waiting for a validator's verdict, with what the validator needs to judge it. */
public record Pending(Signed<Contract> contract, Signed<Offer> offer, Map<String, byte[]> partyKeys) {}
