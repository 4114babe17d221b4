package io.credence.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.credence.devices.DeviceQuota;
import io.credence.charging.DeviceDirectory.AdminAnswer;
import io.credence.ledger.Ids;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Request ids for the device administration routes (creating and moving SIMs, provisioning base
 * stations, unbinding), which change the engine's device directory rather than the ledger: what a
 * {@code requestId} (or {@code Idempotency-Key}) does on every other mutating route. A retry gets
 * the first answer, also when that was a refusal (an unknown account, a SIM that exists), and
 * changes nothing; the same id with other content is 409 duplicate-request-id. A malformed request
 * (400) is not remembered, as on the ledger routes, where it never reaches the ledger. Answers are
 * engine state (a command of their own after the change), so a retry after a restart, or through
 * another node of a cluster, is recognised too. The lock orders requests on this node only: two
 * nodes handling one id at the same moment both act (every action is idempotent) and the first
 * answer kept wins.
 */
final class AdminRequests {
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

    private final DeviceQuota quota;
    /** Admin requests are rare: one at a time keeps "look up, act, remember" free of races. */
    private final ReentrantLock lock = new ReentrantLock();

    AdminRequests(DeviceQuota quota) {
        this.quota = quota;
    }

    /**
     * Runs {@code action} once per request id. Call with the body not yet read past its
     * {@code requestId}: the action reads (and checks) the rest.
     */
    Answer once(String method, String[] path, JsonBody body, Function<String, String> header, Supplier<Answer> action) {
        String requestId = requestId(body, header);
        if (requestId == null) {
            return action.get(); // without an id a retry is a new request, as everywhere
        }
        String fingerprint = fingerprint(method + " " + String.join("/", path) + " " + body.canonicalWithoutRequestId());
        lock.lock();
        try {
            Optional<AdminAnswer> first = quota.rememberedRequest(requestId);
            if (first.isPresent()) {
                if (!first.get().fingerprint().equals(fingerprint)) {
                    throw new ApiError(409, "duplicate-request-id", "requestId", "request id '" + requestId
                            + "' was used for another request; a new request needs a new id");
                }
                return decode(first.get());
            }
            Answer answer = action.get();
            int status = answer instanceof Answer.Json json ? json.status() : ((Answer.Failed) answer).problem().status();
            if (status < 500) {
                quota.rememberRequest(requestId, fingerprint, status, encode(answer));
            }
            return answer;
        } finally {
            lock.unlock();
        }
    }

    /** The body's {@code requestId} or the {@code Idempotency-Key} header (the same if both), or null. */
    private static String requestId(JsonBody body, Function<String, String> header) {
        String fromBody = body.optionalString("requestId");
        String fromHeader = header.apply("Idempotency-Key");
        if (fromBody != null && fromHeader != null && !fromBody.equals(fromHeader)) {
            throw new ApiError("requestId", "differs from the Idempotency-Key header");
        }
        String requestId = fromBody != null ? fromBody : fromHeader;
        String problem = requestId == null ? null : Ids.requestIdProblem(requestId);
        if (problem != null) {
            throw new ApiError("requestId", problem);
        }
        return requestId;
    }

    private static String encode(Answer answer) {
        Map<String, Object> body = switch (answer) {
            case Answer.Json json -> json.body();
            case Answer.Failed failed -> failed.problem().body();
        };
        try {
            return JsonBody.MAPPER.writeValueAsString(body);
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException("maps of plain values always serialise", impossible);
        }
    }

    private static Answer decode(AdminAnswer first) {
        Map<String, Object> body;
        try {
            body = JsonBody.MAPPER.readValue(first.answer(), MAP);
        } catch (JsonProcessingException unreadable) {
            throw new IllegalStateException("a remembered answer is the JSON this class wrote", unreadable);
        }
        return first.status() < 400 ? new Answer.Json(first.status(), body) : new Answer.Failed(Problem.fromBody(body));
    }

    private static String fingerprint(String content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(content.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("every JDK has SHA-256", impossible);
        }
    }
}
