package io.credence.admission;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * What an admitted request means for charging: what it holds of each pool, the service classes
 * it was granted, and how many bytes a ledger reservation for it should hold.
 *
 * <p><b>Reservation.</b> When the request states {@code dataVolumeBytes}, that volume is the
 * promise made, so it is what to reserve. Otherwise, with {@code bandwidthKbps}, it is the most
 * the admitted bandwidth can carry before the admission expires:
 * {@code ceil(kbps * 1000 / 8 * ceil(ttlMillis / 1000))} bytes (rounded up: reserving a byte too
 * many is released at commit, one too few refuses traffic that was admitted). Storage and the
 * classes are priced by rating and reserve nothing, so the amount is then 0.
 *
 * @param draws            amount taken from each pool of the layer (only pools drawn from)
 * @param classes          the class parameters granted (latency, CPU, memory), as asked
 * @param reservationBytes bytes a ledger reservation for this admission should hold
 */
public record ChargingParameters(Layer layer, Map<Pool, Long> draws, Map<QosParameter, Long> classes,
                                 long reservationBytes) {
    private static final long MILLIS_PER_SECOND = 1000;
    private static final long BITS_PER_KILOBIT = 1000;

    public ChargingParameters {
        Objects.requireNonNull(layer, "layer");
        draws = Collections.unmodifiableMap(draws.isEmpty() ? new EnumMap<>(Pool.class) : new EnumMap<>(draws));
        classes = Collections.unmodifiableMap(classes.isEmpty() ? new EnumMap<>(QosParameter.class) : new EnumMap<>(classes));
        draws.values().forEach(v -> {
            if (v < 0) {
                throw new IllegalArgumentException("a draw is never negative");
            }
        });
        if (reservationBytes < 0) {
            throw new IllegalArgumentException("reservationBytes is never negative");
        }
    }

    /** The conversion: a request whose values the layer has accepted, for {@code ttlMillis}. */
    static ChargingParameters of(QosRequest request, long ttlMillis) {
        Map<Pool, Long> draws = new EnumMap<>(Pool.class);
        Map<QosParameter, Long> classes = new EnumMap<>(QosParameter.class);
        request.parameters().forEach((parameter, value) -> parameter.pool().ifPresentOrElse(
                pool -> draws.put(pool, value), () -> classes.put(parameter, value)));
        return new ChargingParameters(request.layer(), draws, classes, reservationBytes(request, ttlMillis));
    }

    private static long reservationBytes(QosRequest request, long ttlMillis) {
        Map<QosParameter, Long> p = request.parameters();
        if (p.containsKey(QosParameter.DATA_VOLUME_BYTES)) {
            return p.get(QosParameter.DATA_VOLUME_BYTES);
        }
        if (p.containsKey(QosParameter.BANDWIDTH_KBPS)) {
            long seconds = Math.ceilDiv(ttlMillis, MILLIS_PER_SECOND);
            // Exact: QosParameter and AdmissionPolicy bound both factors so this cannot overflow.
            long bits = Math.multiplyExact(Math.multiplyExact(p.get(QosParameter.BANDWIDTH_KBPS), BITS_PER_KILOBIT), seconds);
            return Math.ceilDiv(bits, Byte.SIZE);
        }
        return 0;
    }

    public long draw(Pool pool) {
        return draws.getOrDefault(pool, 0L);
    }
}
