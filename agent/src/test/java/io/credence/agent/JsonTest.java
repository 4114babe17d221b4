package io.credence.agent;

import io.credence.agent.JsonValue.JsonArray;
import io.credence.agent.JsonValue.JsonBoolean;
import io.credence.agent.JsonValue.JsonNull;
import io.credence.agent.JsonValue.JsonNumber;
import io.credence.agent.JsonValue.JsonObject;
import io.credence.agent.JsonValue.JsonString;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The protocol's JSON: round trips, escapes, limits, and an error that says where for each kind of bad input. */
class JsonTest {
    private static final String REPORT_ANSWER = """
            {"seq": 42, "duplicate": false, "reportedBytes": 9223372036854775807, "returnedBytes": 0,
             "grant": {"grantId": 7, "bytes": 1000, "expiresAt": "2030-01-01T00:00:00Z"},
             "list": [1, -2, true, null, "x", [], {}]}""";

    @Test
    void readsEveryKindOfValue() throws JsonException {
        JsonObject answer = (JsonObject) JsonReader.parse(REPORT_ANSWER);
        assertThat(answer.requireLong("seq")).isEqualTo(42);
        assertThat(answer.requireBoolean("duplicate")).isFalse();
        assertThat(answer.requireLong("reportedBytes")).isEqualTo(Long.MAX_VALUE);
        assertThat(answer.optionalObject("grant").requireString("expiresAt")).isEqualTo("2030-01-01T00:00:00Z");
        assertThat(answer.requireArray("list").elements()).containsExactly(new JsonNumber(1), new JsonNumber(-2),
                new JsonBoolean(true), JsonNull.NULL, new JsonString("x"), new JsonArray(List.of()),
                new JsonObject(Map.of()));
        assertThat(answer.members().keySet()).containsExactly("seq", "duplicate", "reportedBytes", "returnedBytes",
                "grant", "list");
    }

    @Test
    void roundTripsThroughTheWriter() throws JsonException {
        JsonValue parsed = JsonReader.parse(REPORT_ANSWER);
        String written = JsonWriter.write(parsed);
        assertThat(JsonReader.parse(written)).isEqualTo(parsed);
        assertThat(JsonWriter.write(JsonReader.parse(written))).isEqualTo(written);
        assertThat(JsonWriter.write(JsonObject.builder().put("seq", 3).put("bytes", 0L).put("final", true).build()))
                .isEqualTo("{\"seq\":3,\"bytes\":0,\"final\":true}");
        for (long edge : new long[] {0, 1, -1, Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE, Long.MIN_VALUE + 1}) {
            assertThat(JsonReader.parse(JsonWriter.write(new JsonNumber(edge)))).isEqualTo(new JsonNumber(edge));
        }
    }

    @Test
    void seededRandomValuesRoundTrip() throws JsonException {
        Random random = new Random(20_261_124L);
        for (int i = 0; i < 2_000; i++) {
            JsonValue value = randomValue(random, 0);
            assertThat(JsonReader.parse(JsonWriter.write(value))).isEqualTo(value);
        }
    }

    @Test
    void escapesAreReadAndWritten() throws JsonException {
        JsonValue read = JsonReader.parse("\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u0000 \\u00e9 \\uD83D\\uDE00 é 😀\"");
        String expected = "q\" b\\ s/ \b\f\n\r\t \u0000 é 😀 é 😀";
        assertThat(read).isEqualTo(new JsonString(expected));
        String written = JsonWriter.write(new JsonString(expected));
        assertThat(written).isEqualTo("\"q\\\" b\\\\ s/ \\b\\f\\n\\r\\t \\u0000 é 😀 é 😀\"");
        assertThat(JsonReader.parse(written)).isEqualTo(read);
        assertThat(JsonWriter.write(new JsonString("\u001f\u007f"))).isEqualTo("\"\\u001f\u007f\"");
    }

    @Test
    void readsUtf8BytesStrictly() throws JsonException {
        byte[] utf8 = "{\"unit\":\"é😀\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(JsonReader.parse(utf8, JsonReader.DEPTH_MAX, JsonReader.CHARS_MAX))
                .isEqualTo(new JsonObject(Map.of("unit", new JsonString("é😀"))));
        byte[] broken = {'"', (byte) 0xC3, '"'};
        assertThatThrownBy(() -> JsonReader.parse(broken, JsonReader.DEPTH_MAX, JsonReader.CHARS_MAX))
                .isInstanceOf(JsonException.class).hasMessage("invalid UTF-8 at byte 1");
    }

    @Test
    void nestingIsBounded() throws JsonException {
        String deepest = "[".repeat(JsonReader.DEPTH_MAX) + "]".repeat(JsonReader.DEPTH_MAX);
        assertThat(JsonReader.parse(deepest)).isInstanceOf(JsonArray.class);
        String tooDeep = "[".repeat(JsonReader.DEPTH_MAX + 1) + "]".repeat(JsonReader.DEPTH_MAX + 1);
        assertThatThrownBy(() -> JsonReader.parse(tooDeep)).isInstanceOf(JsonException.class)
                .hasMessage("at offset 32 (line 1, column 33): nesting deeper than the limit of 32");
        // Far deeper than any stack would survive by recursion: refused at the limit, not by a StackOverflowError.
        String hostile = "{\"a\":".repeat(100_000);
        assertThatThrownBy(() -> JsonReader.parse(hostile, 32, 1 << 20)).hasMessageContaining("nesting deeper");

        JsonValue writable = new JsonArray(List.of());
        for (int i = 1; i < JsonReader.DEPTH_MAX; i++) {
            writable = new JsonArray(List.of(writable));
        }
        assertThat(JsonReader.parse(JsonWriter.write(writable))).isEqualTo(writable);
        JsonValue unwritable = new JsonArray(List.of(writable));
        assertThatThrownBy(() -> JsonWriter.write(unwritable)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sizeIsBounded() throws JsonException {
        assertThat(JsonReader.parse("\"" + "x".repeat(98) + "\"", 4, 100)).isInstanceOf(JsonString.class);
        assertThatThrownBy(() -> JsonReader.parse("\"" + "x".repeat(99) + "\"", 4, 100))
                .hasMessage("document of 101 chars is longer than the limit of 100");
        assertThatThrownBy(() -> JsonReader.parse(new byte[401], 4, 100))
                .hasMessage("document of 401 bytes is longer than the limit of 100 chars");
    }

    @Test
    void malformedInputIsNamedWithItsPlace() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("", "at offset 0 (line 1, column 1): unexpected end of input, expected a value");
        cases.put("   ", "at offset 3 (line 1, column 4): unexpected end of input, expected a value");
        cases.put("{", "at offset 1 (line 1, column 2): expected a '\"' starting a member name, found end of input");
        cases.put("{\"a\":1,}", "at offset 7 (line 1, column 8): expected a '\"' starting a member name, found '}'");
        cases.put("[1,]", "at offset 3 (line 1, column 4): unexpected ']', expected a value");
        cases.put("[1 2]", "at offset 3 (line 1, column 4): expected ',' or ']' in an array, found '2'");
        cases.put("{\"a\" 1}", "at offset 5 (line 1, column 6): expected ':' after a member name, found '1'");
        cases.put("{\"a\":1 \"b\":2}", "at offset 7 (line 1, column 8): expected ',' or '}' in an object, found '\"'");
        cases.put("{a:1}", "at offset 1 (line 1, column 2): expected a '\"' starting a member name, found 'a'");
        cases.put("{\"a\":1,\n \"a\":2}", "at offset 9 (line 2, column 2): duplicate member name \"a\"");
        cases.put("01", "at offset 0 (line 1, column 1): leading zeros are not allowed in a number");
        cases.put("-01", "at offset 0 (line 1, column 1): leading zeros are not allowed in a number");
        cases.put("1.5", "at offset 1 (line 1, column 2): only whole numbers are supported, found '.'");
        cases.put("1e3", "at offset 1 (line 1, column 2): only whole numbers are supported, found 'e'");
        cases.put("-", "at offset 1 (line 1, column 2): expected a digit after '-', found end of input");
        cases.put("+1", "at offset 0 (line 1, column 1): unexpected '+', expected a value");
        cases.put("9223372036854775808", "at offset 0 (line 1, column 1): number 9223372036854775808 does not fit a 64-bit integer");
        cases.put("-9223372036854775809", "at offset 0 (line 1, column 1): number -9223372036854775809 does not fit a 64-bit integer");
        cases.put("\"abc", "at offset 0 (line 1, column 1): unterminated string");
        cases.put("\"a\\x\"", "at offset 2 (line 1, column 3): invalid escape '\\x'");
        cases.put("\"a\\u12G4\"", "at offset 2 (line 1, column 3): \\u escape needs 4 hex digits, found 'G'");
        cases.put("\"a\\u12", "at offset 2 (line 1, column 3): \\u escape needs 4 hex digits before the end of input");
        cases.put("\"a\nb\"", "at offset 2 (line 1, column 3): control character U+000A must be escaped in a string");
        cases.put("\"\\uD800\"", "at offset 7 (line 1, column 8): unpaired surrogate U+D800 at the end of a string");
        cases.put("\"\\uDC00\"", "at offset 1 (line 1, column 2): unpaired surrogate U+DC00");
        cases.put("\"\\uD800x\"", "at offset 7 (line 1, column 8): unpaired surrogate U+D800");
        cases.put("tru", "at offset 0 (line 1, column 1): unexpected 't', expected true");
        cases.put("nul", "at offset 0 (line 1, column 1): unexpected 'n', expected null");
        cases.put("{\"a\":1}x", "at offset 7 (line 1, column 8): unexpected 'x' after the value");
        cases.put("1 2", "at offset 2 (line 1, column 3): unexpected '2' after the value");
        cases.put("[\u0001]", "at offset 1 (line 1, column 2): unexpected U+0001, expected a value");
        cases.put("// c\n1", "at offset 0 (line 1, column 1): unexpected '/', expected a value");
        for (Map.Entry<String, String> bad : cases.entrySet()) {
            assertThatThrownBy(() -> JsonReader.parse(bad.getKey())).as(bad.getKey())
                    .isInstanceOf(JsonException.class).hasMessage(bad.getValue());
        }
    }

    @Test
    void everyTruncationFailsAndNoMutationEscapesAsAnotherException() {
        for (int end = 0; end < REPORT_ANSWER.length(); end++) {
            String prefix = REPORT_ANSWER.substring(0, end);
            assertThatThrownBy(() -> JsonReader.parse(prefix)).as("prefix of %d chars", end)
                    .isInstanceOf(JsonException.class);
        }
        Random random = new Random(7);
        String alphabet = "{}[]\":,\\/ -0123456789.eE+tfnulraxu\n\u0000\uD800\uDC00";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder mutated = new StringBuilder(REPORT_ANSWER);
            for (int m = 1 + random.nextInt(3); m > 0; m--) {
                int at = random.nextInt(mutated.length());
                char c = alphabet.charAt(random.nextInt(alphabet.length()));
                switch (random.nextInt(3)) {
                    case 0 -> mutated.setCharAt(at, c);
                    case 1 -> mutated.insert(at, c);
                    default -> mutated.deleteCharAt(at);
                }
            }
            try {
                JsonValue value = JsonReader.parse(mutated.toString());
                assertThat(JsonReader.parse(JsonWriter.write(value))).isEqualTo(value);
            } catch (JsonException expected) {
                assertThat(expected.getMessage()).startsWith("at offset ");
            }
        }
    }

    @Test
    void fieldAccessorsNameTheField() throws JsonException {
        JsonObject object = (JsonObject) JsonReader.parse("{\"n\": -1, \"s\": \"x\", \"o\": null}");
        assertThatThrownBy(() -> object.requireLong("missing")).hasMessage("field 'missing': missing");
        assertThatThrownBy(() -> object.requireLong("s")).hasMessage("field 's': expected a number, found a string");
        assertThatThrownBy(() -> object.requireString("n")).hasMessage("field 'n': expected a string, found a number");
        assertThatThrownBy(() -> object.requireBoolean("o")).hasMessage("field 'o': expected true or false, found null");
        assertThatThrownBy(() -> object.requireArray("n")).hasMessage("field 'n': expected an array, found a number");
        assertThatThrownBy(() -> object.requireNonNegative("n")).hasMessage("field 'n': must not be negative, was -1");
        assertThatThrownBy(() -> object.optionalObject("s")).hasMessage("field 's': expected an object or null, found a string");
        assertThat(object.optionalObject("o")).isNull();
        assertThat(object.optionalString("absent")).isNull();
        assertThat(new JsonException("field 'unit': missing").within("packages[2]"))
                .hasMessage("field 'packages[2].unit': missing");
    }

    private static JsonValue randomValue(Random random, int depth) {
        int kind = depth >= 4 ? 2 + random.nextInt(4) : random.nextInt(6);
        return switch (kind) {
            case 0 -> {
                Map<String, JsonValue> members = new LinkedHashMap<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    members.put(randomString(random), randomValue(random, depth + 1));
                }
                yield new JsonObject(members);
            }
            case 1 -> {
                List<JsonValue> elements = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    elements.add(randomValue(random, depth + 1));
                }
                yield new JsonArray(elements);
            }
            case 2 -> new JsonString(randomString(random));
            case 3 -> new JsonNumber(switch (random.nextInt(5)) {
                case 0 -> 0;
                case 1 -> Long.MAX_VALUE;
                case 2 -> Long.MIN_VALUE;
                case 3 -> random.nextInt(3) - 1;
                default -> random.nextLong();
            });
            case 4 -> new JsonBoolean(random.nextBoolean());
            default -> JsonNull.NULL;
        };
    }

    private static String randomString(Random random) {
        String pool = "ab\"\\/\b\f\n\r\t\u0000\u001f é😀";
        StringBuilder out = new StringBuilder();
        for (int i = random.nextInt(6); i > 0; i--) {
            int at = random.nextInt(pool.length());
            if (Character.isSurrogate(pool.charAt(at))) {
                out.append("😀");
            } else {
                out.append(pool.charAt(at));
            }
        }
        return out.toString();
    }
}
