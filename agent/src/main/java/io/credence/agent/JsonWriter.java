package io.credence.agent;

import java.util.Iterator;
import java.util.Map;

/**
 * Writes a {@link JsonValue} as compact JSON that {@link JsonReader} reads back to an equal value.
 * Strings are escaped as RFC 8259 requires (quote, backslash, control characters) and otherwise
 * left as they are, so UTF-8 on the wire carries them.
 */
final class JsonWriter {
    private JsonWriter() {}

    static String write(JsonValue value) {
        StringBuilder out = new StringBuilder();
        write(out, value, 0);
        return out.toString();
    }

    private static void write(StringBuilder out, JsonValue value, int depth) {
        switch (value) {
            case JsonValue.JsonObject object -> {
                checkDepth(depth);
                out.append('{');
                Iterator<Map.Entry<String, JsonValue>> members = object.members().entrySet().iterator();
                while (members.hasNext()) {
                    Map.Entry<String, JsonValue> member = members.next();
                    string(out, member.getKey());
                    out.append(':');
                    write(out, member.getValue(), depth + 1);
                    if (members.hasNext()) {
                        out.append(',');
                    }
                }
                out.append('}');
            }
            case JsonValue.JsonArray array -> {
                checkDepth(depth);
                out.append('[');
                for (int i = 0; i < array.elements().size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(out, array.elements().get(i), depth + 1);
                }
                out.append(']');
            }
            case JsonValue.JsonString string -> string(out, string.value());
            case JsonValue.JsonNumber number -> out.append(number.value());
            case JsonValue.JsonBoolean bool -> out.append(bool.value());
            case JsonValue.JsonNull ignored -> out.append("null");
        }
    }

    /** The reader's bound, so nothing written here is refused when read back. */
    private static void checkDepth(int enclosingContainers) {
        if (enclosingContainers >= JsonReader.DEPTH_MAX) {
            throw new IllegalArgumentException("value nested deeper than " + JsonReader.DEPTH_MAX);
        }
    }

    private static void string(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
