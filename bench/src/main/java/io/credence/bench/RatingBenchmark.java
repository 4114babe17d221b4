package io.credence.bench;

import io.credence.ledger.Unit;
import io.credence.rating.Catalog;
import io.credence.rating.NetworkType;
import io.credence.rating.OutletPolicy;
import io.credence.rating.RatingEngine;
import io.credence.rating.RatingRequest;
import io.credence.rating.Rule;
import io.credence.rating.Tariff;
import io.credence.rating.Terminal;
import io.credence.rating.TerminalType;
import io.credence.rating.TimeBand;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code RatingEngine.rate} on one thread with a catalog of 10,000 rules: four services, 2,000
 * outlets (trunk groups), networks, terminal types, roaming and three disjoint time bands plus an
 * overlapping night band. The catalog is generated so that no two equally specific rules can
 * match one request (each service uses one combination of constrained attributes per
 * specificity, and values within it are distinct), which the catalog checks when it is built.
 * Requests come in turn from 4,096 pre-built ones (seeded): mostly voice to a known outlet, some
 * to an outlet no rule names or none, some with unknown terminal attributes, at instants spread
 * over 2026 in Europe/Berlin (both daylight-saving changes included).
 *
 * <p>Set-up prints how long building the catalog (its tie check) and the engine took, and which
 * specificities the requests end at, so a run shows what it measured.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class RatingBenchmark {
    static final int RULES = 10_000;
    static final int OUTLETS = 2_000;
    static final int REQUESTS = 4_096;
    static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
    static final List<String> DISJOINT_BANDS = List.of("peak", "offpeak", "weekend");

    RatingEngine engine;
    RatingRequest[] requests;
    int next;

    @Setup
    public void setUp() {
        List<Rule> rules = rules();
        long started = System.nanoTime();
        Catalog catalog = new Catalog("bench-1", "EUR", ZONE, bands(), tariffs(), services(), rules, outletPolicies());
        long catalogNanos = System.nanoTime() - started;
        started = System.nanoTime();
        engine = new RatingEngine(catalog);
        long engineNanos = System.nanoTime() - started;
        requests = requests(new Random(20261124));
        Map<String, Integer> endedAt = new TreeMap<>();
        for (RatingRequest request : requests) {
            String outcome = switch (engine.rate(request)) {
                case RatingEngine.Decision.Charged c -> "specificity " + c.rule().specificity();
                case RatingEngine.Decision.Free f -> "specificity " + f.rule().specificity();
                case RatingEngine.Decision.Denied d -> "specificity " + d.rule().specificity();
                case RatingEngine.Decision.Unrated u -> "unrated";
            };
            endedAt.merge(outcome, 1, Integer::sum);
        }
        System.err.printf("%n%d rules: Catalog built (tie check) in %d ms, RatingEngine in %d ms; %d requests end at %s%n",
                rules.size(), catalogNanos / 1_000_000, engineNanos / 1_000_000, requests.length, endedAt);
    }

    @Benchmark
    public RatingEngine.Decision rate() {
        RatingRequest request = requests[next];
        next = (next + 1) & (REQUESTS - 1);
        return engine.rate(request);
    }

    static String outlet(int i) {
        return "trunk-%04d".formatted(i);
    }

    /**
     * The rules, in a shuffled order (the engine orders them itself). Per service and specificity
     * one shape (set of constrained attributes), each rule a distinct combination of its values:
     *
     * <pre>
     * voice  1 {service} · 2 {+roaming} · 3 {+outlet, band}: 2,000 outlets x 3 bands
     *        4 {+calling network, called network, calling terminal}: 150
     *        5 {+outlet, roaming, calling network, handset terminals}: 600 outlets x 2 x 3
     *        6 {+outlet, roaming, calling network, called network, night}: the rest
     * video  1 · 2 {+roaming} · 3 {+calling network, called network}
     * sms    1 · 3 {+roaming, calling terminal}
     * data   1 · 3 {+roaming, calling network} · 5 {+roaming, network, terminal, band}
     * </pre>
     */
    static List<Rule> rules() {
        List<Rule> rules = new ArrayList<>();
        for (String service : List.of("voice", "video", "sms", "data")) {
            rules.add(rule(service + " default", service, null, null, null, null, null, null, null, charge(service)));
        }
        for (String service : List.of("voice", "video")) {
            for (boolean roaming : new boolean[] {false, true}) {
                rules.add(rule(service + " roaming " + roaming, service, null, null, roaming, null, null, null, null,
                        roaming ? new Rule.Decision.Charge(service + "-roaming") : charge(service)));
            }
        }
        for (int o = 0; o < OUTLETS; o++) {
            for (String band : DISJOINT_BANDS) {
                rules.add(rule("voice via " + outlet(o) + " " + band, "voice", null, null, null, null, null,
                        Set.of(outlet(o)), Set.of(band), new Rule.Decision.Charge("voice-outlet-" + (o % 20))));
            }
        }
        for (NetworkType from : NetworkType.values()) {
            for (NetworkType to : NetworkType.values()) {
                for (TerminalType type : TerminalType.values()) {
                    Rule.Decision decision = type == TerminalType.SET_TOP_BOX ? new Rule.Decision.Deny("no voice on set-top boxes")
                            : from == to && from == NetworkType.LTE ? new Rule.Decision.Free() : charge("voice");
                    rules.add(rule("voice " + from + " to " + to + " from " + type, "voice", Set.of(from), Set.of(type),
                            null, Set.of(to), null, null, null, decision));
                }
            }
        }
        List<NetworkType> mobile = List.of(NetworkType.LTE, NetworkType.NR, NetworkType.CS);
        Set<TerminalType> handsets = Set.of(TerminalType.PHONE, TerminalType.WATCH, TerminalType.SOFT_CLIENT);
        for (int o = 0; o < 600; o++) {
            for (boolean roaming : new boolean[] {false, true}) {
                for (NetworkType network : mobile) {
                    rules.add(rule("voice via " + outlet(o) + " roaming " + roaming + " on " + network, "voice",
                            Set.of(network), handsets, roaming, null, null, Set.of(outlet(o)), null,
                            new Rule.Decision.Charge(roaming ? "voice-roaming" : "voice-outlet-" + (o % 20))));
                }
            }
        }
        for (NetworkType from : NetworkType.values()) {
            for (NetworkType to : NetworkType.values()) {
                rules.add(rule("video " + from + " to " + to, "video", Set.of(from), null, null, Set.of(to), null, null,
                        null, charge("video")));
            }
        }
        for (boolean roaming : new boolean[] {false, true}) {
            for (TerminalType type : TerminalType.values()) {
                rules.add(rule("sms roaming " + roaming + " from " + type, "sms", null, Set.of(type), roaming, null, null,
                        null, null, type == TerminalType.IOT ? new Rule.Decision.Free() : charge("sms")));
            }
            for (NetworkType network : NetworkType.values()) {
                rules.add(rule("data roaming " + roaming + " on " + network, "data", Set.of(network), null, roaming,
                        null, null, null, null, new Rule.Decision.Charge(roaming ? "data-roaming" : "data")));
                for (TerminalType type : TerminalType.values()) {
                    for (String band : DISJOINT_BANDS) {
                        rules.add(rule("data roaming " + roaming + " on " + network + " from " + type + " " + band,
                                "data", Set.of(network), Set.of(type), roaming, null, null, null, Set.of(band),
                                type == TerminalType.SET_TOP_BOX ? new Rule.Decision.Deny("no data plan")
                                        : new Rule.Decision.Charge(roaming ? "data-roaming" : "data")));
                    }
                }
            }
        }
        fill: for (int o = 600; ; o++) {
            for (NetworkType to : mobile) {
                if (rules.size() == RULES) {
                    break fill;
                }
                rules.add(rule("voice via " + outlet(o) + " at night to " + to, "voice", Set.of(NetworkType.LTE), null,
                        false, Set.of(to), null, Set.of(outlet(o)), Set.of("night"), new Rule.Decision.Free()));
            }
        }
        Collections.shuffle(rules, new Random(42));
        return rules;
    }

    private static Rule rule(String name, String service, Set<NetworkType> callingNetwork, Set<TerminalType> callingTerminal,
                             Boolean callingRoaming, Set<NetworkType> calledNetwork, Set<TerminalType> calledTerminal,
                             Set<String> outlets, Set<String> timeBands, Rule.Decision decision) {
        return new Rule(name, service, callingNetwork, callingTerminal, callingRoaming, calledNetwork, calledTerminal,
                outlets, timeBands, decision);
    }

    private static Rule.Decision charge(String service) {
        return new Rule.Decision.Charge(service);
    }

    static Map<String, TimeBand> bands() {
        Set<DayOfWeek> weekdays = EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY);
        // disjoint: peak weekdays 08-19, offpeak from there to 08:00 the next morning (Friday's ends on
        // Saturday 08:00), weekend from Saturday 08:00 to Monday 07:59 (wrapping past midnight twice)
        return Map.of(
                "peak", new TimeBand("peak", weekdays, LocalTime.of(8, 0), LocalTime.of(19, 0)),
                "offpeak", new TimeBand("offpeak", weekdays, LocalTime.of(19, 0), LocalTime.of(8, 0)),
                "weekend", new TimeBand("weekend", EnumSet.of(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY),
                        LocalTime.of(8, 0), LocalTime.of(7, 59)),
                "night", new TimeBand("night", EnumSet.allOf(DayOfWeek.class), LocalTime.of(0, 0), LocalTime.of(6, 0)));
    }

    static Map<String, Tariff> tariffs() {
        Map<String, Tariff> tariffs = new HashMap<>();
        Map<String, List<Tariff.Step>> cheaperOutOfPeak = Map.of(
                "offpeak", List.of(new Tariff.Step(Long.MAX_VALUE, 10, 1)),
                "weekend", List.of(new Tariff.Step(Long.MAX_VALUE, 60, 4)));
        for (String id : List.of("voice", "voice-roaming", "video", "video-roaming")) {
            tariffs.put(id, new Tariff(id, Unit.SECONDS, List.of(new Tariff.Step(60, 60, 12),
                    new Tariff.Step(Long.MAX_VALUE, 1, 1)), Tariff.Rounding.UP, 0, cheaperOutOfPeak));
        }
        for (int i = 0; i < 20; i++) {
            String id = "voice-outlet-" + i;
            tariffs.put(id, new Tariff(id, Unit.SECONDS, List.of(new Tariff.Step(Long.MAX_VALUE, 60, 20 + i)),
                    Tariff.Rounding.UP, 5, cheaperOutOfPeak));
        }
        tariffs.put("sms", new Tariff("sms", Unit.SERVICE_UNITS, List.of(new Tariff.Step(Long.MAX_VALUE, 1, 9)),
                Tariff.Rounding.UP, 0, Map.of()));
        for (String id : List.of("data", "data-roaming")) {
            tariffs.put(id, new Tariff(id, Unit.BYTES, List.of(new Tariff.Step(Long.MAX_VALUE, 1_000_000, 5)),
                    Tariff.Rounding.UP, 1, Map.of()));
        }
        return tariffs;
    }

    static Map<String, Catalog.Service> services() {
        return Map.of(
                "voice", new Catalog.Service("voice", Unit.SECONDS, Set.of(100L), 300, "voice"),
                "video", new Catalog.Service("video", Unit.SECONDS, Set.of(101L), 300, "video"),
                "sms", new Catalog.Service("sms", Unit.SERVICE_UNITS, Set.of(200L), 1, "sms"),
                "data", new Catalog.Service("data", Unit.BYTES, Set.of(10L, 11L), 10_000_000, "data"));
    }

    static Map<String, OutletPolicy> outletPolicies() {
        Map<String, OutletPolicy> policies = new HashMap<>();
        for (int o = 0; o < OUTLETS; o += 10) {
            policies.put(outlet(o), new OutletPolicy.Check(100));
        }
        return policies;
    }

    static RatingRequest[] requests(Random random) {
        long yearStart = ZonedDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZONE).toInstant().toEpochMilli();
        long yearMillis = 365L * 24 * 60 * 60 * 1000;
        RatingRequest[] requests = new RatingRequest[REQUESTS];
        for (int i = 0; i < REQUESTS; i++) {
            int pick = random.nextInt(100);
            String service = pick < 70 ? "voice" : pick < 80 ? "video" : pick < 85 ? "sms" : "data";
            int outletPick = random.nextInt(10);
            String outlet = !service.equals("voice") || outletPick == 0 ? null
                    : outletPick == 1 ? "trunk-unknown-" + random.nextInt(50) : outlet(random.nextInt(OUTLETS));
            Terminal called = random.nextInt(10) < 3 ? Terminal.UNKNOWN : terminal(random);
            requests[i] = new RatingRequest(service, terminal(random), called, outlet,
                    yearStart + (long) (random.nextDouble() * yearMillis));
        }
        return requests;
    }

    private static Terminal terminal(Random random) {
        NetworkType network = random.nextInt(20) == 0 ? null
                : NetworkType.values()[random.nextInt(NetworkType.values().length)];
        TerminalType type = random.nextInt(20) == 0 ? null
                : TerminalType.values()[random.nextInt(TerminalType.values().length)];
        Boolean roaming = random.nextInt(20) == 0 ? null : random.nextInt(5) == 0;
        return new Terminal(network, type, roaming);
    }
}
