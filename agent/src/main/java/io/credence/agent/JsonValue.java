package io.credence.agent;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The JSON the device protocol needs: objects, arrays, strings, whole numbers that fit a
 * {@code long}, booleans and null. Fractions and exponents are left out on purpose: every number
 * in the protocol is a count of bytes, a sequence number or an id, and a fraction there would be a
 * server bug the agent should see rather than round away.
 */
sealed interface JsonValue permits JsonValue.JsonObject, JsonValue.JsonArray, JsonValue.JsonString,
        JsonValue.JsonNumber, JsonValue.JsonBoolean, JsonValue.JsonNull {

    /** "an object", "a number", ...: for error messages. */
    default String kind() {
        return switch (this) {
            case JsonObject ignored -> "an object";
            case JsonArray ignored -> "an array";
            case JsonString ignored -> "a string";
            case JsonNumber ignored -> "a number";
            case JsonBoolean ignored -> "a boolean";
            case JsonNull ignored -> "null";
        };
    }

    /** Members in document order; keys are unique (the reader refuses duplicates). */
    record JsonObject(Map<String, JsonValue> members) implements JsonValue {
        public JsonObject {
            for (Map.Entry<String, JsonValue> member : members.entrySet()) {
                Objects.requireNonNull(member.getKey(), "member name");
                Objects.requireNonNull(member.getValue(), "member value");
            }
            members = Collections.unmodifiableMap(new LinkedHashMap<>(members));
        }

        static Builder builder() {
            return new Builder();
        }

        /** The member's value, or null when the member is absent. */
        JsonValue get(String name) {
            return members.get(name);
        }

        long requireLong(String name) throws JsonException {
            return switch (require(name)) {
                case JsonNumber number -> number.value();
                case JsonValue other -> throw wrongKind(name, "a number", other);
            };
        }

        /** A whole number that must not be negative (byte counts, sequence numbers). */
        long requireNonNegative(String name) throws JsonException {
            long value = requireLong(name);
            if (value < 0) {
                throw new JsonException("field '" + name + "': must not be negative, was " + value);
            }
            return value;
        }

        String requireString(String name) throws JsonException {
            return switch (require(name)) {
                case JsonString string -> string.value();
                case JsonValue other -> throw wrongKind(name, "a string", other);
            };
        }

        /** A string, or null when the member is null or absent. */
        String optionalString(String name) throws JsonException {
            JsonValue value = members.get(name);
            return switch (value) {
                case null -> null;
                case JsonNull ignored -> null;
                case JsonString string -> string.value();
                case JsonValue other -> throw wrongKind(name, "a string or null", other);
            };
        }

        boolean requireBoolean(String name) throws JsonException {
            return switch (require(name)) {
                case JsonBoolean bool -> bool.value();
                case JsonValue other -> throw wrongKind(name, "true or false", other);
            };
        }

        JsonArray requireArray(String name) throws JsonException {
            return switch (require(name)) {
                case JsonArray array -> array;
                case JsonValue other -> throw wrongKind(name, "an array", other);
            };
        }

        /** An object, or null when the member is null or absent. */
        JsonObject optionalObject(String name) throws JsonException {
            JsonValue value = members.get(name);
            return switch (value) {
                case null -> null;
                case JsonNull ignored -> null;
                case JsonObject object -> object;
                case JsonValue other -> throw wrongKind(name, "an object or null", other);
            };
        }

        private JsonValue require(String name) throws JsonException {
            JsonValue value = members.get(name);
            if (value == null) {
                throw new JsonException("field '" + name + "': missing");
            }
            return value;
        }

        private static JsonException wrongKind(String name, String expected, JsonValue found) {
            return new JsonException("field '" + name + "': expected " + expected + ", found " + found.kind());
        }

        /** Builds request bodies in a fixed member order, which keeps them readable in logs. */
        static final class Builder {
            private final Map<String, JsonValue> members = new LinkedHashMap<>();

            Builder put(String name, JsonValue value) {
                JsonValue previous = members.putIfAbsent(name, value);
                if (previous != null) {
                    throw new IllegalArgumentException("member '" + name + "' given twice");
                }
                return this;
            }

            Builder put(String name, String value) {
                return put(name, new JsonString(value));
            }

            Builder put(String name, long value) {
                return put(name, new JsonNumber(value));
            }

            Builder put(String name, boolean value) {
                return put(name, new JsonBoolean(value));
            }

            JsonObject build() {
                return new JsonObject(members);
            }
        }
    }

    record JsonArray(List<JsonValue> elements) implements JsonValue {
        public JsonArray {
            elements = List.copyOf(elements);
        }
    }

    record JsonString(String value) implements JsonValue {
        public JsonString {
            Objects.requireNonNull(value, "value");
        }
    }

    record JsonNumber(long value) implements JsonValue {}

    record JsonBoolean(boolean value) implements JsonValue {}

    enum JsonNull implements JsonValue {
        NULL
    }
}
