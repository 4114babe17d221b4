package io.credence.agent;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * Quota the server holds for the SIM: the answer to {@code POST /v1/devices/{simId}/grants}, and
 * the {@code grant} member of a report answer.
 *
 * @param bytes what the server still holds for the SIM under this grant
 */
public record Grant(long grantId, long bytes, Instant expiresAt) {
    public Grant {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must be >= 0, was " + bytes);
        }
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    static Grant fromJson(JsonValue.JsonObject json) throws JsonException {
        return new Grant(json.requireLong("grantId"), json.requireNonNegative("bytes"),
                instant("expiresAt", json.requireString("expiresAt")));
    }

    static Instant instant(String field, String text) throws JsonException {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new JsonException("field '" + field + "': not an ISO-8601 instant: \"" + text + "\"");
        }
    }
}
