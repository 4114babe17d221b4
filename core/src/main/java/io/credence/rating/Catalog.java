package io.credence.rating;

import io.credence.ledger.Unit;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What an operator sells and how it is charged: services (by rating group) and their units and
 * default grants, tariffs, time bands, terminal-attribute rules, outlet policies and the table that
 * tells terminal types from IMEIs and User-Agents. A catalog is
 * checked as a whole when built; a bad one never replaces a good one.
 *
 * @param zone the time zone time bands are read in
 */
public record Catalog(String version, String currency, ZoneId zone, Map<String, TimeBand> timeBands,
                      Map<String, Tariff> tariffs, Map<String, Service> services, List<Rule> rules,
                      Map<String, OutletPolicy> outlets, TerminalTypes terminalTypes,
                      Map<String, ProductPackage> packages) {

    /**
     * A service: the unit it is rated in, the rating groups that carry it, the grant for an empty
     * request, whether buckets of its unit are used first, and the tariff that turns money into
     * units when they run out (null: no money fallback).
     */
    public record Service(String name, Unit unit, Set<Long> ratingGroups, long defaultQuota, String moneyTariff) {
        public Service {
            if (name == null || name.isBlank() || unit == null || unit == Unit.MONEY) {
                throw new IllegalArgumentException("a service needs a name and a unit other than MONEY");
            }
            if (defaultQuota <= 0) {
                throw new IllegalArgumentException("service " + name + ": defaultQuota must be > 0");
            }
            ratingGroups = ratingGroups == null ? Set.of() : Set.copyOf(ratingGroups);
        }
    }

    public Catalog {
        if (version == null || version.isBlank()) {
            throw new CatalogException("version", "is required");
        }
        if (currency == null || !currency.matches("[A-Z]{3}")) {
            throw new CatalogException("currency", "must be an ISO 4217 code, was " + currency);
        }
        if (zone == null) {
            throw new CatalogException("zone", "is required");
        }
        timeBands = Map.copyOf(timeBands);
        tariffs = Map.copyOf(tariffs);
        services = Map.copyOf(services);
        rules = List.copyOf(rules);
        outlets = Map.copyOf(outlets);
        terminalTypes = terminalTypes == null ? TerminalTypes.NONE : terminalTypes;
        packages = packages == null ? Map.of() : Map.copyOf(packages);
        for (Map.Entry<String, ProductPackage> p : packages.entrySet()) {
            if (!p.getKey().equals(p.getValue().name())) {
                throw new CatalogException("packages." + p.getKey() + ".name", "differs from its key");
            }
        }
        check(timeBands, tariffs, services, rules);
    }

    /** A catalog that sells no packages. */
    public Catalog(String version, String currency, ZoneId zone, Map<String, TimeBand> timeBands,
                   Map<String, Tariff> tariffs, Map<String, Service> services, List<Rule> rules,
                   Map<String, OutletPolicy> outlets, TerminalTypes terminalTypes) {
        this(version, currency, zone, timeBands, tariffs, services, rules, outlets, terminalTypes, Map.of());
    }

    /** A catalog without a terminal-type table. */
    public Catalog(String version, String currency, ZoneId zone, Map<String, TimeBand> timeBands,
                   Map<String, Tariff> tariffs, Map<String, Service> services, List<Rule> rules,
                   Map<String, OutletPolicy> outlets) {
        this(version, currency, zone, timeBands, tariffs, services, rules, outlets, TerminalTypes.NONE);
    }

    /** Key of the rules that name no service (they may meet rules of any service). */
    private static final String ANY_SERVICE = "\u0000any";

    private static void check(Map<String, TimeBand> timeBands, Map<String, Tariff> tariffs,
                              Map<String, Service> services, List<Rule> rules) {
        for (Tariff t : tariffs.values()) {
            for (String band : t.bandSteps().keySet()) {
                if (!timeBands.containsKey(band)) {
                    throw new CatalogException("tariffs." + t.id() + ".bands." + band, "no such time band");
                }
            }
        }
        Map<Long, String> groupOwner = new HashMap<>();
        for (Service s : services.values()) {
            if (s.moneyTariff() != null) {
                Tariff t = tariffs.get(s.moneyTariff());
                if (t == null) {
                    throw new CatalogException("services." + s.name() + ".moneyTariff", "no tariff " + s.moneyTariff());
                }
                if (t.unit() != s.unit()) {
                    throw new CatalogException("services." + s.name() + ".moneyTariff", "tariff " + t.id()
                            + " prices " + t.unit() + ", the service is rated in " + s.unit());
                }
            }
            for (long rg : s.ratingGroups()) {
                String other = groupOwner.put(rg, s.name());
                if (other != null) {
                    throw new CatalogException("services." + s.name() + ".ratingGroups", "rating group " + rg
                            + " also belongs to service " + other);
                }
            }
        }
        // rule indexes by specificity, then by service (ANY_SERVICE for rules of every service)
        Map<Integer, Map<String, List<Integer>>> checked = new HashMap<>();
        Map<Set<String>, java.util.BitSet> minutesOf = new HashMap<>();
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            String at = "rules[" + i + "] (" + r.name() + ")";
            if (r.service() != null && !services.containsKey(r.service())) {
                throw new CatalogException(at + ".service", "no service " + r.service());
            }
            for (String band : r.timeBands()) {
                if (!timeBands.containsKey(band)) {
                    throw new CatalogException(at + ".timeBands", "no time band " + band);
                }
            }
            if (r.decision() instanceof Rule.Decision.Charge charge) {
                Tariff t = tariffs.get(charge.tariff());
                if (t == null) {
                    throw new CatalogException(at + ".tariff", "no tariff " + charge.tariff());
                }
                if (r.service() != null && t.unit() != services.get(r.service()).unit()) {
                    throw new CatalogException(at + ".tariff", "tariff " + t.id() + " prices " + t.unit()
                            + ", service " + r.service() + " is rated in " + services.get(r.service()).unit());
                }
            }
            // only equally specific rules can tie, and rules of two different services never meet:
            // compare within those groups, not every pair (10,000 rules took seconds pairwise)
            Map<String, List<Integer>> sameLevel = checked.computeIfAbsent(r.specificity(), k -> new HashMap<>());
            int tie = Integer.MAX_VALUE;
            for (Map.Entry<String, List<Integer>> group : sameLevel.entrySet()) {
                if (r.service() != null && !group.getKey().equals(ANY_SERVICE) && !group.getKey().equals(r.service())) {
                    continue;
                }
                for (int earlier : group.getValue()) {
                    if (earlier < tie && rules.get(earlier).overlaps(r)
                            && bandsOverlap(timeBands, minutesOf, rules.get(earlier).timeBands(), r.timeBands())) {
                        tie = earlier; // the first rule it ties with, whichever group it is in
                        break;
                    }
                }
            }
            if (tie != Integer.MAX_VALUE) {
                throw new CatalogException(at, "ties with rule '" + rules.get(tie).name() + "': equally specific, and a"
                        + " request can match both; make one more specific or their attributes disjoint");
            }
            sameLevel.computeIfAbsent(r.service() == null ? ANY_SERVICE : r.service(), k -> new ArrayList<>()).add(i);
        }
    }

    /** Whether some minute of the week lies in a band of each set (an empty set is every minute). */
    private static boolean bandsOverlap(Map<String, TimeBand> timeBands, Map<Set<String>, java.util.BitSet> minutesOf,
                                        Set<String> a, Set<String> b) {
        if (a.isEmpty() || b.isEmpty()) {
            return true;
        }
        java.util.BitSet minutes = (java.util.BitSet) minutesOf.computeIfAbsent(a, k -> weekMinutes(timeBands, k)).clone();
        minutes.and(minutesOf.computeIfAbsent(b, k -> weekMinutes(timeBands, k)));
        return !minutes.isEmpty();
    }

    private static java.util.BitSet weekMinutes(Map<String, TimeBand> timeBands, Set<String> names) {
        java.util.BitSet minutes = new java.util.BitSet(7 * 24 * 60);
        for (java.time.DayOfWeek day : java.time.DayOfWeek.values()) {
            for (int m = 0; m < 24 * 60; m++) {
                java.time.LocalTime t = java.time.LocalTime.of(m / 60, m % 60);
                for (String name : names) {
                    if (timeBands.get(name).contains(day, t)) {
                        minutes.set((day.ordinal()) * 24 * 60 + m);
                        break;
                    }
                }
            }
        }
        return minutes;
    }

    /** The service a rating group belongs to, if any. */
    public Service serviceOf(long ratingGroup) {
        for (Service s : services.values()) {
            if (s.ratingGroups().contains(ratingGroup)) {
                return s;
            }
        }
        return null;
    }
}
