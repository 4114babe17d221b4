package io.credence.http;

import io.credence.ledger.Ids;
import io.credence.ledger.ServiceRef;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.UUID;

/**
 * What a provisioning request says, read strictly: its path segments, the ids in them, query
 * parameters, the JSON body and the request id. Anything malformed is an {@link ApiError} naming
 * the part at fault, thrown before the ledger sees the request.
 */
final class RequestInputs {
    /** Largest request body accepted; larger ones get 413 before parsing. */
    static final int BODY_BYTES_MAX = 64 * 1024;
    /** Largest amount a request may name: any positive long (the ledger refuses what does not fit). */
    static final long AMOUNT_MAX = Long.MAX_VALUE;

    private RequestInputs() {}

    /**
     * The body's {@code requestId} or the {@code Idempotency-Key} header (the same when both are
     * given), so that a client that retries gets the first answer.
     */
    static String requestId(JsonBody body, Request request) {
        String fromBody = body.optionalString("requestId");
        String fromHeader = request.getHeaders().get("Idempotency-Key");
        if (fromBody != null && fromHeader != null && !fromBody.equals(fromHeader)) {
            throw new ApiError("requestId", "differs from the Idempotency-Key header");
        }
        String requestId = fromBody != null ? fromBody : fromHeader;
        if (requestId == null) {
            // Without an id a retry cannot be recognised; the request is still applied exactly once.
            return "auto-" + UUID.randomUUID();
        }
        String problem = Ids.requestIdProblem(requestId);
        if (problem != null) {
            throw new ApiError("requestId", problem);
        }
        return requestId;
    }

    static JsonBody body(Request request) {
        return jsonBody(request.getHeaders().get(HttpHeader.CONTENT_TYPE), bodyBytes(request));
    }

    /** The body as sent, at most {@link #BODY_BYTES_MAX} bytes (413 past that). */
    static byte[] bodyBytes(Request request) {
        long declared = request.getLength();
        if (declared > BODY_BYTES_MAX) {
            throw new ApiError(413, "too-large", null, "body of " + declared + " bytes exceeds " + BODY_BYTES_MAX);
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] bytes = in.readNBytes(BODY_BYTES_MAX + 1);
            if (bytes.length > BODY_BYTES_MAX) {
                throw new ApiError(413, "too-large", null, "body exceeds " + BODY_BYTES_MAX + " bytes");
            }
            return bytes;
        } catch (IOException unreadable) {
            throw new ApiError(400, "malformed-json", null, "body could not be read: " + unreadable.getMessage());
        }
    }

    /** A body read as JSON: 415 unless its content type (null: none given) is JSON. */
    static JsonBody jsonBody(String contentType, byte[] bytes) {
        if (contentType != null && !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new ApiError(415, "unsupported-media-type", null, "send application/json, not " + contentType);
        }
        return JsonBody.parse(bytes);
    }

    /** The service a body names by rating group and/or service id; unnamed parts are {@link ServiceRef#NONE}. */
    static ServiceRef service(JsonBody body) {
        long ratingGroup = body.optionalLong("ratingGroup", 0, ServiceRef.UNSIGNED32_MAX, ServiceRef.NONE);
        long serviceId = body.optionalLong("serviceId", 0, ServiceRef.UNSIGNED32_MAX, ServiceRef.NONE);
        return new ServiceRef(ratingGroup, serviceId);
    }

    // ---------------------------------------------------------------- path

    /**
     * The path cut at its raw '/' and only then percent-decoded, segment by segment: an identity
     * value may hold a '/' or a '%' (an NAI may), sent as %2F or %25, and must stay one segment.
     * Jetty's canonical path decodes first and also drops ";parameters", which a SIP URI may end
     * in (";user=phone"). A '+' stays a '+' (path encoding, not form encoding).
     */
    static String[] pathSegments(Request request) {
        String[] segments = request.getHttpURI().getPath().split("/");
        for (int i = 0; i < segments.length; i++) {
            segments[i] = decodePathSegment(segments[i]);
        }
        return segments;
    }

    /**
     * Strict percent-decoding as UTF-8. Jetty already refuses malformed escapes and bad UTF-8 in
     * the request line; this checks again rather than trust that.
     */
    private static String decodePathSegment(String segment) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        byte[] bytes = new byte[segment.length()];
        int length = 0;
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c > 0x7F) {
                throw badPath("has a character that is not percent-encoded ASCII");
            }
            if (c != '%') {
                bytes[length++] = (byte) c;
                continue;
            }
            int high = i + 2 < segment.length() ? Character.digit(segment.charAt(i + 1), 16) : -1;
            int low = high >= 0 ? Character.digit(segment.charAt(i + 2), 16) : -1;
            if (low < 0) {
                throw badPath("has a '%' not followed by two hex digits");
            }
            bytes[length++] = (byte) (high << 4 | low);
            i += 2;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, length)).toString();
        } catch (CharacterCodingException notUtf8) {
            throw badPath("is not percent-encoded UTF-8");
        }
    }

    private static ApiError badPath(String reason) {
        return new ApiError(400, "malformed-path", null, "a path segment " + reason);
    }

    static String pathAccountId(String segment) {
        String problem = Ids.accountIdProblem(segment);
        if (problem != null) {
            throw new ApiError("accountId", "path segment " + problem);
        }
        return segment;
    }

    static long pathReservationId(String segment) {
        try {
            long id = Long.parseLong(segment);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException notANumber) {
            // falls through to the problem below
        }
        throw new ApiError("reservationId", "path segment must be a positive integer");
    }

    // ---------------------------------------------------------------- query

    static long queryLong(Fields query, String name, long min, long max, long fallback) {
        String value = query.getValue(name);
        if (value == null) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value);
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException notANumber) {
            // falls through to the problem below
        }
        throw new ApiError(name, "query parameter must be an integer between " + min + " and " + max);
    }
}
