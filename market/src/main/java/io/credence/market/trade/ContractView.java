package io.credence.market.trade;

import io.credence.market.contract.Contract;
import io.credence.market.contract.ExecutionResult;
import io.credence.market.contract.Signed;

import java.util.List;

/**
 * A contract's state for the API: status, reason, validators, result.
 *
 * @param allocation ALLOCATED, REFUSED, or null while no base station has answered
 */
public record ContractView(Signed<Contract> contract, long logIndex, String status, String reason,
                           List<String> validators, ExecutionResult result, long proposedFee, String allocation) {}
