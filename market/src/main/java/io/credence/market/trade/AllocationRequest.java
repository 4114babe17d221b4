package io.credence.market.trade;

import io.credence.market.contract.Contract;

/** An effective contract waiting for its allocation, as the provider's home base station sees it. */
public record AllocationRequest(Contract contract, String providerTerminal) {}
