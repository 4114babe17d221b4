package io.credence.rating;

import java.util.List;
import java.util.Set;

/**
 * Decides what a request costs under one catalog: the most specific matching rule, its tariff
 * and the time band the request starts in. Rules are found through a {@link RuleIndex} and bands
 * through a {@link WeekBands} table, both built here once per catalog, so rating costs about the
 * same for ten rules as for ten thousand and allocates no more than the decision. Immutable; a
 * new catalog means a new engine, so sessions keep the engine (and prices) they were rated with
 * until they re-rate.
 */
public final class RatingEngine {
    /** The outcome of rating a request. */
    public sealed interface Decision {
        /** Charged at {@code tariff}, whose steps for {@code band} (null: its normal steps) apply. */
        record Charged(Rule rule, Tariff tariff, String band) implements Decision {
            public long price(long units) {
                return tariff.price(units, band);
            }
        }

        record Free(Rule rule) implements Decision {}

        record Denied(Rule rule, String reason) implements Decision {}

        /** No rule applies: the request cannot be rated (Diameter 5031 RATING_FAILED). */
        record Unrated(String reason) implements Decision {}
    }

    private final Catalog catalog;
    private final RuleIndex index;
    private final WeekBands weekBands;
    /** By rule position in the index: the tariff a charging rule names, null for the others. */
    private final Tariff[] tariffs;

    public RatingEngine(Catalog catalog) {
        this.catalog = catalog;
        this.index = new RuleIndex(catalog.rules());
        this.weekBands = new WeekBands(catalog.zone(), catalog.timeBands(), index);
        this.tariffs = new Tariff[index.size()];
        for (int position = 0; position < index.size(); position++) {
            if (index.rule(position).decision() instanceof Rule.Decision.Charge charge) {
                tariffs[position] = catalog.tariffs().get(charge.tariff());
                if (tariffs[position] == null) {
                    throw new IllegalArgumentException("rule " + index.rule(position).name() + ": no tariff "
                            + charge.tariff() + " (the catalog should have refused it)");
                }
            }
        }
    }

    public Catalog catalog() {
        return catalog;
    }

    public Decision rate(RatingRequest request) {
        WeekBands.Bands bands = weekBands.at(request.atMillis());
        int position = index.firstMatch(request, bands.rulesAccepting());
        if (position < 0) {
            return new Decision.Unrated("no rule of catalog " + catalog.version() + " applies to service "
                    + request.service());
        }
        Rule rule = index.rule(position);
        // the index must agree with the rule's own test; a disagreement is a bug in the index, and
        // charging by the wrong rule is worse than failing the request
        if (!rule.matches(request, bands.names())) {
            throw new IllegalStateException("the rule index chose '" + rule.name() + "', which does not match " + request);
        }
        return switch (rule.decision()) {
            case Rule.Decision.Free f -> new Decision.Free(rule);
            case Rule.Decision.Deny d -> new Decision.Denied(rule, d.reason());
            case Rule.Decision.Charge c -> new Decision.Charged(rule, tariffs[position],
                    bandFor(tariffs[position], bands.alphabetical()));
        };
    }

    /** The outlet's policy; an outlet the catalog does not name is routed without a check. */
    public OutletPolicy outlet(String outlet) {
        return outlet == null ? new OutletPolicy.NoCheck()
                : catalog.outlets().getOrDefault(outlet, new OutletPolicy.NoCheck());
    }

    /** The names of the time bands an instant falls in, in the catalog's zone. Immutable. */
    /**
     * Milliseconds from {@code atMillis} until another set of time bands is in force (a tariff's
     * price may change then), or {@link Long#MAX_VALUE} when the catalog's bands never change.
     */
    public long millisUntilBandsChange(long atMillis) {
        return weekBands.millisUntilChange(atMillis);
    }

    public Set<String> bandsAt(long atMillis) {
        return weekBands.at(atMillis).names();
    }

    /** The first band (by name, for determinism) the tariff has its own steps for. */
    private static String bandFor(Tariff tariff, List<String> alphabetical) {
        for (String band : alphabetical) {
            if (tariff.bandSteps().containsKey(band)) {
                return band;
            }
        }
        return null;
    }
}
