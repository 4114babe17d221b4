package io.credence.agent;

import io.credence.agent.JsonValue.JsonArray;
import io.credence.agent.JsonValue.JsonBoolean;
import io.credence.agent.JsonValue.JsonNull;
import io.credence.agent.JsonValue.JsonNumber;
import io.credence.agent.JsonValue.JsonObject;
import io.credence.agent.JsonValue.JsonString;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 reader for {@link JsonValue}: one value, optional whitespace around it, no
 * comments, no trailing commas, no duplicate keys, no unpaired surrogates, and only whole numbers
 * that fit a {@code long}. The input is from the network, so its size and nesting are bounded
 * before anything is built, and the recursion depth is the nesting limit.
 */
final class JsonReader {
    /** Deepest nesting of objects and arrays; the protocol needs 3 (answer, list, package). */
    static final int DEPTH_MAX = 32;
    /** Longest document in chars; a package list of a few hundred entries fits many times over. */
    static final int CHARS_MAX = 1 << 20;

    private final String text;
    private final int depthMax;
    private int position;

    private JsonReader(String text, int depthMax) {
        this.text = text;
        this.depthMax = depthMax;
    }

    static JsonValue parse(String text) throws JsonException {
        return parse(text, DEPTH_MAX, CHARS_MAX);
    }

    static JsonValue parse(String text, int depthMax, int charsMax) throws JsonException {
        if (depthMax < 1 || charsMax < 1) {
            throw new IllegalArgumentException("depthMax and charsMax must be >= 1, were " + depthMax + ", " + charsMax);
        }
        if (text.length() > charsMax) {
            throw new JsonException("document of " + text.length() + " chars is longer than the limit of " + charsMax);
        }
        JsonReader reader = new JsonReader(text, depthMax);
        JsonValue value = reader.value(0);
        reader.skipWhitespace();
        if (reader.position < text.length()) {
            throw reader.error("unexpected " + reader.describeNext() + " after the value");
        }
        return value;
    }

    /** Decodes strict UTF-8 (a malformed byte is an error, not a replacement character) and parses. */
    static JsonValue parse(byte[] utf8, int depthMax, int charsMax) throws JsonException {
        if (utf8.length > 4L * charsMax) {
            // No UTF-8 encoding of charsMax chars is longer, so this is too long whatever it holds.
            throw new JsonException("document of " + utf8.length + " bytes is longer than the limit of " + charsMax + " chars");
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(utf8);
        CharBuffer out = CharBuffer.allocate(utf8.length);
        try {
            var result = decoder.decode(in, out, true);
            if (result.isError()) {
                result.throwException();
            }
            decoder.flush(out);
        } catch (MalformedInputException e) {
            throw new JsonException("invalid UTF-8 at byte " + in.position());
        } catch (CharacterCodingException e) {
            throw new JsonException("invalid UTF-8 at byte " + in.position() + ": " + e.getMessage());
        }
        return parse(out.flip().toString(), depthMax, charsMax);
    }

    private JsonValue value(int depth) throws JsonException {
        skipWhitespace();
        if (position >= text.length()) {
            throw error("unexpected end of input, expected a value");
        }
        char c = text.charAt(position);
        return switch (c) {
            case '{' -> object(enter(depth));
            case '[' -> array(enter(depth));
            case '"' -> new JsonString(string());
            case 't' -> literal("true", new JsonBoolean(true));
            case 'f' -> literal("false", new JsonBoolean(false));
            case 'n' -> literal("null", JsonNull.NULL);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw error("unexpected " + describeNext() + ", expected a value");
            }
        };
    }

    private int enter(int depth) throws JsonException {
        if (depth + 1 > depthMax) {
            throw error("nesting deeper than the limit of " + depthMax);
        }
        return depth + 1;
    }

    private JsonObject object(int depth) throws JsonException {
        position++; // '{'
        Map<String, JsonValue> members = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            position++;
            return new JsonObject(members);
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw error("expected a '\"' starting a member name, found " + describeNext());
            }
            int keyAt = position;
            String key = string();
            skipWhitespace();
            expect(':', "after a member name");
            JsonValue value = value(depth);
            if (members.putIfAbsent(key, value) != null) {
                position = keyAt;
                throw error("duplicate member name \"" + key + "\"");
            }
            skipWhitespace();
            char c = peek();
            position++;
            if (c == '}') {
                return new JsonObject(members);
            }
            if (c != ',') {
                position--;
                throw error("expected ',' or '}' in an object, found " + describeNext());
            }
        }
    }

    private JsonArray array(int depth) throws JsonException {
        position++; // '['
        List<JsonValue> elements = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            position++;
            return new JsonArray(elements);
        }
        while (true) {
            elements.add(value(depth));
            skipWhitespace();
            char c = peek();
            position++;
            if (c == ']') {
                return new JsonArray(elements);
            }
            if (c != ',') {
                position--;
                throw error("expected ',' or ']' in an array, found " + describeNext());
            }
        }
    }

    private String string() throws JsonException {
        int start = position;
        position++; // opening quote
        StringBuilder out = new StringBuilder();
        while (true) {
            if (position >= text.length()) {
                position = start;
                throw error("unterminated string");
            }
            char c = text.charAt(position);
            if (c == '"') {
                position++;
                break;
            }
            int charAt = position;
            if (c == '\\') {
                c = escape();
            } else if (c < 0x20) {
                throw error("control character " + codePoint(c) + " must be escaped in a string");
            } else {
                position++;
            }
            appendChecked(out, c, charAt);
        }
        if (!out.isEmpty() && Character.isHighSurrogate(out.charAt(out.length() - 1))) {
            position--;
            throw error("unpaired surrogate " + codePoint(out.charAt(out.length() - 1)) + " at the end of a string");
        }
        return out.toString();
    }

    /** Appends one char, refusing surrogates that do not form a pair (they are not text). */
    private void appendChecked(StringBuilder out, char c, int charAt) throws JsonException {
        boolean afterHigh = !out.isEmpty() && Character.isHighSurrogate(out.charAt(out.length() - 1));
        if (Character.isLowSurrogate(c) != afterHigh) {
            position = charAt;
            throw error("unpaired surrogate " + codePoint(afterHigh ? out.charAt(out.length() - 1) : c));
        }
        out.append(c);
    }

    /** Reads the escape at {@code position} (a backslash) and returns the char it stands for. */
    private char escape() throws JsonException {
        if (position + 1 >= text.length()) {
            throw error("unterminated escape at the end of input");
        }
        char e = text.charAt(position + 1);
        char decoded = switch (e) {
            case '"' -> '"';
            case '\\' -> '\\';
            case '/' -> '/';
            case 'b' -> '\b';
            case 'f' -> '\f';
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'u' -> unicodeEscape();
            default -> throw error("invalid escape '\\" + printable(e) + "'");
        };
        position += e == 'u' ? 6 : 2;
        return decoded;
    }

    private char unicodeEscape() throws JsonException {
        if (position + 6 > text.length()) {
            throw error("\\u escape needs 4 hex digits before the end of input");
        }
        int value = 0;
        for (int i = position + 2; i < position + 6; i++) {
            int digit = Character.digit(text.charAt(i), 16);
            if (digit < 0 || text.charAt(i) > 'f') { // Character.digit also takes non-ASCII digits
                throw error("\\u escape needs 4 hex digits, found '" + printable(text.charAt(i)) + "'");
            }
            value = value * 16 + digit;
        }
        return (char) value;
    }

    private JsonNumber number() throws JsonException {
        int start = position;
        if (peek() == '-') {
            position++;
        }
        char first = peek();
        if (first < '0' || first > '9') {
            throw error("expected a digit after '-', found " + describeNext());
        }
        position++;
        while (peek() >= '0' && peek() <= '9') {
            position++;
        }
        if (first == '0' && position - start > (text.charAt(start) == '-' ? 2 : 1)) {
            position = start;
            throw error("leading zeros are not allowed in a number");
        }
        char next = peek();
        if (next == '.' || next == 'e' || next == 'E') {
            throw error("only whole numbers are supported, found '" + next + "'");
        }
        String digits = text.substring(start, position);
        try {
            return new JsonNumber(Long.parseLong(digits));
        } catch (NumberFormatException e) {
            position = start;
            throw error("number " + digits + " does not fit a 64-bit integer");
        }
    }

    private JsonValue literal(String word, JsonValue value) throws JsonException {
        if (!text.startsWith(word, position)) {
            throw error("unexpected " + describeNext() + ", expected " + word);
        }
        position += word.length();
        return value;
    }

    private void expect(char expected, String where) throws JsonException {
        if (peek() != expected) {
            throw error("expected '" + expected + "' " + where + ", found " + describeNext());
        }
        position++;
    }

    private void skipWhitespace() {
        while (position < text.length()) {
            char c = text.charAt(position);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            position++;
        }
    }

    /** The char at {@code position}, or NUL at the end (never valid where a peek is checked). */
    private char peek() {
        return position < text.length() ? text.charAt(position) : '\0';
    }

    private String describeNext() {
        if (position >= text.length()) {
            return "end of input";
        }
        char c = text.charAt(position);
        return c >= 0x20 && c < 0x7f ? "'" + c + "'" : codePoint(c);
    }

    private static String printable(char c) {
        return c >= 0x20 && c < 0x7f ? String.valueOf(c) : codePoint(c);
    }

    private static String codePoint(char c) {
        return String.format("U+%04X", (int) c);
    }

    private JsonException error(String problem) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < position && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return new JsonException("at offset " + position + " (line " + line + ", column " + (position - lineStart + 1)
                + "): " + problem);
    }
}
