package io.credence.server;

import io.credence.journal.EngineGate;
import io.credence.journal.Submission;
import io.credence.ledger.LedgerView;
import io.credence.ledger.Command;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Operation;
import io.credence.ledger.Outcome;
import io.credence.ledger.Rejection;
import io.credence.ledger.ReservationView;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;
import io.credence.market.trade.ContractDesk;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Contract escrow in the ledger: one reservation per contract on the buyer (money, or the units
 * the contract is paid in, from balances that serve any service), tagged
 * {@code market.<contractId>}, paying the provider when committed. The tag makes a hold and a
 * settlement idempotent across retries and restarts: a second hold finds the first, and a
 * settlement commits the open hold or finds none (settled before).
 */
final class LedgerEscrow implements ContractDesk.Escrow {
    /** A hold outlives the contract's period by this much, so an end reported a little late still finds it. */
    static final long GRACE_MILLIS = 600_000;
    private static final long ANSWER_SECONDS = 30;

    private final EngineGate ledger;
    private final LedgerLimits limits;

    LedgerEscrow(EngineGate ledger, LedgerLimits limits) {
        this.ledger = ledger;
        this.limits = limits;
    }

    /** Submits every reservation before waiting for any, so the journal writes the batch with one force. */
    @Override
    public List<String> holdAll(List<ContractDesk.Hold> holds) {
        List<Submission<Outcome>> submitted = new ArrayList<>(holds.size());
        long now = System.currentTimeMillis();
        for (ContractDesk.Hold h : holds) {
            if (h.amount() == 0) {
                submitted.add(null); // nothing to hold; settling a free contract pays nothing
                continue;
            }
            long ttl = Math.min(limits.reservationTtlMaxMillis(), Math.max(1, h.untilMillis() - now + GRACE_MILLIS));
            submitted.add(ledger.submit(new Command("market." + h.contractId() + ".escrow",
                    new Operation.Reserve(h.buyerAccount(), h.providerAccount(), h.unit(), h.amount(), ServiceRef.ANY,
                            ttl, tag(h.contractId())))));
        }
        List<String> answers = new ArrayList<>(holds.size());
        for (Submission<Outcome> submission : submitted) {
            answers.add(submission == null ? null : switch (await(submission)) {
                case Outcome.Reserved r -> null;
                case Rejection.InvalidOperation taken when taken.field().equals("tag") -> null; // held before
                case Rejection r -> r.message();
                case Outcome other -> throw new IllegalStateException("a reserve answered " + other);
            });
        }
        return answers;
    }

    @Override
    public boolean settle(String contractId, long paidMinor, long feeMinor) {
        Optional<ReservationView> held = query(l -> l.openReservationTagged(tag(contractId)));
        if (held.isEmpty()) {
            return false;
        }
        long amount = held.get().amount();
        long paid = paidMinor >= feeMinor ? amount : feeMinor <= 0 ? 0 : java.math.BigInteger.valueOf(amount)
                .multiply(java.math.BigInteger.valueOf(Math.max(0, paidMinor)))
                .divide(java.math.BigInteger.valueOf(feeMinor)).longValueExact();
        Outcome outcome = await(ledger.submit(new Command("market." + contractId + ".settle",
                new Operation.Commit(held.get().reservationId(), paid, false))));
        if (!(outcome instanceof Outcome.Committed)) {
            throw new IllegalStateException("settling contract " + contractId + ": " + outcome);
        }
        return true;
    }

    @Override
    public boolean held(String contractId) {
        return query(l -> l.openReservationTagged(tag(contractId))).isPresent();
    }

    /** One query for all of them: on a node of a Raft group, one round trip through the group. */
    @Override
    public boolean[] heldAll(List<String> contractIds) {
        return query(l -> {
            boolean[] held = new boolean[contractIds.size()];
            for (int i = 0; i < held.length; i++) {
                held[i] = l.openReservationTagged(tag(contractIds.get(i))).isPresent();
            }
            return held;
        });
    }

    /** One query through the ledger's writer for the whole batch. */
    @Override
    public long[] availableAll(List<ContractDesk.Funds> funds) {
        return query(l -> {
            long[] out = new long[funds.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = l.available(funds.get(i).accountId(), funds.get(i).unit(), ServiceRef.ANY).orElse(0L);
            }
            return out;
        });
    }

    static String tag(String contractId) {
        return "market." + contractId;
    }

    private <T> T query(Function<io.credence.ledger.LedgerView, T> query) {
        return await(ledger.query(query));
    }

    private static <T> T await(Submission<T> submission) {
        if (!(submission instanceof Submission.Accepted<T> accepted)) {
            throw new IllegalStateException("the ledger did not take an escrow command: " + submission);
        }
        try {
            return accepted.answer().get(ANSWER_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the ledger", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the ledger did not answer an escrow command: " + e, e);
        }
    }
}
