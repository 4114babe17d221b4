package io.credence.server.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import io.credence.admission.AdmissionPolicy;
import io.credence.admission.AdmissionPolicy.LayerPolicy;
import io.credence.admission.AdmissionPolicy.Range;
import io.credence.admission.AdmissionPolicy.Threshold;
import io.credence.admission.Layer;
import io.credence.admission.Pool;
import io.credence.admission.QosParameter;
import io.credence.rating.CatalogException;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The catalog's {@code "admission"} object as an {@link AdmissionPolicy}:
 * <pre>
 * "admission": {
 *   "admissionsMax": 10000,            // live admissions held at once, all layers
 *   "ttlSecondsMax": 86400,            // longest lifetime a client may ask for
 *   "layers": {                        // bearer, service, application; a missing layer admits nothing
 *     "bearer": {
 *       "bandwidthKbps": {"min": 64, "max": 100000, "threshold": {"value": 20000, "fillPercent": 80}},
 *       "latencyClass": {"min": 2, "max": 9},
 *       "pools": {"bandwidthKbps": 10000000}
 *     }, ...
 * </pre>
 * Every error is a {@link CatalogException} whose dotted path is the JSON path of the field at
 * fault ({@code admission.layers.service.bandwidthKbps.max}); {@link CatalogFile} turns such a path
 * into a JSON pointer and that into the file's line, as for the rest of the catalog. Unknown
 * fields are refused, so a misspelt parameter is not silently left unchecked.
 */
public final class AdmissionSection {
    private static final String AT = "admission";

    private AdmissionSection() {}

    /**
     * @param admission the top-level {@code "admission"} value; null or missing when the catalog
     *                  has none
     * @return empty when the catalog configures no admission control
     * @throws CatalogException naming the field at fault
     */
    public static Optional<AdmissionPolicy> read(JsonNode admission) {
        if (admission == null || admission.isMissingNode() || admission.isNull()) {
            return Optional.empty();
        }
        object(admission, AT);
        only(admission, AT, Set.of("admissionsMax", "ttlSecondsMax", "layers"));
        JsonNode layers = admission.path("layers");
        object(layers, AT + ".layers");
        Map<Layer, LayerPolicy> policies = new EnumMap<>(Layer.class);
        for (Iterator<String> names = layers.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            Layer layer = Layer.ofJsonName(name).orElseThrow(() -> new CatalogException(AT + ".layers." + name,
                    "is not a layer; one of " + Arrays.stream(Layer.values()).map(Layer::jsonName).toList()));
            policies.put(layer, layer(layers.get(name), AT + ".layers." + name));
        }
        for (Layer layer : Layer.values()) {
            policies.putIfAbsent(layer, LayerPolicy.closed());
        }
        long admissionsMax = number(admission, "admissionsMax", AT);
        if (admissionsMax > Integer.MAX_VALUE) {
            throw new CatalogException(AT + ".admissionsMax", "must be at most " + AdmissionPolicy.ADMISSIONS_MAX_LIMIT);
        }
        return Optional.of(new AdmissionPolicy(policies, (int) admissionsMax, number(admission, "ttlSecondsMax", AT)));
    }

    private static LayerPolicy layer(JsonNode node, String at) {
        object(node, at);
        Map<QosParameter, Range> ranges = new EnumMap<>(QosParameter.class);
        Map<Pool, Long> capacities = new EnumMap<>(Pool.class);
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (name.equals("pools")) {
                capacities.putAll(pools(node.get(name), at + ".pools"));
                continue;
            }
            QosParameter parameter = QosParameter.ofJsonName(name).orElseThrow(() -> new CatalogException(at + "." + name,
                    "is not a QoS parameter; one of " + Arrays.stream(QosParameter.values()).map(QosParameter::jsonName)
                            .toList() + " or pools"));
            ranges.put(parameter, range(node.get(name), at + "." + name));
        }
        return new LayerPolicy(ranges, capacities);
    }

    private static Range range(JsonNode node, String at) {
        object(node, at);
        only(node, at, Set.of("min", "max", "threshold"));
        JsonNode threshold = node.get("threshold");
        Threshold parsed = null;
        if (threshold != null) {
            String here = at + ".threshold";
            object(threshold, here);
            only(threshold, here, Set.of("value", "fillPercent"));
            long fill = number(threshold, "fillPercent", here);
            if (fill > 100) {
                throw new CatalogException(here + ".fillPercent", "must be 1..99, was " + fill);
            }
            parsed = new Threshold(number(threshold, "value", here), (int) fill);
        }
        return new Range(number(node, "min", at), number(node, "max", at), parsed);
    }

    private static Map<Pool, Long> pools(JsonNode node, String at) {
        object(node, at);
        Map<Pool, Long> capacities = new EnumMap<>(Pool.class);
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            Pool pool = Pool.ofJsonName(name).orElseThrow(() -> new CatalogException(at + "." + name,
                    "is not a pool; one of " + Arrays.stream(Pool.values()).map(Pool::jsonName).toList()));
            capacities.put(pool, number(node, name, at));
        }
        return capacities;
    }

    private static void object(JsonNode node, String at) {
        if (node == null || !node.isObject()) {
            throw new CatalogException(at, "must be an object");
        }
    }

    private static void only(JsonNode node, String at, Set<String> known) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw new CatalogException(at + "." + name, "is not a known field; one of " + known.stream().sorted().toList());
            }
        }
    }

    /** A required whole number >= 0; the policy checks the tighter bounds and names the same field. */
    private static long number(JsonNode parent, String field, String at) {
        JsonNode v = parent.get(field);
        if (v == null) {
            throw new CatalogException(at + "." + field, "is required");
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
            throw new CatalogException(at + "." + field, "must be a whole number >= 0, was " + v);
        }
        return v.asLong();
    }
}
