package io.credence.rating;

import io.credence.ledger.Unit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code TariffTest} leaves out: steps that replace the normal ones inside a time band
 * (with their own rounding edges and the minimum charge), and the monotonic price and the
 * money-to-units inverse over random tariffs that have band steps, at edge-biased amounts.
 */
class TariffBandStepsTest {
    /** Normal: 60 s blocks at 12. Evening: first 30 s as one block at 3, then 10 s blocks at 1. */
    private static Tariff tariff(Tariff.Rounding rounding, long minimum) {
        return new Tariff("t", Unit.SECONDS, List.of(new Tariff.Step(Long.MAX_VALUE, 60, 12)), rounding, minimum,
                Map.of("evening", List.of(new Tariff.Step(30, 30, 3), new Tariff.Step(Long.MAX_VALUE, 10, 1))));
    }

    @ParameterizedTest(name = "{0} s in band {1} rounded {2} with minimum {3} cost {4}")
    @CsvSource({
            "61,  '',      UP,      0, 24",
            "61,  weekend, UP,      0, 24",
            "61,  evening, UP,      0, 7",
            "1,   evening, UP,      0, 3",
            "30,  evening, UP,      0, 3",
            "31,  evening, UP,      0, 4",
            "31,  evening, DOWN,    0, 3",
            "44,  evening, NEAREST, 0, 4",
            "35,  evening, NEAREST, 0, 4",
            "34,  evening, NEAREST, 0, 3",
            "14,  evening, NEAREST, 0, 0",
            "15,  evening, NEAREST, 0, 3",
            "1,   evening, DOWN,    2, 2",
            "0,   evening, UP,      2, 0",
            "130, evening, DOWN,    2, 13",
    })
    void bandStepsReplaceTheNormalOnesOnlyInTheirBand(long units, String band, Tariff.Rounding rounding, long minimum,
                                                       long price) {
        assertThat(tariff(rounding, minimum).price(units, band.isEmpty() ? null : band)).isEqualTo(price);
    }

    /** In every band, price never decreases as units grow, and unitsFor is the largest affordable amount. */
    @Test
    void priceIsMonotonicAndUnitsForInvertsItInEveryBand() {
        Random random = new Random(1124);
        for (int round = 0; round < 300; round++) {
            Map<String, List<Tariff.Step>> bandSteps = new HashMap<>();
            bandSteps.put("evening", randomSteps(random));
            bandSteps.put("weekend", randomSteps(random));
            Tariff tariff = new Tariff("p" + round, Unit.SECONDS, randomSteps(random),
                    Tariff.Rounding.values()[random.nextInt(3)], random.nextInt(3) == 0 ? 0 : random.nextInt(30), bandSteps);
            for (String band : new String[] {null, "evening", "weekend", "no-such-band"}) {
                long previous = -1;
                for (long units : edgeBiasedUnits(random, tariff, band)) {
                    long price = tariff.price(units, band);
                    assertThat(price).as("%s in %s at %d units", tariff, band, units).isGreaterThanOrEqualTo(previous);
                    previous = price;
                }
                long money = random.nextInt(5_000);
                long unitsMax = 100_000;
                long affordable = tariff.unitsFor(money, band, unitsMax);
                assertThat(affordable == 0 || tariff.price(affordable, band) <= money).isTrue();
                assertThat(affordable == unitsMax || tariff.price(affordable + 1, band) > money)
                        .as("%s in %s: %d units for %d", tariff, band, affordable, money).isTrue();
            }
        }
    }

    private static List<Tariff.Step> randomSteps(Random random) {
        int count = 1 + random.nextInt(4);
        List<Tariff.Step> steps = new ArrayList<>();
        long until = 0;
        for (int i = 0; i < count; i++) {
            until += 1 + random.nextInt(600);
            steps.add(new Tariff.Step(i == count - 1 ? Long.MAX_VALUE : until, 1 + random.nextInt(120),
                    random.nextInt(3) == 0 ? 0 : random.nextInt(50)));
        }
        return steps;
    }

    /** Ascending: 0, 1, and each step's edges and block edges (-1, 0, +1), plus random amounts up to 1e9. */
    private static TreeSet<Long> edgeBiasedUnits(Random random, Tariff tariff, String band) {
        TreeSet<Long> units = new TreeSet<>(List.of(0L, 1L, 2L, 1_000_000_000L));
        List<Tariff.Step> steps = band == null ? tariff.steps() : tariff.bandSteps().getOrDefault(band, tariff.steps());
        long from = 0;
        for (Tariff.Step step : steps) {
            long edge = step.until() == Long.MAX_VALUE ? from + 3 * step.blockUnits() : step.until();
            for (long u : new long[] {edge - 1, edge, edge + 1, from + step.blockUnits() - 1, from + step.blockUnits(),
                    from + step.blockUnits() / 2, from + (step.blockUnits() + 1) / 2}) {
                units.add(Math.max(0, u));
            }
            from = step.until();
        }
        for (int i = 0; i < 50; i++) {
            units.add((long) random.nextInt(1_000_000_000));
        }
        return units;
    }
}
