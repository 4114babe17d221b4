package io.credence.ledger;

/**
 * The service a debit is for: a Diameter rating group and/or service identifier (both Unsigned32
 * on the wire). {@link #NONE} in a field means "not given"; {@link #ANY} gives neither, and only
 * buckets that cover all services can serve it.
 */
public record ServiceRef(long ratingGroup, long serviceId) {
    public static final long NONE = -1;
    public static final long UNSIGNED32_MAX = 0xFFFF_FFFFL;
    public static final ServiceRef ANY = new ServiceRef(NONE, NONE);

    public ServiceRef {
        if (ratingGroup < NONE || ratingGroup > UNSIGNED32_MAX) {
            throw new IllegalArgumentException("ratingGroup out of Unsigned32 range: " + ratingGroup);
        }
        if (serviceId < NONE || serviceId > UNSIGNED32_MAX) {
            throw new IllegalArgumentException("serviceId out of Unsigned32 range: " + serviceId);
        }
    }

    public static ServiceRef ratingGroup(long ratingGroup) {
        return new ServiceRef(ratingGroup, NONE);
    }
}
