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
 *   invocationSequenceNumber             CC-Request-Number
 *   retransmissionIndicator              T flag
 *   subscriberIdentifier imsi-/msisdn-/nai-   Subscription-Id IMSI / E.164 / NAI
 *   serviceSpecificationInfo, else node  Service-Context-Id (32255@3gpp.org for an SMF)
 *   multipleUnitUsage[]                  Multiple-Services-Credit-Control, one each
 *     ratingGroup                        Rating-Group
 *     requestedUnit                      Requested-Service-Unit ({} is an empty RSU)
 *     usedUnitContainer[] (summed)       Used-Service-Unit
 *       time / totalVolume / uplinkVolume / downlinkVolume / serviceSpecificUnits
 *                                        CC-Time / CC-Total-Octets / CC-Input-Octets / CC-Output-Octets /
 *                                        CC-Service-Specific-Units
 * </pre>
 */
final class CcrMapping {
    static final String SESSION_PREFIX = "nchf;";

    private CcrMapping() {}

    static String sessionId(String chargingDataRef) {
        return SESSION_PREFIX + chargingDataRef;
    }

    static DiameterMessage ccr(ChargingDataRequest request, int requestType, String chargingDataRef, String realm,
                               long endToEnd) {
        CcrBuilder ccr = CcrBuilder.request(sessionId(chargingDataRef), LocalPeer.ORIGIN_HOST, LocalPeer.ORIGIN_REALM,
                realm, requestType, request.sequenceNumber()).serviceContext(request.serviceContextId());
        if (request.subscriber() != null) {
            ccr.subscription(request.subscriber().type().subscriptionIdType(), request.subscriber().value());
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
