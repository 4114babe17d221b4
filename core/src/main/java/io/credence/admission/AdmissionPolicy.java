package io.credence.admission;

import io.credence.rating.CatalogException;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * What each layer admits and how much it can hand out: per layer, per parameter an allowed
 * range and optionally a threshold, and per layer the capacity of its pools. Immutable; a
 * reloaded catalog brings a new policy, which {@link AdmissionControl#reconcile} applies.
 *
 * <p><b>Threshold.</b> Once the pool a parameter draws from is at least
 * {@link Threshold#fillPercent} full, the layer admits only requests whose value is at most
 * {@link Threshold#value}. Example: bearer bandwidth 64..100000 kbit/s, threshold 20000 at 80%:
 * while the bearer bandwidth pool is below 80% full any size up to 100000 is taken; above that
 * only requests up to 20000 are, so the last fifth of the pool is kept for small requests and a
 * few large ones cannot starve them. A refused request is told the value it may retry with.
 *
 * <p>Every error is a {@link CatalogException} whose path names the field as the catalog file
 * spells it, e.g. {@code admission.layers.service.bandwidthKbps.max}.
 *
 * @param layers        every layer, each with its ranges and pool capacities; a layer with no
 *                      ranges admits nothing
 * @param admissionsMax most admissions held at once, over all layers; past it a request is Busy
 * @param ttlSecondsMax longest lifetime an admission may ask for (or be renewed to)
 */
public record AdmissionPolicy(Map<Layer, LayerPolicy> layers, int admissionsMax, long ttlSecondsMax) {
    /** Upper bound for {@code admissionsMax}: the table lives in memory. */
    public static final int ADMISSIONS_MAX_LIMIT = 1_000_000;
    /** Upper bound for {@code ttlSecondsMax}: 31 days, see {@link QosParameter} on overflow. */
    public static final long TTL_SECONDS_MAX_LIMIT = 31L * 24 * 3600;

    private static final String AT = "admission";

    /**
     * A layer's parameters and pools.
     *
     * @param ranges     the parameters this layer admits; a request must state exactly these
     * @param capacities the pools' capacities, in the unit of the parameter of the same name
     */
    public record LayerPolicy(Map<QosParameter, Range> ranges, Map<Pool, Long> capacities) {
        public LayerPolicy {
            ranges = Collections.unmodifiableMap(copy(ranges, QosParameter.class));
            capacities = Collections.unmodifiableMap(copy(capacities, Pool.class));
        }

        public long capacity(Pool pool) {
            return capacities.getOrDefault(pool, 0L);
        }

        /** A layer that admits nothing. */
        public static LayerPolicy closed() {
            return new LayerPolicy(Map.of(), Map.of());
        }
    }

    /**
     * Allowed values, inclusive. Checked by {@link AdmissionPolicy}, not here: the bounds depend on
     * the parameter, and only the policy knows which field to name in the error.
     *
     * @param threshold null when the parameter has none
     */
    public record Range(long min, long max, Threshold threshold) {
        public boolean contains(long value) {
            return value >= min && value <= max;
        }
    }

    /** See the class comment: above {@code fillPercent} of the pool, only values up to {@code value}. */
    public record Threshold(long value, int fillPercent) {}

    public AdmissionPolicy {
        Objects.requireNonNull(layers, "layers");
        Map<Layer, LayerPolicy> copy = new EnumMap<>(Layer.class);
        for (Layer layer : Layer.values()) {
            LayerPolicy policy = layers.get(layer);
            if (policy == null) {
                throw new CatalogException(AT + ".layers." + layer.jsonName(), "is required (may be empty)");
            }
            check(layer, policy);
            copy.put(layer, policy);
        }
        layers = Collections.unmodifiableMap(copy);
        if (admissionsMax < 1 || admissionsMax > ADMISSIONS_MAX_LIMIT) {
            throw new CatalogException(AT + ".admissionsMax", "must be 1.." + ADMISSIONS_MAX_LIMIT + ", was " + admissionsMax);
        }
        if (ttlSecondsMax < 1 || ttlSecondsMax > TTL_SECONDS_MAX_LIMIT) {
            throw new CatalogException(AT + ".ttlSecondsMax", "must be 1.." + TTL_SECONDS_MAX_LIMIT + ", was " + ttlSecondsMax);
        }
    }

    public LayerPolicy layer(Layer layer) {
        return layers.get(layer);
    }

    private static void check(Layer layer, LayerPolicy policy) {
        String at = AT + ".layers." + layer.jsonName();
        for (Map.Entry<Pool, Long> capacity : policy.capacities().entrySet()) {
            long value = capacity.getValue();
            if (value < 0 || value > Pool.CAPACITY_MAX) {
                throw new CatalogException(at + ".pools." + capacity.getKey().jsonName(),
                        "must be 0.." + Pool.CAPACITY_MAX + ", was " + value);
            }
        }
        for (Map.Entry<QosParameter, Range> entry : policy.ranges().entrySet()) {
            check(at + "." + entry.getKey().jsonName(), entry.getKey(), entry.getValue());
            Pool pool = entry.getKey().pool().orElse(null);
            if (pool != null && !policy.capacities().containsKey(pool)) {
                // A parameter admitted with no pool behind it would either take nothing or never fit.
                throw new CatalogException(at + ".pools." + pool.jsonName(),
                        "is required: " + entry.getKey().jsonName() + " is admitted at the " + layer.jsonName() + " layer");
            }
        }
    }

    private static void check(String at, QosParameter parameter, Range range) {
        Objects.requireNonNull(range, at);
        if (range.min() < parameter.valueMin() || range.min() > parameter.valueMax()) {
            throw new CatalogException(at + ".min", "must be " + parameter.valueMin() + ".." + parameter.valueMax()
                    + ", was " + range.min());
        }
        if (range.max() < range.min() || range.max() > parameter.valueMax()) {
            throw new CatalogException(at + ".max", "must be " + range.min() + " (min).." + parameter.valueMax()
                    + ", was " + range.max());
        }
        Threshold threshold = range.threshold();
        if (threshold == null) {
            return;
        }
        if (parameter.pool().isEmpty()) {
            throw new CatalogException(at + ".threshold", parameter.jsonName()
                    + " draws from no pool, so a pool's fill level cannot restrict it");
        }
        if (threshold.value() < range.min() || threshold.value() >= range.max()) {
            throw new CatalogException(at + ".threshold.value", "must be " + range.min() + " (min).." + (range.max() - 1)
                    + " (below max, else it never restricts anything), was " + threshold.value());
        }
        if (threshold.fillPercent() < 1 || threshold.fillPercent() > 99) {
            throw new CatalogException(at + ".threshold.fillPercent", "must be 1..99, was " + threshold.fillPercent());
        }
    }

    private static <K extends Enum<K>, V> EnumMap<K, V> copy(Map<K, V> map, Class<K> type) {
        Objects.requireNonNull(map);
        EnumMap<K, V> copy = new EnumMap<>(type);
        map.forEach((key, value) -> copy.put(Objects.requireNonNull(key), Objects.requireNonNull(value, key::name)));
        return copy;
    }
}
