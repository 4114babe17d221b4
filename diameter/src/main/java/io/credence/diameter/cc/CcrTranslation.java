package io.credence.diameter.cc;

import io.credence.charging.ChargingRequest;
import io.credence.charging.ServiceKey;
import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;

import java.util.ArrayList;
import java.util.List;

/**
 * A checked CCR as the engine's {@link ChargingRequest}: request type and number, the
 * subscription identities, every service with its units and QoS, the terminal attributes rating
 * reads, and where the request came from (for usage records, RAR and ASR).
 */
final class CcrTranslation {
    private CcrTranslation() {}

    static ChargingRequest of(CcRequest ccr, String peerHost, String interfaceName) {
        DiameterMessage message = ccr.message();
        ChargingRequest.Kind kind = switch (ccr.requestType()) {
            case Codes.INITIAL_REQUEST -> ChargingRequest.Kind.INITIAL;
            case Codes.UPDATE_REQUEST -> ChargingRequest.Kind.UPDATE;
            case Codes.TERMINATION_REQUEST -> ChargingRequest.Kind.TERMINATE;
            default -> ChargingRequest.Kind.EVENT;
        };
        ChargingRequest.EventAction action = kind != ChargingRequest.Kind.EVENT ? ChargingRequest.EventAction.NONE
                : switch (ccr.requestedAction()) {
                    case Codes.REFUND_ACCOUNT -> ChargingRequest.EventAction.REFUND_ACCOUNT;
                    case Codes.CHECK_BALANCE -> ChargingRequest.EventAction.CHECK_BALANCE;
                    case Codes.PRICE_ENQUIRY -> ChargingRequest.EventAction.PRICE_ENQUIRY;
                    default -> ChargingRequest.EventAction.DIRECT_DEBITING;
                };
        List<ChargingRequest.Identity> identities = new ArrayList<>(ccr.subscriptions().size());
        for (CcRequest.Subscription s : ccr.subscriptions()) {
            identities.add(new ChargingRequest.Identity(s.type(), s.data()));
        }
        // one look through the request decides whether each service needs its own
        boolean anyQos = TerminalAttributes.first(message, QosInformation.QOS_INFORMATION) != null;
        List<ChargingRequest.ServiceUsage> services = new ArrayList<>(ccr.services().size());
        for (CcRequest.ServiceRequest sr : ccr.services()) {
            QosInformation qos = anyQos ? QosInformation.of(message, sr.ratingGroup()) : null;
            services.add(new ChargingRequest.ServiceUsage(new ServiceKey(sr.service(), sr.upfId()), sr.requested(),
                    sr.used(), qos == null ? null : new ChargingRequest.Qos(qos.qci(), qos.bandwidthKbps())));
        }
        String clientHost = textOr(message, Codes.ORIGIN_HOST, peerHost);
        String clientRealm = textOr(message, Codes.ORIGIN_REALM, "");
        Avp application = ccr.application();
        long applicationVendor = application.code() == Codes.AUTH_APPLICATION_ID ? -1 : vendorOf(application);
        ChargingRequest.Origin origin = new ChargingRequest.Origin(interfaceName, peerHost, clientHost, clientRealm,
                applicationVendor);
        return new ChargingRequest(ccr.sessionId(), kind, ccr.requestNumber(), -1, 0,
                (message.flags() & DiameterMessage.FLAG_RETRANSMITTED) != 0, action, identities, ccr.serviceContextId(),
                services, TerminalAttributes.read(message), origin);
    }

    private static String textOr(DiameterMessage message, long code, String otherwise) {
        String text = CcRequest.textOf(message, code);
        return text == null || text.length() > ChargingRequest.TEXT_LENGTH_MAX ? otherwise : text;
    }

    /** The Vendor-Id of a Vendor-Specific-Application-Id (checked when the request was read). */
    private static long vendorOf(Avp vendorSpecific) {
        try {
            for (Avp m : vendorSpecific.grouped()) {
                if (m.code() == Codes.VENDOR_ID && m.vendorId() == 0) {
                    return m.unsigned32();
                }
            }
        } catch (io.credence.diameter.codec.AvpFormatException unreadable) {
            // read already; answered in the bare form then
        }
        return -1;
    }
}
