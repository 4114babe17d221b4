package io.credence.rating;

import io.credence.ledger.Unit;
import org.junit.jupiter.api.Test;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.credence.rating.RatingTestCatalog.ZONE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What {@code RatingEngineTest} leaves out of the catalog: finding a rating group's service, the
 * optional terminal-type table and packages, rules of no service against rules of one service in
 * either order, and rules in time bands of different days.
 */
class CatalogTest {
    private final Catalog standard = RatingTestCatalog.standard();

    private Catalog withPackages(Map<String, ProductPackage> packages) {
        return new Catalog("p-1", "EUR", ZONE, standard.timeBands(), standard.tariffs(), standard.services(),
                standard.rules(), standard.outlets(), null, packages);
    }

    private static ProductPackage pack(String name) {
        return new ProductPackage(name, 500, List.of(new ProductPackage.Grant(Unit.BYTES, 1_000_000_000L, 30, 0,
                Set.of(10L))));
    }

    @Test
    void aServiceNeedsANameAUnitOtherThanMoneyAndAPositiveDefaultQuota() {
        Catalog.Service sms = new Catalog.Service("sms", Unit.SERVICE_UNITS, null, 1, null);
        assertThat(sms.ratingGroups()).isEmpty();
        assertThat(sms.defaultQuota()).isEqualTo(1);
        assertThat(new Catalog.Service("sms", Unit.SERVICE_UNITS, Set.of(20L, 21L), 1, null).ratingGroups())
                .containsExactlyInAnyOrder(20L, 21L);
        assertThatThrownBy(() -> new Catalog.Service("sms", Unit.SERVICE_UNITS, Set.of(20L), 0, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("service sms: defaultQuota must be > 0");
        assertThatThrownBy(() -> new Catalog.Service("sms", Unit.MONEY, Set.of(20L), 1, null))
                .hasMessage("a service needs a name and a unit other than MONEY");
        assertThatThrownBy(() -> new Catalog.Service(" ", Unit.SERVICE_UNITS, Set.of(20L), 1, null))
                .hasMessage("a service needs a name and a unit other than MONEY");
    }

    @Test
    void aRatingGroupBelongsToTheServiceThatListsIt() {
        assertThat(standard.serviceOf(100)).isSameAs(standard.services().get("voice"));
        assertThat(standard.serviceOf(10)).isSameAs(standard.services().get("data"));
        assertThat(standard.serviceOf(11)).isSameAs(standard.services().get("data"));
        assertThat(standard.serviceOf(12)).isNull();
        assertThat(standard.serviceOf(0)).isNull();
    }

    @Test
    void aCatalogWithoutATerminalTypeTableHasAnEmptyOne() {
        assertThat(standard.terminalTypes()).isSameAs(TerminalTypes.NONE);
        assertThat(withPackages(Map.of()).terminalTypes()).isSameAs(TerminalTypes.NONE);
    }

    @Test
    void aCatalogKeepsItsTerminalTypeTable() {
        TerminalTypes table = new TerminalTypes(
                List.of(new TerminalTypes.TacRange(35_209_900, 35_209_999, TerminalType.PHONE)), List.of());
        Catalog catalog = new Catalog("t-1", "EUR", ZONE, standard.timeBands(), standard.tariffs(),
                standard.services(), standard.rules(), standard.outlets(), table);
        assertThat(catalog.terminalTypes()).isSameAs(table);
        assertThat(catalog.terminalTypes().classify("352099001234567", null)).isEqualTo(TerminalType.PHONE);
        assertThat(catalog.packages()).isEmpty();
    }

    @Test
    void aCatalogSellsThePackagesItIsGivenUnderTheirNames() {
        ProductPackage gold = pack("gold");
        ProductPackage silver = pack("silver");
        Map<String, ProductPackage> given = new HashMap<>(Map.of("gold", gold, "silver", silver));
        Catalog catalog = withPackages(given);
        given.clear();
        assertThat(catalog.packages()).containsOnly(Map.entry("gold", gold), Map.entry("silver", silver));
        assertThat(withPackages(null).packages()).isEmpty();
    }

    @Test
    void aPackageKeyedByAnotherNameIsRefused() {
        assertThatThrownBy(() -> withPackages(Map.of("gold", pack("silver"))))
                .isInstanceOfSatisfying(CatalogException.class,
                        e -> assertThat(e.path()).isEqualTo("packages.gold.name"))
                .hasMessage("packages.gold.name: differs from its key");
    }

    /** A rule of one service and a rule of every service, equally specific, meet on that service. */
    @Test
    void aRuleOfEveryServiceTiesWithAnEquallySpecificRuleOfOneServiceInEitherOrder() {
        Rule voice = new Rule("all voice", "voice", null, null, null, null, null, null, null, new Rule.Decision.Free());
        Rule lte = new Rule("lte of any service", null, Set.of(NetworkType.LTE), null, null, null, null, null, null,
                new Rule.Decision.Deny("no"));
        assertThatThrownBy(() -> RatingTestCatalog.catalog(List.of(voice, lte)))
                .isInstanceOf(CatalogException.class)
                .hasMessageStartingWith("rules[1] (lte of any service): ties with rule 'all voice'");
        assertThatThrownBy(() -> RatingTestCatalog.catalog(List.of(lte, voice)))
                .isInstanceOf(CatalogException.class)
                .hasMessageStartingWith("rules[1] (all voice): ties with rule 'lte of any service'");
    }

    @Test
    void equallySpecificRulesOfTwoServicesDoNotTie() {
        Rule voice = new Rule("all voice", "voice", null, null, null, null, null, null, null, new Rule.Decision.Free());
        Rule data = new Rule("all data", "data", null, null, null, null, null, null, null, new Rule.Decision.Free());
        assertThat(RatingTestCatalog.catalog(List.of(voice, data)).rules()).containsExactly(voice, data);
    }

    @Test
    void rulesMeetOnEveryAttributeOrNotAtAll() {
        Rule voice = new Rule("voice", "voice", null, null, null, null, null, null, null, new Rule.Decision.Free());
        Rule data = new Rule("data", "data", null, null, null, null, null, null, null, new Rule.Decision.Free());
        Rule any = new Rule("any", null, null, null, null, null, null, null, null, new Rule.Decision.Free());
        Rule roaming = new Rule("roaming", null, null, null, true, null, null, null, null, new Rule.Decision.Free());
        Rule home = new Rule("home", null, null, null, false, null, null, null, null, new Rule.Decision.Free());
        assertThat(voice.overlaps(data)).isFalse();
        assertThat(data.overlaps(voice)).isFalse();
        assertThat(voice.overlaps(any)).isTrue();
        assertThat(any.overlaps(voice)).isTrue();
        assertThat(voice.overlaps(voice)).isTrue();
        assertThat(roaming.overlaps(home)).isFalse();
        assertThat(roaming.overlaps(any)).isTrue();
        assertThat(any.overlaps(home)).isTrue();
    }

    private static Catalog dayRules(TimeBand first, TimeBand second) {
        return new Catalog("days-1", "EUR", ZONE, Map.of(first.name(), first, second.name(), second),
                Map.of("voice-std", new Tariff("voice-std", Unit.SECONDS, List.of(new Tariff.Step(Long.MAX_VALUE, 1, 1)),
                        Tariff.Rounding.UP, 0, Map.of())),
                Map.of("voice", new Catalog.Service("voice", Unit.SECONDS, Set.of(100L), 60, null)),
                List.of(new Rule("r1", "voice", null, null, null, null, null, null, Set.of(first.name()),
                                new Rule.Decision.Free()),
                        new Rule("r2", "voice", null, null, null, null, null, null, Set.of(second.name()),
                                new Rule.Decision.Charge("voice-std"))),
                Map.of());
    }

    private static TimeBand wholeDays(String name, DayOfWeek first, DayOfWeek last) {
        return new TimeBand(name, EnumSet.range(first, last), LocalTime.MIDNIGHT, LocalTime.MIDNIGHT);
    }

    @Test
    void rulesInBandsOfDifferentDaysDoNotTie() {
        Catalog catalog = dayRules(wholeDays("monday", DayOfWeek.MONDAY, DayOfWeek.MONDAY),
                wholeDays("tuesday", DayOfWeek.TUESDAY, DayOfWeek.TUESDAY));
        assertThat(catalog.rules()).hasSize(2);
        assertThat(dayRules(wholeDays("workdays", DayOfWeek.MONDAY, DayOfWeek.FRIDAY),
                wholeDays("weekend", DayOfWeek.SATURDAY, DayOfWeek.SUNDAY)).rules()).hasSize(2);
        // Monday evening until Tuesday 07:00 and Tuesday from 07:00
        assertThat(dayRules(new TimeBand("monday night", EnumSet.of(DayOfWeek.MONDAY), LocalTime.of(19, 0),
                LocalTime.of(7, 0)), new TimeBand("tuesday day", EnumSet.of(DayOfWeek.TUESDAY), LocalTime.of(7, 0),
                LocalTime.of(19, 0))).rules()).hasSize(2);
    }

    @Test
    void rulesInBandsThatShareADayTie() {
        assertThatThrownBy(() -> dayRules(wholeDays("workdays", DayOfWeek.MONDAY, DayOfWeek.FRIDAY),
                wholeDays("long weekend", DayOfWeek.FRIDAY, DayOfWeek.SUNDAY)))
                .isInstanceOf(CatalogException.class)
                .hasMessageStartingWith("rules[1] (r2): ties with rule 'r1'");
        // the part of a Monday night band after midnight is Tuesday
        assertThatThrownBy(() -> dayRules(new TimeBand("monday night", EnumSet.of(DayOfWeek.MONDAY),
                LocalTime.of(19, 0), LocalTime.of(7, 0)), new TimeBand("tuesday early", EnumSet.of(DayOfWeek.TUESDAY),
                LocalTime.of(6, 59), LocalTime.of(8, 0))))
                .isInstanceOf(CatalogException.class).hasMessageContaining("ties with rule 'r1'");
    }
}
