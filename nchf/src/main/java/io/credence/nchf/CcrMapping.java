package io.credence.nchf;

import io.credence.diameter.cc.CcrBuilder;
import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Avps;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.nchf.ChargingDataRequest.UnitUsage;
import io.credence.nchf.ChargingDataRequest.Units;

import java.util.ArrayList;
import java.util.List;

/**
 * A ChargingDataRequest as the RFC 4006 Credit-Control-Request it means, so Nchf and Gy/Ro charge
 * through the one credit-control engine:
 *
 * <pre>
 *   Nchf                                 CCR
 *   create / update / release            CC-Request-Type INITIAL / UPDATE / TERMINATION
 *   ChargingDataRef                      Session-Id "nchf;" + ref
 *   (numbered by ChargingRefs)           CC-Request-Number: 0 for the create, then one up per new
 *                                        request, a retry's again (not invocationSequenceNumber)
 *   retransmissionIndicator              T flag
 *   subscriberIdentifier                 Subscription-Id, first (imsi- IMSI, msisdn- E.164, nai-/extid-
 *                                        NAI, gci-/gli- PRIVATE with the prefix kept; see Identities)
 *   ...userInformation.servedGPSI        Subscription-Id, second
 *   serviceSpecificationInfo, else node  Service-Context-Id (32255@3gpp.org for an SMF)
 *   multipleUnitUsage[]                  Multiple-Services-Credit-Control, one each
 *     ratingGroup                        Rating-Group
 *     uPFID                              Credence-UPF-Id (Credence-internal, vendor 32473, code 1)
 *     requestedUnit                      Requested-Service-Unit ({} is an empty RSU)
 *     usedUnitContainer[] (summed)       Used-Service-Unit
 *       time / totalVolume / uplinkVolume / downlinkVolume / serviceSpecificUnits
 *                                        CC-Time / CC-Total-Octets / CC-Input-Octets / CC-Output-Octets /
 *                                        CC-Service-Specific-Units
 * </pre>
 *
 * Nothing is added that the request did not say: no multipleUnitUsage means no MSCC and no
 * Requested-Service-Unit, so a create without one reserves nothing.
 */
final class CcrMapping {
    static final String SESSION_PREFIX = "nchf;";

    private CcrMapping() {}

    static String sessionId(String chargingDataRef) {
        return SESSION_PREFIX + chargingDataRef;
    }

    /** @param requestNumber the CC-Request-Number {@link ChargingRefs} gave this request */
    static DiameterMessage ccr(ChargingDataRequest request, int requestType, long requestNumber, String chargingDataRef,
                               String realm, long endToEnd) {
        CcrBuilder ccr = CcrBuilder.request(sessionId(chargingDataRef), LocalPeer.ORIGIN_HOST, LocalPeer.ORIGIN_REALM,
                realm, requestType, requestNumber).serviceContext(request.serviceContextId());
        for (ChargingDataRequest.Subscriber subscriber : request.subscribers()) {
            ccr.subscription(subscriber.type().subscriptionIdType(), subscriber.value());
        }
        for (UnitUsage usage : request.unitUsages()) {
            ccr.mscc(mscc(usage));
        }
        if (request.retransmission()) {
            ccr.retransmitted();
        }
        return ccr.build(endToEnd);
    }

    private static Avp mscc(UnitUsage usage) {
        List<Avp> members = new ArrayList<>();
        if (usage.requested() != null) {
            members.add(Avps.grouped(Codes.REQUESTED_SERVICE_UNIT, 0, true, amounts(usage.requested())));
        }
        if (usage.used() != null) {
            members.add(Avps.grouped(Codes.USED_SERVICE_UNIT, 0, true, amounts(usage.used())));
        }
        members.add(Avps.unsigned32(Codes.RATING_GROUP, 0, true, usage.ratingGroup()));
        if (usage.upfId() != null) {
            // Credence-UPF-Id: the credit-control server keys the grant by (rating group, service id, UPF)
            // and echoes it in the answer's MSCC; Credence's own AVP (RFC 5612 documentation enterprise
            // number), never on a wire since Nchf requests reach the engine in-process; M bit clear
            members.add(Avps.utf8(Codes.CREDENCE_UPF_ID, Codes.VENDOR_CREDENCE, false, usage.upfId()));
        }
        return Avps.grouped(Codes.MULTIPLE_SERVICES_CREDIT_CONTROL, 0, true, members);
    }

    private static List<Avp> amounts(Units units) {
        List<Avp> out = new ArrayList<>();
        if (units.time() != null) {
            out.add(Avps.unsigned32(Codes.CC_TIME, 0, true, units.time()));
        }
        if (units.totalVolume() != null) {
            out.add(Avps.long64(Codes.CC_TOTAL_OCTETS, 0, true, units.totalVolume()));
        }
        if (units.uplinkVolume() != null) {
            out.add(Avps.long64(Codes.CC_INPUT_OCTETS, 0, true, units.uplinkVolume()));
        }
        if (units.downlinkVolume() != null) {
            out.add(Avps.long64(Codes.CC_OUTPUT_OCTETS, 0, true, units.downlinkVolume()));
        }
        if (units.serviceSpecificUnits() != null) {
            out.add(Avps.long64(Codes.CC_SERVICE_SPECIFIC_UNITS, 0, true, units.serviceSpecificUnits()));
        }
        return out;
    }
}
