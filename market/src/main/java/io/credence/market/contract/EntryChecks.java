package io.credence.market.contract;

import java.util.Objects;

/** Range checks shared by the entry records' constructors; each names the field it refuses. */
final class EntryChecks {
    private EntryChecks() {}

    static void period(String what, long startMillis, long endMillis) {
        Canonical.requireRange(what + " start", startMillis, 0, Long.MAX_VALUE);
        if (endMillis <= startMillis) {
            throw new IllegalArgumentException(what + " must end after it starts: " + startMillis + ".." + endMillis);
        }
        // Subtraction is safe: both are non-negative.
        Canonical.requireRange(what + " length in millis", endMillis - startMillis, 1, ContractLimits.PERIOD_MILLIS_MAX);
    }

    static void serviceLevel(String field, int level) {
        Canonical.requireRange(field, level, ContractLimits.SERVICE_LEVEL_MIN, ContractLimits.SERVICE_LEVEL_MAX);
    }

    static void price(String field, long priceMinor) {
        Canonical.requireRange(field, priceMinor, 0, ContractLimits.PRICE_PER_UNIT_MINOR_MAX);
    }

    static void amount(String field, long amount) {
        Canonical.requireRange(field, amount, 1, ContractLimits.AMOUNT_MAX);
    }

    static void instant(String field, long millis) {
        Canonical.requireRange(field, millis, 0, Long.MAX_VALUE);
    }

    /** A per-MB price is a price for data volume; on a bandwidth it has no meaning. */
    static void standardFits(ChargingStandard standard, ResourceType resourceType) {
        Objects.requireNonNull(standard, "chargingStandard");
        Objects.requireNonNull(resourceType, "resourceType");
        if (standard == ChargingStandard.PER_MB && resourceType != ResourceType.DATA_BYTES) {
            throw new IllegalArgumentException("PER_MB charges a data volume, not " + resourceType);
        }
    }
}
