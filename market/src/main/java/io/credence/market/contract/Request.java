package io.credence.market.contract;

import java.util.Objects;

/**
 * A buyer broadcasts what it needs; providers answer with {@link RequestAnswer}. Signed by the buyer.
 *
 * @param amount               in the unit of {@code resourceType}: kbit/s or bytes
 * @param serviceLevelMin      the lowest acceptable service level, 1..5
 * @param maxPricePerUnitMinor the highest acceptable price per charging unit, money minor units
 */
public record Request(String requestId, String buyerId, BuyerType buyerType, ResourceType resourceType, long amount,
                      long periodStartMillis, long periodEndMillis, int serviceLevelMin, long maxPricePerUnitMinor)
        implements Entry {
    public Request {
        Canonical.requireId("requestId", requestId);
        Canonical.requireId("buyerId", buyerId);
        Objects.requireNonNull(buyerType, "buyerType");
        Objects.requireNonNull(resourceType, "resourceType");
        EntryChecks.amount("amount", amount);
        EntryChecks.period("request period", periodStartMillis, periodEndMillis);
        EntryChecks.serviceLevel("serviceLevelMin", serviceLevelMin);
        EntryChecks.price("maxPricePerUnitMinor", maxPricePerUnitMinor);
    }

    @Override
    public EntryKind kind() {
        return EntryKind.REQUEST;
    }
}
