package io.credence.admission;

import java.util.Optional;

/**
 * A capacity a layer hands out: taken when a request is admitted, returned when it is released
 * or expires. Each pool counts in the unit of the parameter that draws from it, so a request's
 * {@code bandwidthKbps} is taken one for one from the {@code bandwidthKbps} pool.
 */
public enum Pool {
    BANDWIDTH("bandwidthKbps"),
    DATA_VOLUME("dataVolumeBytes"),
    STORAGE("storageMb");

    /**
     * Largest capacity a pool may be configured with. Fill levels are computed as
     * {@code used * 100}, and used never exceeds the largest capacity ever configured, so this
     * keeps that product inside a long (2^56 * 100 < 2^63).
     */
    public static final long CAPACITY_MAX = 1L << 56;

    private final String jsonName;

    Pool(String jsonName) {
        this.jsonName = jsonName;
    }

    public String jsonName() {
        return jsonName;
    }

    public static Optional<Pool> ofJsonName(String name) {
        for (Pool pool : values()) {
            if (pool.jsonName.equals(name)) {
                return Optional.of(pool);
            }
        }
        return Optional.empty();
    }
}
