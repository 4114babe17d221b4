package io.credence.server.bench;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Times as the load and simulation commands take them: 30, 30s, 500ms or 2m. */
public final class Durations {
    private static final Pattern TIME = Pattern.compile("(\\d{1,9})(ms|s|m)?");

    private Durations() {}

    /** A time such as 30, 30s, 500ms or 2m in nanoseconds, or -1 when it is none. */
    public static long nanos(String value) {
        Matcher m = TIME.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return -1;
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> TimeUnit.MILLISECONDS.toNanos(amount);
            case "m" -> TimeUnit.MINUTES.toNanos(amount);
            default -> TimeUnit.SECONDS.toNanos(amount);
        };
    }
}
