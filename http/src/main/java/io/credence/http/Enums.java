package io.credence.http;

import java.util.Arrays;
import java.util.Locale;

/** Enum values as clients write them: case-insensitive names, errors listing what is allowed. */
final class Enums {
    private Enums() {}

    static <E extends Enum<E>> E parse(String field, String text, Class<E> type) {
        for (E value : type.getEnumConstants()) {
            if (value.name().equalsIgnoreCase(text)) {
                return value;
            }
        }
        throw new ApiError(field, "must be one of " + Arrays.toString(type.getEnumConstants()) + ", was '"
                + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "'");
    }

    static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
