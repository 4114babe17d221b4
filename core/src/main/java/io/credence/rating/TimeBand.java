package io.credence.rating;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.util.EnumSet;
import java.util.Set;

/**
 * A named period of the week, e.g. "evening" = every day 19:00-07:00, "weekend" = Saturday and
 * Sunday all day. {@code from} equal to {@code until} means the whole day; {@code from} after
 * {@code until} wraps past midnight (the part after midnight belongs to the next day).
 */
public record TimeBand(String name, Set<DayOfWeek> days, LocalTime from, LocalTime until) {
    public TimeBand {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a time band needs a name");
        }
        if (days == null || days.isEmpty()) {
            throw new IllegalArgumentException("time band " + name + ": days must not be empty");
        }
        if (from == null || until == null) {
            throw new IllegalArgumentException("time band " + name + ": from and until are required");
        }
        days = Set.copyOf(EnumSet.copyOf(days));
    }

    public boolean contains(DayOfWeek day, LocalTime time) {
        if (from.equals(until)) {
            return days.contains(day);
        }
        if (from.isBefore(until)) {
            return days.contains(day) && !time.isBefore(from) && time.isBefore(until);
        }
        // wraps midnight: from..24:00 on a listed day, 00:00..until on the day after a listed day
        return (days.contains(day) && !time.isBefore(from)) || (days.contains(day.minus(1)) && time.isBefore(until));
    }
}
