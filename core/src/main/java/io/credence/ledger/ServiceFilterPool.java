package io.credence.ledger;

import java.util.HashMap;

/**
 * One shared instance per distinct service filter: every decoded top-up carries its own copy, and
 * a million packs for the same rating group would otherwise keep a million equal filters (48
 * bytes each). Bounded: past {@link #CANONICAL_MAX} distinct filters a new one is kept as is,
 * which costs memory but never correctness.
 */
final class ServiceFilterPool {
    static final int CANONICAL_MAX = 65_536;

    private final HashMap<ServiceFilter, ServiceFilter> known = new HashMap<>();

    ServiceFilter canonical(ServiceFilter filter) {
        if (filter.coversAll()) {
            return ServiceFilter.ALL;
        }
        ServiceFilter shared = known.get(filter);
        if (shared != null) {
            return shared;
        }
        if (known.size() < CANONICAL_MAX) {
            known.put(filter, filter);
        }
        return filter;
    }
}
