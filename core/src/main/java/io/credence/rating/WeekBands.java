package io.credence.rating;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.zone.ZoneRules;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which time bands an instant falls in, looked up in a table of the week's minutes rather than
 * worked out from a {@link ZonedDateTime} and a new set per request. Bands are periods of the
 * local week, so an instant is turned into its local minute of the week with the zone's offset
 * at that instant (daylight saving included) from its {@link ZoneRules}. Nothing changes after
 * construction.
 *
 * <p>The table is exact only when every band starts and ends on a whole minute; a catalog with a
 * band boundary inside a minute (not seen in practice, but a LocalTime allows it) is answered
 * the slow way, the same as before the table.
 */
final class WeekBands {
    static final int MINUTES_PER_DAY = 24 * 60;
    static final int MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;
    private static final int SECONDS_PER_DAY = 24 * 60 * 60;
    /** 1970-01-01 was a Thursday, ordinal 3 from Monday. */
    private static final int EPOCH_DAY_OF_WEEK = DayOfWeek.THURSDAY.ordinal();

    /**
     * The bands an instant falls in: their names, the same names in alphabetical order (tariffs
     * take the first one they have steps for) and the rules that accept a request in them.
     */
    record Bands(Set<String> names, List<String> alphabetical, long[] rulesAccepting) {
        static Bands of(Set<String> names, RuleIndex index) {
            return new Bands(Set.copyOf(names), names.stream().sorted().toList(), index.acceptingBands(names));
        }
    }

    private final ZoneId zone;
    /** The zone's rules: its offset at an instant by binary search in its transitions, no allocation. */
    private final ZoneRules rules;
    private final Map<String, TimeBand> timeBands;
    private final RuleIndex index;
    /** One entry per minute of the week (Monday 00:00 first); null when the table would not be exact. */
    private final Bands[] byMinute;
    /** Per minute of the week, the minutes until the set of bands in force changes; null: never, or not exact. */
    private final int[] minutesToChange;

    WeekBands(ZoneId zone, Map<String, TimeBand> timeBands, RuleIndex index) {
        this.zone = zone;
        this.rules = zone.getRules();
        this.timeBands = Map.copyOf(timeBands);
        this.index = index;
        this.byMinute = onWholeMinutes(timeBands) ? weekTable() : null;
        this.minutesToChange = byMinute == null ? null : minutesToChange(byMinute);
    }

    /**
     * Milliseconds from {@code atMillis} to the next local minute at which another set of bands is
     * in force, or {@link Long#MAX_VALUE} when the set never changes (or the catalog's bands are not
     * on whole minutes, where this is not worked out). Reckoned with the offset at {@code atMillis},
     * so across a daylight saving change it is an hour off: a grant then ends an hour early or late.
     */
    long millisUntilChange(long atMillis) {
        if (minutesToChange == null) {
            return Long.MAX_VALUE;
        }
        int minutes = minutesToChange[minuteOfWeek(atMillis)];
        if (minutes == Integer.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        long intoMinute = Math.floorMod(atMillis + offsetSeconds(atMillis) * 1000L, 60_000L);
        return minutes * 60_000L - intoMinute;
    }

    /** Each minute's distance to the next minute with other bands (the table shares one Bands per set). */
    private static int[] minutesToChange(Bands[] table) {
        int[] distance = new int[table.length];
        boolean changes = false;
        for (int m = 1; m < table.length && !changes; m++) {
            changes = table[m] != table[0];
        }
        if (!changes) {
            java.util.Arrays.fill(distance, Integer.MAX_VALUE);
            return distance;
        }
        // walk the week backwards twice, so the last minutes see the first ones of the next week
        int next = Integer.MAX_VALUE;
        for (int i = 2 * table.length - 1; i >= 0; i--) {
            int m = i % table.length;
            int after = (m + 1) % table.length;
            next = table[after] != table[m] ? 1 : next == Integer.MAX_VALUE ? Integer.MAX_VALUE : next + 1;
            distance[m] = next;
        }
        return distance;
    }

    Bands at(long atMillis) {
        if (byMinute == null) {
            return exactly(atMillis);
        }
        return byMinute[minuteOfWeek(atMillis)];
    }

    /** The local minute of the week, Monday 00:00 being 0, that {@code atMillis} falls in. */
    int minuteOfWeek(long atMillis) {
        long localSeconds = Math.floorDiv(atMillis, 1000L) + offsetSeconds(atMillis);
        long day = Math.floorDiv(localSeconds, SECONDS_PER_DAY);
        int dayOfWeek = (int) Math.floorMod(day + EPOCH_DAY_OF_WEEK, 7L);
        int minuteOfDay = Math.floorMod(localSeconds, SECONDS_PER_DAY) / 60;
        return dayOfWeek * MINUTES_PER_DAY + minuteOfDay;
    }

    /** The zone's offset from UTC at an instant, in seconds. */
    int offsetSeconds(long atMillis) {
        return rules.getOffset(Instant.ofEpochMilli(atMillis)).getTotalSeconds();
    }

    /** The slow way, for catalogs whose bands the minute table cannot represent. */
    private Bands exactly(long atMillis) {
        ZonedDateTime at = Instant.ofEpochMilli(atMillis).atZone(zone);
        Set<String> names = namesAt(at.getDayOfWeek(), at.toLocalTime());
        return Bands.of(names, index);
    }

    private Set<String> namesAt(DayOfWeek day, LocalTime time) {
        Set<String> in = new HashSet<>();
        for (Map.Entry<String, TimeBand> e : timeBands.entrySet()) {
            if (e.getValue().contains(day, time)) {
                in.add(e.getKey());
            }
        }
        return in;
    }

    private Bands[] weekTable() {
        Bands[] table = new Bands[MINUTES_PER_WEEK];
        // few distinct sets of bands occur in a week; share one Bands (and its bitset) per set
        Map<Set<String>, Bands> distinct = new HashMap<>();
        for (DayOfWeek day : DayOfWeek.values()) {
            for (int minute = 0; minute < MINUTES_PER_DAY; minute++) {
                Set<String> names = namesAt(day, LocalTime.of(minute / 60, minute % 60));
                table[day.ordinal() * MINUTES_PER_DAY + minute] = distinct.computeIfAbsent(Set.copyOf(names),
                        n -> Bands.of(n, index));
            }
        }
        return table;
    }

    private static boolean onWholeMinutes(Map<String, TimeBand> timeBands) {
        for (TimeBand band : timeBands.values()) {
            if (!onWholeMinute(band.from()) || !onWholeMinute(band.until())) {
                return false;
            }
        }
        return true;
    }

    private static boolean onWholeMinute(LocalTime time) {
        return time.getSecond() == 0 && time.getNano() == 0;
    }
}
