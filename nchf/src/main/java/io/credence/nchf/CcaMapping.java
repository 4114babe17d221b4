package io.credence.nchf;

import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.AvpFormatException;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Credit-Control-Answer as the ChargingDataResponse, or the ProblemDetails, it means. Each
 * answer MSCC becomes a multipleUnitInformation entry with its rating group and, when the MSCC
 * carries Credence-UPF-Id, its uPFID. The one table from Diameter Result-Codes to Nchf lives here:
 *
 * <pre>
 *   Result-Code                 per service (resultCode)     whole request (HTTP, cause)
 *   2001 SUCCESS                SUCCESS                      201 / 200 / 204
 *   4010 END_USER_SERVICE_DENIED END_USER_SERVICE_DENIED     403 END_USER_REQUEST_DENIED
 *   4012 CREDIT_LIMIT_REACHED   QUOTA_LIMIT_REACHED          403 QUOTA_LIMIT_REACHED
 *   5031 RATING_FAILED          RATING_FAILED                400 CHARGING_FAILED
 *   5030 USER_UNKNOWN           USER_UNKNOWN                 404 USER_UNKNOWN
 *   5002 UNKNOWN_SESSION_ID                                  404 CONTEXT_NOT_FOUND (TS 29.500)
 *   5001/5004/5005/5009                                      400 CHARGING_FAILED, invalidParams from Failed-AVP
 *   3004 TOO_BUSY                                            503 NF_CONGESTION (TS 29.500), Retry-After
 *   anything else                                            500 CHARGING_FAILED
 * </pre>
 *
 * A create whose every service failed alike ended the Diameter session, so it is a problem; an
 * update or release keeps answering per service, since the session goes on (or was settled).
 */
final class CcaMapping {
    private CcaMapping() {}

    enum Kind { CREATE, UPDATE, RELEASE }

    /** What the answer says: a ChargingDataResponse body, or a problem. */
    sealed interface Outcome permits Charged, Refused {}

    record Charged(Map<String, Object> body) implements Outcome {}

    record Refused(NchfProblem problem) implements Outcome {}

    static Outcome map(DiameterMessage cca, Kind kind, ChargingDataRequest request) {
        if (cca.isRequest()) {
            throw new IllegalArgumentException("a CCA is an answer");
        }
        long code = cca.find(Codes.RESULT_CODE, 0).map(Avp::unsigned32).orElse(Codes.DIAMETER_UNABLE_TO_COMPLY);
        List<Avp> services = cca.findAll(Codes.MULTIPLE_SERVICES_CREDIT_CONTROL, 0);
        boolean perService = code == Codes.DIAMETER_END_USER_SERVICE_DENIED || code == Codes.DIAMETER_CREDIT_LIMIT_REACHED
                || code == Codes.DIAMETER_RATING_FAILED;
        if (code == Codes.DIAMETER_SUCCESS || (kind != Kind.CREATE && perService && !services.isEmpty())) {
            return new Charged(response(request, services));
        }
        return new Refused(problem(cca, code));
    }

    private static Map<String, Object> response(ChargingDataRequest request, List<Avp> services) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("invocationTimeStamp", request.invocationTimeStamp());
        body.put("invocationSequenceNumber", request.sequenceNumber());
        if (!services.isEmpty()) {
            List<Map<String, Object>> units = new ArrayList<>(services.size());
            for (Avp mscc : services) {
                units.add(unitInformation(mscc));
            }
            body.put("multipleUnitInformation", units);
        }
        return body;
    }

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

    private static Map<String, Object> unitInformation(Avp mscc) {
        Map<String, Object> unit = new LinkedHashMap<>();
        Map<String, Object> granted = null;
        Long validity = null;
        Map<String, Object> finalUnit = null;
        long result = Codes.DIAMETER_SUCCESS;
        Long ratingGroup = null;
        String upfId = null;
        for (Avp m : mscc.grouped()) {
            if (m.vendorId() == Codes.VENDOR_CREDENCE && m.code() == Codes.CREDENCE_UPF_ID) {
                upfId = m.utf8();
            }
            if (m.vendorId() != 0) {
                continue;
            }
            switch ((int) m.code()) {
                case (int) Codes.RESULT_CODE -> result = m.unsigned32();
                case (int) Codes.RATING_GROUP -> ratingGroup = m.unsigned32();
                case (int) Codes.GRANTED_SERVICE_UNIT -> granted = grantedUnit(m);
                case (int) Codes.VALIDITY_TIME -> validity = m.unsigned32();
                case (int) Codes.FINAL_UNIT_INDICATION -> finalUnit = finalUnitIndication(m);
                default -> { }
            }
        }
        unit.put("resultCode", resultCode(result));
        unit.put("ratingGroup", ratingGroup);
        if (upfId != null) {
            // the SMF finds the URRs to install the quota on by (uPFID, ratingGroup)
            unit.put("uPFID", upfId);
        }
        if (granted != null) {
            unit.put("grantedUnit", granted);
        }
        if (validity != null) {
            unit.put("validityTime", validity);
        }
        if (finalUnit != null) {
            unit.put("finalUnitIndication", finalUnit);
        }
        if (granted != null) {
            // a grant is reported on, at once, when it runs out or its validity time ends
            unit.put("triggers", GRANT_TRIGGERS);
        } else if (result != Codes.DIAMETER_SUCCESS) {
            unit.put("triggers", REFUSED_TRIGGERS);
        }
        return unit;
    }

    private static String resultCode(long diameter) {
        return switch ((int) diameter) {
            case (int) Codes.DIAMETER_SUCCESS -> "SUCCESS";
            case (int) Codes.DIAMETER_CREDIT_LIMIT_REACHED -> "QUOTA_LIMIT_REACHED";
            case (int) Codes.DIAMETER_RATING_FAILED -> "RATING_FAILED";
            case (int) Codes.DIAMETER_USER_UNKNOWN -> "USER_UNKNOWN";
            // 4010 and what else refuses one service (an admission layer's 5004): the service is denied
            default -> "END_USER_SERVICE_DENIED";
        };
    }

    private static Map<String, Object> grantedUnit(Avp gsu) {
        Map<String, Object> units = new LinkedHashMap<>();
        for (Avp m : gsu.grouped()) {
            if (m.vendorId() != 0) {
                continue;
            }
            if (m.code() == Codes.CC_TIME) {
                units.put("time", m.unsigned32());
            } else if (m.code() == Codes.CC_TOTAL_OCTETS) {
                units.put("totalVolume", m.unsigned64());
            } else if (m.code() == Codes.CC_SERVICE_SPECIFIC_UNITS) {
                units.put("serviceSpecificUnits", m.unsigned64());
            }
            // CC-Money has no GrantedUnit field in TS 32.291: a money grant is not a quota an SMF can meter
        }
        return units;
    }

    private static Map<String, Object> finalUnitIndication(Avp fui) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Avp m : fui.grouped()) {
            if (m.code() == Codes.FINAL_UNIT_ACTION && m.vendorId() == 0) {
                out.put("finalUnitAction", switch (m.integer32()) {
                    case Codes.FUA_TERMINATE -> "TERMINATE";
                    case Codes.FUA_REDIRECT -> "REDIRECT";
                    default -> "RESTRICT_ACCESS";
                });
            } else if (m.code() == Codes.REDIRECT_SERVER && m.vendorId() == 0) {
                for (Avp r : m.grouped()) {
                    if (r.code() == Codes.REDIRECT_SERVER_ADDRESS) {
                        out.put("redirectServer", Map.of("redirectAddressType", "URL", "redirectServerAddress", r.utf8()));
                    }
                }
            }
        }
        return out;
    }

    private static NchfProblem problem(DiameterMessage cca, long code) {
        String detail = cca.find(Codes.ERROR_MESSAGE, 0).map(Avp::utf8).orElse("Result-Code " + code);
        return switch ((int) code) {
            case (int) Codes.DIAMETER_USER_UNKNOWN -> NchfProblem.of(404, "USER_UNKNOWN", detail);
            case (int) Codes.DIAMETER_END_USER_SERVICE_DENIED -> NchfProblem.of(403, "END_USER_REQUEST_DENIED", detail);
            case (int) Codes.DIAMETER_CREDIT_LIMIT_REACHED -> NchfProblem.of(403, "QUOTA_LIMIT_REACHED", detail);
            case (int) Codes.DIAMETER_RATING_FAILED -> NchfProblem.of(400, "CHARGING_FAILED", detail);
            case (int) Codes.DIAMETER_UNKNOWN_SESSION_ID -> NchfProblem.of(404, "CONTEXT_NOT_FOUND", detail);
            case (int) Codes.DIAMETER_TOO_BUSY -> NchfProblem.of(503, "NF_CONGESTION", detail);
            case (int) Codes.DIAMETER_AVP_UNSUPPORTED, (int) Codes.DIAMETER_INVALID_AVP_VALUE,
                 (int) Codes.DIAMETER_MISSING_AVP, (int) Codes.DIAMETER_AVP_OCCURS_TOO_MANY_TIMES -> {
                String param = failedParam(cca);
                yield param == null ? NchfProblem.of(400, "CHARGING_FAILED", detail)
                        : new NchfProblem(400, "CHARGING_FAILED", detail, List.of(new NchfProblem.InvalidParam(param,
                        detail)));
            }
            default -> NchfProblem.of(500, "CHARGING_FAILED", detail);
        };
    }

    /** The request field the Failed-AVP came from, when there is one. */
    private static String failedParam(DiameterMessage cca) {
        try {
            Avp failed = cca.find(Codes.FAILED_AVP, 0).map(f -> f.grouped().isEmpty() ? null : f.grouped().get(0))
                    .orElse(null);
            if (failed != null && failed.vendorId() == Codes.VENDOR_CREDENCE
                    && failed.code() == Codes.CREDENCE_UPF_ID) {
                return "multipleUnitUsage.uPFID";
            }
            if (failed == null || failed.vendorId() != 0) {
                return null;
            }
            return switch ((int) failed.code()) {
                case (int) Codes.CC_REQUEST_NUMBER -> "invocationSequenceNumber";
                case (int) Codes.SUBSCRIPTION_ID, (int) Codes.SUBSCRIPTION_ID_DATA, (int) Codes.SUBSCRIPTION_ID_TYPE ->
                        "subscriberIdentifier";
                case (int) Codes.SERVICE_CONTEXT_ID -> "serviceSpecificationInfo";
                case (int) Codes.MULTIPLE_SERVICES_CREDIT_CONTROL, (int) Codes.RATING_GROUP -> "multipleUnitUsage";
                case (int) Codes.REQUESTED_SERVICE_UNIT -> "multipleUnitUsage.requestedUnit";
                case (int) Codes.USED_SERVICE_UNIT -> "multipleUnitUsage.usedUnitContainer";
                default -> null;
            };
        } catch (AvpFormatException ours) {
            throw new IllegalStateException("the credit-control server wrote a malformed Failed-AVP", ours);
        }
    }
}
