package io.credence.nchf;

import io.credence.ledger.IdentityType;

import java.util.List;

/**
 * The parts of a TS 32.291 ChargingDataRequest that credit control acts on, read and checked.
 * Fields this server does not act on (pDUSessionChargingInformation, triggers, notifyUri...) are
 * accepted and ignored, as TS 29.500 asks of a producer.
 *
 * @param subscriber          from subscriberIdentifier ("imsi-...", "msisdn-...", "nai-..."); null when absent
 * @param invocationTimeStamp as sent; the answer echoes it, so a retried request gets the same body
 * @param serviceContextId    the RFC 4006 Service-Context-Id this request is charged under
 * @param sequenceNumber      invocationSequenceNumber, the CC-Request-Number
 * @param retransmission      retransmissionIndicator, the Diameter T flag
 */
public record ChargingDataRequest(Subscriber subscriber, String nodeFunctionality, String invocationTimeStamp,
                                  String serviceContextId,
                                  long sequenceNumber, boolean retransmission, List<UnitUsage> unitUsages) {
    /** multipleUnitUsage entries per request: the Diameter side's MSCC bound. */
    public static final int UNIT_USAGES_MAX = 64;
    /** usedUnitContainer entries per multipleUnitUsage. */
    public static final int USED_CONTAINERS_MAX = 64;

    public ChargingDataRequest {
        unitUsages = List.copyOf(unitUsages);
        if (unitUsages.size() > UNIT_USAGES_MAX) {
            throw new IllegalArgumentException("at most " + UNIT_USAGES_MAX + " multipleUnitUsage");
        }
        if (sequenceNumber < 0 || sequenceNumber > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("invocationSequenceNumber is Uint32: " + sequenceNumber);
        }
    }

    public record Subscriber(IdentityType type, String value) {}

    /**
     * One multipleUnitUsage: the rating group, what it asks for (null: nothing; all amounts null:
     * an empty requestedUnit, the server picks) and the sum of its usedUnitContainers (null: none).
     */
    public record UnitUsage(long ratingGroup, Units requested, Units used) {}

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
