package io.credence.diameter.cc;

import io.credence.charging.ChargingRequest;
import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.AvpFormatException;
import io.credence.diameter.codec.Avps;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.codec.Dictionary;
import io.credence.ledger.IdentityType;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Credit-Control-Request read and checked (RFC 4006 section 3.1): the fields the server acts
 * on, or a {@link CcError} naming the missing or invalid AVP. Reading changes nothing.
 *
 * @param services one entry per Multiple-Services-Credit-Control, or a single entry with rating
 *                 group NONE built from top-level Requested/Used-Service-Unit when there is no MSCC
 * @param message       the request itself, for what only some requests need (terminal attributes of
 *                      IMS calls when a catalog is in force), read then and not on every request
 * @param application   how the request named credit control, echoed in the answer: Auth-Application-Id,
 *                      or (as Kamailio's ims_charging sends it) a Vendor-Specific-Application-Id
 */
record CcRequest(String sessionId, int requestType, long requestNumber, String serviceContextId,
                 List<Subscription> subscriptions, int requestedAction, List<ServiceRequest> services,
                 boolean multipleServices, DiameterMessage message, Avp application) {
    /**
     * Multiple-Services-Credit-Control in one request. Each service costs ledger commands, one
     * after the other, and an MSCC in the answer: unbounded, the 3 000 a 64 KiB CCR-I can hold
     * kept it on the ledger for two seconds and took 3 000 reservations, and the answer was too
     * large to send (5012, with the grants held). A gateway reports a few rating groups at a time.
     */
    static final int SERVICES_PER_REQUEST_MAX = ChargingRequest.SERVICES_MAX;

    /** A Subscription-Id: its type and data (the identity the ledger maps to an account). */
    record Subscription(IdentityType type, String data) {}

    /** A Credence-UPF-Id is a uPFID of TS 29.571 (a string); anything longer is not one an SMF sends. */
    static final int UPF_ID_LENGTH_MAX = io.credence.charging.ServiceKey.UPF_ID_LENGTH_MAX;

    /**
     * One service in the request.
     *
     * @param requested the Requested-Service-Unit amounts; null when absent, empty when the RSU is empty
     * @param used      the Used-Service-Unit amounts summed over every USU; null when absent
     * @param upfId     the UPF the quota is installed on (Credence-UPF-Id, from an Nchf uPFID); null for Diameter
     */
    record ServiceRequest(long ratingGroup, long serviceId, Map<Unit, Long> requested, Map<Unit, Long> used,
                          String upfId) {
        ServiceRequest(long ratingGroup, long serviceId, Map<Unit, Long> requested, Map<Unit, Long> used) {
            this(ratingGroup, serviceId, requested, used, null);
        }

        ServiceRef service() {
            return new ServiceRef(ratingGroup, serviceId);
        }

        /** What a grant of this service is kept under in the session. */
        io.credence.charging.ServiceKey grantKey() {
            return new io.credence.charging.ServiceKey(service(), upfId);
        }
    }

    /** The fields needed to answer at all; when these fail the answer carries what could be read. */
    static String sessionIdOf(DiameterMessage request) {
        return textOf(request, Codes.SESSION_ID);
    }

    /**
     * A top-level text AVP (Session-Id, Origin-Host, Origin-Realm) read before the request is
     * checked: null when absent or not UTF-8; {@link #read} then answers the request with why.
     */
    static String textOf(DiameterMessage request, long code) {
        return request.find(code, 0).map(CcRequest::utf8OrNull).orElse(null);
    }

    /** An AVP's text, or null when it is not UTF-8. */
    static String utf8OrNull(Avp avp) {
        try {
            return avp.utf8();
        } catch (AvpFormatException bad) {
            return null;
        }
    }

    static CcRequest read(DiameterMessage request, CreditControlConfig config) throws CcError {
        for (Avp avp : request.avps()) {
            if (avp.vendorId() == 0 && avp.mandatory() && Dictionary.find(avp.code(), 0).isEmpty()) {
                throw new CcError(Codes.DIAMETER_AVP_UNSUPPORTED, avp, "AVP " + avp.code() + " is not supported");
            }
            try {
                Dictionary.check(avp);
            } catch (AvpFormatException bad) {
                throw new CcError(Codes.DIAMETER_INVALID_AVP_VALUE, bad.avp(), bad.getMessage());
            }
        }
        String sessionId = required(request, Codes.SESSION_ID).utf8();
        if (sessionId.isEmpty() || sessionId.length() > ChargingRequest.SESSION_ID_LENGTH_MAX) {
            throw invalid(request.find(Codes.SESSION_ID, 0).orElseThrow(), "Session-Id must be 1.."
                    + ChargingRequest.SESSION_ID_LENGTH_MAX + " characters");
        }
        for (long origin : new long[] {Codes.ORIGIN_HOST, Codes.ORIGIN_REALM}) {
            Avp avp = required(request, origin);
            if (avp.utf8().length() > ChargingRequest.TEXT_LENGTH_MAX) {
                throw invalid(avp, "a DiameterIdentity of more than " + ChargingRequest.TEXT_LENGTH_MAX
                        + " characters is not one this server keeps");
            }
        }
        required(request, Codes.DESTINATION_REALM);
        Avp application = applicationOf(request);
        if (application == null) {
            throw new CcError(Codes.DIAMETER_MISSING_AVP, emptyOf(Codes.AUTH_APPLICATION_ID),
                    "Auth-Application-Id is required (alone or in Vendor-Specific-Application-Id)");
        }
        Avp authApp = application.code() == Codes.AUTH_APPLICATION_ID ? application
                : application.grouped().stream().filter(m -> m.code() == Codes.AUTH_APPLICATION_ID && m.vendorId() == 0)
                .findFirst().orElseThrow();
        if (authApp.unsigned32() != Codes.APP_CREDIT_CONTROL) {
            throw invalid(authApp, "Auth-Application-Id must be 4 (credit control)");
        }
        Avp contextAvp = required(request, Codes.SERVICE_CONTEXT_ID);
        String serviceContextId = serviceContextRoot(contextAvp.utf8());
        if (serviceContextId.length() > ChargingRequest.TEXT_LENGTH_MAX) {
            throw invalid(contextAvp, "Service-Context-Id names no service this server knows (over "
                    + ChargingRequest.TEXT_LENGTH_MAX + " characters)");
        }
        Avp typeAvp = required(request, Codes.CC_REQUEST_TYPE);
        int type = typeAvp.integer32();
        if (type < Codes.INITIAL_REQUEST || type > Codes.EVENT_REQUEST) {
            throw invalid(typeAvp, "CC-Request-Type must be 1..4, was " + type);
        }
        long number = required(request, Codes.CC_REQUEST_NUMBER).unsigned32();
        if (type == Codes.INITIAL_REQUEST && number != 0) {
            // RFC 4006 8.2: the first request of a session carries 0; be lenient, some clients start at 1
        }
        List<Subscription> subscriptions = new ArrayList<>();
        for (Avp sub : request.findAll(Codes.SUBSCRIPTION_ID, 0)) {
            subscriptions.add(subscription(sub));
        }
        for (Avp extension : request.findAll(Codes.SUBSCRIPTION_ID_EXTENSION, 0)) {
            subscriptions.add(subscriptionExtension(extension));
        }
        if (subscriptions.size() > ChargingRequest.IDENTITIES_MAX) {
            throw new CcError(Codes.DIAMETER_AVP_OCCURS_TOO_MANY_TIMES, request.findAll(Codes.SUBSCRIPTION_ID, 0).stream()
                    .skip(ChargingRequest.IDENTITIES_MAX).findFirst().orElse(emptyGroup(Codes.SUBSCRIPTION_ID_EXTENSION)),
                    "more than " + ChargingRequest.IDENTITIES_MAX + " subscription identities");
        }
        if (subscriptions.isEmpty() && (type == Codes.INITIAL_REQUEST || type == Codes.EVENT_REQUEST)) {
            throw new CcError(Codes.DIAMETER_MISSING_AVP, emptyGroup(Codes.SUBSCRIPTION_ID),
                    "Subscription-Id is required to find the subscriber");
        }
        int requestedAction = -1;
        var actionAvp = request.find(Codes.REQUESTED_ACTION, 0);
        if (actionAvp.isPresent()) {
            requestedAction = actionAvp.get().integer32();
            if (requestedAction < Codes.DIRECT_DEBITING || requestedAction > Codes.PRICE_ENQUIRY) {
                throw invalid(actionAvp.get(), "Requested-Action must be 0..3, was " + requestedAction);
            }
            if (type != Codes.EVENT_REQUEST) {
                throw invalid(actionAvp.get(), "Requested-Action is only valid in an EVENT_REQUEST");
            }
        } else if (type == Codes.EVENT_REQUEST) {
            requestedAction = Codes.DIRECT_DEBITING; // RFC 4006 8.41: absent means DIRECT_DEBITING
        }
        List<ServiceRequest> services = new ArrayList<>();
        List<Avp> msccs = request.findAll(Codes.MULTIPLE_SERVICES_CREDIT_CONTROL, 0);
        if (msccs.size() > SERVICES_PER_REQUEST_MAX) {
            throw new CcError(Codes.DIAMETER_AVP_OCCURS_TOO_MANY_TIMES, msccs.get(SERVICES_PER_REQUEST_MAX),
                    "more than " + SERVICES_PER_REQUEST_MAX + " Multiple-Services-Credit-Control");
        }
        for (Avp mscc : msccs) {
            services.add(service(mscc, config));
        }
        if (msccs.isEmpty()) {
            Map<Unit, Long> requested = sumOf(request.findAll(Codes.REQUESTED_SERVICE_UNIT, 0), config);
            Map<Unit, Long> used = sumOf(request.findAll(Codes.USED_SERVICE_UNIT, 0), config);
            long serviceId = request.find(Codes.SERVICE_IDENTIFIER, 0).map(Avp::unsigned32).orElse(ServiceRef.NONE);
            // an initial request that asks for nothing is granted nothing (it opens the session;
            // quota comes when asked for); an event always concerns its one service
            if (requested != null || used != null || type == Codes.EVENT_REQUEST) {
                services.add(new ServiceRequest(ServiceRef.NONE, serviceId, requested, used));
            }
        }
        for (int i = 0; i < services.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (services.get(i).grantKey().equals(services.get(j).grantKey())) {
                    throw invalid(msccs.get(i), "rating group " + services.get(i).ratingGroup() + " appears twice"
                            + (services.get(i).upfId() == null ? "" : " for UPF " + services.get(i).upfId()));
                }
            }
        }
        return new CcRequest(sessionId, type, number, serviceContextId, subscriptions, requestedAction, services,
                !msccs.isEmpty(), request, application);
    }

    static String serviceContextRoot(String serviceContextId) {
        return ChargingRequest.serviceContextRoot(serviceContextId);
    }

    /**
     * How the request names its application: a top-level Auth-Application-Id, else the first
     * Vendor-Specific-Application-Id that holds one (Kamailio's ims_charging sends only that form
     * in every CCR); null when neither is there. A malformed group is an invalid value.
     */
    static Avp applicationOf(DiameterMessage request) throws CcError {
        Avp bare = request.find(Codes.AUTH_APPLICATION_ID, 0).orElse(null);
        if (bare != null) {
            return bare;
        }
        for (Avp vendorSpecific : request.findAll(Codes.VENDOR_SPECIFIC_APPLICATION_ID, 0)) {
            try {
                for (Avp member : vendorSpecific.grouped()) {
                    if (member.code() == Codes.AUTH_APPLICATION_ID && member.vendorId() == 0) {
                        return vendorSpecific;
                    }
                }
            } catch (AvpFormatException bad) {
                throw new CcError(Codes.DIAMETER_INVALID_AVP_VALUE, bad.avp(), bad.getMessage());
            }
        }
        return null;
    }

    /** {@link #applicationOf}, or a bare Auth-Application-Id 4 when the request cannot say (for error answers). */
    static Avp applicationToEcho(DiameterMessage request) {
        try {
            Avp form = applicationOf(request);
            if (form != null) {
                return form;
            }
        } catch (CcError malformed) {
            // answered in the plain form
        }
        return Avps.unsigned32(Codes.AUTH_APPLICATION_ID, 0, true, Codes.APP_CREDIT_CONTROL);
    }

    private static Subscription subscription(Avp sub) throws CcError {
        Avp typeAvp = null;
        Avp dataAvp = null;
        for (Avp m : sub.grouped()) {
            if (m.vendorId() == 0 && m.code() == Codes.SUBSCRIPTION_ID_TYPE) {
                typeAvp = m;
            } else if (m.vendorId() == 0 && m.code() == Codes.SUBSCRIPTION_ID_DATA) {
                dataAvp = m;
            }
        }
        if (typeAvp == null) {
            throw new CcError(Codes.DIAMETER_MISSING_AVP, Avps.integer32(Codes.SUBSCRIPTION_ID_TYPE, 0, true, 0),
                    "Subscription-Id lacks Subscription-Id-Type");
        }
        if (dataAvp == null) {
            throw new CcError(Codes.DIAMETER_MISSING_AVP, Avps.utf8(Codes.SUBSCRIPTION_ID_DATA, 0, true, ""),
                    "Subscription-Id lacks Subscription-Id-Data");
        }
        IdentityType type = IdentityType.ofSubscriptionIdType(typeAvp.integer32());
        if (type == null) {
            throw invalid(typeAvp, "Subscription-Id-Type " + typeAvp.integer32() + " is not 0..4");
        }
        String data = dataAvp.utf8();
        if (data.isEmpty() || data.length() > IdentityType.VALUE_LENGTH_MAX) {
            throw invalid(dataAvp, "Subscription-Id-Data must be 1.." + IdentityType.VALUE_LENGTH_MAX + " characters");
        }
        return new Subscription(type, canonical(type, data));
    }

    /** RFC 8506 Subscription-Id-Extension: one member, whose code says the identity's type. */
    private static Subscription subscriptionExtension(Avp extension) throws CcError {
        for (Avp m : extension.grouped()) {
            if (m.vendorId() != 0) {
                continue;
            }
            IdentityType type = switch ((int) m.code()) {
                case (int) Codes.SUBSCRIPTION_ID_E164 -> IdentityType.E164;
                case (int) Codes.SUBSCRIPTION_ID_IMSI -> IdentityType.IMSI;
                case (int) Codes.SUBSCRIPTION_ID_SIP_URI -> IdentityType.SIP_URI;
                case (int) Codes.SUBSCRIPTION_ID_NAI -> IdentityType.NAI;
                case (int) Codes.SUBSCRIPTION_ID_PRIVATE -> IdentityType.PRIVATE;
                default -> null;
            };
            if (type != null) {
                String data = m.utf8();
                if (data.isEmpty() || data.length() > IdentityType.VALUE_LENGTH_MAX) {
                    throw invalid(m, "Subscription-Id-Extension holds an identity of " + data.length()
                            + " characters (1.." + IdentityType.VALUE_LENGTH_MAX + ")");
                }
                return new Subscription(type, canonical(type, data));
            }
        }
        throw invalid(extension, "Subscription-Id-Extension holds no identity this server knows (RFC 8506 660..664)");
    }

    /**
     * An E.164 number as identities are bound: digits only. An IMS node takes it from a tel: URI
     * and keeps the '+' (Kamailio sends {@code +491700000001}); E.164 has no '+' in it, it is the
     * dialling prefix, so it is dropped here rather than left to fail every lookup.
     */
    static String canonical(IdentityType type, String data) {
        return type == IdentityType.E164 && data.length() > 1 && data.charAt(0) == '+' ? data.substring(1) : data;
    }

    private static ServiceRequest service(Avp mscc, CreditControlConfig config) throws CcError {
        long ratingGroup = ServiceRef.NONE;
        long serviceId = ServiceRef.NONE;
        String upfId = null;
        List<Avp> requested = new ArrayList<>();
        List<Avp> used = new ArrayList<>();
        for (Avp m : mscc.grouped()) {
            if (m.vendorId() == Codes.VENDOR_CREDENCE && m.code() == Codes.CREDENCE_UPF_ID) {
                upfId = m.utf8();
                if (upfId.isEmpty() || upfId.length() > UPF_ID_LENGTH_MAX) {
                    throw invalid(m, "Credence-UPF-Id must be 1.." + UPF_ID_LENGTH_MAX + " characters");
                }
            }
            if (m.vendorId() != 0) {
                continue;
            }
            if (m.code() == Codes.RATING_GROUP) {
                ratingGroup = m.unsigned32();
            } else if (m.code() == Codes.SERVICE_IDENTIFIER) {
                serviceId = m.unsigned32();
            } else if (m.code() == Codes.REQUESTED_SERVICE_UNIT) {
                requested.add(m);
            } else if (m.code() == Codes.USED_SERVICE_UNIT) {
                used.add(m);
            }
        }
        if (requested.size() > 1) {
            throw invalid(requested.get(1), "an MSCC carries at most one Requested-Service-Unit");
        }
        return new ServiceRequest(ratingGroup, serviceId, sumOf(requested, config), sumOf(used, config), upfId);
    }

    /** Several USU in one MSCC (one per tariff period) add up; null when there are none. */
    private static Map<Unit, Long> sumOf(List<Avp> units, CreditControlConfig config) throws CcError {
        if (units.isEmpty()) {
            return null;
        }
        Map<Unit, Long> sum = new java.util.EnumMap<>(Unit.class);
        for (Avp unit : units) {
            for (var e : ServiceUnits.read(unit, config).entrySet()) {
                long total = sum.getOrDefault(e.getKey(), 0L) + e.getValue();
                if (total < 0) {
                    throw invalid(unit, "used units overflow");
                }
                sum.put(e.getKey(), total);
            }
        }
        return sum;
    }

    private static Avp required(DiameterMessage request, long code) throws CcError {
        return request.find(code, 0).orElseThrow(() -> new CcError(Codes.DIAMETER_MISSING_AVP, emptyOf(code),
                Dictionary.find(code, 0).map(Dictionary.Definition::name).orElse("AVP " + code) + " is required"));
    }

    /** Failed-AVP for a missing AVP carries an example of it with minimal data (RFC 6733 7.5). */
    private static Avp emptyOf(long code) {
        return switch (Dictionary.find(code, 0).map(Dictionary.Definition::type).orElse(null)) {
            case UNSIGNED32, ENUMERATED, INTEGER32 -> Avps.unsigned32(code, 0, true, 0);
            case null, default -> Avps.octets(code, 0, true, new byte[0]);
        };
    }

    private static Avp emptyGroup(long code) {
        return Avps.grouped(code, 0, true, List.of());
    }

    private static CcError invalid(Avp avp, String reason) {
        return new CcError(Codes.DIAMETER_INVALID_AVP_VALUE, avp, reason);
    }
}
