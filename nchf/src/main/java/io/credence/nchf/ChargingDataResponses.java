package io.credence.nchf;

import io.credence.charging.ChargingOutcome;
import io.credence.charging.ChargingOutcome.Result;
import io.credence.charging.ChargingOutcome.ServiceOutcome;
import io.credence.ledger.Unit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An engine outcome as the ChargingDataResponse, or the ProblemDetails, it means. Each service
 * becomes a multipleUnitInformation entry with its rating group and, when the request named one,
 * its uPFID. The one table from the engine's results to Nchf lives here:
 *
 * <pre>
 *   result                    per service (resultCode)       whole request (HTTP, cause)
 *   SUCCESS                   SUCCESS                        201 / 200 / 204
 *   END_USER_SERVICE_DENIED   END_USER_SERVICE_DENIED        403 END_USER_REQUEST_DENIED
 *   CREDIT_LIMIT_REACHED      QUOTA_LIMIT_REACHED            403 QUOTA_LIMIT_REACHED
 *   RATING_FAILED             RATING_FAILED                  400 CHARGING_FAILED
 *   USER_UNKNOWN              USER_UNKNOWN                   404 USER_UNKNOWN
 *   UNKNOWN_SESSION                                          404 CONTEXT_NOT_FOUND (TS 29.500)
 *   INVALID_VALUE             END_USER_SERVICE_DENIED        400 CHARGING_FAILED, invalidParams naming the field
 *   TOO_BUSY                                                 503 NF_CONGESTION (TS 29.500), Retry-After
 * </pre>
 *
 * A create whose every service failed alike ended the session, so it is a problem; an update or
 * release keeps answering per service, since the session goes on (or was settled).
 */
final class ChargingDataResponses {
    private ChargingDataResponses() {}

    /** What the outcome says: a ChargingDataResponse body, or a problem. */
    sealed interface Response permits Charged, Refused {}

    record Charged(Map<String, Object> body) implements Response {}

    record Refused(NchfProblem problem) implements Response {}

    /** TS 32.291 triggers of every grant: what the consumer reports on, and that it does so at once. */
    static final List<Map<String, Object>> GRANT_TRIGGERS = List.of(
            Map.of("triggerType", "QUOTA_EXHAUSTED", "triggerCategory", "IMMEDIATE_REPORT"),
            Map.of("triggerType", "VALIDITY_TIME", "triggerCategory", "IMMEDIATE_REPORT"));

    /**
     * The trigger of a refused entry: its quota is exhausted now. A consumer that installs quota by
     * triggers rather than by resultCode (free5GC's SMF replaces the URR's triggers with the
     * answer's, and reads no resultCode) then installs a zero quota and stops the traffic, instead
     * of keeping the old quota and its traffic flowing uncharged.
     */
    static final List<Map<String, Object>> REFUSED_TRIGGERS = List.of(
            Map.of("triggerType", "QUOTA_EXHAUSTED", "triggerCategory", "IMMEDIATE_REPORT"));

    /**
     * @param redirectUrl      where a last grant sends the subscriber (a top-up portal), or null to terminate
     * @param answeredAtMillis the engine's time of the answer: the response's invocationTimeStamp
     */
    static Response of(ChargingOutcome outcome, ChargingDataTranslation.Kind kind, ChargingDataRequest request,
                       String redirectUrl, ChargingTerms terms, long answeredAtMillis) {
        Result result = outcome.result();
        boolean perService = result == Result.END_USER_SERVICE_DENIED || result == Result.CREDIT_LIMIT_REACHED
                || result == Result.RATING_FAILED;
        if (result == Result.SUCCESS
                || kind != ChargingDataTranslation.Kind.CREATE && perService && !outcome.services().isEmpty()) {
            return new Charged(response(kind, request, outcome.services(), redirectUrl, terms, answeredAtMillis));
        }
        return new Refused(problem(outcome));
    }

    /**
     * invocationTimeStamp is this CHF's time of the answer (a retry's answer keeps the first one's);
     * invocationSequenceNumber echoes the request's. A create also says what the consumer does when
     * this CHF does not answer (invocationResult.failureHandling) and whether another instance may
     * take the session over (sessionFailover).
     */
    private static Map<String, Object> response(ChargingDataTranslation.Kind kind, ChargingDataRequest request,
                                                List<ServiceOutcome> services, String redirectUrl, ChargingTerms terms,
                                                long answeredAtMillis) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("invocationTimeStamp", java.time.Instant.ofEpochMilli(answeredAtMillis).toString());
        body.put("invocationSequenceNumber", request.sequenceNumber());
        if (kind == ChargingDataTranslation.Kind.CREATE) {
            body.put("invocationResult", Map.of("failureHandling", terms.failureHandling()));
            body.put("sessionFailover", terms.failoverSupported() ? "FAILOVER_SUPPORTED" : "FAILOVER_NOT_SUPPORTED");
        }
        if (!services.isEmpty()) {
            List<Map<String, Object>> units = new ArrayList<>(services.size());
            boolean granted = false;
            for (ServiceOutcome s : services) {
                Map<String, Object> unit = unitInformation(s, requested(request, s), redirectUrl, terms);
                granted |= unit.containsKey("grantedUnit");
                units.add(unit);
            }
            body.put("multipleUnitInformation", units);
            List<Map<String, Object>> limits = limitTriggers(terms);
            if (granted && !limits.isEmpty()) {
                body.put("triggers", limits);
            }
        }
        return body;
    }

    /** The session's deferred-report triggers: close a usage container every so many bytes or seconds. */
    private static List<Map<String, Object>> limitTriggers(ChargingTerms terms) {
        List<Map<String, Object>> triggers = new ArrayList<>(2);
        if (terms.volumeLimitBytes() > 0) {
            Map<String, Object> volume = new LinkedHashMap<>();
            volume.put("triggerType", "VOLUME_LIMIT");
            volume.put("triggerCategory", "DEFERRED_REPORT");
            // volumeLimit is a Uint32; a larger limit needs volumeLimit64
            volume.put(terms.volumeLimitBytes() <= 0xFFFF_FFFFL ? "volumeLimit" : "volumeLimit64", terms.volumeLimitBytes());
            triggers.add(volume);
        }
        if (terms.timeLimitSeconds() > 0) {
            triggers.add(Map.of("triggerType", "TIME_LIMIT", "triggerCategory", "DEFERRED_REPORT",
                    "timeLimit", terms.timeLimitSeconds()));
        }
        return triggers;
    }

    /** What the request asked for the service, or null. */
    private static ChargingDataRequest.Units requested(ChargingDataRequest request, ServiceOutcome s) {
        for (ChargingDataRequest.UnitUsage usage : request.unitUsages()) {
            if (usage.ratingGroup() == s.key().ratingGroup() && java.util.Objects.equals(usage.upfId(), s.key().upfId())) {
                return usage.requested();
            }
        }
        return null;
    }

    private static Map<String, Object> unitInformation(ServiceOutcome s, ChargingDataRequest.Units requested,
                                                       String redirectUrl, ChargingTerms terms) {
        Map<String, Object> unit = new LinkedHashMap<>();
        unit.put("resultCode", resultCode(s.result()));
        unit.put("ratingGroup", s.key().ratingGroup());
        if (s.key().upfId() != null) {
            // the SMF finds the URRs to install the quota on by (uPFID, ratingGroup)
            unit.put("uPFID", s.key().upfId());
        }
        Map<String, Object> granted = s.unit() == null ? null : grantedUnit(s.unit(), s.granted(), requested);
        List<Map<String, Object>> triggers = new ArrayList<>(GRANT_TRIGGERS);
        if (granted != null) {
            unit.put("grantedUnit", granted);
            unit.put("validityTime", s.validitySeconds());
            long threshold = s.granted() * terms.quotaThresholdPercent() / 100;
            if (threshold > 0 && !s.finalUnits()) {
                unit.put(switch (s.unit()) {
                    case SECONDS -> "timeQuotaThreshold";
                    case BYTES -> "volumeQuotaThreshold";
                    default -> "unitQuotaThreshold";
                }, threshold);
                triggers.add(Map.of("triggerType", "QUOTA_THRESHOLD", "triggerCategory", "IMMEDIATE_REPORT"));
            }
            if (terms.quotaHoldingSeconds() > 0) {
                unit.put("quotaHoldingTime", terms.quotaHoldingSeconds());
                triggers.add(Map.of("triggerType", "QHT", "triggerCategory", "IMMEDIATE_REPORT"));
            }
        }
        if (s.finalUnits()) {
            unit.put("finalUnitIndication", redirectUrl == null ? Map.of("finalUnitAction", "TERMINATE")
                    : Map.of("finalUnitAction", "REDIRECT", "redirectServer", Map.of("redirectAddressType", "URL",
                    "redirectServerAddress", redirectUrl)));
        }
        if (granted != null) {
            // a grant is reported on, at once, when it runs out, its validity time ends, it reaches
            // its threshold or it sits idle for the holding time
            unit.put("triggers", triggers);
        } else if (s.result() != Result.SUCCESS) {
            unit.put("triggers", REFUSED_TRIGGERS);
        }
        return unit;
    }

    /**
     * A grant as GrantedUnit; null for money, which has no GrantedUnit field (not a quota an SMF can
     * meter). Bytes asked for per direction (uplinkVolume, downlinkVolume, no totalVolume) are
     * granted per direction too, the total split in the proportion asked (the uplink share rounded
     * down), beside the total.
     */
    private static Map<String, Object> grantedUnit(Unit unit, long amount, ChargingDataRequest.Units requested) {
        return switch (unit) {
            case SECONDS -> Map.of("time", amount);
            case BYTES -> {
                Long up = requested == null ? null : requested.uplinkVolume();
                Long down = requested == null ? null : requested.downlinkVolume();
                if (requested == null || requested.totalVolume() != null || up == null && down == null) {
                    yield Map.of("totalVolume", amount);
                }
                long askedUp = up == null ? 0 : up;
                long askedDown = down == null ? 0 : down;
                long uplink = askedUp + askedDown == 0 ? amount / 2
                        : java.math.BigInteger.valueOf(amount).multiply(java.math.BigInteger.valueOf(askedUp))
                        .divide(java.math.BigInteger.valueOf(askedUp + askedDown)).longValueExact();
                Map<String, Object> directions = new LinkedHashMap<>();
                directions.put("totalVolume", amount);
                directions.put("uplinkVolume", uplink);
                directions.put("downlinkVolume", amount - uplink);
                yield directions;
            }
            case SERVICE_UNITS -> Map.of("serviceSpecificUnits", amount);
            case MONEY -> null;
        };
    }

    private static String resultCode(Result result) {
        return switch (result) {
            case SUCCESS -> "SUCCESS";
            case CREDIT_LIMIT_REACHED -> "QUOTA_LIMIT_REACHED";
            case RATING_FAILED -> "RATING_FAILED";
            case USER_UNKNOWN -> "USER_UNKNOWN";
            // denied, and what else refuses one service (an admission range): the service is denied
            default -> "END_USER_SERVICE_DENIED";
        };
    }

    static NchfProblem problem(ChargingOutcome outcome) {
        String detail = outcome.message() != null ? outcome.message() : outcome.services().stream()
                .map(ServiceOutcome::problem).filter(java.util.Objects::nonNull).findFirst()
                .orElse("every service: " + outcome.result());
        return switch (outcome.result()) {
            case USER_UNKNOWN -> NchfProblem.of(404, "USER_UNKNOWN", detail);
            case END_USER_SERVICE_DENIED -> NchfProblem.of(403, "END_USER_REQUEST_DENIED", detail);
            case CREDIT_LIMIT_REACHED -> NchfProblem.of(403, "QUOTA_LIMIT_REACHED", detail);
            case RATING_FAILED -> NchfProblem.of(400, "CHARGING_FAILED", detail);
            case UNKNOWN_SESSION -> NchfProblem.of(404, "CONTEXT_NOT_FOUND", detail);
            case TOO_BUSY -> NchfProblem.of(503, "NF_CONGESTION", detail);
            case INVALID_VALUE -> {
                String param = paramOf(outcome.failedField());
                yield param == null ? NchfProblem.of(400, "CHARGING_FAILED", detail)
                        : new NchfProblem(400, "CHARGING_FAILED", detail, List.of(new NchfProblem.InvalidParam(param,
                        detail)));
            }
            case SUCCESS -> NchfProblem.of(500, "CHARGING_FAILED", detail);
        };
    }

    /** The request field an outcome names as at fault. */
    private static String paramOf(ChargingOutcome.Field field) {
        if (field == null) {
            return null;
        }
        return switch (field) {
            case REQUEST_NUMBER -> "invocationSequenceNumber";
            case REQUEST_KIND -> null; // a create for a ref that exists: the request as a whole
            case IDENTITIES -> "subscriberIdentifier";
            case SERVICES, LATENCY_CLASS, BANDWIDTH -> "multipleUnitUsage";
        };
    }
}
