package io.credence.admission;

import java.util.Optional;

/**
 * A quality-of-service parameter a request may state. Amounts (bandwidth, volume, storage) draw
 * from the pool of the same unit; classes (latency, CPU, memory: 1 is the best, 9 the least) only
 * have to fall inside the layer's range and draw from no pool.
 *
 * <p>Each parameter has absolute bounds, so no configured range can make the charging arithmetic
 * overflow: 10^9 kbit/s (1 Tbit/s) times the longest admission
 * ({@link AdmissionPolicy#TTL_SECONDS_MAX_LIMIT}) times 125 bytes per kbit stays below 2^63.
 */
public enum QosParameter {
    BANDWIDTH_KBPS("bandwidthKbps", Pool.BANDWIDTH, 0, 1_000_000_000L),
    LATENCY_CLASS("latencyClass", null, 1, 9),
    DATA_VOLUME_BYTES("dataVolumeBytes", Pool.DATA_VOLUME, 0, 1L << 50),
    STORAGE_MB("storageMb", Pool.STORAGE, 0, 1L << 30),
    CPU_CLASS("cpuClass", null, 1, 9),
    MEMORY_CLASS("memoryClass", null, 1, 9);

    private final String jsonName;
    private final Pool pool;
    private final long valueMin;
    private final long valueMax;

    QosParameter(String jsonName, Pool pool, long valueMin, long valueMax) {
        this.jsonName = jsonName;
        this.pool = pool;
        this.valueMin = valueMin;
        this.valueMax = valueMax;
    }

    public String jsonName() {
        return jsonName;
    }

    /** The pool this parameter's value is taken from; empty for a class. */
    public Optional<Pool> pool() {
        return Optional.ofNullable(pool);
    }

    /** Smallest value any layer may allow. */
    public long valueMin() {
        return valueMin;
    }

    /** Largest value any layer may allow. */
    public long valueMax() {
        return valueMax;
    }

    public static Optional<QosParameter> ofJsonName(String name) {
        for (QosParameter parameter : values()) {
            if (parameter.jsonName.equals(name)) {
                return Optional.of(parameter);
            }
        }
        return Optional.empty();
    }
}
