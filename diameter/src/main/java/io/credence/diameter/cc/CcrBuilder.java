package io.credence.diameter.cc;

import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Avps;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.ledger.Unit;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds Credit-Control-Requests the way a gateway (Gy) or an IMS node (Ro) sends them: for the
 * load generator, the tests and anyone scripting a network element.
 */
public final class CcrBuilder {
    private final String sessionId;
    private final String originHost;
    private final String originRealm;
    private final String destinationRealm;
    private final int requestType;
    private final long requestNumber;
    private String serviceContextId = CreditControlConfig.CONTEXT_PS;
    private final List<Avp> subscriptions = new ArrayList<>();
    private final List<Avp> services = new ArrayList<>();
    private final List<Avp> extra = new ArrayList<>();
    private int requestedAction = -1;
    private boolean retransmitted;
    private long applicationVendorId = -1;

    private CcrBuilder(String sessionId, String originHost, String originRealm, String destinationRealm, int requestType,
                       long requestNumber) {
        this.sessionId = sessionId;
        this.originHost = originHost;
        this.originRealm = originRealm;
        this.destinationRealm = destinationRealm;
        this.requestType = requestType;
        this.requestNumber = requestNumber;
    }

    public static CcrBuilder request(String sessionId, String originHost, String originRealm, String destinationRealm,
                                     int requestType, long requestNumber) {
        return new CcrBuilder(sessionId, originHost, originRealm, destinationRealm, requestType, requestNumber);
    }

    public CcrBuilder serviceContext(String id) {
        this.serviceContextId = id;
        return this;
    }

    /** Subscription-Id with the given type (0 E.164, 1 IMSI, 2 SIP URI, 3 NAI, 4 private). */
    public CcrBuilder subscription(int type, String data) {
        subscriptions.add(Avps.grouped(Codes.SUBSCRIPTION_ID, 0, true, List.of(
                Avps.integer32(Codes.SUBSCRIPTION_ID_TYPE, 0, true, type),
                Avps.utf8(Codes.SUBSCRIPTION_ID_DATA, 0, true, data))));
        return this;
    }

    public CcrBuilder msisdn(String e164) {
        return subscription(0, e164);
    }

    public CcrBuilder requestedAction(int action) {
        this.requestedAction = action;
        return this;
    }

    /**
     * One Multiple-Services-Credit-Control. {@code requested} null: no RSU; amount 0: an empty
     * RSU (the server picks the quota); {@code used} null: no USU.
     */
    public CcrBuilder mscc(long ratingGroup, Unit unit, Long requested, Long used) {
        List<Avp> m = new ArrayList<>();
        if (requested != null) {
            m.add(requested == 0 ? Avps.grouped(Codes.REQUESTED_SERVICE_UNIT, 0, true, List.of())
                    : unitAvp(Codes.REQUESTED_SERVICE_UNIT, unit, requested));
        }
        if (used != null) {
            m.add(unitAvp(Codes.USED_SERVICE_UNIT, unit, used));
        }
        m.add(Avps.unsigned32(Codes.RATING_GROUP, 0, true, ratingGroup));
        services.add(Avps.grouped(Codes.MULTIPLE_SERVICES_CREDIT_CONTROL, 0, true, m));
        return this;
    }

    /**
     * A Multiple-Services-Credit-Control built by the caller, for units {@link #mscc(long, Unit, Long, Long)}
     * cannot say (several at once, CC-Input/Output-Octets): the Nchf translation uses it.
     */
    public CcrBuilder mscc(Avp multipleServicesCreditControl) {
        if (multipleServicesCreditControl.code() != Codes.MULTIPLE_SERVICES_CREDIT_CONTROL
                || multipleServicesCreditControl.vendorId() != 0) {
            throw new IllegalArgumentException("not a Multiple-Services-Credit-Control: " + multipleServicesCreditControl.code());
        }
        services.add(multipleServicesCreditControl);
        return this;
    }

    /** Top-level Requested/Used-Service-Unit, for single-service sessions without MSCC. */
    public CcrBuilder single(Unit unit, Long requested, Long used) {
        if (requested != null) {
            extra.add(requested == 0 ? Avps.grouped(Codes.REQUESTED_SERVICE_UNIT, 0, true, List.of())
                    : unitAvp(Codes.REQUESTED_SERVICE_UNIT, unit, requested));
        }
        if (used != null) {
            extra.add(unitAvp(Codes.USED_SERVICE_UNIT, unit, used));
        }
        return this;
    }

    public CcrBuilder avp(Avp avp) {
        extra.add(avp);
        return this;
    }

    /**
     * Names credit control only inside Vendor-Specific-Application-Id {Vendor-Id, Auth-Application-Id 4},
     * as Kamailio's ims_charging does in every CCR, instead of a bare Auth-Application-Id.
     */
    public CcrBuilder vendorSpecificApplication(long vendorId) {
        this.applicationVendorId = vendorId;
        return this;
    }

    public CcrBuilder retransmitted() {
        this.retransmitted = true;
        return this;
    }

    private static Avp unitAvp(long code, Unit unit, long amount) {
        Avp inner = switch (unit) {
            case SECONDS -> Avps.unsigned32(Codes.CC_TIME, 0, true, amount);
            case BYTES -> Avps.long64(Codes.CC_TOTAL_OCTETS, 0, true, amount);
            case SERVICE_UNITS -> Avps.long64(Codes.CC_SERVICE_SPECIFIC_UNITS, 0, true, amount);
            case MONEY -> Avps.grouped(Codes.CC_MONEY, 0, true, List.of(Avps.grouped(Codes.UNIT_VALUE, 0, true,
                    List.of(Avps.long64(Codes.VALUE_DIGITS, 0, true, amount),
                            Avps.integer32(Codes.EXPONENT, 0, true, -2)))));
        };
        return Avps.grouped(code, 0, true, List.of(inner));
    }

    /** The request; hop-by-hop is left 0 for the connection to assign, end-to-end is given. */
    public DiameterMessage build(long endToEnd) {
        List<Avp> avps = new ArrayList<>();
        avps.add(Avps.utf8(Codes.SESSION_ID, 0, true, sessionId));
        avps.add(Avps.utf8(Codes.ORIGIN_HOST, 0, true, originHost));
        avps.add(Avps.utf8(Codes.ORIGIN_REALM, 0, true, originRealm));
        avps.add(Avps.utf8(Codes.DESTINATION_REALM, 0, true, destinationRealm));
        Avp application = Avps.unsigned32(Codes.AUTH_APPLICATION_ID, 0, true, Codes.APP_CREDIT_CONTROL);
        avps.add(applicationVendorId < 0 ? application : Avps.grouped(Codes.VENDOR_SPECIFIC_APPLICATION_ID, 0, true,
                List.of(Avps.unsigned32(Codes.VENDOR_ID, 0, true, applicationVendorId), application)));
        avps.add(Avps.utf8(Codes.SERVICE_CONTEXT_ID, 0, true, serviceContextId));
        avps.add(Avps.integer32(Codes.CC_REQUEST_TYPE, 0, true, requestType));
        avps.add(Avps.unsigned32(Codes.CC_REQUEST_NUMBER, 0, true, requestNumber));
        avps.addAll(subscriptions);
        if (requestedAction >= 0) {
            avps.add(Avps.integer32(Codes.REQUESTED_ACTION, 0, true, requestedAction));
        }
        if (!services.isEmpty()) {
            avps.add(Avps.integer32(Codes.MULTIPLE_SERVICES_INDICATOR, 0, true, 1));
        }
        avps.addAll(services);
        avps.addAll(extra);
        int flags = DiameterMessage.FLAG_REQUEST | DiameterMessage.FLAG_PROXIABLE
                | (retransmitted ? DiameterMessage.FLAG_RETRANSMITTED : 0);
        return new DiameterMessage(flags, Codes.CREDIT_CONTROL, Codes.APP_CREDIT_CONTROL, 0, endToEnd, avps);
    }
}
