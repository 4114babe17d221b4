package io.credence.rating;

import io.credence.ledger.ServiceFilter;
import io.credence.ledger.Unit;

import java.util.List;
import java.util.Set;

/**
 * A named product an operator sells: paying {@code priceMinor} of money (minor units, may be 0)
 * gives the subscriber one new bucket per {@link Grant}, each valid for its number of days from
 * the purchase.
 */
public record ProductPackage(String name, long priceMinor, List<Grant> grants) {
    /** Most buckets one package creates: one purchase is one linked ledger command with a step per bucket. */
    public static final int GRANTS_MAX = 8;
    public static final int VALIDITY_DAYS_MAX = 36_600;

    /** One bucket a purchase creates: its unit and amount, lifetime, priority and the rating groups it pays for. */
    public record Grant(Unit unit, long amount, int validityDays, int priority, Set<Long> ratingGroups) {
        public Grant {
            if (unit == null) {
                throw new CatalogException("unit", "is required");
            }
            if (amount <= 0) {
                throw new CatalogException("amount", "must be > 0, was " + amount);
            }
            if (validityDays < 1 || validityDays > VALIDITY_DAYS_MAX) {
                throw new CatalogException("validityDays", "must be 1.." + VALIDITY_DAYS_MAX + ", was " + validityDays);
            }
            if (priority == Integer.MIN_VALUE) {
                throw new CatalogException("priority", "Integer.MIN_VALUE is kept for main balances");
            }
            ratingGroups = ratingGroups == null ? Set.of() : Set.copyOf(ratingGroups);
            if (ratingGroups.size() > ServiceFilter.ENTRIES_MAX) {
                throw new CatalogException("ratingGroups", "at most " + ServiceFilter.ENTRIES_MAX + " entries");
            }
            for (long group : ratingGroups) {
                if (group < 0 || group > 0xFFFF_FFFFL) {
                    throw new CatalogException("ratingGroups", "a rating group is an Unsigned32, was " + group);
                }
            }
        }

        public long validityMillis() {
            return validityDays * 86_400_000L;
        }
    }

    public ProductPackage {
        if (name == null || name.isBlank() || name.length() > 64) {
            throw new CatalogException("name", "is required, at most 64 characters");
        }
        if (priceMinor < 0) {
            throw new CatalogException("price", "must be >= 0, was " + priceMinor);
        }
        grants = grants == null ? List.of() : List.copyOf(grants);
        if (grants.isEmpty() || grants.size() > GRANTS_MAX) {
            throw new CatalogException("buckets", "a package creates 1.." + GRANTS_MAX + " buckets, was " + grants.size());
        }
    }
}
