package io.credence.rating;

import io.credence.ledger.Unit;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A small catalog like the example one: voice with IMS attribute rules, data, an outlet check. */
final class RatingTestCatalog {
    private RatingTestCatalog() {}

    static final ZoneId ZONE = ZoneId.of("Europe/Berlin");

    static Tariff voice() {
        // the first minute as one block, then per second; evenings per 10 s at half price
        return new Tariff("voice-std", Unit.SECONDS, List.of(new Tariff.Step(60, 60, 12),
                new Tariff.Step(Long.MAX_VALUE, 1, 1)), Tariff.Rounding.UP, 0,
                Map.of("evening", List.of(new Tariff.Step(Long.MAX_VALUE, 10, 1))));
    }

    static Tariff data() {
        return new Tariff("data-std", Unit.BYTES, List.of(new Tariff.Step(Long.MAX_VALUE, 1_000_000, 5)),
                Tariff.Rounding.UP, 1, Map.of());
    }

    static Rule rule(String name, Set<NetworkType> callingNetwork, Set<TerminalType> callingTerminal,
                     Set<NetworkType> calledNetwork, Set<String> outlets, Rule.Decision decision) {
        return new Rule(name, "voice", callingNetwork, callingTerminal, null, calledNetwork, null, outlets, null, decision);
    }

    static Catalog catalog(List<Rule> rules) {
        return new Catalog("test-1", "EUR", ZONE,
                Map.of("evening", new TimeBand("evening", EnumSet.allOf(DayOfWeek.class), LocalTime.of(19, 0),
                        LocalTime.of(7, 0))),
                Map.of("voice-std", voice(), "data-std", data()),
                Map.of("voice", new Catalog.Service("voice", Unit.SECONDS, Set.of(100L), 300, "voice-std"),
                        "data", new Catalog.Service("data", Unit.BYTES, Set.of(10L, 11L), 10_000_000, "data-std")),
                rules,
                Map.of("intl-trunk", new OutletPolicy.Check(500), "local-trunk", new OutletPolicy.NoCheck()));
    }

    static Catalog standard() {
        return catalog(List.of(
                rule("voice default", null, null, null, null, new Rule.Decision.Charge("voice-std")),
                rule("volte to volte is free", Set.of(NetworkType.LTE), null, Set.of(NetworkType.LTE), null,
                        new Rule.Decision.Free()),
                rule("set-top boxes may not call", null, Set.of(TerminalType.SET_TOP_BOX), null, null,
                        new Rule.Decision.Deny("set-top boxes have no voice service")),
                rule("wifi calls from phones", Set.of(NetworkType.WIFI), Set.of(TerminalType.PHONE), null, null,
                        new Rule.Decision.Charge("voice-std")),
                new Rule("data default", "data", null, null, null, null, null, null, null,
                        new Rule.Decision.Charge("data-std"))));
    }
}
