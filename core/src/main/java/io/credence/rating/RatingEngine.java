package io.credence.rating;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides what a request costs under one catalog: the most specific matching rule, its tariff
 * and the time band the request starts in. Immutable; a new catalog means a new engine, so
 * sessions keep the engine (and prices) they were rated with until they re-rate.
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
    private final List<Rule> bySpecificity;

    public RatingEngine(Catalog catalog) {
        this.catalog = catalog;
        List<Rule> sorted = new ArrayList<>(catalog.rules());
        // within a level at most one rule can match (the catalog refuses ties), so order there is moot
        sorted.sort(Comparator.comparingInt(Rule::specificity).reversed());
        this.bySpecificity = List.copyOf(sorted);
    }

    public Catalog catalog() {
        return catalog;
    }

    public Decision rate(RatingRequest request) {
        Set<String> bands = bandsAt(request.atMillis());
        for (Rule rule : bySpecificity) {
            if (rule.matches(request, bands)) {
                return switch (rule.decision()) {
                    case Rule.Decision.Free f -> new Decision.Free(rule);
                    case Rule.Decision.Deny d -> new Decision.Denied(rule, d.reason());
                    case Rule.Decision.Charge c -> {
                        Tariff tariff = catalog.tariffs().get(c.tariff());
                        yield new Decision.Charged(rule, tariff, bandFor(tariff, bands));
                    }
                };
            }
        }
        return new Decision.Unrated("no rule of catalog " + catalog.version() + " applies to service "
                + request.service());
    }

    /** The outlet's policy; an outlet the catalog does not name is routed without a check. */
    public OutletPolicy outlet(String outlet) {
        return outlet == null ? new OutletPolicy.NoCheck()
                : catalog.outlets().getOrDefault(outlet, new OutletPolicy.NoCheck());
    }

    /** The names of the time bands an instant falls in, in the catalog's zone. */
    public Set<String> bandsAt(long atMillis) {
        ZonedDateTime at = Instant.ofEpochMilli(atMillis).atZone(catalog.zone());
        Set<String> in = new HashSet<>();
        for (Map.Entry<String, TimeBand> e : catalog.timeBands().entrySet()) {
            if (e.getValue().contains(at.getDayOfWeek(), at.toLocalTime())) {
                in.add(e.getKey());
            }
        }
        return in;
    }

    /** The first band (by name, for determinism) the tariff has its own steps for. */
    private static String bandFor(Tariff tariff, Set<String> bands) {
        String chosen = null;
        for (String band : bands) {
            if (tariff.bandSteps().containsKey(band) && (chosen == null || band.compareTo(chosen) < 0)) {
                chosen = band;
            }
        }
        return chosen;
    }
}
