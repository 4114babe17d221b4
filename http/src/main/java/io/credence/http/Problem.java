package io.credence.http;

import io.credence.ledger.Rejection;
import io.credence.ledger.Rejection.AccountExists;
import io.credence.ledger.Rejection.AccountNotActive;
import io.credence.ledger.Rejection.CommitExceedsReservation;
import io.credence.ledger.Rejection.CreditLimitExceeded;
import io.credence.ledger.Rejection.DuplicateRequest;
import io.credence.ledger.Rejection.Expired;
import io.credence.ledger.Rejection.IdentityTaken;
import io.credence.ledger.Rejection.InsufficientBalance;
import io.credence.ledger.Rejection.InvalidOperation;
import io.credence.ledger.Rejection.LimitExceeded;
import io.credence.ledger.Rejection.LinkedRejected;
import io.credence.ledger.Rejection.NotASystemAccount;
import io.credence.ledger.Rejection.ReservationClosed;
import io.credence.ledger.Rejection.StaleSequence;
import io.credence.ledger.Rejection.UnknownAccount;
import io.credence.ledger.Rejection.UnknownIdentity;
import io.credence.ledger.Rejection.UnknownReservation;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An RFC 9457 problem document. The one table from ledger rejections to HTTP status lives here.
 */
record Problem(int status, String type, String title, String detail, String field, Map<String, Object> extra) {
    static final String CONTENT_TYPE = "application/problem+json";
    private static final String TYPE_PREFIX = "urn:credence:problem:";

    static Problem of(ApiError bad) {
        return new Problem(bad.status, bad.type, titleOf(bad.type), bad.getMessage(), bad.field, Map.of());
    }

    static Problem of(int status, String type, String detail) {
        return new Problem(status, type, titleOf(type), detail, null, Map.of());
    }

    static Problem of(Rejection rejection) {
        return switch (rejection) {
            case UnknownAccount r -> rejected(404, "unknown-account", r, "accountId");
            case AccountExists r -> rejected(409, "account-exists", r, "accountId");
            case AccountNotActive r -> rejected(409, "account-not-active", r, "accountId");
            case NotASystemAccount r -> rejected(422, "not-a-system-account", r, "source");
            case InsufficientBalance r -> shortOf(rejected(422, "insufficient-balance", r, "amount"), r.unit(),
                    r.requested(), r.available());
            case CreditLimitExceeded r -> shortOf(rejected(422, "credit-limit-exceeded", r, "amount"), r.unit(),
                    r.requested(), r.available());
            case UnknownReservation r -> rejected(404, "unknown-reservation", r, "reservationId");
            case Expired r -> rejected(410, "reservation-expired", r, "reservationId");
            case ReservationClosed r -> rejected(409, "reservation-closed", r, "reservationId");
            case CommitExceedsReservation r -> rejected(422, "commit-exceeds-reservation", r, "amount");
            case IdentityTaken r -> rejected(409, "identity-taken", r, "value");
            case UnknownIdentity r -> rejected(404, "unknown-identity", r, "value");
            // Not a malformed request: the stream has moved past it (a repeat, or an older report).
            case StaleSequence r -> rejected(409, "stale-sequence", r, "seq");
            case DuplicateRequest r -> rejected(409, "duplicate-request-id", r, "requestId");
            // The idempotency table is full only for a while; everything else is a standing limit.
            case LimitExceeded r when r.limit().equals("requestIdsMax") -> rejected(503, "busy", r, null);
            case LimitExceeded r -> rejected(422, "limit-exceeded", r, null);
            case InvalidOperation r -> rejected(422, "invalid-operation", r, r.field());
            case LinkedRejected r -> {
                Problem cause = of(r.cause());
                yield new Problem(cause.status, cause.type, cause.title, r.message(), cause.field,
                        Map.of("stepIndex", r.stepIndex()));
            }
        };
    }

    /** The numbers of a refusal for want of balance, for a client to state in its own words (and currency). */
    private static Problem shortOf(Problem problem, io.credence.ledger.Unit unit, long requested, long available) {
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("unit", unit.name());
        extra.put("requested", requested);
        extra.put("available", available);
        return new Problem(problem.status, problem.type, problem.title, problem.detail, problem.field, extra);
    }

    private static Problem rejected(int status, String type, Rejection rejection, String field) {
        return new Problem(status, type, titleOf(type), rejection.message(), field, Map.of());
    }

    private static String titleOf(String type) {
        String words = type.replace('-', ' ');
        return Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }

    /** The problem a {@link #body()} was written from (a remembered answer read back). */
    static Problem fromBody(Map<String, Object> body) {
        Map<String, Object> extra = new LinkedHashMap<>(body);
        String type = String.valueOf(extra.remove("type"));
        String title = (String) extra.remove("title");
        int status = ((Number) extra.remove("status")).intValue();
        String detail = (String) extra.remove("detail");
        String field = (String) extra.remove("field");
        return new Problem(status, type.startsWith(TYPE_PREFIX) ? type.substring(TYPE_PREFIX.length()) : type, title,
                detail, field, extra);
    }

    Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", TYPE_PREFIX + type);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        if (field != null) {
            body.put("field", field);
        }
        body.putAll(extra);
        return body;
    }
}
