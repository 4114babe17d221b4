package io.credence.rating;

import io.credence.ledger.Unit;
import org.junit.jupiter.api.Test;

import java.time.ZonedDateTime;
import java.util.List;
import java.util.Set;

import static io.credence.rating.RatingTestCatalog.ZONE;
import static io.credence.rating.RatingTestCatalog.rule;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rule matcher: precedence by specificity, ties refused, missing attributes, outlets. */
class RatingEngineTest {
    private static final long NOON = ZonedDateTime.of(2026, 11, 24, 12, 0, 0, 0, ZONE).toInstant().toEpochMilli();
    private static final long NIGHT = ZonedDateTime.of(2026, 11, 24, 22, 0, 0, 0, ZONE).toInstant().toEpochMilli();
    private final RatingEngine engine = new RatingEngine(RatingTestCatalog.standard());

    private static Terminal t(NetworkType network, TerminalType type) {
        return new Terminal(network, type, false);
    }

    private RatingEngine.Decision rate(Terminal calling, Terminal called) {
        return engine.rate(new RatingRequest("voice", calling, called, null, NOON));
    }

    @Test
    void theMostSpecificMatchingRuleDecides() {
        assertThat(rate(t(NetworkType.LTE, TerminalType.PHONE), t(NetworkType.LTE, TerminalType.PHONE)))
                .isInstanceOfSatisfying(RatingEngine.Decision.Free.class,
                        f -> assertThat(f.rule().name()).isEqualTo("volte to volte is free"));
        assertThat(rate(t(NetworkType.LTE, TerminalType.PHONE), t(NetworkType.CS, TerminalType.PHONE)))
                .isInstanceOfSatisfying(RatingEngine.Decision.Charged.class,
                        c -> assertThat(c.rule().name()).isEqualTo("voice default"));
        assertThat(rate(t(NetworkType.FIXED, TerminalType.SET_TOP_BOX), Terminal.UNKNOWN))
                .isInstanceOfSatisfying(RatingEngine.Decision.Denied.class,
                        d -> assertThat(d.reason()).isEqualTo("set-top boxes have no voice service"));
        assertThat(rate(t(NetworkType.WIFI, TerminalType.PHONE), Terminal.UNKNOWN))
                .isInstanceOfSatisfying(RatingEngine.Decision.Charged.class,
                        c -> assertThat(c.rule().name()).isEqualTo("wifi calls from phones"));
    }

    @Test
    void aRuleOnAnUnknownAttributeDoesNotMatchUntilItIsKnown() {
        // before the called party answers its network is unknown: the free VoLTE rule cannot apply yet
        assertThat(rate(t(NetworkType.LTE, TerminalType.PHONE), Terminal.UNKNOWN))
                .isInstanceOf(RatingEngine.Decision.Charged.class);
        assertThat(rate(t(NetworkType.LTE, TerminalType.PHONE), t(NetworkType.LTE, null)))
                .isInstanceOf(RatingEngine.Decision.Free.class);
    }

    @Test
    void aServiceWithoutAnyRuleIsUnrated() {
        assertThat(engine.rate(new RatingRequest("sms", null, null, null, NOON)))
                .isInstanceOf(RatingEngine.Decision.Unrated.class);
    }

    @Test
    void theTimeBandPicksTheTariffsBandSteps() {
        var day = (RatingEngine.Decision.Charged) engine.rate(new RatingRequest("voice", null, null, null, NOON));
        var night = (RatingEngine.Decision.Charged) engine.rate(new RatingRequest("voice", null, null, null, NIGHT));
        assertThat(day.band()).isNull();
        assertThat(night.band()).isEqualTo("evening");
        assertThat(day.price(61)).isEqualTo(13);
        assertThat(night.price(61)).isEqualTo(7);
    }

    @Test
    void outletsAreCheckedAgainstTheAvailableResource() {
        assertThat(engine.outlet("intl-trunk").allows(500)).isFalse();
        assertThat(engine.outlet("intl-trunk").allows(501)).isTrue();
        assertThat(engine.outlet("local-trunk").allows(0)).isTrue();
        assertThat(engine.outlet("unknown-trunk").allows(0)).isTrue();
    }

    @Test
    void aCheckAtZeroRoutesAnyCallerWithSomethingLeft() {
        OutletPolicy zero = new OutletPolicy.Check(0);
        assertThat(zero.allows(0)).isFalse();
        assertThat(zero.allows(1)).isTrue();
        assertThat(((OutletPolicy.Check) zero).threshold()).isZero();
        assertThatThrownBy(() -> new OutletPolicy.Check(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("threshold must be >= 0");
        assertThat(engine.outlet(null)).isEqualTo(new OutletPolicy.NoCheck());
    }

    @Test
    void anEngineRatesUnderTheCatalogItWasBuiltWith() {
        Catalog catalog = RatingTestCatalog.standard();
        assertThat(new RatingEngine(catalog).catalog()).isSameAs(catalog);
    }

    @Test
    void equallySpecificRulesThatCanMatchTheSameRequestAreACatalogError() {
        Rule a = rule("lte callers", Set.of(NetworkType.LTE), null, null, null, new Rule.Decision.Free());
        Rule b = rule("phones", null, Set.of(TerminalType.PHONE), null, null, new Rule.Decision.Charge("voice-std"));
        assertThatThrownBy(() -> RatingTestCatalog.catalog(List.of(a, b)))
                .isInstanceOf(CatalogException.class).hasMessageContaining("ties with rule 'lte callers'")
                .hasMessageContaining("rules[1] (phones)");
        // disjoint attribute values do not tie
        Rule c = rule("cs callers", Set.of(NetworkType.CS), null, null, null, new Rule.Decision.Free());
        assertThat(RatingTestCatalog.catalog(List.of(a, c)).rules()).hasSize(2);
    }

    @Test
    void rulesInDisjointTimeBandsDoNotTieButOverlappingOnesDo() {
        var evening = new TimeBand("evening", java.util.EnumSet.allOf(java.time.DayOfWeek.class),
                java.time.LocalTime.of(19, 0), java.time.LocalTime.of(7, 0));
        var day = new TimeBand("day", java.util.EnumSet.allOf(java.time.DayOfWeek.class),
                java.time.LocalTime.of(7, 0), java.time.LocalTime.of(19, 0));
        var lateDay = new TimeBand("late", java.util.EnumSet.allOf(java.time.DayOfWeek.class),
                java.time.LocalTime.of(18, 0), java.time.LocalTime.of(20, 0));
        java.util.function.Function<List<String>, Catalog> withBands = names -> new Catalog("t", "EUR", ZONE,
                java.util.Map.of("evening", evening, "day", day, "late", lateDay),
                java.util.Map.of("voice-std", RatingTestCatalog.voice()),
                java.util.Map.of("voice", new Catalog.Service("voice", Unit.SECONDS, Set.of(100L), 60, null)),
                List.of(new Rule("r1", "voice", null, null, null, null, null, null, Set.of(names.get(0)),
                                new Rule.Decision.Free()),
                        new Rule("r2", "voice", null, null, null, null, null, null, Set.of(names.get(1)),
                                new Rule.Decision.Charge("voice-std"))),
                java.util.Map.of());
        assertThat(withBands.apply(List.of("day", "evening")).rules()).hasSize(2);
        assertThatThrownBy(() -> withBands.apply(List.of("day", "late"))).hasMessageContaining("ties");
    }

    @Test
    void referencesAreChecked() {
        Rule bad = rule("bad", null, null, null, null, new Rule.Decision.Charge("nope"));
        assertThatThrownBy(() -> RatingTestCatalog.catalog(List.of(bad))).isInstanceOf(CatalogException.class)
                .hasMessageContaining("rules[0] (bad).tariff").hasMessageContaining("no tariff nope");
        Rule wrongUnit = rule("wrong unit", null, null, null, null, new Rule.Decision.Charge("data-std"));
        assertThatThrownBy(() -> RatingTestCatalog.catalog(List.of(wrongUnit)))
                .hasMessageContaining("prices BYTES, service voice is rated in SECONDS");
    }
}
