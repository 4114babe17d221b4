package io.credence.records;

import io.credence.ledger.Unit;

import java.util.List;
import java.util.Map;

/** PLACEHOLDER until the records module lands. */
public record UsageRecord(String recordId, long atMillis, String accountId, String origin, String sessionId,
        String service, long ratingGroup, Map<String, String> attributes, String rule, String tariff,
        String decision, Unit unit, long rawUnits, long effectiveUnits, long price, String currency,
        List<BalanceChange> balances, List<String> requestIds) {
    public record BalanceChange(String accountId, Unit unit, long amount) {}
}
