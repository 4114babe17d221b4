package io.credence.ledger;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Thousands of seeded random command sequences, applied to the ledger and to a plain reference
 * model ({@link ReferenceLedger}); after every command the outcomes and everything the ledger shows
 * (balances, buckets, reservations, transfer listings, counters) must agree and the ledger's own
 * invariant check must pass. The ledger also gets idle {@code advanceTo} ticks the model never
 * sees: when the ledger hears of time must not change what it answers.
 *
 * <p>To replay one failure: {@code -Dcredence.seed=<seed>} (and {@code -Dcredence.sequences=1}).
 */
class LedgerModelTest {
    static final int SEQUENCES = Integer.getInteger("credence.sequences", 1500);
    static final int STEPS = Integer.getInteger("credence.steps", 80);
    static final long FIRST_SEED = Long.getLong("credence.seed", 20_240_601L);

    @Test
    void randomCommandSequencesAgreeWithTheReferenceModel() {
        Map<String, Integer> seen = new TreeMap<>();
        for (int i = 0; i < SEQUENCES; i++) {
            runSequence(FIRST_SEED + i, STEPS, seen);
        }
        System.out.println("LedgerModelTest: " + SEQUENCES + " sequences x " + STEPS + " commands; outcomes " + seen);
        if (SEQUENCES >= 1000) {
            // The generator must keep reaching every rule, or this test proves little.
            for (String outcome : List.of("AccountCreated", "AccountUpdated", "ToppedUp", "Transferred", "Reserved",
                    "Committed", "Released", "LinkedApplied", "AccountExists", "AccountNotActive", "NotASystemAccount",
                    "InsufficientBalance", "CreditLimitExceeded", "UnknownAccount", "UnknownReservation", "Expired",
                    "ReservationClosed", "CommitExceedsReservation", "DuplicateRequest", "InvalidOperation",
                    "LinkedRejected", "LimitExceeded:accountsMax", "LimitExceeded:bucketsPerAccountMax",
                    "LimitExceeded:reservationsMax", "LimitExceeded:reservationTtlMaxMillis",
                    "LimitExceeded:requestIdsMax", "LimitExceeded:balance", "LimitExceeded:issued", "overdraft",
                    "retry", "BUCKET_EXPIRY", "Advanced", "StaleSequence", "LimitExceeded:streamsPerAccount",
                    "LimitExceeded:total")) {
                assertThat(seen.getOrDefault(outcome, 0)).as("times the sequences reached %s", outcome)
                        .isGreaterThanOrEqualTo(20);
            }
        }
    }

    static void runSequence(long seed, int steps, Map<String, Integer> seen) {
        Random rnd = new Random(seed);
        LedgerLimits limits = LedgerFuzz.randomLimits(rnd);
        Ledger ledger = new Ledger(limits);
        ReferenceLedger model = new ReferenceLedger(limits);
        LedgerFuzz fuzz = new LedgerFuzz(rnd, model, rnd.nextBoolean() ? 0 : 1_700_000_000_000L);
        for (int step = 0; step < steps; step++) {
            LedgerFuzz.Timed next = fuzz.next();
            int stepNo = step;
            Object context = new Object() {
                @Override
                public String toString() {
                    return "seed " + seed + " step " + stepNo + ": " + LedgerFuzz.describe(next);
                }
            };
            ReferenceLedger.Req prior = model.requests.get(next.command().requestId());
            Outcome expected = model.apply(next.command(), next.atMillis());
            Outcome actual;
            try {
                for (long tick : next.ticksBefore()) {
                    ledger.advanceTo(tick);
                }
                actual = ledger.apply(next.command(), next.atMillis());
            } catch (RuntimeException | AssertionError crash) {
                throw new AssertionError("ledger threw on " + context + "\n  model answered " + expected, crash);
            }
            if (!LedgerFuzz.sameOutcome(expected, actual)) {
                fail("outcomes differ on %s%n  model:  %s%n  ledger: %s", context, expected, actual);
            }
            LedgerFuzz.assertSameState(ledger, model, context);
            count(seen, actual);
            if (prior != null && prior.outcome() == expected) {
                seen.merge("retry", 1, Integer::sum);
            }
        }
        for (TransferRecord t : model.transfers) {
            seen.merge(t.kind().name(), 1, Integer::sum);
            if (t.overdraft() > 0) {
                seen.merge("overdraft", 1, Integer::sum);
            }
        }
    }

    private static void count(Map<String, Integer> seen, Outcome outcome) {
        String name = outcome.getClass().getSimpleName();
        if (outcome instanceof Rejection.LimitExceeded l) {
            name += ":" + l.limit().split(" ")[0];
        }
        seen.merge(name, 1, Integer::sum);
        if (outcome instanceof Rejection.LinkedRejected l) {
            count(seen, l.cause());
        } else if (outcome instanceof Outcome.LinkedApplied l) {
            l.steps().forEach(s -> count(seen, s));
        }
    }
}
