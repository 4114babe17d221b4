package io.credence.rating;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.DayOfWeek;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static io.credence.rating.RatingTestCatalog.ZONE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Band edges inside a minute, on the start, the end or both, to the second or to the
 * millisecond, in a catalog with no other band: each edge holds to the millisecond, whichever
 * way the engine looks bands up.
 */
class WeekBandsTest {
    private static long at(LocalTime time) {
        return LocalDateTime.of(2026, 11, 24, 0, 0).with(time).atZone(ZONE).toInstant().toEpochMilli();
    }

    @ParameterizedTest(name = "evening {0}..{1}")
    @CsvSource({
            "19:00,        23:00:30",
            "19:00:30,     23:00",
            "19:00:30,     23:00:30",
            "19:00:00.500, 23:00:00.500",
            "19:00:00.500, 23:00:30",
            "19:00:00.001, 23:00:59.999",
            "19:00,        23:00",
    })
    void aBandHoldsFromItsStartToItsEndToTheMillisecond(String from, String until) {
        LocalTime start = LocalTime.parse(from);
        LocalTime end = LocalTime.parse(until);
        RatingEngine engine = new RatingEngine(new Catalog("edges-1", "EUR", ZONE,
                Map.of("evening", new TimeBand("evening", EnumSet.allOf(DayOfWeek.class), start, end)),
                Map.of(), Map.of(), List.of(), Map.of()));
        assertThat(engine.bandsAt(at(start.minusNanos(1_000_000)))).isEmpty();
        assertThat(engine.bandsAt(at(start))).containsExactly("evening");
        assertThat(engine.bandsAt(at(end.minusNanos(1_000_000)))).containsExactly("evening");
        assertThat(engine.bandsAt(at(end))).isEmpty();
        assertThat(engine.bandsAt(at(LocalTime.of(12, 0)))).isEmpty();
        assertThat(engine.bandsAt(at(LocalTime.of(21, 0)))).containsExactly("evening");
    }
}
