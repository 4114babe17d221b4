package io.credence.diameter.cc;

import io.credence.charging.ChargingOutcome;
import io.credence.charging.ChargingOutcome.Result;
import io.credence.charging.ChargingOutcome.ServiceOutcome;
import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Avps;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.codec.Dictionary;
import io.credence.diameter.peer.LocalIdentity;
import io.credence.ledger.ServiceRef;

import java.util.ArrayList;
import java.util.List;

/**
 * The Credit-Control-Answer of an engine outcome (RFC 4006 3.2): Result-Code by what the outcome
 * means, a Multiple-Services-Credit-Control per service (or the one service's units at the top
 * level when the request had no MSCC), Validity-Time, Final-Unit-Indication on a last grant,
 * Remaining-Balance after an outlet check, the answers of balance checks and price enquiries, and
 * for a refusal the Error-Message and the request's AVP at fault in Failed-AVP.
 */
final class CcaComposer {
    private static final int CHECK_BALANCE_ENOUGH_CREDIT = 0;
    private static final int CHECK_BALANCE_NO_CREDIT = 1;
    private static final int ERROR_MESSAGE_LENGTH_MAX = 200;

    private final LocalIdentity local;
    private final CreditControlConfig config;

    CcaComposer(LocalIdentity local, CreditControlConfig config) {
        this.local = local;
        this.config = config;
    }

    /** RFC 4006 / TS 32.299 Result-Codes by what the engine's result means. */
    static long resultCode(Result result) {
        return switch (result) {
            case SUCCESS -> Codes.DIAMETER_SUCCESS;
            case CREDIT_LIMIT_REACHED -> Codes.DIAMETER_CREDIT_LIMIT_REACHED;
            case END_USER_SERVICE_DENIED -> Codes.DIAMETER_END_USER_SERVICE_DENIED;
            case USER_UNKNOWN -> Codes.DIAMETER_USER_UNKNOWN;
            case RATING_FAILED -> Codes.DIAMETER_RATING_FAILED;
            case UNKNOWN_SESSION -> Codes.DIAMETER_UNKNOWN_SESSION_ID;
            case INVALID_VALUE -> Codes.DIAMETER_INVALID_AVP_VALUE;
            case TOO_BUSY -> Codes.DIAMETER_TOO_BUSY;
        };
    }

    DiameterMessage answer(CcRequest ccr, ChargingOutcome outcome) {
        if (outcome.result() == Result.TOO_BUSY) {
            return protocolError(ccr.message(), Codes.DIAMETER_TOO_BUSY, outcome.message());
        }
        DiameterMessage request = ccr.message();
        List<Avp> avps = new ArrayList<>();
        avps.add(Avps.utf8(Codes.SESSION_ID, 0, true, ccr.sessionId()));
        avps.add(Avps.unsigned32(Codes.RESULT_CODE, 0, true, resultCode(outcome.result())));
        avps.add(Avps.utf8(Codes.ORIGIN_HOST, 0, true, local.originHost()));
        avps.add(Avps.utf8(Codes.ORIGIN_REALM, 0, true, local.originRealm()));
        avps.add(ccr.application()); // as the client named it: bare, or vendor-specific
        avps.add(Avps.integer32(Codes.CC_REQUEST_TYPE, 0, true, ccr.requestType()));
        avps.add(Avps.unsigned32(Codes.CC_REQUEST_NUMBER, 0, true, ccr.requestNumber()));
        if (ccr.requestType() == Codes.EVENT_REQUEST) {
            avps.add(Avps.integer32(Codes.REQUESTED_ACTION, 0, true, ccr.requestedAction()));
        }
        List<ServiceOutcome> services = outcome.services();
        if (ccr.multipleServices()) {
            for (ServiceOutcome s : services) {
                avps.add(Avps.grouped(Codes.MULTIPLE_SERVICES_CREDIT_CONTROL, 0, true, serviceAvps(s)));
            }
        } else if (!services.isEmpty()) {
            ServiceOutcome s = services.get(0);
            if (s.unit() != null) {
                avps.add(ServiceUnits.write(Codes.GRANTED_SERVICE_UNIT, s.unit(), s.granted(), config));
                if (ccr.requestType() != Codes.EVENT_REQUEST) {
                    avps.add(Avps.unsigned32(Codes.VALIDITY_TIME, 0, true, s.validitySeconds()));
                }
                if (s.finalUnits()) {
                    avps.add(finalUnitIndication());
                }
            }
            if (s.result() != Result.SUCCESS) {
                avps.set(1, Avps.unsigned32(Codes.RESULT_CODE, 0, true, resultCode(s.result())));
            }
        }
        services.stream().filter(s -> s.remainingMoney() >= 0).findFirst().ifPresent(s ->
                avps.add(Avps.grouped(Codes.REMAINING_BALANCE, Dictionary.VENDOR_3GPP, true, List.of(
                        unitValue(s.remainingMoney()), Avps.unsigned32(Codes.CURRENCY_CODE, 0, true,
                                config.currencyNumeric())))));
        if (outcome.enoughCredit() != null) {
            avps.add(Avps.integer32(Codes.CHECK_BALANCE_RESULT, 0, true,
                    outcome.enoughCredit() ? CHECK_BALANCE_ENOUGH_CREDIT : CHECK_BALANCE_NO_CREDIT));
        }
        if (outcome.price() >= 0) {
            avps.add(Avps.grouped(Codes.COST_INFORMATION, 0, true, List.of(unitValue(outcome.price()),
                    Avps.unsigned32(Codes.CURRENCY_CODE, 0, true, config.currencyNumeric()))));
        }
        ServiceOutcome problem = services.stream().filter(s -> s.problem() != null).findFirst().orElse(null);
        String message = outcome.message() != null ? outcome.message() : problem == null ? null : problem.problem();
        if (message != null) {
            avps.add(errorMessage(message));
        }
        Avp failed = outcome.failedField() != null ? fieldAvp(request, outcome.failedField(), -1)
                : problem != null && problem.failedField() != null
                ? fieldAvp(request, problem.failedField(), problem.key().ratingGroup()) : null;
        if (failed != null) {
            avps.add(Avps.grouped(Codes.FAILED_AVP, 0, true, List.of(failed)));
        }
        return request.answer(avps);
    }

    private Avp unitValue(long minorUnits) {
        return Avps.grouped(Codes.UNIT_VALUE, 0, true, List.of(Avps.long64(Codes.VALUE_DIGITS, 0, true, minorUnits),
                Avps.integer32(Codes.EXPONENT, 0, true, -config.currencyMinorDigits())));
    }

    /** The AVP of the request an outcome names as at fault; for a QoS field, that of the service's rating group. */
    private static Avp fieldAvp(DiameterMessage request, ChargingOutcome.Field field, long ratingGroup) {
        return switch (field) {
            case REQUEST_NUMBER -> request.find(Codes.CC_REQUEST_NUMBER, 0).orElse(null);
            case REQUEST_KIND -> request.find(Codes.CC_REQUEST_TYPE, 0).orElse(null);
            case IDENTITIES -> request.find(Codes.SUBSCRIPTION_ID, 0)
                    .orElse(Avps.grouped(Codes.SUBSCRIPTION_ID, 0, true, List.of()));
            case SERVICES -> request.find(Codes.MULTIPLE_SERVICES_CREDIT_CONTROL, 0).orElse(null);
            case LATENCY_CLASS, BANDWIDTH -> {
                QosInformation qos = QosInformation.of(request, ratingGroup);
                yield qos == null ? null : field == ChargingOutcome.Field.LATENCY_CLASS ? qos.qciAvp() : qos.bandwidthAvp();
            }
        };
    }

    private List<Avp> serviceAvps(ServiceOutcome s) {
        List<Avp> m = new ArrayList<>();
        if (s.unit() != null) {
            m.add(ServiceUnits.write(Codes.GRANTED_SERVICE_UNIT, s.unit(), s.granted(), config));
        }
        if (s.key().ratingGroup() != ServiceRef.NONE) {
            m.add(Avps.unsigned32(Codes.RATING_GROUP, 0, true, s.key().ratingGroup()));
        }
        if (s.key().serviceId() != ServiceRef.NONE) {
            m.add(Avps.unsigned32(Codes.SERVICE_IDENTIFIER, 0, true, s.key().serviceId()));
        }
        if (s.key().upfId() != null) {
            m.add(Avps.utf8(Codes.CREDENCE_UPF_ID, Codes.VENDOR_CREDENCE, false, s.key().upfId()));
        }
        if (s.unit() != null) {
            m.add(Avps.unsigned32(Codes.VALIDITY_TIME, 0, true, s.validitySeconds()));
        }
        m.add(Avps.unsigned32(Codes.RESULT_CODE, 0, true, resultCode(s.result())));
        if (s.finalUnits()) {
            m.add(finalUnitIndication());
        }
        return m;
    }

    /** TERMINATE, or REDIRECT to the configured server (a top-up portal) when one is set. */
    private Avp finalUnitIndication() {
        CreditControlConfig.Redirect redirect = config.redirect();
        if (redirect == null) {
            return Avps.grouped(Codes.FINAL_UNIT_INDICATION, 0, true,
                    List.of(Avps.integer32(Codes.FINAL_UNIT_ACTION, 0, true, Codes.FUA_TERMINATE)));
        }
        return Avps.grouped(Codes.FINAL_UNIT_INDICATION, 0, true, List.of(
                Avps.integer32(Codes.FINAL_UNIT_ACTION, 0, true, Codes.FUA_REDIRECT),
                Avps.grouped(Codes.REDIRECT_SERVER, 0, true, List.of(
                        Avps.integer32(Codes.REDIRECT_ADDRESS_TYPE, 0, true, redirect.addressType()),
                        Avps.utf8(Codes.REDIRECT_SERVER_ADDRESS, 0, true, redirect.address())))));
    }

    /** A refusal before the engine saw the request: what could be read of it, the code, Failed-AVP. */
    DiameterMessage failure(DiameterMessage request, long resultCode, Avp failedAvp, String message) {
        List<Avp> avps = new ArrayList<>();
        String sessionId = CcRequest.sessionIdOf(request);
        if (sessionId != null) {
            avps.add(Avps.utf8(Codes.SESSION_ID, 0, true, sessionId));
        }
        avps.add(Avps.unsigned32(Codes.RESULT_CODE, 0, true, resultCode));
        avps.add(Avps.utf8(Codes.ORIGIN_HOST, 0, true, local.originHost()));
        avps.add(Avps.utf8(Codes.ORIGIN_REALM, 0, true, local.originRealm()));
        avps.add(CcRequest.applicationToEcho(request));
        for (long echoed : new long[] {Codes.CC_REQUEST_TYPE, Codes.CC_REQUEST_NUMBER}) {
            request.find(echoed, 0).filter(a -> a.data().length == 4).ifPresent(avps::add);
        }
        if (message != null) {
            avps.add(errorMessage(message));
        }
        if (failedAvp != null) {
            avps.add(Avps.grouped(Codes.FAILED_AVP, 0, true, List.of(failedAvp)));
        }
        DiameterMessage answer = request.answer(avps);
        return Codes.isProtocolError(resultCode) ? answer.withErrorBit() : answer;
    }

    /** A protocol error (3xxx: the E bit set): busy, or a command this application does not serve. */
    DiameterMessage protocolError(DiameterMessage request, long resultCode, String message) {
        return failure(request, resultCode, null, message);
    }

    /** The answer that ends a session the client ends after we refused its start: success, nothing charged. */
    DiameterMessage endedWithoutCharge(CcRequest ccr) {
        return answer(ccr, new ChargingOutcome(Result.SUCCESS, null, null, List.of(), null, -1, true));
    }

    private static Avp errorMessage(String message) {
        return Avps.utf8(Codes.ERROR_MESSAGE, 0, false, message.length() > ERROR_MESSAGE_LENGTH_MAX
                ? message.substring(0, ERROR_MESSAGE_LENGTH_MAX) : message);
    }
}
