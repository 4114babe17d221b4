package io.credence.ledger;

import java.util.Set;

/**
 * Which services a bucket may pay for. Empty sets mean "every service"; otherwise a debit is
 * covered when its rating group or its service identifier is listed.
 */
public record ServiceFilter(Set<Long> ratingGroups, Set<Long> serviceIds) {
    public static final ServiceFilter ALL = new ServiceFilter(Set.of(), Set.of());
    public static final int ENTRIES_MAX = 64;

    public ServiceFilter {
        ratingGroups = Set.copyOf(ratingGroups);
        serviceIds = Set.copyOf(serviceIds);
        if (ratingGroups.size() + serviceIds.size() > ENTRIES_MAX) {
            throw new IllegalArgumentException("a bucket lists at most " + ENTRIES_MAX + " services");
        }
        for (long id : ratingGroups) {
            requireUnsigned32(id);
        }
        for (long id : serviceIds) {
            requireUnsigned32(id);
        }
    }

    public static ServiceFilter ratingGroups(Long... ratingGroups) {
        return new ServiceFilter(Set.of(ratingGroups), Set.of());
    }

    public boolean coversAll() {
        return ratingGroups.isEmpty() && serviceIds.isEmpty();
    }

    public boolean covers(ServiceRef service) {
        if (coversAll()) {
            return true;
        }
        return (service.ratingGroup() != ServiceRef.NONE && ratingGroups.contains(service.ratingGroup()))
                || (service.serviceId() != ServiceRef.NONE && serviceIds.contains(service.serviceId()));
    }

    private static void requireUnsigned32(long id) {
        if (id < 0 || id > ServiceRef.UNSIGNED32_MAX) {
            throw new IllegalArgumentException("service id out of Unsigned32 range: " + id);
        }
    }
}
