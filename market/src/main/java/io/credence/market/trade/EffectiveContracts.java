package io.credence.market.trade;

import io.credence.market.contract.Allocation;
import io.credence.market.contract.Contract;
import io.credence.market.contract.ExecutionResult;
import io.credence.market.contract.Fees;
import io.credence.market.contract.Termination;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * A contract once it is effective: the provider's home base station allocates it (or refuses,
 * which ends it at no fee), a party ends it, or the provider proposes an early end the buyer
 * accepts or rejects; operators settle their ended contracts once per period. Every ending is
 * an execution result on the log, signed by the market, before the escrow settles.
 */
final class EffectiveContracts {
    /** The marketplace's lock, shared by every capability: each change goes on the log under it. */
    private final ReentrantLock lock;
    private final ContractDesk desk;
    private final LogAppender appender;
    private final LongSupplier clockMillis;

    EffectiveContracts(ReentrantLock lock, ContractDesk desk, LogAppender appender, LongSupplier clockMillis) {
        this.lock = lock;
        this.desk = desk;
        this.appender = appender;
        this.clockMillis = clockMillis;
    }

    EndAnswer end(String contractId, String partyId, Termination kind) {
        lock.lock();
        try {
            Optional<ContractDesk.State> found = desk.contract(contractId);
            if (found.isEmpty()) {
                return new EndAnswer.Refused(404, "no contract '" + contractId + "'");
            }
            Contract c = found.get().contract.entry();
            String party = kind == Termination.BUYER_EARLY ? c.buyerId() : c.providerId();
            if (!party.equals(partyId)) {
                return new EndAnswer.Refused(403, "only the " + (kind == Termination.BUYER_EARLY ? "buyer" : "provider")
                        + " ('" + party + "') may end contract '" + contractId + "' this way");
            }
            return write(found.get(), kind, found.get().proposedFee);
        } finally {
            lock.unlock();
        }
    }

    EndAnswer proposeEarlyEnd(String contractId, String providerId, long feeMinor) {
        lock.lock();
        try {
            Optional<ContractDesk.State> found = desk.contract(contractId);
            if (found.isEmpty()) {
                return new EndAnswer.Refused(404, "no contract '" + contractId + "'");
            }
            ContractDesk.State state = found.get();
            if (!state.contract.entry().providerId().equals(providerId)) {
                return new EndAnswer.Refused(403, "only the provider may propose to stop early");
            }
            if (state.status != ContractDesk.Status.EFFECTIVE) {
                return new EndAnswer.Refused(409, "contract '" + contractId + "' is " + state.status);
            }
            if (Fees.providerEarly(state.contract.entry(), feeMinor) instanceof Fees.Proposal.OutOfRange out) {
                return new EndAnswer.Refused(409, out.reason());
            }
            state.proposedFee = feeMinor;
            return new EndAnswer.Proposed(contractId, feeMinor);
        } finally {
            lock.unlock();
        }
    }

    EndAnswer answerEarlyEnd(String contractId, String buyerId, boolean accept) {
        lock.lock();
        try {
            Optional<ContractDesk.State> found = desk.contract(contractId);
            if (found.isEmpty()) {
                return new EndAnswer.Refused(404, "no contract '" + contractId + "'");
            }
            ContractDesk.State state = found.get();
            if (!state.contract.entry().buyerId().equals(buyerId)) {
                return new EndAnswer.Refused(403, "only the buyer may answer the provider's proposal");
            }
            if (state.proposedFee < 0) {
                return new EndAnswer.Refused(409, "the provider has proposed nothing");
            }
            if (!accept) {
                state.proposedFee = -1;
                return new EndAnswer.Rejected(contractId);
            }
            return write(state, Termination.PROVIDER_EARLY, state.proposedFee);
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: the execution result goes on the log (signed by the market), then the escrow settles. */
    private EndAnswer write(ContractDesk.State state, Termination kind, long proposedFee) {
        Object result = desk.termination(state, kind, proposedFee);
        if (result instanceof String refused) {
            return new EndAnswer.Refused(409, refused);
        }
        ExecutionResult r = (ExecutionResult) result;
        long index = appender.appendAsMarket(r);
        return new EndAnswer.Ended(r, index);
    }

    List<AllocationRequest> allocationsFor(String baseStationId, Function<String, Optional<String>> homeOf, int limit) {
        lock.lock();
        try {
            return desk.awaitingAllocation(s -> s.offer != null
                            && homeOf.apply(s.offer.entry().terminalId()).filter(baseStationId::equals).isPresent(), limit)
                    .stream().map(s -> new AllocationRequest(s.contract.entry(), s.offer.entry().terminalId())).toList();
        } finally {
            lock.unlock();
        }
    }

    EndAnswer allocate(String contractId, String baseStationId, Function<String, Optional<String>> homeOf,
                       boolean allocated, String reason) {
        lock.lock();
        try {
            Optional<ContractDesk.State> found = desk.contract(contractId);
            if (found.isEmpty()) {
                return new EndAnswer.Refused(404, "no contract '" + contractId + "'");
            }
            ContractDesk.State state = found.get();
            if (state.offer == null || homeOf.apply(state.offer.entry().terminalId()).filter(baseStationId::equals).isEmpty()) {
                return new EndAnswer.Refused(403, "base station '" + baseStationId + "' is not the provider's home");
            }
            if (state.status != ContractDesk.Status.EFFECTIVE || state.allocation != null) {
                return new EndAnswer.Refused(409, "contract '" + contractId + "' is " + state.status
                        + (state.allocation == null ? "" : ", already " + (state.allocation.allocated() ? "allocated"
                        : "refused by its base station")));
            }
            appender.appendAsMarket(new Allocation(contractId, baseStationId, allocated, reason == null ? "" : reason,
                    clockMillis.getAsLong()));
            if (!allocated) {
                return write(state, Termination.PROVIDER_EARLY, 0);
            }
            return new EndAnswer.Proposed(contractId, -1);
        } finally {
            lock.unlock();
        }
    }

    List<ExecutionResult> settleOperator(String operatorId, long beforeMillis) {
        lock.lock();
        try {
            return desk.settlePeriod(operatorId, beforeMillis);
        } finally {
            lock.unlock();
        }
    }

    Optional<ContractView> contract(String contractId) {
        lock.lock();
        try {
            return desk.contract(contractId).map(s -> new ContractView(s.contract, s.logIndex, s.status.name(), s.reason,
                    s.approvedBy, s.result, s.proposedFee,
                    s.allocation == null ? null : s.allocation.allocated() ? "ALLOCATED" : "REFUSED"));
        } finally {
            lock.unlock();
        }
    }
}
