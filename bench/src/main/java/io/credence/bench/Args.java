package io.credence.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code --name=value} options for the load generators; unknown names are an error, not a silent default. */
final class Args {
    private final Map<String, String> values = new HashMap<>();
    private final List<String> positional = new ArrayList<>();
    private final Map<String, String> used = new HashMap<>();

    Args(String[] args) {
        for (String arg : args) {
            if (arg.startsWith("--")) {
                int eq = arg.indexOf('=');
                if (eq < 0) {
                    values.put(arg.substring(2), "true");
                } else {
                    values.put(arg.substring(2, eq), arg.substring(eq + 1));
                }
            } else {
                positional.add(arg);
            }
        }
    }

    String string(String name, String fallback) {
        String v = values.getOrDefault(name, fallback);
        used.put(name, v);
        return v;
    }

    long longValue(String name, long fallback) {
        return Long.parseLong(string(name, Long.toString(fallback)).replace("_", ""));
    }

    int intValue(String name, int fallback) {
        return Math.toIntExact(longValue(name, fallback));
    }

    boolean flag(String name, boolean fallback) {
        return Boolean.parseBoolean(string(name, Boolean.toString(fallback)));
    }

    List<String> positional() {
        return positional;
    }

    /** Fails on options nobody asked for (a typo would otherwise run the wrong benchmark). */
    void requireAllUsed() {
        for (String name : values.keySet()) {
            if (!used.containsKey(name)) {
                throw new IllegalArgumentException("unknown option --" + name + "; known: " + used.keySet());
            }
        }
    }

    /** The effective settings, for the report. */
    String describe() {
        return new java.util.TreeMap<>(used).toString();
    }
}
