package io.credence.agent;

import java.util.Objects;

/**
 * The answer to {@code POST /v1/devices/{simId}/register}.
 *
 * @param token         sent as {@code Credence-Device-Token} from now on; a later registration
 *                      from the same device replaces it
 * @param lastReportSeq the highest report sequence number the server has seen for the SIM: the
 *                      agent numbers its next report above it
 * @param reportedBytes the server's running total of reported bytes for the SIM
 */
public record Registration(String simId, String deviceId, String accountId, String token, long lastReportSeq,
                           long reportedBytes) {
    /** Longest device token accepted; it travels in a header on every request. */
    static final int TOKEN_CHARS_MAX = 4096;

    public Registration {
        Objects.requireNonNull(simId, "simId");
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(accountId, "accountId");
        if (!isHeaderSafe(token, TOKEN_CHARS_MAX)) {
            throw new IllegalArgumentException("token must be 1.." + TOKEN_CHARS_MAX + " visible ASCII chars");
        }
        if (lastReportSeq < 0 || reportedBytes < 0) {
            throw new IllegalArgumentException("lastReportSeq and reportedBytes must be >= 0");
        }
    }

    static Registration fromJson(JsonValue.JsonObject json) throws JsonException {
        String token = json.requireString("token");
        if (!isHeaderSafe(token, TOKEN_CHARS_MAX)) {
            throw new JsonException("field 'token': must be 1.." + TOKEN_CHARS_MAX + " visible ASCII chars");
        }
        return new Registration(json.requireString("simId"), json.requireString("deviceId"),
                json.requireString("accountId"), token, json.requireNonNegative("lastReportSeq"),
                json.requireNonNegative("reportedBytes"));
    }

    /** Visible ASCII only: anything else cannot go into an HTTP header unchanged. */
    static boolean isHeaderSafe(String value, int charsMax) {
        if (value == null || value.isEmpty() || value.length() > charsMax) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }
}
