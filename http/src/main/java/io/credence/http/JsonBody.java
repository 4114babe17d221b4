package io.credence.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.credence.ledger.Ids;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;

/**
 * A request body read field by field, so every error names the field and says what was
 * expected. Unknown fields are refused (a typo must not silently become a default).
 */
final class JsonBody {
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .build();

    private final ObjectNode node;
    /** Path of this object inside the body ("creditLimits."), so nested errors name the full field. */
    private final String prefix;
    private final Set<String> read = new HashSet<>();

    private JsonBody(ObjectNode node, String prefix) {
        this.node = node;
        this.prefix = prefix;
    }

    /** A problem with a field of this object, named by its path from the body's root. */
    ApiError invalid(String field, String detail) {
        return new ApiError(prefix + field, detail);
    }

    static JsonBody parse(byte[] bytes) {
        if (bytes.length == 0) {
            // An empty body is an empty object: required fields then say they are missing.
            return empty();
        }
        JsonNode tree;
        try {
            tree = MAPPER.readTree(bytes);
        } catch (JsonProcessingException malformed) {
            String where = malformed.getLocation() == null ? ""
                    : " at line " + malformed.getLocation().getLineNr() + ", column " + malformed.getLocation().getColumnNr();
            throw new ApiError(400, "malformed-json", null, "body is not valid JSON" + where + ": "
                    + malformed.getOriginalMessage());
        } catch (java.io.IOException unreadable) {
            throw new ApiError(400, "malformed-json", null, "body could not be read: " + unreadable.getMessage());
        }
        if (!(tree instanceof ObjectNode object)) {
            throw new ApiError(400, "malformed-json", null, "body must be a JSON object");
        }
        return new JsonBody(object, "");
    }

    static JsonBody empty() {
        return new JsonBody(MAPPER.createObjectNode(), "");
    }

    boolean has(String field) {
        JsonNode value = node.get(field);
        return value != null && !value.isNull();
    }

    String requiredString(String field) {
        String value = optionalString(field);
        if (value == null) {
            throw invalid(field, "is required");
        }
        return value;
    }

    String optionalString(String field) {
        read.add(field);
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw invalid(field, "must be a string");
        }
        return value.textValue();
    }

    String requiredAccountId(String field) {
        String value = requiredString(field);
        return checkedId(field, value, Ids.accountIdProblem(value));
    }

    String optionalAccountId(String field, String fallback) {
        String value = optionalString(field);
        return value == null ? fallback : checkedId(field, value, Ids.accountIdProblem(value));
    }

    private String checkedId(String field, String value, String problem) {
        if (problem != null) {
            throw invalid(field, problem);
        }
        return value;
    }

    long requiredLong(String field, long min, long max) {
        if (!has(field)) {
            read.add(field);
            throw invalid(field, "is required");
        }
        return optionalLong(field, min, max, 0);
    }

    long optionalLong(String field, long min, long max, long fallback) {
        read.add(field);
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isIntegralNumber()) {
            throw invalid(field, "must be an integer between " + min + " and " + max);
        }
        if (!value.canConvertToLong() || value.longValue() < min || value.longValue() > max) {
            throw invalid(field, "must be between " + min + " and " + max + ", was " + value.asText());
        }
        return value.longValue();
    }

    boolean optionalBoolean(String field, boolean fallback) {
        read.add(field);
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw invalid(field, "must be true or false");
        }
        return value.booleanValue();
    }

    <E extends Enum<E>> E requiredEnum(String field, Class<E> type) {
        E value = optionalEnum(field, type);
        if (value == null) {
            throw invalid(field, "is required; one of " + java.util.Arrays.toString(type.getEnumConstants()));
        }
        return value;
    }

    <E extends Enum<E>> E optionalEnum(String field, Class<E> type) {
        String text = optionalString(field);
        if (text == null) {
            return null;
        }
        return Enums.parse(prefix + field, text, type);
    }

    /** An instant as ISO-8601 text ("2026-12-31T00:00:00Z") or epoch milliseconds. */
    long optionalInstantMillis(String field, long fallback) {
        read.add(field);
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (value.isIntegralNumber() && value.canConvertToLong() && value.longValue() >= 0) {
            return value.longValue();
        }
        if (value.isTextual()) {
            try {
                return Instant.parse(value.textValue()).toEpochMilli();
            } catch (DateTimeParseException | ArithmeticException bad) {
                throw invalid(field, "must be an ISO-8601 instant such as 2026-12-31T00:00:00Z");
            }
        }
        throw invalid(field, "must be an ISO-8601 instant or epoch milliseconds >= 0");
    }

    Set<Long> optionalUnsigned32Set(String field, int max) {
        read.add(field);
        JsonNode value = node.get(field);
        Set<Long> out = new HashSet<>();
        if (value == null || value.isNull()) {
            return out;
        }
        if (!value.isArray()) {
            throw invalid(field, "must be an array of integers 0..4294967295");
        }
        if (value.size() > max) {
            throw invalid(field, "may list at most " + max + " entries");
        }
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            if (!item.isIntegralNumber() || !item.canConvertToLong() || item.longValue() < 0
                    || item.longValue() > 0xFFFF_FFFFL) {
                throw invalid(field + "[" + i + "]", "must be an integer 0..4294967295");
            }
            out.add(item.longValue());
        }
        return out;
    }

    JsonBody optionalObject(String field) {
        read.add(field);
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!(value instanceof ObjectNode object)) {
            throw invalid(field, "must be a JSON object");
        }
        return new JsonBody(object, prefix + field + ".");
    }

    JsonBody requiredObject(String field) {
        JsonBody object = optionalObject(field);
        if (object == null) {
            throw invalid(field, "is required");
        }
        return object;
    }

    /** An array of {@code min..max} objects, each read as a body of its own (its fields named {@code field[i].x}). */
    java.util.List<JsonBody> requiredObjects(String field, int min, int max) {
        read.add(field);
        JsonNode value = node.get(field);
        if (value == null || !value.isArray()) {
            throw invalid(field, "must be an array of " + min + ".." + max + " objects");
        }
        if (value.size() < min || value.size() > max) {
            throw invalid(field, "must hold " + min + ".." + max + " entries, held " + value.size());
        }
        java.util.List<JsonBody> out = new java.util.ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            if (!(value.get(i) instanceof ObjectNode object)) {
                throw invalid(field + "[" + i + "]", "must be a JSON object");
            }
            out.add(new JsonBody(object, prefix + field + "[" + i + "]."));
        }
        return out;
    }

    /** An array of strings, null when absent. */
    java.util.List<String> optionalStringList(String field, int max) {
        read.add(field);
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isArray()) {
            throw invalid(field, "must be an array of strings");
        }
        if (value.size() > max) {
            throw invalid(field, "may list at most " + max + " entries");
        }
        java.util.List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            if (!value.get(i).isTextual()) {
                throw invalid(field + "[" + i + "]", "must be a string");
            }
            out.add(value.get(i).textValue());
        }
        return out;
    }

    Iterator<String> fieldNames() {
        return node.fieldNames();
    }

    /**
     * The body without {@code requestId}, its object keys sorted at every level: two requests with
     * the same content give the same text whatever order their fields came in.
     */
    String canonicalWithoutRequestId() {
        ObjectNode copy = node.deepCopy();
        copy.remove("requestId");
        try {
            return CANONICAL.writeValueAsString(CANONICAL.treeToValue(copy, Object.class));
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException("a parsed body always writes back", impossible);
        }
    }

    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .build();

    /** Refuses fields this request does not know; call after reading everything. */
    void rejectUnknownFields() {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!read.contains(name)) {
                throw invalid(name, "is not a known field of this request");
            }
        }
    }
}
