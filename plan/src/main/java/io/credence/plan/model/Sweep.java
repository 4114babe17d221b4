package io.credence.plan.model;

import io.credence.admission.AdmissionPolicy;
import io.credence.admission.AdmissionPolicy.LayerPolicy;
import io.credence.admission.AdmissionPolicy.Range;
import io.credence.admission.AdmissionPolicy.Threshold;
import io.credence.admission.Layer;
import io.credence.admission.Pool;
import io.credence.admission.QosParameter;
import io.credence.rating.CatalogException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One catalog figure moved over a range: {@code <layer>.pools.<pool>} (a pool's capacity), or
 * {@code <layer>.<parameter>.min|max|threshold.value|threshold.fillPercent}, e.g.
 * {@code bearer.bandwidthKbps.threshold.value=20000..100000} with a number of steps.
 */
public record Sweep(String parameter, Layer layer, Pool pool, QosParameter qos, String field, long from, long to,
                    int steps) {
    public static final int STEPS_MAX = 200;

    /** Parses {@code name=a..b}; an error names what is wrong with it. */
    public static Sweep parse(String spec, int steps) {
        int eq = spec.indexOf('=');
        int dots = spec.indexOf("..", Math.max(eq, 0));
        if (eq < 1 || dots < 0) {
            throw new IllegalArgumentException("'" + spec + "' is not name=from..to (e.g. bearer.pools.bandwidthKbps=1000..5000)");
        }
        String name = spec.substring(0, eq);
        long from;
        long to;
        try {
            from = Long.parseLong(spec.substring(eq + 1, dots).replace("_", ""));
            to = Long.parseLong(spec.substring(dots + 2).replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + spec + "': from and to must be whole numbers");
        }
        if (from >= to || from < 0) {
            throw new IllegalArgumentException("'" + spec + "': from must be below to, and not negative");
        }
        if (steps < 2 || steps > STEPS_MAX) {
            throw new IllegalArgumentException("steps must be 2.." + STEPS_MAX + ", was " + steps);
        }
        String[] parts = name.split("\\.");
        Layer layer = parts.length < 3 ? null : Layer.ofJsonName(parts[0]).orElse(null);
        if (layer == null) {
            throw new IllegalArgumentException("'" + name + "' must start with a layer (" + Arrays.stream(Layer.values())
                    .map(Layer::jsonName).toList() + ") and name a pool or a parameter's min, max or threshold");
        }
        if (parts[1].equals("pools") && parts.length == 3) {
            Pool pool = Pool.ofJsonName(parts[2]).orElseThrow(() -> new IllegalArgumentException("'" + parts[2]
                    + "' is not a pool; one of " + Arrays.stream(Pool.values()).map(Pool::jsonName).toList()));
            return new Sweep(name, layer, pool, null, "capacity", from, to, steps);
        }
        QosParameter qos = QosParameter.ofJsonName(parts[1]).orElseThrow(() -> new IllegalArgumentException("'"
                + parts[1] + "' is not a QoS parameter; one of " + Arrays.stream(QosParameter.values())
                .map(QosParameter::jsonName).toList() + " or pools"));
        String field = String.join(".", Arrays.copyOfRange(parts, 2, parts.length));
        if (!List.of("min", "max", "threshold.value", "threshold.fillPercent").contains(field)) {
            throw new IllegalArgumentException("'" + name + "': after the parameter comes min, max, threshold.value or"
                    + " threshold.fillPercent");
        }
        return new Sweep(name, layer, null, qos, field, from, to, steps);
    }

    /** The values visited: {@code steps} points from {@code from} to {@code to}, rounded, without repeats. */
    public List<Long> values() {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            long v = from + Math.round((double) (to - from) * i / (steps - 1));
            if (out.isEmpty() || out.getLast() != v) {
                out.add(v);
            }
        }
        return out;
    }

    /** The policy with this figure set to {@code value}; a CatalogException (naming the field) when that makes it invalid. */
    public AdmissionPolicy apply(AdmissionPolicy policy, long value) {
        LayerPolicy old = policy.layer(layer);
        Map<QosParameter, Range> ranges = new EnumMap<>(QosParameter.class);
        ranges.putAll(old.ranges());
        Map<Pool, Long> capacities = new EnumMap<>(Pool.class);
        capacities.putAll(old.capacities());
        if (pool != null) {
            capacities.put(pool, value);
        } else {
            Range r = ranges.get(qos);
            if (r == null) {
                throw new CatalogException("admission.layers." + layer.jsonName() + "." + qos.jsonName(),
                        "the catalog's " + layer.jsonName() + " layer does not check " + qos.jsonName());
            }
            Threshold t = r.threshold();
            if (field.startsWith("threshold") && t == null) {
                throw new CatalogException("admission.layers." + layer.jsonName() + "." + qos.jsonName() + ".threshold",
                        "the catalog gives no threshold to sweep");
            }
            ranges.put(qos, switch (field) {
                case "min" -> new Range(value, r.max(), t);
                case "max" -> new Range(r.min(), value, t);
                case "threshold.value" -> new Range(r.min(), r.max(), new Threshold(value, t.fillPercent()));
                case "threshold.fillPercent" -> new Range(r.min(), r.max(), new Threshold(t.value(), Math.toIntExact(value)));
                default -> throw new IllegalStateException(field);
            });
        }
        Map<Layer, LayerPolicy> layers = new EnumMap<>(Layer.class);
        layers.putAll(policy.layers());
        layers.put(layer, new LayerPolicy(ranges, capacities));
        return new AdmissionPolicy(layers, policy.admissionsMax(), policy.ttlSecondsMax());
    }
}
