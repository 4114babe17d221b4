package io.credence.admission;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/** The answer to {@link AdmissionControl#admit}. Only {@link Admitted} changes anything. */
public sealed interface AdmissionResult {

    /**
     * Taken. {@code pools} are the layer's levels right after this admission (a retry with the
     * same id gets this same answer back, levels included).
     */
    record Admitted(String admissionId, ChargingParameters charging, long expiresAtMillis,
                    Map<Pool, PoolLevel> pools) implements AdmissionResult {
        public Admitted {
            Objects.requireNonNull(admissionId);
            Objects.requireNonNull(charging);
            pools = Collections.unmodifiableMap(pools.isEmpty() ? new EnumMap<>(Pool.class) : new EnumMap<>(pools));
        }
    }

    /**
     * A parameter the layer does not take: missing, not admitted there, out of range, or above
     * the threshold while its pool is filling. The client may retry with other values.
     */
    record Rejected(Layer layer, QosParameter parameter, String reason) implements AdmissionResult {
        public Rejected {
            Objects.requireNonNull(layer);
            Objects.requireNonNull(parameter);
            Objects.requireNonNull(reason);
        }
    }

    /** The values are acceptable but the pool cannot give {@code requested} now; {@code free} is what it has. */
    record NoCapacity(Layer layer, Pool pool, long requested, long free) implements AdmissionResult {}

    /** The admissions table is full ({@code admissionsMax}); try again once some are released. */
    record Busy(int admissionsMax) implements AdmissionResult {}

    /** The id is held by a live admission with a different request. */
    record DuplicateId(String admissionId, String reason) implements AdmissionResult {}
}
