package io.credence.rating;

import io.credence.ledger.Unit;

import java.util.List;
import java.util.Map;

/**
 * A price list for one unit (seconds, bytes, events): consecutive steps, each charging whole
 * blocks (e.g. the first 60 s as one block, then 1 s blocks; or per MB), a rounding rule for a
 * block begun, a minimum charge, and other steps during named time bands. Prices are in minor
 * units of the catalog's currency.
 *
 * @param steps      in order; a step applies from the previous step's {@code until} to its own
 *                   (the last one's {@code until} is {@link Long#MAX_VALUE})
 * @param bandSteps  steps that replace {@code steps} when rating starts inside a named time band
 */
public record Tariff(String id, Unit unit, List<Step> steps, Rounding rounding, long minimumCharge,
                     Map<String, List<Step>> bandSteps) {

    /** Units below {@code until} (and above the previous step) cost {@code pricePerBlock} per {@code blockUnits}. */
    public record Step(long until, long blockUnits, long pricePerBlock) {
        public Step {
            if (until <= 0 || blockUnits <= 0 || pricePerBlock < 0) {
                throw new IllegalArgumentException("a step needs until > 0, blockUnits > 0 and pricePerBlock >= 0");
            }
        }
    }

    /** What happens to a block that was begun but not completed. */
    public enum Rounding {
        /** a begun block is charged whole (the usual telecom rule) */
        UP,
        /** only complete blocks are charged */
        DOWN,
        /** charged whole from half a block on */
        NEAREST
    }

    public Tariff {
        if (id == null || id.isBlank() || unit == null || rounding == null) {
            throw new IllegalArgumentException("a tariff needs an id, a unit and a rounding rule");
        }
        if (minimumCharge < 0) {
            throw new IllegalArgumentException("tariff " + id + ": minimumCharge must be >= 0");
        }
        steps = checkSteps(id, "steps", steps);
        bandSteps = bandSteps == null ? Map.of() : Map.copyOf(bandSteps);
        for (var e : bandSteps.entrySet()) {
            checkSteps(id, "bands." + e.getKey(), e.getValue());
        }
    }

    private static List<Step> checkSteps(String id, String field, List<Step> steps) {
        if (steps == null || steps.isEmpty()) {
            throw new IllegalArgumentException("tariff " + id + ": " + field + " must not be empty");
        }
        long previous = 0;
        for (Step s : steps) {
            if (s.until() <= previous) {
                throw new IllegalArgumentException("tariff " + id + ": " + field + " must have increasing 'until'");
            }
            previous = s.until();
        }
        if (previous != Long.MAX_VALUE) {
            throw new IllegalArgumentException("tariff " + id + ": the last of " + field + " must be open-ended");
        }
        return List.copyOf(steps);
    }

    /** The price of {@code units} started in {@code band} (null: no band applies). Never decreases as units grow. */
    public long price(long units, String band) {
        if (units < 0) {
            throw new IllegalArgumentException("units must be >= 0, was " + units);
        }
        if (units == 0) {
            return 0;
        }
        List<Step> chosen = band == null ? steps : bandSteps.getOrDefault(band, steps);
        long price = 0;
        long from = 0;
        for (Step s : chosen) {
            if (units <= from) {
                break;
            }
            long inStep = Math.min(units, s.until()) - from;
            long blocks = inStep / s.blockUnits();
            long rest = inStep % s.blockUnits();
            if (rest > 0 && (rounding == Rounding.UP || (rounding == Rounding.NEAREST && rest * 2 >= s.blockUnits()))) {
                blocks++;
            }
            price = Math.addExact(price, Math.multiplyExact(blocks, s.pricePerBlock()));
            from = s.until();
        }
        return Math.max(price, minimumCharge);
    }

    /**
     * How many units {@code money} buys at most, started in {@code band}: the largest u with
     * price(u) <= money (0 when even the first unit costs more). Binary search, since price is
     * monotonic.
     */
    public long unitsFor(long money, String band, long unitsMax) {
        if (price(1, band) > money) {
            return 0;
        }
        long low = 1;
        long high = unitsMax;
        if (price(high, band) <= money) {
            return high;
        }
        while (high - low > 1) {
            long mid = low + (high - low) / 2;
            if (price(mid, band) <= money) {
                low = mid;
            } else {
                high = mid;
            }
        }
        return low;
    }
}
