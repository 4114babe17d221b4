package io.credence.rating;

import io.credence.ledger.Unit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.DayOfWeek;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What {@code RatingEngineTest} leaves out: roaming, outlets, the called terminal, rules for any
 * service, unknown attributes other than the called network, rules in several time bands, the band a tariff takes when two apply, band edges on
 * both sides of a daylight-saving change, and band boundaries inside a minute.
 */
class RuleMatchingTableTest {
    private static final ZoneId ZONE = ZoneId.of("Europe/Berlin");

    private static final Tariff VOICE = new Tariff("voice", Unit.SECONDS, List.of(new Tariff.Step(Long.MAX_VALUE, 60, 10)),
            Tariff.Rounding.UP, 0, Map.of(
                    "evening", List.of(new Tariff.Step(Long.MAX_VALUE, 60, 5)),
                    "weekend", List.of(new Tariff.Step(Long.MAX_VALUE, 60, 3))));

    /**
     * Rules by specificity: 0 any service · 1 voice · 2 voice in the evening or at the weekend
     * (the evening is weekdays only), video when roaming · 3 voice at home via trunk-x or -y,
     * voice roaming via trunk-x · 4 voice at home to watches on LTE.
     */
    private static Catalog catalog(LocalTime eveningFrom) {
        Set<DayOfWeek> weekdays = EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY);
        return new Catalog("table-1", "EUR", ZONE,
                Map.of("evening", new TimeBand("evening", weekdays, eveningFrom, LocalTime.of(23, 0)),
                        "weekend", new TimeBand("weekend", EnumSet.of(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY),
                                LocalTime.MIDNIGHT, LocalTime.MIDNIGHT),
                        "late", new TimeBand("late", EnumSet.allOf(DayOfWeek.class), LocalTime.of(22, 0),
                                LocalTime.of(23, 0))),
                Map.of("voice", VOICE),
                Map.of("voice", new Catalog.Service("voice", Unit.SECONDS, Set.of(100L), 60, "voice"),
                        "video", new Catalog.Service("video", Unit.SECONDS, Set.of(101L), 60, null)),
                List.of(new Rule("any service", null, null, null, null, null, null, null, null, new Rule.Decision.Free()),
                        voice("voice", null, null, null, null, null),
                        voice("off peak", null, null, null, null, Set.of("evening", "weekend")),
                        new Rule("video roaming", "video", null, null, true, null, null, null, null,
                                new Rule.Decision.Deny("no video abroad")),
                        voice("trunks", false, null, null, Set.of("trunk-x", "trunk-y"), null),
                        voice("roaming via trunk-x", true, null, null, Set.of("trunk-x"), null),
                        voice("to watches on lte", false, Set.of(NetworkType.LTE), Set.of(TerminalType.WATCH), null,
                                null)),
                Map.of());
    }

    private static Rule voice(String name, Boolean roaming, Set<NetworkType> calledNetwork,
                              Set<TerminalType> calledTerminal, Set<String> outlets, Set<String> bands) {
        return new Rule(name, "voice", null, null, roaming, calledNetwork, calledTerminal, outlets, bands,
                new Rule.Decision.Charge("voice"));
    }

    private static final RatingEngine ENGINE = new RatingEngine(catalog(LocalTime.of(19, 0)));

    private static long at(String localDateTime) {
        return LocalDateTime.parse(localDateTime).atZone(ZONE).toInstant().toEpochMilli();
    }

    private static Terminal terminal(String network, String type, String roaming) {
        return new Terminal(network.equals("-") ? null : NetworkType.valueOf(network),
                type.equals("-") ? null : TerminalType.valueOf(type),
                roaming.equals("-") ? null : Boolean.valueOf(roaming));
    }

    private static String ruleName(RatingEngine.Decision decision) {
        return switch (decision) {
            case RatingEngine.Decision.Charged c -> c.rule().name();
            case RatingEngine.Decision.Free f -> f.rule().name();
            case RatingEngine.Decision.Denied d -> d.rule().name();
            case RatingEngine.Decision.Unrated u -> "unrated";
        };
    }

    // a Tuesday noon is in no band; "-" is an unknown attribute or no outlet
    @ParameterizedTest(name = "{0} from {1}/{2}/roaming {3} to {4}/{5} via {6} at {7}: {8}")
    @CsvSource({
            "voice, LTE, PHONE, false, LTE, PHONE, -,          2026-11-24T12:00, voice",
            "voice, LTE, PHONE, true,  LTE, PHONE, -,          2026-11-24T12:00, voice",
            "video, LTE, PHONE, true,  LTE, WATCH, trunk-x,    2026-11-24T12:00, video roaming",
            "video, LTE, PHONE, false, LTE, WATCH, trunk-x,    2026-11-24T12:00, any service",
            "video, LTE, PHONE, -,     -,   -,     -,          2026-11-24T12:00, any service",
            "fax,   -,   -,     -,     -,   -,     -,          2026-11-24T12:00, any service",
            "voice, -,   -,     true,  -,   -,     trunk-x,    2026-11-24T12:00, roaming via trunk-x",
            "voice, -,   -,     false, -,   -,     trunk-x,    2026-11-24T12:00, trunks",
            "voice, -,   -,     false, -,   -,     trunk-y,    2026-11-24T12:00, trunks",
            "voice, -,   -,     -,     -,   -,     trunk-y,    2026-11-24T12:00, voice",
            "voice, -,   -,     true,  -,   -,     trunk-y,    2026-11-24T12:00, voice",
            "voice, -,   -,     false, -,   -,     trunk-z,    2026-11-24T12:00, voice",
            "voice, -,   -,     false, LTE, WATCH, -,          2026-11-24T12:00, to watches on lte",
            "voice, -,   -,     -,     LTE, WATCH, -,          2026-11-24T12:00, voice",
            "voice, -,   -,     false, LTE, -,     -,          2026-11-24T12:00, voice",
            "voice, -,   -,     false, -,   WATCH, -,          2026-11-24T12:00, voice",
            "voice, -,   -,     false, -,   -,     -,          2026-11-24T19:00, off peak",
            "voice, -,   -,     false, -,   -,     -,          2026-11-24T18:59:59.999, voice",
            "voice, -,   -,     false, -,   -,     -,          2026-11-24T22:59:59.999, off peak",
            "voice, -,   -,     false, -,   -,     -,          2026-11-24T23:00, voice",
            "voice, -,   -,     -,     -,   -,     -,          2026-11-28T12:00, off peak",
            "voice, -,   -,     false, -,   -,     trunk-x,    2026-11-24T21:00, trunks",
            "voice, -,   -,     true,  -,   -,     trunk-x,    2026-11-28T12:00, roaming via trunk-x",
            "voice, -,   -,     true,  -,   -,     trunk-y,    2026-11-28T12:00, off peak",
    })
    void theMostSpecificRuleThatAcceptsEveryKnownAttributeDecides(String service, String callingNetwork,
            String callingType, String callingRoaming, String calledNetwork, String calledType, String outlet,
            String localTime, String rule) {
        RatingRequest request = new RatingRequest(service, terminal(callingNetwork, callingType, callingRoaming),
                terminal(calledNetwork, calledType, "-"), outlet.equals("-") ? null : outlet, at(localTime));
        assertThat(ruleName(ENGINE.rate(request))).isEqualTo(rule);
    }

    @ParameterizedTest(name = "{0}: bands {1}, tariff steps of {2}")
    @CsvSource({
            // the tariff has steps for evening and weekend, not for late: late alone leaves its normal steps
            "2026-11-24T12:00, '',            ''",
            "2026-11-24T21:00, evening,       evening",
            "2026-11-24T22:30, evening late,  evening",
            "2026-11-28T22:30, late weekend,  weekend",
            // either side of the daylight-saving changes of 2026 (29 March, 25 October), 19:00 local
            "2026-03-27T18:59, '',            ''",
            "2026-03-27T19:00, evening,       evening",
            "2026-03-30T18:59, '',            ''",
            "2026-03-30T19:00, evening,       evening",
            "2026-10-23T19:00, evening,       evening",
            "2026-10-26T18:59, '',            ''",
            "2026-10-26T19:00, evening,       evening",
            // the hour skipped and the hour repeated fall in the weekend
            "2026-03-29T02:30, weekend,       weekend",
            "2026-10-25T02:30, weekend,       weekend",
    })
    void bandsAreReadInLocalTimeAndTheTariffTakesTheFirstBandItHasStepsFor(String localTime, String bands,
                                                                            String tariffBand) {
        long at = at(localTime);
        Set<String> expected = bands.isEmpty() ? Set.of() : Set.of(bands.split(" "));
        assertThat(ENGINE.bandsAt(at)).isEqualTo(expected);
        var charged = (RatingEngine.Decision.Charged) ENGINE.rate(new RatingRequest("voice", null, null, null, at));
        assertThat(charged.band()).isEqualTo(tariffBand.isEmpty() ? null : tariffBand);
    }

    @Test
    void aBandBoundaryInsideAMinuteIsHonouredToTheMillisecond() {
        RatingEngine engine = new RatingEngine(catalog(LocalTime.of(19, 0, 30)));
        assertThat(engine.bandsAt(at("2026-11-24T19:00:29.999"))).isEmpty();
        assertThat(engine.bandsAt(at("2026-11-24T19:00:30"))).containsExactly("evening");
    }

    @Test
    void rulesNamingACommonOutletTieButDisjointOutletsDoNot() {
        Catalog base = catalog(LocalTime.of(19, 0));
        Rule viaX = voice("via x", null, null, null, Set.of("trunk-x", "trunk-q"), null);
        Rule viaXorZ = voice("via x or z", null, null, null, Set.of("trunk-z", "trunk-x"), null);
        Rule viaZ = voice("via z", null, null, null, Set.of("trunk-z"), null);
        assertThatThrownBy(() -> new Catalog("t", "EUR", ZONE, base.timeBands(), base.tariffs(), base.services(),
                List.of(viaX, viaXorZ), Map.of())).isInstanceOf(CatalogException.class).hasMessageContaining("ties");
        assertThat(new Catalog("t", "EUR", ZONE, base.timeBands(), base.tariffs(), base.services(), List.of(viaX, viaZ),
                Map.of()).rules()).hasSize(2);
    }
}
