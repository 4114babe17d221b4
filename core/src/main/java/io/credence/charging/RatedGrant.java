package io.credence.charging;

import io.credence.ledger.Unit;
import io.credence.rating.RatingRequest;
import io.credence.rating.Tariff;

/**
 * How a grant the catalog rated is paid for, fixed when it is granted so that a re-rating or a
 * catalog reload changes only the price of units granted afterwards. Kept whole (the tariff
 * itself, not its id) in the session, so a restart or a newer catalog leaves the price alone.
 *
 * @param service        the catalog's service name
 * @param catalogVersion the catalog that rated it
 * @param currency       the catalog's currency
 * @param request        the attributes the grant was rated with (later requests that leave one out
 *                       keep this value)
 * @param rule           the deciding rule's name; null when the service's money tariff priced it
 * @param tariff         the tariff that prices it in money; null when only units of the service's
 *                       unit (buckets) may pay
 * @param band           the tariff's time band in force when granted (null: its normal steps)
 * @param source         what the grant's reservation holds
 * @param callUnits      units of this service used before this grant: tariffs are stepped over the
 *                       whole call, so money for new usage is price(callUnits + used) - price(callUnits)
 * @param reserved       what the grant's reservation holds, in {@link #reservedUnit}
 */
public record RatedGrant(String service, String catalogVersion, String currency, RatingRequest request, String rule,
                         Tariff tariff, String band, Source source, long callUnits, long reserved) {

    /** What holds the grant: nothing (a free call), units of the service's unit, or money. */
    public enum Source { FREE, UNITS, MONEY }

    String decision() {
        return source == Source.FREE ? "FREE" : "CHARGED";
    }

    RatedGrant paidFrom(Source paidFrom, long reservedAmount) {
        return new RatedGrant(service, catalogVersion, currency, request, rule, tariff, band, paidFrom, callUnits,
                reservedAmount);
    }

    /** Money for {@code used} units after {@link #callUnits}; zero when units (not money) hold the grant. */
    long moneyFor(long used) {
        return source == Source.MONEY ? priceBetween(tariff, band, callUnits, used) : 0;
    }

    /** The unit the grant's reservation is in. */
    Unit reservedUnit(Unit serviceUnit) {
        return source == Source.MONEY ? Unit.MONEY : serviceUnit;
    }

    /** What {@code units} more cost after {@code from} units of the call at {@code tariff}. */
    static long priceBetween(Tariff tariff, String band, long from, long units) {
        return tariff.price(Math.addExact(from, units), band) - tariff.price(from, band);
    }

    /**
     * {@link #priceBetween}, or {@code Long.MAX_VALUE} for a count of units whose price no long can
     * hold: more than any balance, which is all the search below needs to know.
     */
    private static long boundedPrice(Tariff tariff, String band, long from, long units) {
        try {
            return priceBetween(tariff, band, from, units);
        } catch (ArithmeticException beyondAnyBalance) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * The most units after {@code from} that {@code money} pays for, at most {@code max}; 0 when
     * not even one. Binary search: the price of a call never decreases as it grows.
     */
    static long unitsAffordable(Tariff tariff, String band, long from, long money, long max) {
        if (max <= 0 || boundedPrice(tariff, band, from, 1) > money) {
            return 0;
        }
        if (boundedPrice(tariff, band, from, max) <= money) {
            return max;
        }
        long low = 1;
        long high = max;
        while (high - low > 1) {
            long mid = low + (high - low) / 2;
            if (boundedPrice(tariff, band, from, mid) <= money) {
                low = mid;
            } else {
                high = mid;
            }
        }
        return low;
    }
}
