package io.credence.nchf;

import io.credence.charging.ChargingRequest;
import io.credence.charging.ServiceKey;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A ChargingDataRequest as the engine's {@link ChargingRequest}:
 *
 * <pre>
 *   create / update / release            INITIAL / UPDATE / TERMINATE
 *   ChargingDataRef                      session "nchf;" + ref
 *   (none)                               number NUMBER_NEXT: the engine numbers the requests, since
 *                                        consumers repeat invocationSequenceNumber (free5GC sends 0)
 *   invocationSequenceNumber             clientNumber: with retransmissionIndicator, which request is repeated
 *   the body's canonical digest          digest: the same body again is a retry
 *   subscriberIdentifier, servedGPSI     identities, in that order
 *   serviceSpecificationInfo, else node  service context (32255@3gpp.org for an SMF)
 *   notifyUri (create)                   origin peerHost: where ChargingNotify goes
 *   multipleUnitUsage[]                  services, one each: ratingGroup and uPFID the key,
 *     requestedUnit                      requested ({} asks for the default grant)
 *     usedUnitContainer[] (summed)       used
 *       time / totalVolume (else uplink + downlink) / serviceSpecificUnits
 *                                        SECONDS / BYTES / SERVICE_UNITS
 * </pre>
 *
 * Nothing is added that the request did not say: no multipleUnitUsage means no service, so a
 * create without one reserves nothing.
 */
final class ChargingDataTranslation {
    static final String SESSION_PREFIX = "nchf;";
    /** The engine session origin's interface name of every Nchf session. */
    static final String ORIGIN_INTERFACE = "nchf";

    enum Kind { CREATE, UPDATE, RELEASE }

    private ChargingDataTranslation() {}

    static String sessionId(String chargingDataRef) {
        return SESSION_PREFIX + chargingDataRef;
    }

    static ChargingRequest of(ChargingDataRequest request, Kind kind, String chargingDataRef, long digest) {
        List<ChargingRequest.Identity> identities = new ArrayList<>(request.subscribers().size());
        for (ChargingDataRequest.Subscriber s : request.subscribers()) {
            identities.add(new ChargingRequest.Identity(s.type(), s.value()));
        }
        List<ChargingRequest.ServiceUsage> services = new ArrayList<>(request.unitUsages().size());
        for (ChargingDataRequest.UnitUsage usage : request.unitUsages()) {
            services.add(new ChargingRequest.ServiceUsage(ServiceKey.of(usage.ratingGroup(), ServiceRef.NONE,
                    usage.upfId()), amounts(usage.requested()), amounts(usage.used()), null));
        }
        ChargingRequest.Kind engineKind = switch (kind) {
            case CREATE -> ChargingRequest.Kind.INITIAL;
            case UPDATE -> ChargingRequest.Kind.UPDATE;
            case RELEASE -> ChargingRequest.Kind.TERMINATE;
        };
        String node = request.nodeFunctionality().length() > ChargingRequest.TEXT_LENGTH_MAX ? ""
                : request.nodeFunctionality();
        return new ChargingRequest(sessionId(chargingDataRef), engineKind, ChargingRequest.NUMBER_NEXT,
                request.sequenceNumber(), digest, request.retransmission(), ChargingRequest.EventAction.NONE,
                identities, ChargingRequest.serviceContextRoot(request.serviceContextId()), services, ChargingRequest.Attributes.NONE,
                new ChargingRequest.Origin(ORIGIN_INTERFACE, request.notifyUri() == null ? "" : request.notifyUri(),
                        node, "", -1));
    }

    /** Amounts by unit; null when the container is absent, empty when it names no amount. */
    static Map<Unit, Long> amounts(ChargingDataRequest.Units units) {
        if (units == null) {
            return null;
        }
        Map<Unit, Long> amounts = new EnumMap<>(Unit.class);
        if (units.time() != null) {
            amounts.put(Unit.SECONDS, units.time());
        }
        if (units.totalVolume() != null) {
            amounts.put(Unit.BYTES, units.totalVolume());
        } else if (units.uplinkVolume() != null || units.downlinkVolume() != null) {
            long up = units.uplinkVolume() == null ? 0 : units.uplinkVolume();
            long down = units.downlinkVolume() == null ? 0 : units.downlinkVolume();
            amounts.put(Unit.BYTES, Math.addExact(up, down));
        }
        if (units.serviceSpecificUnits() != null) {
            amounts.put(Unit.SERVICE_UNITS, units.serviceSpecificUnits());
        }
        return amounts;
    }
}
