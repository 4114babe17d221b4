package io.credence.market.trade;

import io.credence.market.contract.Allocation;
import io.credence.market.contract.CanonicalFormatException;
import io.credence.market.contract.Contract;
import io.credence.market.contract.ExecutionResult;
import io.credence.market.contract.Fees;
import io.credence.market.contract.KeyDirectory;
import io.credence.market.contract.Request;
import io.credence.market.contract.RequestAnswer;
import io.credence.market.contract.Termination;
import io.credence.market.contract.Validation;
import io.credence.market.contract.Ed25519;
import io.credence.market.contract.Entry;
import io.credence.market.contract.Offer;
import io.credence.market.contract.OfferRanking;
import io.credence.ledger.Ids;
import io.credence.market.contract.ProviderRegistration;
import io.credence.market.contract.Signature;
import io.credence.market.contract.Signed;
import io.credence.market.contract.Withdrawal;
import io.credence.market.log.MerkleLog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Registration and discovery of relay providers, kept on the contract log: every change is a
 * signed entry appended (and forced to disk) before it is answered, and the marketplace's state is
 * what replaying the log gives, so a restart loses nothing acknowledged and cannot invent anything.
 *
 * <p>Registrations are signed by the market authority (the server checked the provider's
 * credentials); offers and withdrawals by the provider's registered key, which the marketplace
 * checks before anything is appended.
 */
public final class Marketplace implements AutoCloseable {
    public static final String AUTHORITY_ID = "market";
    public static final int PROVIDERS_MAX = 1_000_000;
    public static final int OFFERS_MAX = 1_000_000;
    private static final long APPEND_TIMEOUT_SECONDS = 30;
    /** Contracts checked and validated, waiting for the lock to be admitted; past it the market says busy. */
    static final int ADMISSIONS_MAX = 4_096;
    /** Contracts admitted together at most (one log batch, one escrow batch). */
    static final int ADMISSION_BATCH_MAX = 512;

    public record Provider(String providerId, String terminalId, String serviceId, byte[] publicKey, long logIndex) {}

    /** An offer as discovery shows it. */
    public record Listed(Signed<Offer> offer, long logIndex, long score) {}

    public sealed interface Registration {
        /** @param seed the generated key's secret seed, handed over once; null when the provider brought its key */
        record Registered(Provider provider, byte[] seed, boolean again) implements Registration {}

        record Refused(String reason) implements Registration {}
    }

    public sealed interface Publication {
        /** @param id the offer's or the request's id */
        record Published(String id, long logIndex, boolean again) implements Publication {}

        /** @param field the part of the request at fault */
        record Refused(String field, String reason) implements Publication {}
    }

    private final MerkleLog log;
    private final Ed25519.KeyPair authority;
    private final LongSupplier clockMillis;
    private final ReentrantLock lock = new ReentrantLock();
    // written under lock; providers and offersByHash are also read without it by a proposal's
    // checks, which the admission under the lock repeats
    private final Map<String, Provider> providers = new ConcurrentHashMap<>();
    private final Map<String, Listed> offers = new LinkedHashMap<>();
    private final Map<String, Long> withdrawn = new LinkedHashMap<>();
    /** Live offers by the hash of their entry, as contracts name them. */
    private final Map<String, Listed> offersByHash = new ConcurrentHashMap<>();
    private final ContractDesk desk;
    private final ArrayBlockingQueue<Admission> admissions = new ArrayBlockingQueue<>(ADMISSIONS_MAX);
    private final Thread admitter;
    private volatile boolean closed;
    private boolean replaying;
    /** Mode B: buyers' broadcast requests and the providers' answers, by request id. */
    private final Map<String, Requested> requests = new LinkedHashMap<>();

    private Marketplace(MerkleLog log, Ed25519.KeyPair authority, ContractDesk desk, LongSupplier clockMillis) {
        this.log = log;
        this.authority = authority;
        this.desk = desk;
        this.clockMillis = clockMillis;
        this.admitter = Thread.ofPlatform().daemon().name("market-admission").unstarted(this::admitLoop);
    }

    /**
     * The marketplace as the log says it is: every entry replayed in order. A contract whose
     * execution result is on the log but whose escrow is still held (the process died between
     * the two) is settled now.
     */
    public static Marketplace open(MerkleLog log, Ed25519.KeyPair authority, ContractDesk desk, LongSupplier clockMillis)
            throws IOException {
        Marketplace market = new Marketplace(log, authority, desk, clockMillis);
        market.replaying = true;
        for (long i = 0; i < log.size(); i++) {
            market.apply(Signed.decode(log.entry(i)), i);
        }
        market.replaying = false;
        market.admitter.start();
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
        lock.lock();
        try {
            Provider known = providers.get(providerId);
            if (known != null) {
                if (publicKey != null && !Arrays.equals(publicKey, known.publicKey())) {
                    return new Registration.Refused("provider '" + providerId + "' is registered with another key");
                }
                return new Registration.Registered(known, null, true);
            }
            if (providers.size() >= PROVIDERS_MAX) {
                return new Registration.Refused("the marketplace holds " + PROVIDERS_MAX + " providers already");
            }
            Ed25519.KeyPair generated = publicKey == null ? Ed25519.generate(new java.security.SecureRandom()) : null;
            byte[] key = publicKey != null ? publicKey : generated.publicKey();
            ProviderRegistration entry = new ProviderRegistration(providerId, serviceIdOf(providerId, terminalId), key,
                    clockMillis.getAsLong());
            append(Signed.sign(entry, AUTHORITY_ID, authority));
            Provider provider = providers.get(providerId);
            return new Registration.Registered(provider, generated == null ? null : generated.seed(), false);
        } finally {
            lock.unlock();
        }
    }

    /** Publishes a provider's signed offer (Mode A broadcast): checked, appended, then discoverable. */
    public Publication publish(byte[] signedOffer) {
        Decoded<Offer> decoded = decode(signedOffer, Offer.class, "offer");
        if (decoded.problem() != null) {
            return new Publication.Refused("signedOffer", decoded.problem());
        }
        Signed<Offer> offer = decoded.signed();
        String notASegment = Ids.pathSegmentProblem(offer.entry().offerId());
        if (notASegment != null) {
            // ids are checked for the URL path when they are new, not when the log replays them
            return new Publication.Refused("signedOffer", "offerId " + notASegment);
        }
        lock.lock();
        try {
            Offer o = offer.entry();
            Listed known = offers.get(o.offerId());
            if (known != null) {
                return Arrays.equals(known.offer().encode(), offer.encode())
                        ? new Publication.Published(o.offerId(), known.logIndex(), true)
                        : new Publication.Refused("signedOffer", "offer id '" + o.offerId() + "' is taken");
            }
            if (withdrawn.containsKey(o.offerId())) {
                return new Publication.Refused("signedOffer", "offer '" + o.offerId() + "' was withdrawn; use a new id");
            }
            String problem = signedByProvider(offer, o.providerId(), o.serviceId());
            if (problem != null) {
                return new Publication.Refused("signedOffer", problem);
            }
            if (o.periodEndMillis() <= clockMillis.getAsLong()) {
                return new Publication.Refused("signedOffer", "the offer's period is over");
            }
            if (offers.size() >= OFFERS_MAX) {
                return new Publication.Refused("signedOffer", "the marketplace lists " + OFFERS_MAX + " offers already");
            }
            long index = append(offer);
            return new Publication.Published(o.offerId(), index, false);
        } finally {
            lock.unlock();
        }
    }

    /** A provider that stops serving withdraws its offer; it is no longer discoverable. */
    public Publication withdraw(byte[] signedWithdrawal) {
        Decoded<Withdrawal> decoded = decode(signedWithdrawal, Withdrawal.class, "withdrawal");
        if (decoded.problem() != null) {
            return new Publication.Refused("signedWithdrawal", decoded.problem());
        }
        Signed<Withdrawal> withdrawal = decoded.signed();
        lock.lock();
        try {
            Withdrawal w = withdrawal.entry();
            Long already = withdrawn.get(w.offerId());
            if (already != null) {
                return new Publication.Published(w.offerId(), already, true);
            }
            Listed listed = offers.get(w.offerId());
            if (listed == null) {
                return new Publication.Refused("signedWithdrawal", "no offer '" + w.offerId() + "' is listed");
            }
            if (!listed.offer().entry().providerId().equals(w.providerId())) {
                return new Publication.Refused("signedWithdrawal", "offer '" + w.offerId() + "' is not provider '"
                        + w.providerId() + "''s");
            }
            String problem = signedByProvider(withdrawal, w.providerId(), null);
            if (problem != null) {
                return new Publication.Refused("signedWithdrawal", problem);
            }
            long index = append(withdrawal);
            return new Publication.Published(w.offerId(), index, false);
        } finally {
            lock.unlock();
        }
    }

    public Optional<Provider> provider(String providerId) {
        lock.lock();
        try {
            return Optional.ofNullable(providers.get(providerId));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Offers a buyer can pick from now (not withdrawn, period not over): all of them, newest
     * last, or with {@code needs} only those that can serve it, best first by {@code weights}.
     */
    public List<Listed> offers(OfferRanking.Needs needs, OfferRanking.Weights weights, int limit) {
        List<Listed> live;
        lock.lock();
        try {
            long now = clockMillis.getAsLong();
            live = offers.values().stream().filter(l -> l.offer().entry().periodEndMillis() > now).toList();
        } finally {
            lock.unlock();
        }
        if (needs == null) {
            return live.stream().limit(limit).toList();
        }
        Map<String, Listed> byId = new LinkedHashMap<>();
        live.forEach(l -> byId.put(l.offer().entry().offerId(), l));
        List<Listed> ranked = new ArrayList<>();
        for (OfferRanking.Ranked r : OfferRanking.rank(live.stream().map(l -> l.offer().entry()).toList(), needs, weights)) {
            Listed l = byId.get(r.offer().offerId());
            ranked.add(new Listed(l.offer(), l.logIndex(), r.score()));
            if (ranked.size() == limit) {
                break;
            }
        }
        return ranked;
    }

    public sealed interface ContractAnswer {
        record Effective(String contractId, long logIndex, List<String> validators) implements ContractAnswer {}

        /** On the log, waiting for the separate validator processes' verdicts. */
        record Validating(String contractId, long logIndex) implements ContractAnswer {}

        /** On the log, but the validators' quorum or the escrow said no. */
        record NotEffective(String contractId, long logIndex, String reason) implements ContractAnswer {}

        /** Not put on the log: {@code type} contract-refused, payment-refused, contract-exists. */
        record Refused(String type, List<String> problems) implements ContractAnswer {}
    }

    /**
     * A contract signed by provider and buyer: checked, put on the log, validated by the
     * configured validators (their verdicts on the log too), and with a quorum the fee escrowed.
     */
    public ContractAnswer propose(byte[] signedContract) {
        Decoded<Contract> decoded = decode(signedContract, Contract.class, "contract");
        if (decoded.problem() != null) {
            return new ContractAnswer.Refused("contract-refused", List.of(decoded.problem()));
        }
        Signed<Contract> signed = decoded.signed();
        // the signature work (the checks and the in-process validators) runs outside the lock, on
        // what the parties' keys and the offer were a moment ago: both only ever grow or vanish, and
        // the admission under the lock looks again
        Listed offer = offersByHash.get(HexFormat.of().formatHex(signed.entry().offerHash()));
        Signed<Offer> live = offer == null || offer.offer().entry().periodEndMillis() <= clockMillis.getAsLong()
                ? null : offer.offer();
        KeyDirectory keys = KeyDirectory.of(partyKeys(signed.entry()));
        ContractDesk.Checked checked = desk.check(signed, live, keys);
        if (checked.refusal() != null) {
            return new ContractAnswer.Refused(checked.refusal().type(), checked.refusal().problems());
        }
        Admission mine = new Admission(signed, checked.verdicts(), new CompletableFuture<>());
        if (closed || !admissions.offer(mine)) {
            throw new MarketUnavailable(closed ? "the market is closing"
                    : ADMISSIONS_MAX + " contracts are waiting for admission; retry shortly");
        }
        try {
            return mine.answer().get(2 * APPEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException failed) {
            if (failed.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new MarketUnavailable("admitting the contract failed: " + failed.getCause());
        } catch (TimeoutException slow) {
            throw new MarketUnavailable("the contract was not admitted within " + 2 * APPEND_TIMEOUT_SECONDS + " s");
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new MarketUnavailable("interrupted while waiting for the contract's admission");
        }
    }

    /**
     * The admission stage, on its own thread: takes every contract waiting at that moment (up to a
     * batch) and admits them together, so a batch costs one balance query, one log force and one
     * escrow force however many contracts it holds, while the proposers' threads already do the
     * signature work of the next ones.
     */
    private void admitLoop() {
        List<Admission> batch = new ArrayList<>();
        while (!closed) {
            try {
                batch.add(admissions.take());
            } catch (InterruptedException interrupted) {
                break;
            }
            admissions.drainTo(batch, ADMISSION_BATCH_MAX - 1);
            lock.lock();
            try {
                admit(batch);
            } finally {
                lock.unlock();
            }
            batch.clear();
        }
        admissions.drainTo(batch);
        batch.forEach(a -> a.answer().completeExceptionally(new MarketUnavailable("the market is closing")));
    }

    /** Stops the admission stage; contracts still waiting are answered unavailable (nothing of them was logged). */
    @Override
    public void close() {
        closed = true;
        admitter.interrupt();
        try {
            admitter.join(TimeUnit.SECONDS.toMillis(2 * APPEND_TIMEOUT_SECONDS));
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** A checked and validated contract waiting to be admitted, with the answer its proposer waits for. */
    private record Admission(Signed<Contract> contract, List<Signed<Validation>> verdicts,
                             CompletableFuture<ContractAnswer> answer) {}

    /** Under the lock: admits the batch in the order it came, and answers each. */
    private void admit(List<Admission> batch) {
        try {
            List<Signed<Contract>> contracts = batch.stream().map(Admission::contract).toList();
            List<Signed<Offer>> offersNow = new ArrayList<>(batch.size());
            for (Signed<Contract> c : contracts) {
                Listed still = offersByHash.get(HexFormat.of().formatHex(c.entry().offerHash()));
                offersNow.add(still == null ? null : still.offer());
            }
            List<ContractDesk.Refusal> refusals = desk.admitAll(contracts, offersNow);
            // each admitted contract goes on the log with its in-process verdicts, all in one batch: one force
            List<Signed<? extends Entry>> entries = new ArrayList<>();
            List<Signed<Validation>> verdicts = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                if (refusals.get(i) == null) {
                    entries.add(batch.get(i).contract());
                    entries.addAll(batch.get(i).verdicts());
                    verdicts.addAll(batch.get(i).verdicts());
                }
            }
            if (!entries.isEmpty()) {
                desk.applyingOwnVerdicts(verdicts, () -> appendAll(entries));
            }
            for (int i = 0; i < batch.size(); i++) {
                ContractDesk.Refusal refusal = refusals.get(i);
                batch.get(i).answer().complete(refusal != null
                        ? new ContractAnswer.Refused(refusal.type(), refusal.problems())
                        : answer(desk.contract(batch.get(i).contract().entry().contractId()).orElseThrow()));
            }
        } catch (RuntimeException failed) {
            batch.forEach(a -> a.answer().completeExceptionally(failed));
        }
    }

    /** The registered keys of the contract's parties (those registered). */
    private Map<String, byte[]> partyKeys(Contract c) {
        Map<String, byte[]> keys = new LinkedHashMap<>();
        for (String party : List.of(c.providerId(), c.buyerId())) {
            Provider p = providers.get(party);
            if (p != null) {
                keys.put(party, p.publicKey());
            }
        }
        return keys;
    }

    private static ContractAnswer answer(ContractDesk.State state) {
        String id = state.contract.entry().contractId();
        return switch (state.status) {
            case EFFECTIVE, ENDED -> new ContractAnswer.Effective(id, state.logIndex, state.approvedBy);
            case VALIDATING -> new ContractAnswer.Validating(id, state.logIndex);
            case NOT_EFFECTIVE -> new ContractAnswer.NotEffective(id, state.logIndex, state.reason);
        };
    }

    /** A contract waiting for a validator's verdict, with what the validator needs to judge it. */
    public record Pending(Signed<Contract> contract, Signed<Offer> offer, Map<String, byte[]> partyKeys) {}

    /** Contracts waiting for {@code validatorId}'s verdict (separate validator processes poll this). */
    public List<Pending> pendingFor(String validatorId, int limit) {
        lock.lock();
        try {
            List<Pending> out = new ArrayList<>();
            for (ContractDesk.State state : desk.waitingFor(validatorId, limit)) {
                if (state.offer != null) {
                    out.add(new Pending(state.contract, state.offer, partyKeys(state.contract.entry())));
                }
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    public sealed interface VerdictAnswer {
        record Counted(ContractAnswer contract) implements VerdictAnswer {}

        record Refused(int status, String reason) implements VerdictAnswer {}
    }

    /** A separate validator's signed verdict on a contract: checked, logged, counted towards the quorum. */
    public VerdictAnswer addVerdict(String contractId, byte[] signedValidation) {
        Decoded<Validation> decoded = decode(signedValidation, Validation.class, "validation");
        if (decoded.problem() != null) {
            return new VerdictAnswer.Refused(422, decoded.problem());
        }
        Signed<Validation> verdict = decoded.signed();
        lock.lock();
        try {
            Optional<ContractDesk.State> state = desk.contract(contractId);
            if (state.isEmpty()) {
                return new VerdictAnswer.Refused(404, "no contract '" + contractId + "'");
            }
            String problem = desk.admitValidation(state.get(), verdict);
            if (problem != null) {
                return new VerdictAnswer.Refused(problem.contains("already") ? 409 : 422, problem);
            }
            append(verdict);
            return new VerdictAnswer.Counted(answer(state.get()));
        } finally {
            lock.unlock();
        }
    }

    public sealed interface EndAnswer {
        record Ended(ExecutionResult result, long logIndex) implements EndAnswer {}

        /** The provider's proposal is waiting for the buyer. */
        record Proposed(String contractId, long feeMinor) implements EndAnswer {}

        record Rejected(String contractId) implements EndAnswer {}

        /** @param status HTTP-like: 404 unknown, 403 not this party's to do, 409 not in a state to */
        record Refused(int status, String reason) implements EndAnswer {}
    }

    /** How {@code partyId} ends a contract: COMPLETED (provider), BUYER_EARLY (buyer). */
    public EndAnswer end(String contractId, String partyId, Termination kind) {
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

    /** The provider stops early and proposes a fee; the buyer accepts (the contract ends at that fee) or rejects it. */
    public EndAnswer proposeEarlyEnd(String contractId, String providerId, long feeMinor) {
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

    public EndAnswer answerEarlyEnd(String contractId, String buyerId, boolean accept) {
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
        long index = append(Signed.sign(r, AUTHORITY_ID, authority));
        return new EndAnswer.Ended(r, index);
    }

    /** An effective contract waiting for its allocation, as the provider's home base station sees it. */
    public record AllocationRequest(Contract contract, String providerTerminal) {}

    /**
     * Effective contracts whose provider terminal has {@code baseStationId} as its home base
     * station ({@code homeOf}: terminal -> base station) and that no base station answered yet.
     */
    public List<AllocationRequest> allocationsFor(String baseStationId, java.util.function.Function<String,
            Optional<String>> homeOf, int limit) {
        lock.lock();
        try {
            return desk.awaitingAllocation(s -> s.offer != null
                            && homeOf.apply(s.offer.entry().terminalId()).filter(baseStationId::equals).isPresent(), limit)
                    .stream().map(s -> new AllocationRequest(s.contract.entry(), s.offer.entry().terminalId())).toList();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The home base station's answer: logged (signed by the market for the authenticated base
     * station). A refusal ends the contract at no fee (the provider could not serve): the escrow
     * goes back to the buyer.
     */
    public EndAnswer allocate(String contractId, String baseStationId, java.util.function.Function<String,
            Optional<String>> homeOf, boolean allocated, String reason) {
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
            append(Signed.sign(new Allocation(contractId, baseStationId, allocated, reason == null ? "" : reason,
                    clockMillis.getAsLong()), AUTHORITY_ID, authority));
            if (!allocated) {
                return write(state, Termination.PROVIDER_EARLY, 0);
            }
            return new EndAnswer.Proposed(contractId, -1);
        } finally {
            lock.unlock();
        }
    }

    /** Settles an operator's relay contracts that ended before {@code beforeMillis} (its monthly batch). */
    public List<ExecutionResult> settleOperator(String operatorId, long beforeMillis) {
        lock.lock();
        try {
            return desk.settlePeriod(operatorId, beforeMillis);
        } finally {
            lock.unlock();
        }
    }

    /** A contract's state for the API: status, reason, validators, result. */
    public Optional<ContractView> contract(String contractId) {
        lock.lock();
        try {
            return desk.contract(contractId).map(s -> new ContractView(s.contract, s.logIndex, s.status.name(), s.reason,
                    s.approvedBy, s.result, s.proposedFee,
                    s.allocation == null ? null : s.allocation.allocated() ? "ALLOCATED" : "REFUSED"));
        } finally {
            lock.unlock();
        }
    }

    /** @param allocation ALLOCATED, REFUSED, or null while no base station has answered */
    public record ContractView(Signed<Contract> contract, long logIndex, String status, String reason,
                               List<String> validators, ExecutionResult result, long proposedFee, String allocation) {}

    public static final int REQUESTS_MAX = 100_000;
    public static final int ANSWERS_PER_REQUEST_MAX = 256;

    /** A buyer's broadcast request and the answers providers gave it, in log order. */
    public record Requested(Signed<Request> request, long logIndex, List<Answered> answers) {}

    public record Answered(Signed<RequestAnswer> answer, long logIndex) {}

    /**
     * Mode B: a buyer broadcasts what it needs, signed with its registered key; providers that
     * can serve answer with an offer, others ignore it or answer "cannot serve".
     */
    public Publication broadcast(byte[] signedRequest) {
        Decoded<Request> decoded = decode(signedRequest, Request.class, "request");
        if (decoded.problem() != null) {
            return new Publication.Refused("signedRequest", decoded.problem());
        }
        Signed<Request> request = decoded.signed();
        String notASegment = Ids.pathSegmentProblem(request.entry().requestId());
        if (notASegment != null) {
            // addressed as /v1/market/requests/{requestId}
            return new Publication.Refused("signedRequest", "requestId " + notASegment);
        }
        lock.lock();
        try {
            Request r = request.entry();
            Requested known = requests.get(r.requestId());
            if (known != null) {
                return Arrays.equals(known.request().encode(), request.encode())
                        ? new Publication.Published(r.requestId(), known.logIndex(), true)
                        : new Publication.Refused("signedRequest", "request id '" + r.requestId() + "' is taken");
            }
            String problem = signedBy(request, r.buyerId(), null, "buyer");
            if (problem != null) {
                return new Publication.Refused("signedRequest", problem);
            }
            if (r.periodEndMillis() <= clockMillis.getAsLong()) {
                return new Publication.Refused("signedRequest", "the requested period is over");
            }
            if (requests.size() >= REQUESTS_MAX) {
                return new Publication.Refused("signedRequest", "the marketplace holds " + REQUESTS_MAX + " requests already");
            }
            return new Publication.Published(r.requestId(), append(request), false);
        } finally {
            lock.unlock();
        }
    }

    /** A provider's signed answer to a request: one of its live offers, or "cannot serve" (no offer). */
    public Publication answer(byte[] signedAnswer) {
        Decoded<RequestAnswer> decoded = decode(signedAnswer, RequestAnswer.class, "answer");
        if (decoded.problem() != null) {
            return new Publication.Refused("signedAnswer", decoded.problem());
        }
        Signed<RequestAnswer> answer = decoded.signed();
        lock.lock();
        try {
            RequestAnswer a = answer.entry();
            Requested requested = requests.get(a.requestId());
            if (requested == null) {
                return new Publication.Refused("signedAnswer", "no request '" + a.requestId() + "'");
            }
            if (requested.answers().stream().anyMatch(x -> x.answer().entry().providerId().equals(a.providerId()))) {
                return new Publication.Refused("signedAnswer", "provider '" + a.providerId() + "' answered already");
            }
            if (requested.answers().size() >= ANSWERS_PER_REQUEST_MAX) {
                return new Publication.Refused("signedAnswer", "request '" + a.requestId() + "' has "
                        + ANSWERS_PER_REQUEST_MAX + " answers already");
            }
            String problem = signedByProvider(answer, a.providerId(), null);
            if (problem != null) {
                return new Publication.Refused("signedAnswer", problem);
            }
            if (a.offerId() != null) {
                Listed offer = offers.get(a.offerId());
                if (offer == null || !offer.offer().entry().providerId().equals(a.providerId())) {
                    return new Publication.Refused("signedAnswer", "offer '" + a.offerId() + "' is not a live offer of '"
                            + a.providerId() + "'");
                }
            }
            return new Publication.Published(a.requestId(), append(answer), false);
        } finally {
            lock.unlock();
        }
    }

    /** Open requests (period not over), oldest first. */
    public List<Requested> requests(int limit) {
        lock.lock();
        try {
            long now = clockMillis.getAsLong();
            return requests.values().stream().filter(r -> r.request().entry().periodEndMillis() > now).limit(limit)
                    .map(r -> new Requested(r.request(), r.logIndex(), List.copyOf(r.answers()))).toList();
        } finally {
            lock.unlock();
        }
    }

    /** One request with its answers, and for each answer that offers, the offer (if still live). */
    public Optional<Requested> request(String requestId) {
        lock.lock();
        try {
            return Optional.ofNullable(requests.get(requestId))
                    .map(r -> new Requested(r.request(), r.logIndex(), List.copyOf(r.answers())));
        } finally {
            lock.unlock();
        }
    }

    /** The live offer {@code offerId}, if any. */
    public Optional<Signed<Offer>> liveOffer(String offerId) {
        lock.lock();
        try {
            return Optional.ofNullable(offers.get(offerId)).map(Listed::offer);
        } finally {
            lock.unlock();
        }
    }

    /** Why the entry is not signed by {@code providerId}'s registered key (and only by it), or null. */
    private String signedByProvider(Signed<? extends Entry> signed, String providerId, String serviceId) {
        return signedBy(signed, providerId, serviceId, "provider");
    }

    /** As above for any party; {@code role} names it in the answer ("provider", "buyer"). */
    private String signedBy(Signed<? extends Entry> signed, String providerId, String serviceId, String role) {
        Provider provider = providers.get(providerId);
        if (provider == null) {
            return role + " '" + providerId + "' is not registered";
        }
        if (serviceId != null && !serviceId.equals(provider.serviceId())) {
            return "service id '" + serviceId + "' is not " + role + " '" + providerId + "''s (" + provider.serviceId() + ")";
        }
        List<Signature> by = signed.by(providerId);
        if (by.size() != 1 || signed.signatures().size() != 1) {
            return "needs exactly one signature, by " + role + " '" + providerId + "'";
        }
        Signature signature = by.getFirst();
        if (!signature.hasKey(provider.publicKey())) {
            return "signed with a key that is not " + role + " '" + providerId + "''s registered key";
        }
        if (!signature.verifies(signed.entry().encode())) {
            return "the " + role + "'s signature does not verify (forged, or the entry changed after signing)";
        }
        return null;
    }

    /** A signed entry read from a request, or why it could not be read (the refusal's detail). */
    private record Decoded<E extends Entry>(Signed<E> signed, String problem) {}

    private static <E extends Entry> Decoded<E> decode(byte[] bytes, Class<E> type, String what) {
        try {
            return new Decoded<>(Signed.decode(bytes, type), null);
        } catch (CanonicalFormatException | ClassCastException | IllegalArgumentException bad) {
            return new Decoded<>(null, "not a signed " + what + ": " + bad.getMessage());
        }
    }

    /** Appends and waits until it is on disk, then applies it; under the lock, so the log order is the state's. */
    private long append(Signed<? extends Entry> signed) {
        MerkleLog.Submission submission = log.submit(signed.encode());
        long index = switch (submission) {
            case MerkleLog.Accepted accepted -> {
                try {
                    yield accepted.index().get(APPEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                } catch (ExecutionException failed) {
                    throw new MarketUnavailable("the contract log failed: " + failed.getCause().getMessage());
                } catch (TimeoutException slow) {
                    throw new MarketUnavailable("the contract log did not answer within " + APPEND_TIMEOUT_SECONDS + " s");
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new MarketUnavailable("interrupted while appending to the contract log");
                }
            }
            case MerkleLog.Busy busy -> throw new MarketUnavailable("the contract log queue is full ("
                    + busy.queueMax() + "); retry shortly");
            case MerkleLog.Refused refused -> throw new MarketUnavailable("the contract log refused the entry: "
                    + refused.reason());
        };
        apply(signed, index);
        desk.holdDue();
        return index;
    }

    /** Like {@link #append}, for entries that must go on the log together, in order, with one force. */
    private void appendAll(List<Signed<? extends Entry>> entries) {
        List<byte[]> bytes = entries.stream().map(Signed::encode).toList();
        MerkleLog.AppendResult result;
        try {
            result = log.append(bytes);
        } catch (IOException failed) {
            throw new MarketUnavailable("the contract log failed: " + failed.getMessage());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new MarketUnavailable("interrupted while appending to the contract log");
        }
        switch (result) {
            case MerkleLog.Appended appended -> {
                long[] indexes = appended.indexes();
                for (int i = 0; i < indexes.length; i++) {
                    apply(entries.get(i), indexes[i]);
                }
                desk.holdDue();
            }
            case MerkleLog.Busy busy -> throw new MarketUnavailable("the contract log queue is full ("
                    + busy.queueMax() + "); retry shortly");
            case MerkleLog.Refused refused -> throw new MarketUnavailable("the contract log refused the entries: "
                    + refused.reason());
        }
    }

    @SuppressWarnings("unchecked")
    private void apply(Signed<? extends Entry> signed, long index) {
        switch (signed.entry()) {
            case ProviderRegistration r -> providers.put(r.providerId(), new Provider(r.providerId(),
                    terminalOf(r.serviceId()), r.serviceId(), r.publicKey(), index));
            case Offer o -> {
                Listed listed = new Listed((Signed<Offer>) signed, index, 0);
                offers.put(o.offerId(), listed);
                offersByHash.put(HexFormat.of().formatHex(o.hash()), listed);
            }
            case Withdrawal w -> {
                Listed gone = offers.remove(w.offerId());
                if (gone != null) {
                    offersByHash.remove(HexFormat.of().formatHex(gone.offer().entry().hash()));
                }
                withdrawn.put(w.offerId(), index);
            }
            case Contract c -> {
                Listed from = offersByHash.get(HexFormat.of().formatHex(c.offerHash()));
                desk.accepted((Signed<Contract>) signed, from == null ? null : from.offer(), index);
            }
            case Validation v -> desk.validated((Signed<Validation>) signed, !replaying);
            case ExecutionResult r -> desk.ended(r);
            case Allocation a -> desk.allocated(a);
            case Request r -> requests.put(r.requestId(), new Requested((Signed<Request>) signed, index, new ArrayList<>()));
            case RequestAnswer a -> {
                Requested requested = requests.get(a.requestId());
                if (requested != null) {
                    requested.answers().add(new Answered((Signed<RequestAnswer>) signed, index));
                }
            }
        }
    }

    /** The service identifier a provider's terminal gets: readable, and the same on every registration. */
    static String serviceIdOf(String providerId, String terminalId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(
                    (providerId + "/" + terminalId).getBytes(StandardCharsets.UTF_8));
            return "relay." + terminalId + "." + HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static String terminalOf(String serviceId) {
        return serviceId.substring("relay.".length(), serviceId.lastIndexOf('.'));
    }

    /** The contract log cannot take the entry now: nothing was appended; the edge answers 503. */
    public static final class MarketUnavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MarketUnavailable(String message) {
            super(message);
        }
    }
}
