package io.credence.rating;

import io.credence.ledger.Unit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Tariff steps, rounding, minimum charge and the monotonic price property. */
class TariffTest {
    private static Tariff tariff(Tariff.Rounding rounding, long minimum) {
        return new Tariff("t", Unit.SECONDS, List.of(new Tariff.Step(60, 60, 12), new Tariff.Step(Long.MAX_VALUE, 10, 2)),
                rounding, minimum, Map.of());
    }

    @ParameterizedTest(name = "{0} s rounded {1} cost {2}")
    @CsvSource({
            "0, UP, 0", "1, UP, 12", "60, UP, 12", "61, UP, 14", "70, UP, 14", "71, UP, 16",
            "1, DOWN, 0", "60, DOWN, 12", "65, DOWN, 12", "70, DOWN, 14",
            "29, NEAREST, 0", "30, NEAREST, 12", "64, NEAREST, 12", "65, NEAREST, 14"})
    void stepsAndRounding(long units, Tariff.Rounding rounding, long price) {
        assertThat(tariff(rounding, 0).price(units, null)).isEqualTo(price);
    }

    @Test
    void aMinimumChargeAppliesOnceAnythingWasUsed() {
        Tariff t = tariff(Tariff.Rounding.DOWN, 5);
        assertThat(t.price(0, null)).isZero();
        assertThat(t.price(1, null)).isEqualTo(5);
        assertThat(t.price(60, null)).isEqualTo(12);
    }

    @Test
    void unitsForMoneyIsTheLargestAffordableAmount() {
        Tariff t = tariff(Tariff.Rounding.UP, 0);
        assertThat(t.unitsFor(11, null, 1_000_000)).isZero();
        assertThat(t.unitsFor(12, null, 1_000_000)).isEqualTo(60);
        assertThat(t.unitsFor(15, null, 1_000_000)).isEqualTo(70);
        assertThat(t.unitsFor(1_000_000_000, null, 3_600)).isEqualTo(3_600);
    }

    @Test
    void unitsForMoneyThatBuysExactlyTheMostUnitsAskedForIsThatMost() {
        Tariff t = tariff(Tariff.Rounding.UP, 0);
        // 100 s cost 12 + 4 blocks of 2 = 20
        assertThat(t.price(100, null)).isEqualTo(20);
        assertThat(t.unitsFor(20, null, 100)).isEqualTo(100);
        assertThat(t.unitsFor(21, null, 100)).isEqualTo(100);
        assertThat(t.unitsFor(19, null, 100)).isEqualTo(90);
        assertThat(t.unitsFor(20, null, 101)).isEqualTo(100);
        assertThat(t.unitsFor(12, null, 1)).isEqualTo(1);
    }

    @Test
    void aStepNeedsAPositiveEndAndBlockAndMayBeFree() {
        Tariff.Step free = new Tariff.Step(1, 1, 0);
        assertThat(free.until()).isEqualTo(1);
        assertThat(free.blockUnits()).isEqualTo(1);
        assertThat(free.pricePerBlock()).isZero();
        for (long[] bad : new long[][] {{0, 1, 1}, {-1, 1, 1}, {1, 0, 1}, {1, -1, 1}, {1, 1, -1}}) {
            assertThatThrownBy(() -> new Tariff.Step(bad[0], bad[1], bad[2])).as("step %s", java.util.Arrays.toString(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("a step needs until > 0, blockUnits > 0 and pricePerBlock >= 0");
        }
    }

    @Test
    void stepsMustCoverEverything() {
        assertThatThrownBy(() -> new Tariff("t", Unit.BYTES, List.of(new Tariff.Step(100, 1, 1)), Tariff.Rounding.UP, 0,
                Map.of())).hasMessageContaining("open-ended");
        assertThatThrownBy(() -> new Tariff("t", Unit.BYTES, List.of(new Tariff.Step(100, 1, 1), new Tariff.Step(50, 1, 1),
                new Tariff.Step(Long.MAX_VALUE, 1, 1)), Tariff.Rounding.UP, 0, Map.of())).hasMessageContaining("increasing");
        // a step ending where the previous one ended would cover nothing
        assertThatThrownBy(() -> new Tariff("t", Unit.BYTES, List.of(new Tariff.Step(100, 1, 1), new Tariff.Step(100, 1, 2),
                new Tariff.Step(Long.MAX_VALUE, 1, 1)), Tariff.Rounding.UP, 0, Map.of()))
                .hasMessage("tariff t: steps must have increasing 'until'");
        assertThatThrownBy(() -> new Tariff("t", Unit.BYTES, List.of(new Tariff.Step(Long.MAX_VALUE, 1, 1)),
                Tariff.Rounding.UP, 0, Map.of("night", List.of(new Tariff.Step(5, 1, 1), new Tariff.Step(5, 1, 1),
                        new Tariff.Step(Long.MAX_VALUE, 1, 1)))))
                .hasMessage("tariff t: bands.night must have increasing 'until'");
        assertThat(new Tariff("t", Unit.BYTES, List.of(new Tariff.Step(1, 1, 1), new Tariff.Step(2, 1, 1),
                new Tariff.Step(Long.MAX_VALUE, 1, 1)), Tariff.Rounding.UP, 0, Map.of()).steps()).hasSize(3);
    }

    /** A price never decreases when units increase, whatever the steps, rounding and minimum. */
    @Test
    void priceNeverDecreasesAsUnitsGrow() {
        Random random = new Random(42);
        for (int tariffs = 0; tariffs < 300; tariffs++) {
            int stepCount = 1 + random.nextInt(4);
            List<Tariff.Step> steps = new java.util.ArrayList<>();
            long until = 0;
            for (int i = 0; i < stepCount; i++) {
                until += 1 + random.nextInt(500);
                steps.add(new Tariff.Step(i == stepCount - 1 ? Long.MAX_VALUE : until, 1 + random.nextInt(90),
                        random.nextInt(50)));
            }
            Tariff t = new Tariff("p" + tariffs, Unit.SECONDS, steps,
                    Tariff.Rounding.values()[random.nextInt(3)], random.nextInt(20), Map.of());
            long previous = 0;
            for (long units = 0; units <= 2_000; units++) {
                long price = t.price(units, null);
                assertThat(price).as("%s at %d units", t, units).isGreaterThanOrEqualTo(previous);
                previous = price;
            }
        }
    }
}
