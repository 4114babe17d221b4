package io.credence.http;

import io.credence.rating.Catalog;
import io.credence.rating.OutletPolicy;
import io.credence.rating.Rule;
import io.credence.rating.Tariff;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code GET /v1/catalog/tariffs} and {@code GET /v1/catalog/rules}: the catalog in force as an
 * operator wrote it (the same field names as the catalog file), so what runs can be read without
 * the file. Writing goes through the file and a reload.
 */
final class CatalogViews {
    private CatalogViews() {}

    static Map<String, Object> tariffs(Catalog catalog) {
        Map<String, Object> tariffs = new TreeMap<>();
        for (Tariff t : catalog.tariffs().values()) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("unit", t.unit().name());
            view.put("rounding", t.rounding().name());
            view.put("minimumCharge", t.minimumCharge());
            view.put("steps", steps(t.steps()));
            Map<String, Object> bands = new TreeMap<>();
            t.bandSteps().forEach((band, steps) -> bands.put(band, steps(steps)));
            view.put("bands", bands);
            tariffs.put(t.id(), view);
        }
        return Map.of("version", catalog.version(), "currency", catalog.currency(), "tariffs", tariffs);
    }

    private static List<Map<String, Object>> steps(List<Tariff.Step> steps) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Tariff.Step s : steps) {
            Map<String, Object> step = new LinkedHashMap<>();
            if (s.until() != Long.MAX_VALUE) {
                step.put("until", s.until());
            }
            step.put("block", s.blockUnits());
            step.put("price", s.pricePerBlock());
            out.add(step);
        }
        return out;
    }

    static Map<String, Object> rules(Catalog catalog) {
        List<Map<String, Object>> rules = new ArrayList<>();
        for (Rule r : catalog.rules()) {
            Map<String, Object> when = new LinkedHashMap<>();
            putIfSet(when, "callingNetwork", r.callingNetwork());
            putIfSet(when, "callingTerminal", r.callingTerminal());
            if (r.callingRoaming() != null) {
                when.put("callingRoaming", r.callingRoaming());
            }
            putIfSet(when, "calledNetwork", r.calledNetwork());
            putIfSet(when, "calledTerminal", r.calledTerminal());
            putIfSet(when, "outlets", r.outlets());
            putIfSet(when, "timeBands", r.timeBands());
            Map<String, Object> then = switch (r.decision()) {
                case Rule.Decision.Charge c -> Map.of("charge", c.tariff());
                case Rule.Decision.Free f -> Map.of("free", true);
                case Rule.Decision.Deny d -> Map.of("deny", d.reason());
            };
            Map<String, Object> rule = new LinkedHashMap<>();
            rule.put("name", r.name());
            rule.put("service", r.service());
            rule.put("specificity", r.specificity());
            rule.put("when", when);
            rule.put("then", then);
            rules.add(rule);
        }
        Map<String, Object> outlets = new TreeMap<>();
        catalog.outlets().forEach((name, policy) -> outlets.put(name, switch (policy) {
            case OutletPolicy.NoCheck n -> "NO_CHECK";
            case OutletPolicy.Check c -> Map.of("check", c.threshold());
        }));
        return Map.of("version", catalog.version(), "rules", rules, "outlets", outlets);
    }

    private static void putIfSet(Map<String, Object> when, String name, java.util.Set<?> values) {
        if (!values.isEmpty()) {
            when.put(name, values.stream().map(Object::toString).sorted().toList());
        }
    }
}
