package io.credence.market.contract;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Orders the offers that can serve a buyer's needs, best first. Each offer gets three component
 * scores from 0 to {@link #COMPONENT_SCALE}, combined by integer weights:
 *
 * <pre>
 *   price  = SCALE * (maxPrice - price) / maxPrice        (SCALE when maxPrice is 0)
 *   level  = SCALE * (level - 1) / (5 - 1)
 *   period = SCALE * overlap(offer, requested) / requested length
 *   score  = weights.price * price + weights.level * level + weights.period * period
 * </pre>
 *
 * Integer arithmetic (floor division), so the same offers always rank the same on every machine;
 * equal scores are ordered by offer id. An offer is left out when it cannot serve: other
 * resource type, less than the amount needed, a service level below the minimum, a price above
 * the maximum, or no overlap at all with the requested period.
 */
public final class OfferRanking {
    public static final long COMPONENT_SCALE = 1000;
    public static final int WEIGHT_MAX = 1000;

    private OfferRanking() {}

    /** What the buyer needs; {@link #of(Request)} takes it from a broadcast request. */
    public record Needs(ResourceType resourceType, long amount, long periodStartMillis, long periodEndMillis,
                        int serviceLevelMin, long maxPricePerUnitMinor) {
        public Needs {
            Objects.requireNonNull(resourceType, "resourceType");
            EntryChecks.amount("amount", amount);
            EntryChecks.period("requested period", periodStartMillis, periodEndMillis);
            EntryChecks.serviceLevel("serviceLevelMin", serviceLevelMin);
            EntryChecks.price("maxPricePerUnitMinor", maxPricePerUnitMinor);
        }

        public static Needs of(Request request) {
            return new Needs(request.resourceType(), request.amount(), request.periodStartMillis(),
                    request.periodEndMillis(), request.serviceLevelMin(), request.maxPricePerUnitMinor());
        }
    }

    /** How much price, service level and period coverage matter; each 0..1000, not all zero. */
    public record Weights(int price, int level, int period) {
        public Weights {
            Canonical.requireRange("price weight", price, 0, WEIGHT_MAX);
            Canonical.requireRange("level weight", level, 0, WEIGHT_MAX);
            Canonical.requireRange("period weight", period, 0, WEIGHT_MAX);
            if (price + level + period == 0) {
                throw new IllegalArgumentException("at least one weight must be positive");
            }
        }
    }

    public record Ranked(Offer offer, long score) {}

    /** The offers that can serve {@code needs}, best first. */
    public static List<Ranked> rank(List<Offer> offers, Needs needs, Weights weights) {
        if (offers.size() > ContractLimits.RANKED_OFFERS_MAX) {
            throw new IllegalArgumentException(offers.size() + " offers, more than " + ContractLimits.RANKED_OFFERS_MAX);
        }
        List<Ranked> ranked = new ArrayList<>();
        for (Offer offer : offers) {
            if (cannotServe(offer, needs).isEmpty()) {
                ranked.add(new Ranked(offer, score(offer, needs, weights)));
            }
        }
        ranked.sort(Comparator.comparingLong(Ranked::score).reversed()
                .thenComparing(r -> r.offer().offerId()));
        return List.copyOf(ranked);
    }

    /** Why {@code offer} cannot serve {@code needs}, or empty when it can. */
    public static Optional<String> cannotServe(Offer offer, Needs needs) {
        if (offer.resourceType() != needs.resourceType()) {
            return Optional.of("offers " + offer.resourceType() + ", not " + needs.resourceType());
        }
        if (offer.amount() < needs.amount()) {
            return Optional.of("amount " + offer.amount() + " below the " + needs.amount() + " needed");
        }
        if (offer.serviceLevel() < needs.serviceLevelMin()) {
            return Optional.of("service level " + offer.serviceLevel() + " below the minimum " + needs.serviceLevelMin());
        }
        if (offer.pricePerUnitMinor() > needs.maxPricePerUnitMinor()) {
            return Optional.of("price " + offer.pricePerUnitMinor() + " above the maximum " + needs.maxPricePerUnitMinor());
        }
        if (overlapMillis(offer, needs) == 0) {
            return Optional.of("period does not overlap the requested period");
        }
        return Optional.empty();
    }

    static long score(Offer offer, Needs needs, Weights weights) {
        long maxPrice = needs.maxPricePerUnitMinor();
        long price = maxPrice == 0 ? COMPONENT_SCALE : COMPONENT_SCALE * (maxPrice - offer.pricePerUnitMinor()) / maxPrice;
        long level = COMPONENT_SCALE * (offer.serviceLevel() - ContractLimits.SERVICE_LEVEL_MIN)
                / (ContractLimits.SERVICE_LEVEL_MAX - ContractLimits.SERVICE_LEVEL_MIN);
        long requested = needs.periodEndMillis() - needs.periodStartMillis();
        long period = COMPONENT_SCALE * overlapMillis(offer, needs) / requested;
        return weights.price() * price + weights.level() * level + weights.period() * period;
    }

    private static long overlapMillis(Offer offer, Needs needs) {
        long start = Math.max(offer.periodStartMillis(), needs.periodStartMillis());
        long end = Math.min(offer.periodEndMillis(), needs.periodEndMillis());
        return Math.max(0, end - start);
    }
}
