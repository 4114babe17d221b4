package io.credence.rating;

import io.credence.ledger.Unit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.credence.rating.RatingTestCatalog.ZONE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The rule index past its first 64 rules: one 64-bit word of its bitsets per 64 rules, and a rule
 * in the second or third word found at its own position.
 */
class RuleIndexTest {
    private static final int SERVICES = 130;

    private static String service(int i) {
        return String.format("s%03d", i);
    }

    private static Rule ruleFor(int i) {
        return new Rule("for " + service(i), service(i), null, null, null, null, null, null, null,
                new Rule.Decision.Free());
    }

    /** 130 services, each with one rule (equally specific, so they keep the catalog's order). */
    private final RatingEngine engine = manyServices();

    private static RatingEngine manyServices() {
        Map<String, Catalog.Service> services = new HashMap<>();
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < SERVICES; i++) {
            services.put(service(i), new Catalog.Service(service(i), Unit.SERVICE_UNITS, Set.of((long) i), 1, null));
            rules.add(ruleFor(i));
        }
        return new RatingEngine(new Catalog("many-1", "EUR", ZONE, Map.of(), Map.of(), services, rules, Map.of()));
    }

    @ParameterizedTest(name = "service {0}")
    @ValueSource(ints = {0, 1, 62, 63, 64, 65, 100, 126, 127, 128, 129})
    void eachServiceGetsItsOwnRuleWhicheverWordItIsIn(int i) {
        assertThat(engine.rate(new RatingRequest(service(i), null, null, null, 0)))
                .isEqualTo(new RatingEngine.Decision.Free(ruleFor(i)));
    }

    @ParameterizedTest(name = "{0} rules: {1} words")
    @CsvSource({"0, 1", "1, 1", "63, 1", "64, 1", "65, 2", "128, 2", "129, 3"})
    void theBitsetsHaveOneWordPerSixtyFourRules(int rules, int words) {
        List<Rule> list = new ArrayList<>();
        for (int i = 0; i < rules; i++) {
            list.add(ruleFor(i));
        }
        RuleIndex index = new RuleIndex(list);
        assertThat(index.size()).isEqualTo(rules);
        assertThat(index.acceptingBands(Set.of())).hasSize(words);
        assertThat(index.toString()).isEqualTo("RuleIndex[" + rules + " rules, " + words + " words, 0 outlets, bands []]");
        assertThatThrownBy(() -> index.firstMatch(new RatingRequest("s000", null, null, null, 0), new long[words + 1]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a band bitset of " + (words + 1) + " words, the index has " + words);
    }
}
