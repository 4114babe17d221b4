package io.credence.market.contract;

/**
 * The provider's home base station allocated the relay resource to the resource-using node (or
 * refused to). Base stations are network elements without keys of their own here, so the market
 * authority signs what the authenticated base station answered.
 */
public record Allocation(String contractId, String baseStationId, boolean allocated, String reason, long atMillis)
        implements Entry {
    public Allocation {
        Canonical.requireId("contractId", contractId);
        Canonical.requireId("baseStationId", baseStationId);
        java.util.Objects.requireNonNull(reason, "reason");
        EntryChecks.instant("atMillis", atMillis);
    }

    @Override
    public EntryKind kind() {
        return EntryKind.ALLOCATION;
    }
}
