package io.credence.nchf;

import io.credence.ledger.IdentityType;

import java.util.List;

/**
 * The parts of a TS 32.291 ChargingDataRequest that credit control acts on, read and checked.
 * Fields this server does not act on (pDUSessionChargingInformation, triggers...) are accepted and
 * ignored, as TS 29.500 asks of a producer.
 *
 * @param subscribers         every identity the request names, subscriberIdentifier first, then
 *                            pDUSessionChargingInformation.userInformation.servedGPSI; the
 *                            credit-control server looks the subscriber up by each in turn
 * @param invocationTimeStamp as sent; the answer echoes it, so a retried request gets the same body
 * @param serviceContextId    the RFC 4006 Service-Context-Id this request is charged under
 * @param sequenceNumber      invocationSequenceNumber as sent: echoed in the answer, and not the
 *                            request number (consumers such as free5GC send 0 every time: the engine numbers requests)
 * @param retransmission      retransmissionIndicator, the Diameter T flag
 * @param notifyUri           where ChargingNotify goes (re-authorisation, abort), or null: never told
 */
public record ChargingDataRequest(List<Subscriber> subscribers, String nodeFunctionality, String invocationTimeStamp,
                                  String serviceContextId,
                                  long sequenceNumber, boolean retransmission, List<UnitUsage> unitUsages,
                                  String notifyUri) {
    /** multipleUnitUsage entries per request: the Diameter side's MSCC bound. */
    public static final int UNIT_USAGES_MAX = 64;
    /** usedUnitContainer entries per multipleUnitUsage. */
    public static final int USED_CONTAINERS_MAX = 64;
    /** uPFID characters: an NF instance id is a 36-character UUID; this leaves room and bounds the key. */
    public static final int UPF_ID_LENGTH_MAX = 128;

    public ChargingDataRequest {
        subscribers = List.copyOf(subscribers);
        unitUsages = List.copyOf(unitUsages);
        if (unitUsages.size() > UNIT_USAGES_MAX) {
            throw new IllegalArgumentException("at most " + UNIT_USAGES_MAX + " multipleUnitUsage");
        }
        if (sequenceNumber < 0 || sequenceNumber > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("invocationSequenceNumber is Uint32: " + sequenceNumber);
        }
    }

    /**
     * A subscriber identity as the ledger binds it: imsi- IMSI, msisdn- E.164, nai- and extid- NAI
     * (without the prefix); gci- and gli- PRIVATE with the prefix kept, so a cable or line id can
     * never equal another kind's value.
     */
    public record Subscriber(IdentityType type, String value) {}

    /**
     * One multipleUnitUsage: the rating group, the UPF it was measured at (uPFID; null when not
     * given), what it asks for (null: nothing; all amounts null: an empty requestedUnit, the server
     * picks) and the sum of its usedUnitContainers (null: none). The SMF installs quota per
     * (uPFID, ratingGroup), so the same rating group from two UPFs (an uplink classifier with two
     * anchors) is two services.
     */
    public record UnitUsage(long ratingGroup, String upfId, Units requested, Units used) {}

    /** RequestedUnit / UsedUnitContainer amounts; null where the field is absent. */
    public record Units(Long time, Long totalVolume, Long uplinkVolume, Long downlinkVolume, Long serviceSpecificUnits) {
        static final Units EMPTY = new Units(null, null, null, null, null);

        Units plus(Units other) {
            return new Units(sum(time, other.time), sum(totalVolume, other.totalVolume), sum(uplinkVolume,
                    other.uplinkVolume), sum(downlinkVolume, other.downlinkVolume),
                    sum(serviceSpecificUnits, other.serviceSpecificUnits));
        }

        private static Long sum(Long a, Long b) {
            if (a == null || b == null) {
                return a == null ? b : a;
            }
            return Math.addExact(a, b);
        }
    }
}
