package io.credence.charging;

import io.credence.ledger.ServiceRef;

/**
 * What a grant is held under in a session: the service (rating group, service id) and, for an Nchf
 * consumer that installs quota per UPF (an uplink classifier puts one rating group on two UPFs),
 * the UPF. {@link #SINGLE} is the one service of a session without Multiple-Services-Credit-Control.
 */
public record ServiceKey(ServiceRef service, String upfId) {
    public static final ServiceKey SINGLE = new ServiceKey(ServiceRef.ANY, null);
    /** A uPFID (TS 29.571) is a string; anything longer is not one an SMF sends. */
    public static final int UPF_ID_LENGTH_MAX = 128;

    public ServiceKey {
        if (service == null) {
            throw new IllegalArgumentException("service is required");
        }
        if (upfId != null && (upfId.isEmpty() || upfId.length() > UPF_ID_LENGTH_MAX)) {
            throw new IllegalArgumentException("upfId must be 1.." + UPF_ID_LENGTH_MAX + " characters");
        }
    }

    public static ServiceKey of(long ratingGroup, long serviceId, String upfId) {
        return new ServiceKey(new ServiceRef(ratingGroup, serviceId), upfId);
    }

    public long ratingGroup() {
        return service.ratingGroup();
    }

    public long serviceId() {
        return service.serviceId();
    }
}
