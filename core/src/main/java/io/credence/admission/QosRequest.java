package io.credence.admission;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a client asks a layer for. Values are checked against the layer's policy by
 * {@link AdmissionControl}, not here, so that a value out of range becomes a rejection naming
 * the layer and the parameter rather than an exception.
 */
public record QosRequest(Layer layer, Map<QosParameter, Long> parameters) {
    public QosRequest {
        Objects.requireNonNull(layer, "layer");
        Objects.requireNonNull(parameters, "parameters");
        if (parameters.isEmpty()) {
            throw new IllegalArgumentException("a request states at least one parameter");
        }
        EnumMap<QosParameter, Long> copy = new EnumMap<>(QosParameter.class);
        parameters.forEach((key, value) -> copy.put(Objects.requireNonNull(key), Objects.requireNonNull(value, key::name)));
        parameters = Collections.unmodifiableMap(copy);
    }

    public long value(QosParameter parameter) {
        Long value = parameters.get(parameter);
        if (value == null) {
            throw new IllegalArgumentException(parameter.jsonName() + " not stated");
        }
        return value;
    }
}
