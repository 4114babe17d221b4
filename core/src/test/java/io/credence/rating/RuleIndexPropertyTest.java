package io.credence.rating;

import io.credence.ledger.Unit;
import org.junit.jupiter.api.Test;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The indexed engine against the plain reference it replaced: time bands worked out with a
 * ZonedDateTime, rules sorted by specificity and tried one by one with {@link Rule#matches}.
 * Random catalogs (seeded) mix constrained and unconstrained attributes, outlets, roaming and
 * time bands in zones with odd offsets and daylight saving; random requests leave attributes
 * unknown, name outlets no rule knows, and fall on and next to the zone's transitions.
 */
class RuleIndexPropertyTest {
    private static final List<ZoneId> ZONES = List.of(ZoneId.of("Europe/Berlin"), ZoneId.of("America/New_York"),
            ZoneId.of("Australia/Lord_Howe"), ZoneId.of("UTC"), ZoneId.of("Asia/Kolkata"),
            ZoneId.of("Pacific/Chatham"), ZoneId.of("+03:00"));
    private static final List<String> SERVICES = List.of("voice", "sms", "data");
    private static final List<String> OUTLETS = List.of("trunk-a", "trunk-b", "trunk-c", "trunk-d", "trunk-e");
    private static final List<String> BANDS = List.of("evening", "weekend", "night", "lunch", "peak");
    private static final long FROM_MILLIS = Instant.parse("2019-01-01T00:00:00Z").toEpochMilli();
    private static final long UNTIL_MILLIS = Instant.parse("2031-01-01T00:00:00Z").toEpochMilli();
    private static final long FAR_FROM_MILLIS = Instant.parse("1850-01-01T00:00:00Z").toEpochMilli();
    private static final long FAR_UNTIL_MILLIS = Instant.parse("2250-01-01T00:00:00Z").toEpochMilli();

    @Test
    void theIndexDecidesWhatALinearScanDecides() {
        Random random = new Random(20261124);
        int decisions = 0;
        int matched = 0;
        for (int round = 0; round < 150; round++) {
            Catalog catalog = randomCatalog(random, round % 10 == 9);
            RatingEngine engine = new RatingEngine(catalog);
            for (int i = 0; i < 400; i++) {
                RatingRequest request = randomRequest(random, catalog.zone());
                RatingEngine.Decision expected = referenceRate(catalog, request);
                assertThat(engine.rate(request)).as("round %d, %s, catalog %s", round, request, catalog)
                        .isEqualTo(expected);
                assertThat(engine.bandsAt(request.atMillis())).isEqualTo(referenceBands(catalog, request.atMillis()));
                decisions++;
                matched += expected instanceof RatingEngine.Decision.Unrated ? 0 : 1;
            }
        }
        // the comparison means little unless most requests find a rule and some do not
        assertThat(matched).isBetween(decisions / 2, decisions - decisions / 50);
    }

    @Test
    void extremeInstantsAreRatedLikeTheReference() {
        Random random = new Random(7);
        for (ZoneId zone : ZONES) {
            Catalog catalog = randomCatalog(random, false);
            catalog = new Catalog(catalog.version(), catalog.currency(), zone, catalog.timeBands(), catalog.tariffs(),
                    catalog.services(), catalog.rules(), catalog.outlets());
            RatingEngine engine = new RatingEngine(catalog);
            long from = 0; // 1970
            long until = java.time.Instant.parse("2100-01-01T00:00:00Z").toEpochMilli();
            for (long at : new long[] {Long.MIN_VALUE, Long.MIN_VALUE + 1, -1, 0, 1, from - 1, from, from + 1, until - 1,
                    until, until + 1, Long.MAX_VALUE - 1, Long.MAX_VALUE}) {
                assertThat(engine.bandsAt(at)).as("%s at %d", zone, at).isEqualTo(referenceBands(catalog, at));
            }
        }
    }

    static RatingEngine.Decision referenceRate(Catalog catalog, RatingRequest request) {
        Set<String> bands = referenceBands(catalog, request.atMillis());
        List<Rule> sorted = new ArrayList<>(catalog.rules());
        sorted.sort(Comparator.comparingInt(Rule::specificity).reversed());
        for (Rule rule : sorted) {
            if (rule.matches(request, bands)) {
                return switch (rule.decision()) {
                    case Rule.Decision.Free f -> new RatingEngine.Decision.Free(rule);
                    case Rule.Decision.Deny d -> new RatingEngine.Decision.Denied(rule, d.reason());
                    case Rule.Decision.Charge c -> {
                        Tariff tariff = catalog.tariffs().get(c.tariff());
                        String band = bands.stream().filter(tariff.bandSteps()::containsKey).sorted().findFirst()
                                .orElse(null);
                        yield new RatingEngine.Decision.Charged(rule, tariff, band);
                    }
                };
            }
        }
        return new RatingEngine.Decision.Unrated("no rule of catalog " + catalog.version() + " applies to service "
                + request.service());
    }

    static Set<String> referenceBands(Catalog catalog, long atMillis) {
        ZonedDateTime at = Instant.ofEpochMilli(atMillis).atZone(catalog.zone());
        Set<String> in = new HashSet<>();
        catalog.timeBands().forEach((name, band) -> {
            if (band.contains(at.getDayOfWeek(), at.toLocalTime())) {
                in.add(name);
            }
        });
        return in;
    }

    /**
     * A catalog of up to 40 rules; candidates that would tie are dropped one at a time, as the
     * catalog names them, until the rest is accepted.
     */
    private static Catalog randomCatalog(Random random, boolean bandsInsideMinutes) {
        ZoneId zone = ZONES.get(random.nextInt(ZONES.size()));
        Map<String, TimeBand> bands = new HashMap<>();
        for (String name : BANDS) {
            if (random.nextInt(4) > 0) {
                bands.put(name, randomBand(random, name, bandsInsideMinutes));
            }
        }
        List<String> bandNames = List.copyOf(bands.keySet());
        Map<String, Tariff> tariffs = new HashMap<>();
        for (Unit unit : List.of(Unit.SECONDS, Unit.SERVICE_UNITS, Unit.BYTES)) {
            for (int t = 0; t < 2; t++) {
                Map<String, List<Tariff.Step>> bandSteps = new HashMap<>();
                for (String band : bandNames) {
                    if (random.nextBoolean()) {
                        bandSteps.put(band, List.of(new Tariff.Step(Long.MAX_VALUE, 1 + random.nextInt(60),
                                random.nextInt(10))));
                    }
                }
                String id = unit.name().toLowerCase() + "-" + t;
                tariffs.put(id, new Tariff(id, unit, List.of(new Tariff.Step(Long.MAX_VALUE, 60, 12)),
                        Tariff.Rounding.UP, 0, bandSteps));
            }
        }
        Map<String, Catalog.Service> services = Map.of(
                "voice", new Catalog.Service("voice", Unit.SECONDS, Set.of(100L), 60, null),
                "sms", new Catalog.Service("sms", Unit.SERVICE_UNITS, Set.of(200L), 1, null),
                "data", new Catalog.Service("data", Unit.BYTES, Set.of(10L), 1_000_000, null));
        List<Rule> rules = new ArrayList<>();
        int count = 1 + random.nextInt(40);
        for (int i = 0; i < count; i++) {
            rules.add(randomRule(random, "r" + i, bandNames, services));
        }
        while (true) {
            try {
                return new Catalog("v" + random.nextInt(1000), "EUR", zone, bands, tariffs, services, rules,
                        Map.of("trunk-a", new OutletPolicy.Check(100)));
            } catch (CatalogException tie) {
                // path is "rules[i] (name)": drop the rule that tied and try again
                String path = tie.path();
                rules.remove(Integer.parseInt(path.substring(path.indexOf('[') + 1, path.indexOf(']'))));
            }
        }
    }

    private static TimeBand randomBand(Random random, String name, boolean insideMinutes) {
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        while (days.isEmpty()) {
            for (DayOfWeek day : DayOfWeek.values()) {
                if (random.nextInt(3) > 0) {
                    days.add(day);
                }
            }
        }
        LocalTime from = LocalTime.of(random.nextInt(24), random.nextInt(4) * 15);
        LocalTime until = random.nextInt(6) == 0 ? from : LocalTime.of(random.nextInt(24), random.nextInt(60));
        if (insideMinutes) {
            until = until.plusSeconds(1 + random.nextInt(59)).plusNanos(random.nextInt(1000));
        }
        return new TimeBand(name, days, from, until);
    }

    private static Rule randomRule(Random random, String name, List<String> bandNames,
                                   Map<String, Catalog.Service> services) {
        String service = random.nextInt(3) > 0 ? SERVICES.get(random.nextInt(SERVICES.size())) : null;
        Rule.Decision decision = switch (random.nextInt(5)) {
            case 0 -> new Rule.Decision.Free();
            case 1 -> new Rule.Decision.Deny("denied by " + name);
            default -> {
                Unit unit = service == null ? List.of(Unit.SECONDS, Unit.SERVICE_UNITS, Unit.BYTES).get(random.nextInt(3))
                        : services.get(service).unit();
                yield new Rule.Decision.Charge(unit.name().toLowerCase() + "-" + random.nextInt(2));
            }
        };
        Boolean roaming = random.nextInt(4) == 0 ? random.nextBoolean() : null;
        return new Rule(name, service, someOf(random, NetworkType.values()), someOf(random, TerminalType.values()),
                roaming, someOf(random, NetworkType.values()), someOf(random, TerminalType.values()),
                someOf(random, OUTLETS.toArray(String[]::new)),
                someOf(random, bandNames.toArray(String[]::new)), decision);
    }

    /** Usually nothing (unconstrained), otherwise one to three of the values. */
    private static <T> Set<T> someOf(Random random, T[] values) {
        Set<T> chosen = new HashSet<>();
        if (values.length == 0 || random.nextInt(10) < 7) {
            return chosen;
        }
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            chosen.add(values[random.nextInt(values.length)]);
        }
        return chosen;
    }

    private static RatingRequest randomRequest(Random random, ZoneId zone) {
        String service = random.nextInt(20) == 0 ? "fax" : SERVICES.get(random.nextInt(SERVICES.size()));
        int outletPick = random.nextInt(OUTLETS.size() + 2);
        String outlet = outletPick < OUTLETS.size() ? OUTLETS.get(outletPick)
                : outletPick == OUTLETS.size() ? null : "trunk-nobody-names";
        return new RatingRequest(service, randomTerminal(random), randomTerminal(random), outlet,
                randomInstant(random, zone));
    }

    private static Terminal randomTerminal(Random random) {
        if (random.nextInt(8) == 0) {
            return random.nextBoolean() ? null : Terminal.UNKNOWN;
        }
        NetworkType network = random.nextInt(6) == 0 ? null
                : NetworkType.values()[random.nextInt(NetworkType.values().length)];
        TerminalType type = random.nextInt(6) == 0 ? null
                : TerminalType.values()[random.nextInt(TerminalType.values().length)];
        Boolean roaming = random.nextInt(6) == 0 ? null : random.nextBoolean();
        return new Terminal(network, type, roaming);
    }

    /**
     * Anywhere in 2019-2030 (now and then in 1850-2250, where offsets are not tabulated and
     * historic ones are odd), or on, just before or just after one of the zone's offset transitions.
     */
    private static long randomInstant(Random random, ZoneId zone) {
        long at = FROM_MILLIS + (long) (random.nextDouble() * (UNTIL_MILLIS - FROM_MILLIS));
        if (random.nextInt(50) == 0) {
            at = FAR_FROM_MILLIS + (long) (random.nextDouble() * (FAR_UNTIL_MILLIS - FAR_FROM_MILLIS));
        }
        if (random.nextInt(3) > 0) {
            return at;
        }
        ZoneOffsetTransition next = zone.getRules().nextTransition(Instant.ofEpochMilli(at));
        if (next == null) {
            return at;
        }
        long[] nudges = {-60_001, -1, 0, 1, 59_999, 60_000};
        return next.getInstant().toEpochMilli() + nudges[random.nextInt(nudges.length)];
    }
}
