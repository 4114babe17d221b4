package io.credence.agent;

/**
 * A JSON document, or a field in it, is not what the protocol needs. The message says where
 * ("at offset 17 (line 2, column 4): ..." or "field 'bytes': ...") so a bad server answer can be
 * diagnosed from the agent's status alone.
 */
final class JsonException extends Exception {
    JsonException(String message) {
        super(message);
    }

    /** The same problem one level further out, e.g. "packages[2]." in front of "field 'unit': ...". */
    JsonException within(String path) {
        String message = getMessage();
        String field = "field '";
        return new JsonException(message.startsWith(field)
                ? field + path + "." + message.substring(field.length())
                : path + ": " + message);
    }
}
