package io.credence.charging;

import io.credence.ledger.Unit;
import io.credence.rating.Tariff;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A rated grant's price: stepped over the whole call, and the units a balance affords, at the exact boundaries. */
class RatedGrantTest {
    /** 2 per unit. */
    private static final Tariff PER_UNIT = new Tariff("per-unit", Unit.SECONDS,
            List.of(new Tariff.Step(Long.MAX_VALUE, 1, 2)), Tariff.Rounding.UP, 0, Map.of());
    /** 10 per begun minute; 4 in the evening. */
    private static final Tariff PER_MINUTE = new Tariff("per-minute", Unit.SECONDS,
            List.of(new Tariff.Step(Long.MAX_VALUE, 60, 10)), Tariff.Rounding.UP, 0,
            Map.of("evening", List.of(new Tariff.Step(Long.MAX_VALUE, 60, 4))));

    private static RatedGrant grant(RatedGrant.Source source, Tariff tariff, String band, long callUnits) {
        return new RatedGrant("voice", "v1", "EUR", null, null, tariff, band, source, callUnits, 0);
    }

    @Test
    void thePriceOfMoreUnitsIsTheDifferenceOverTheWholeCall() {
        assertThat(RatedGrant.priceBetween(PER_UNIT, null, 10, 5)).isEqualTo(10);
        assertThat(RatedGrant.priceBetween(PER_MINUTE, null, 30, 30)).as("the begun minute was paid").isZero();
        assertThat(RatedGrant.priceBetween(PER_MINUTE, null, 60, 1)).isEqualTo(10);
        assertThat(RatedGrant.priceBetween(PER_MINUTE, "evening", 60, 1)).isEqualTo(4);
        assertThat(RatedGrant.priceBetween(PER_MINUTE, null, 0, 0)).isZero();
    }

    @Test
    void moneyIsOwedOnlyWhenMoneyHoldsTheGrant() {
        assertThat(grant(RatedGrant.Source.MONEY, PER_MINUTE, null, 60).moneyFor(61)).isEqualTo(20);
        assertThat(grant(RatedGrant.Source.MONEY, PER_MINUTE, "evening", 0).moneyFor(1)).isEqualTo(4);
        assertThat(grant(RatedGrant.Source.UNITS, PER_MINUTE, null, 60).moneyFor(61)).isZero();
        assertThat(grant(RatedGrant.Source.FREE, PER_MINUTE, null, 0).moneyFor(10)).isZero();
    }

    @Test
    void decisionAndReservedUnitFollowTheSource() {
        assertThat(grant(RatedGrant.Source.FREE, PER_UNIT, null, 0).decision()).isEqualTo("FREE");
        assertThat(grant(RatedGrant.Source.UNITS, PER_UNIT, null, 0).decision()).isEqualTo("CHARGED");
        assertThat(grant(RatedGrant.Source.MONEY, PER_UNIT, null, 0).decision()).isEqualTo("CHARGED");
        assertThat(grant(RatedGrant.Source.MONEY, PER_UNIT, null, 0).reservedUnit(Unit.SECONDS)).isEqualTo(Unit.MONEY);
        assertThat(grant(RatedGrant.Source.UNITS, PER_UNIT, null, 0).reservedUnit(Unit.SECONDS))
                .isEqualTo(Unit.SECONDS);
        RatedGrant paid = grant(RatedGrant.Source.FREE, PER_UNIT, "b", 7).paidFrom(RatedGrant.Source.MONEY, 99);
        assertThat(paid).isEqualTo(new RatedGrant("voice", "v1", "EUR", null, null, PER_UNIT, "b",
                RatedGrant.Source.MONEY, 7, 99));
    }

    @Test
    void unitsAffordableAtEachBoundary() {
        assertThat(RatedGrant.unitsAffordable(PER_UNIT, null, 0, 100, 0)).as("nothing asked").isZero();
        assertThat(RatedGrant.unitsAffordable(PER_UNIT, null, 0, 100, -1)).isZero();
        assertThat(RatedGrant.unitsAffordable(PER_UNIT, null, 0, 1, 10)).as("not one unit").isZero();
        assertThat(RatedGrant.unitsAffordable(PER_UNIT, null, 0, 2, 10)).as("exactly one unit").isEqualTo(1);
        assertThat(RatedGrant.unitsAffordable(PER_UNIT, null, 0, 10, 5)).as("exactly the maximum").isEqualTo(5);
        assertThat(RatedGrant.unitsAffordable(PER_UNIT, null, 0, 10, 6)).isEqualTo(5);
        assertThat(RatedGrant.unitsAffordable(PER_UNIT, null, 0, 11, 6)).isEqualTo(5);
        assertThat(RatedGrant.unitsAffordable(PER_UNIT, null, 0, 7, 100)).isEqualTo(3);
        assertThat(RatedGrant.unitsAffordable(PER_UNIT, null, 0, 8, 100)).isEqualTo(4);
        assertThat(RatedGrant.unitsAffordable(PER_UNIT, null, 0, 9, 5)).isEqualTo(4);
        assertThat(RatedGrant.unitsAffordable(PER_UNIT, null, 0, 2, 2)).isEqualTo(1);
        assertThat(RatedGrant.unitsAffordable(PER_UNIT, null, 0, 3, 2)).isEqualTo(1);
        assertThat(RatedGrant.unitsAffordable(PER_UNIT, null, 0, 4, 2)).isEqualTo(2);
    }

    @Test
    void unitsAffordableFollowTheCallAndTheBand() {
        assertThat(RatedGrant.unitsAffordable(PER_MINUTE, null, 30, 0, 100)).as("the begun minute is paid")
                .isEqualTo(30);
        assertThat(RatedGrant.unitsAffordable(PER_MINUTE, null, 60, 9, 100)).isZero();
        assertThat(RatedGrant.unitsAffordable(PER_MINUTE, null, 60, 10, 100)).isEqualTo(60);
        assertThat(RatedGrant.unitsAffordable(PER_MINUTE, "evening", 60, 8, 1_000)).isEqualTo(120);
    }

    @Test
    void aCountWhosePriceNoLongHoldsIsBeyondAnyBalance() {
        assertThat(RatedGrant.unitsAffordable(PER_UNIT, null, 5, 100, Long.MAX_VALUE)).isEqualTo(50);
        assertThat(RatedGrant.unitsAffordable(PER_UNIT, null, 0, Long.MAX_VALUE - 1, Long.MAX_VALUE))
                .isEqualTo(Long.MAX_VALUE / 2);
    }
}
