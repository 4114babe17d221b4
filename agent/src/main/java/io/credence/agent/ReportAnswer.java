package io.credence.agent;

/**
 * The answer to {@code POST /v1/devices/{simId}/reports}.
 *
 * @param duplicate     the server had this seq already; nothing changed
 * @param reportedBytes the server's running total of reported bytes for the SIM
 * @param returnedBytes what a final report released of the grant (meaningless otherwise)
 * @param grant         the grant the server holds for the SIM after the report, or null
 */
public record ReportAnswer(long seq, boolean duplicate, long reportedBytes, long returnedBytes, Grant grant) {
    public ReportAnswer {
        if (seq < 1 || reportedBytes < 0 || returnedBytes < 0) {
            throw new IllegalArgumentException("seq must be >= 1 and byte counts >= 0: " + seq + ", "
                    + reportedBytes + ", " + returnedBytes);
        }
    }

    static ReportAnswer fromJson(JsonValue.JsonObject json) throws JsonException {
        long seq = json.requireLong("seq");
        if (seq < 1) {
            throw new JsonException("field 'seq': must be >= 1, was " + seq);
        }
        JsonValue.JsonObject grant = json.optionalObject("grant");
        Grant decoded = null;
        if (grant != null) {
            try {
                decoded = Grant.fromJson(grant);
            } catch (JsonException e) {
                throw e.within("grant");
            }
        }
        // Only a final report returns bytes, so a server may leave the member out of other answers.
        JsonValue returned = json.get("returnedBytes");
        long returnedBytes = returned == null || returned == JsonValue.JsonNull.NULL
                ? 0 : json.requireNonNegative("returnedBytes");
        return new ReportAnswer(seq, json.requireBoolean("duplicate"), json.requireNonNegative("reportedBytes"),
                returnedBytes, decoded);
    }
}
