package io.credence.market.contract;

/**
 * A provider terminal offers relay capacity for a period. Signed by the provider.
 *
 * @param providerId        the provider's account (its signer id)
 * @param terminalId        the terminal that relays
 * @param serviceLevel      1 (best effort) .. 5 (best)
 * @param pricePerUnitMinor money minor units per charging unit of {@code chargingStandard}
 * @param amount            in the unit of {@code resourceType}: kbit/s or bytes
 */
public record Offer(String offerId, String serviceId, String providerId, String terminalId, long periodStartMillis,
                    long periodEndMillis, int serviceLevel, long pricePerUnitMinor, ChargingStandard chargingStandard,
                    ResourceType resourceType, long amount) implements Entry {
    public Offer {
        Canonical.requireId("offerId", offerId);
        Canonical.requireId("serviceId", serviceId);
        Canonical.requireId("providerId", providerId);
        Canonical.requireId("terminalId", terminalId);
        EntryChecks.period("offer period", periodStartMillis, periodEndMillis);
        EntryChecks.serviceLevel("serviceLevel", serviceLevel);
        EntryChecks.price("pricePerUnitMinor", pricePerUnitMinor);
        EntryChecks.standardFits(chargingStandard, resourceType);
        EntryChecks.amount("amount", amount);
    }

    @Override
    public EntryKind kind() {
        return EntryKind.OFFER;
    }

    /** Whether [startMillis, endMillis) lies inside this offer's period. */
    public boolean covers(long startMillis, long endMillis) {
        return startMillis >= periodStartMillis && endMillis <= periodEndMillis;
    }
}
