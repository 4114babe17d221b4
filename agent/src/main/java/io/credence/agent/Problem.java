package io.credence.agent;

import java.util.Objects;

/**
 * An RFC 9457 problem document as the server sends it:
 * {@code {"type": "urn:credence:problem:<name>", "title", "status", "detail"}}. An error answer
 * without one (a proxy's HTML page, say) becomes a problem of type {@code about:blank}.
 */
public record Problem(int status, String type, String title, String detail) {
    static final String TYPE_PREFIX = "urn:credence:problem:";

    /** Wrong SIM secret or unknown SIM (401 on registration). */
    public static final String SIM_CREDENTIALS = "sim-credentials";
    /** The SIM is bound to another device; an admin must unbind it (409 on registration). */
    public static final String SIM_BOUND_ELSEWHERE = "sim-bound-elsewhere";
    /** Nothing left to grant (403 on a grant request). */
    public static final String QUOTA_EXHAUSTED = "quota-exhausted";

    public Problem {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("a problem's status is 400..599, was " + status);
        }
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(detail, "detail");
    }

    /** The part after {@code urn:credence:problem:}, or the whole type when it has another form. */
    public String name() {
        return type.startsWith(TYPE_PREFIX) ? type.substring(TYPE_PREFIX.length()) : type;
    }

    public boolean is(String name) {
        return name().equals(name);
    }

    /** "HTTP 403 quota-exhausted: detail", for the agent's status and logs. */
    public String describe() {
        return "HTTP " + status + " " + name() + ": " + (detail.isEmpty() ? title : detail);
    }

    /** Reads a problem document; anything that is not one still yields a problem for its status. */
    static Problem fromAnswer(int status, byte[] body) {
        try {
            if (JsonReader.parse(body, JsonReader.DEPTH_MAX, JsonReader.CHARS_MAX) instanceof JsonValue.JsonObject object) {
                String type = object.optionalString("type");
                String title = object.optionalString("title");
                String detail = object.optionalString("detail");
                return new Problem(status, type == null ? "about:blank" : type, title == null ? "" : title,
                        detail == null ? "" : detail);
            }
        } catch (JsonException notAProblemDocument) {
            // Falls through: the status alone still says what happened.
        }
        return new Problem(status, "about:blank", "HTTP " + status, "the answer carried no problem document");
    }
}
