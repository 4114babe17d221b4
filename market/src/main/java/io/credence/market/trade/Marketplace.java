package io.credence.market.trade;

import io.credence.market.contract.Allocation;
import io.credence.market.contract.Contract;
import io.credence.market.contract.Ed25519;
import io.credence.market.contract.Entry;
import io.credence.market.contract.ExecutionResult;
import io.credence.market.contract.Offer;
import io.credence.market.contract.OfferRanking;
import io.credence.market.contract.ProviderRegistration;
import io.credence.market.contract.Request;
import io.credence.market.contract.RequestAnswer;
import io.credence.market.contract.Signed;
import io.credence.market.contract.Termination;
import io.credence.market.contract.Validation;
import io.credence.market.contract.Withdrawal;
import io.credence.market.log.ContractLogWriter;
import io.credence.market.log.MerkleLog;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Registration and discovery of relay providers, kept on the contract log: every change is a
 * signed entry appended (and forced to disk) before it is answered, and the marketplace's state is
 * what replaying the log gives, so a restart loses nothing acknowledged and cannot invent anything.
 *
 * <p>Registrations are signed by the market authority (the server checked the provider's
 * credentials); offers and withdrawals by the provider's registered key, which the marketplace
 * checks before anything is appended.
 *
 * <p>The work is done by one collaborator per capability: {@link Listings} (providers and offers,
 * Mode A), {@link BuyerRequests} (Mode B), {@link ContractAdmission} (a contract until it is
 * effective) and {@link EffectiveContracts} (allocation, ending, settlement), all appending through
 * one {@link LogAppender}. They share this marketplace's one lock: every change is checked, appended
 * and applied under it, so the log's order is the state's, whichever capability made the change.
 * This class replays the log and applies each entry to the capability it belongs to.
 */
public final class Marketplace implements AutoCloseable {
    public static final String AUTHORITY_ID = LogAppender.AUTHORITY_ID;
    public static final int PROVIDERS_MAX = Listings.PROVIDERS_MAX;
    public static final int OFFERS_MAX = Listings.OFFERS_MAX;
    public static final int REQUESTS_MAX = BuyerRequests.REQUESTS_MAX;
    public static final int ANSWERS_PER_REQUEST_MAX = BuyerRequests.ANSWERS_PER_REQUEST_MAX;

    private final Ed25519.KeyPair authority;
    private final ContractDesk desk;
    private final ReentrantLock lock = new ReentrantLock();
    private final Listings listings;
    private final BuyerRequests requests;
    private final ContractAdmission admission;
    private final EffectiveContracts effective;
    /** Set while {@link #open} replays the log: a quorum replayed is effective only if its escrow was held before. */
    private boolean replaying;

    private Marketplace(ContractLogWriter writer, Ed25519.KeyPair authority, ContractDesk desk,
                        LongSupplier clockMillis) {
        this.authority = authority;
        this.desk = desk;
        LogAppender appender = new LogAppender(writer, authority, desk, this::apply);
        this.listings = new Listings(lock, appender, clockMillis);
        this.requests = new BuyerRequests(lock, appender, listings, clockMillis);
        this.admission = new ContractAdmission(lock, listings, desk, appender, clockMillis);
        this.effective = new EffectiveContracts(lock, desk, appender, clockMillis);
    }

    /**
     * The marketplace as the log says it is: every entry replayed in order. A contract whose
     * execution result is on the log but whose escrow is still held (the process died between
     * the two) is settled now.
     */
    public static Marketplace open(MerkleLog log, Ed25519.KeyPair authority, ContractDesk desk, LongSupplier clockMillis)
            throws IOException {
        return open(log, ContractLogWriter.local(log), authority, desk, clockMillis);
    }

    /**
     * As above, appending through {@code writer}: on a node of a Raft group, the group's log, which
     * appends to every node's copy of the contract log ({@code log} is this node's).
     */
    public static Marketplace open(MerkleLog log, ContractLogWriter writer, Ed25519.KeyPair authority,
                                   ContractDesk desk, LongSupplier clockMillis) throws IOException {
        Marketplace market = new Marketplace(writer, authority, desk, clockMillis);
        market.replaying = true;
        for (long i = 0; i < log.size(); i++) {
            market.apply(Signed.decode(log.entry(i)), i);
        }
        market.replaying = false;
        desk.replayed();
        market.admission.start();
        return market;
    }

    public byte[] authorityKey() {
        return authority.publicKey();
    }

    /**
     * Registers the terminal account {@code providerId} (its credentials were checked by the
     * caller) as a relay provider: a service identifier and the key its offers must be signed
     * with — {@code publicKey}, or a new key pair whose seed is answered once. Registering again
     * answers the first registration (without a seed); another key for the same provider is refused.
     */
    public Registration register(String providerId, String terminalId, byte[] publicKey) {
        return listings.register(providerId, terminalId, publicKey);
    }

    /** Publishes a provider's signed offer (Mode A broadcast): checked, appended, then discoverable. */
    public Publication publish(byte[] signedOffer) {
        return listings.publish(signedOffer);
    }

    /** A provider that stops serving withdraws its offer; it is no longer discoverable. */
    public Publication withdraw(byte[] signedWithdrawal) {
        return listings.withdraw(signedWithdrawal);
    }

    public Optional<Provider> provider(String providerId) {
        return listings.provider(providerId);
    }

    /**
     * Offers a buyer can pick from now (not withdrawn, period not over): all of them, newest
     * last, or with {@code needs} only those that can serve it, best first by {@code weights}.
     */
    public List<Listed> offers(OfferRanking.Needs needs, OfferRanking.Weights weights, int limit) {
        return listings.offers(needs, weights, limit);
    }

    /** The live offer {@code offerId}, if any. */
    public Optional<Signed<Offer>> liveOffer(String offerId) {
        return listings.liveOffer(offerId);
    }

    /**
     * A contract signed by provider and buyer: checked, put on the log, validated by the
     * configured validators (their verdicts on the log too), and with a quorum the fee escrowed.
     */
    public ContractAnswer propose(byte[] signedContract) {
        return admission.propose(signedContract);
    }

    /** Stops the admission stage; contracts still waiting are answered unavailable (nothing of them was logged). */
    @Override
    public void close() {
        admission.close();
    }

    /** Contracts waiting for {@code validatorId}'s verdict (separate validator processes poll this). */
    public List<Pending> pendingFor(String validatorId, int limit) {
        return admission.pendingFor(validatorId, limit);
    }

    /** A separate validator's signed verdict on a contract: checked, logged, counted towards the quorum. */
    public VerdictAnswer addVerdict(String contractId, byte[] signedValidation) {
        return admission.addVerdict(contractId, signedValidation);
    }

    /** How {@code partyId} ends a contract: COMPLETED (provider), BUYER_EARLY (buyer). */
    public EndAnswer end(String contractId, String partyId, Termination kind) {
        return effective.end(contractId, partyId, kind);
    }

    /** The provider stops early and proposes a fee; the buyer accepts (the contract ends at that fee) or rejects it. */
    public EndAnswer proposeEarlyEnd(String contractId, String providerId, long feeMinor) {
        return effective.proposeEarlyEnd(contractId, providerId, feeMinor);
    }

    public EndAnswer answerEarlyEnd(String contractId, String buyerId, boolean accept) {
        return effective.answerEarlyEnd(contractId, buyerId, accept);
    }

    /**
     * Effective contracts whose provider terminal has {@code baseStationId} as its home base
     * station ({@code homeOf}: terminal -> base station) and that no base station answered yet.
     */
    public List<AllocationRequest> allocationsFor(String baseStationId, Function<String, Optional<String>> homeOf,
                                                  int limit) {
        return effective.allocationsFor(baseStationId, homeOf, limit);
    }

    /**
     * The home base station's answer: logged (signed by the market for the authenticated base
     * station). A refusal ends the contract at no fee (the provider could not serve): the escrow
     * goes back to the buyer.
     */
    public EndAnswer allocate(String contractId, String baseStationId, Function<String, Optional<String>> homeOf,
                              boolean allocated, String reason) {
        return effective.allocate(contractId, baseStationId, homeOf, allocated, reason);
    }

    /** Settles an operator's relay contracts that ended before {@code beforeMillis} (its monthly batch). */
    public List<ExecutionResult> settleOperator(String operatorId, long beforeMillis) {
        return effective.settleOperator(operatorId, beforeMillis);
    }

    /** A contract's state for the API: status, reason, validators, result. */
    public Optional<ContractView> contract(String contractId) {
        return effective.contract(contractId);
    }

    /**
     * Mode B: a buyer broadcasts what it needs, signed with its registered key; providers that
     * can serve answer with an offer, others ignore it or answer "cannot serve".
     */
    public Publication broadcast(byte[] signedRequest) {
        return requests.broadcast(signedRequest);
    }

    /** A provider's signed answer to a request: one of its live offers, or "cannot serve" (no offer). */
    public Publication answer(byte[] signedAnswer) {
        return requests.answer(signedAnswer);
    }

    /** Open requests (period not over), oldest first. */
    public List<Requested> requests(int limit) {
        return requests.requests(limit);
    }

    /** One request with its answers, and for each answer that offers, the offer (if still live). */
    public Optional<Requested> request(String requestId) {
        return requests.request(requestId);
    }

    /**
     * An entry on the log at {@code index}, applied to the capability it belongs to: on replay, and
     * under the lock for each entry appended since.
     */
    @SuppressWarnings("unchecked")
    private void apply(Signed<? extends Entry> signed, long index) {
        switch (signed.entry()) {
            case ProviderRegistration r -> listings.registered(r, index);
            case Offer o -> listings.listed((Signed<Offer>) signed, index);
            case Withdrawal w -> listings.unlisted(w, index);
            case Contract c -> {
                Listed from = listings.withHash(c.offerHash());
                desk.accepted((Signed<Contract>) signed, from == null ? null : from.offer(), index);
            }
            case Validation v -> desk.validated((Signed<Validation>) signed, !replaying);
            case ExecutionResult r -> desk.ended(r, !replaying);
            case Allocation a -> desk.allocated(a);
            case Request r -> requests.requested((Signed<Request>) signed, index);
            case RequestAnswer a -> requests.answered((Signed<RequestAnswer>) signed, index);
        }
    }
}
