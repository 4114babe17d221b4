package io.credence.market.trade;

import io.credence.market.contract.Contract;
import io.credence.market.contract.Entry;
import io.credence.market.contract.KeyDirectory;
import io.credence.market.contract.Offer;
import io.credence.market.contract.Signed;
import io.credence.market.contract.Validation;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * A contract from its proposal until it is effective (or not): the signature work on the
 * proposer's thread, outside the lock; the admission of the contracts waiting at that moment
 * together, on the admission thread under the lock; and the verdicts of the validators that run
 * as separate processes, which poll for the contracts waiting for them.
 */
final class ContractAdmission {
    /** Contracts checked and validated, waiting for the lock to be admitted; past it the market says busy. */
    static final int ADMISSIONS_MAX = 4_096;
    /** Contracts admitted together at most (one log batch, one escrow batch). */
    static final int ADMISSION_BATCH_MAX = 512;

    /** The marketplace's lock, shared by every capability: each change goes on the log under it. */
    private final ReentrantLock lock;
    private final Listings listings;
    private final ContractDesk desk;
    private final LogAppender appender;
    private final LongSupplier clockMillis;
    private final ArrayBlockingQueue<Admission> admissions = new ArrayBlockingQueue<>(ADMISSIONS_MAX);
    private final Thread admitter;
    private volatile boolean closed;

    ContractAdmission(ReentrantLock lock, Listings listings, ContractDesk desk, LogAppender appender,
                      LongSupplier clockMillis) {
        this.lock = lock;
        this.listings = listings;
        this.desk = desk;
        this.appender = appender;
        this.clockMillis = clockMillis;
        this.admitter = Thread.ofPlatform().daemon().name("market-admission").unstarted(this::admitLoop);
    }

    /** Starts the admission stage: once the log is replayed, so a batch applies on the state the log gives. */
    void start() {
        admitter.start();
    }

    ContractAnswer propose(byte[] signedContract) {
        Decoded<Contract> decoded = Decoded.of(signedContract, Contract.class, "contract");
        if (decoded.problem() != null) {
            return new ContractAnswer.Refused("contract-refused", List.of(decoded.problem()));
        }
        Signed<Contract> signed = decoded.signed();
        // the signature work (the checks and the in-process validators) runs outside the lock, on
        // what the parties' keys and the offer were a moment ago: both only ever grow or vanish, and
        // the admission under the lock looks again
        Listed offer = listings.withHash(signed.entry().offerHash());
        Signed<Offer> live = offer == null || offer.offer().entry().periodEndMillis() <= clockMillis.getAsLong()
                ? null : offer.offer();
        KeyDirectory keys = KeyDirectory.of(listings.partyKeys(signed.entry()));
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
            return mine.answer().get(2 * LogAppender.APPEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException failed) {
            if (failed.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new MarketUnavailable("admitting the contract failed: " + failed.getCause());
        } catch (TimeoutException slow) {
            throw new MarketUnavailable("the contract was not admitted within " + 2 * LogAppender.APPEND_TIMEOUT_SECONDS
                    + " s");
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
    void close() {
        closed = true;
        admitter.interrupt();
        try {
            admitter.join(TimeUnit.SECONDS.toMillis(2 * LogAppender.APPEND_TIMEOUT_SECONDS));
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
                Listed still = listings.withHash(c.entry().offerHash());
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
                desk.applyingOwnVerdicts(verdicts, () -> appender.appendAll(entries));
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

    private static ContractAnswer answer(ContractDesk.State state) {
        String id = state.contract.entry().contractId();
        return switch (state.status) {
            case EFFECTIVE, ENDED -> new ContractAnswer.Effective(id, state.logIndex, state.approvedBy);
            case VALIDATING -> new ContractAnswer.Validating(id, state.logIndex);
            case NOT_EFFECTIVE -> new ContractAnswer.NotEffective(id, state.logIndex, state.reason);
        };
    }

    List<Pending> pendingFor(String validatorId, int limit) {
        lock.lock();
        try {
            List<Pending> out = new ArrayList<>();
            for (ContractDesk.State state : desk.waitingFor(validatorId, limit)) {
                if (state.offer != null) {
                    out.add(new Pending(state.contract, state.offer, listings.partyKeys(state.contract.entry())));
                }
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    VerdictAnswer addVerdict(String contractId, byte[] signedValidation) {
        Decoded<Validation> decoded = Decoded.of(signedValidation, Validation.class, "validation");
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
            appender.append(verdict);
            return new VerdictAnswer.Counted(answer(state.get()));
        } finally {
            lock.unlock();
        }
    }
}
