package io.credence.nchf;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A TS 29.571 ProblemDetails ({@code application/problem+json}) with the 3GPP {@code cause}
 * (TS 32.291 6.1.7.3, TS 29.500 5.2.7.2) and, for a bad body, the {@code invalidParams} at fault.
 */
public record NchfProblem(int status, String cause, String detail, List<InvalidParam> invalidParams) {
    public static final String CONTENT_TYPE = "application/problem+json";

    public record InvalidParam(String param, String reason) {}

    public NchfProblem {
        invalidParams = List.copyOf(invalidParams);
        if (status < 400 || status > 599 || cause == null) {
            throw new IllegalArgumentException("a problem has a 4xx/5xx status and a cause");
        }
    }

    static NchfProblem of(int status, String cause, String detail) {
        return new NchfProblem(status, cause, detail, List.of());
    }

    /** A body field that is missing or wrong: 400, naming it (JSON path from the body's root). */
    static NchfProblem invalid(String cause, String param, String reason) {
        return new NchfProblem(400, cause, param + " " + reason, List.of(new InvalidParam(param, reason)));
    }

    Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("title", title(status));
        body.put("status", status);
        body.put("detail", detail);
        body.put("cause", cause);
        if (!invalidParams.isEmpty()) {
            body.put("invalidParams", invalidParams.stream().map(p -> Map.of("param", p.param(), "reason", p.reason()))
                    .toList());
        }
        return body;
    }

    private static String title(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 411 -> "Length Required";
            case 413 -> "Payload Too Large";
            case 415 -> "Unsupported Media Type";
            case 503 -> "Service Unavailable";
            default -> status < 500 ? "Client Error" : "Internal Server Error";
        };
    }
}
