package io.credence.http;

import java.util.Map;

/**
 * An answer of the provisioning API before it is written: its status, content type, body (a value
 * Jackson writes, or raw bytes) and any extra headers.
 */
record Reply(int status, String contentType, Object body, Map<String, String> headers) {
    static Reply json(int status, Object body) {
        return new Reply(status, "application/json", body, Map.of());
    }

    /** A problem document; a 503 (busy, stopped) tells the client to retry in a second. */
    static Reply problem(Problem problem) {
        Map<String, String> headers = problem.status() == 503 ? Map.of("Retry-After", "1") : Map.of();
        return new Reply(problem.status(), Problem.CONTENT_TYPE, problem.body(), headers);
    }

    /** What a capability with its own router ({@link AdmissionApi}, {@link DeviceApi}) answered. */
    static Reply of(Answer answer) {
        return switch (answer) {
            case Answer.Json json -> json(json.status(), json.body());
            case Answer.Failed failed -> problem(failed.problem());
        };
    }
}
