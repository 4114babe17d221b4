package io.credence.charging;

import io.credence.ledger.Unit;
import io.credence.records.UsageRecord;

import java.util.List;

/**
 * What a charging command produced: the answer (the same one a retry gets), the usage records of
 * what it charged, for the records sink, and the usage that nobody could pay for (for a metric and
 * the log; each is also in a usage record when the account is known).
 *
 * @param answeredAtMillis the engine's time when the answer was decided: now for a new request, the
 *                         first answer's time for a retry (so the retry's answer is the first one,
 *                         time stamp included)
 */
public record ChargingResult(ChargingOutcome outcome, List<UsageRecord> records, List<Unrecovered> unrecovered,
                             long answeredAtMillis) {
    /**
     * Usage reported and not charged: the grant, the balance and the credit limit could not cover
     * it, or nobody is known to charge (a report for a forgotten session without an identity).
     *
     * @param accountId who used it, or null when not known
     */
    public record Unrecovered(String accountId, Unit unit, long amount, String reason) {}

    public ChargingResult {
        records = List.copyOf(records);
        unrecovered = List.copyOf(unrecovered);
    }

    /** A retry, or a refusal: the answer alone, decided at {@code answeredAtMillis}. */
    static ChargingResult of(ChargingOutcome outcome, long answeredAtMillis) {
        return new ChargingResult(outcome, List.of(), List.of(), answeredAtMillis);
    }
}
