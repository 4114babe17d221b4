package io.credence.plan.model;

import io.credence.admission.AdmissionPolicy;
import io.credence.admission.AdmissionPolicy.LayerPolicy;
import io.credence.admission.AdmissionPolicy.Range;
import io.credence.admission.AdmissionPolicy.Threshold;
import io.credence.admission.Layer;
import io.credence.admission.Pool;
import io.credence.admission.QosParameter;
import io.credence.plan.load.ServiceClass;

import java.util.EnumMap;
import java.util.Map;

/** Small admission policies and classes for the model's tests. */
final class Catalogs {
    private Catalogs() {}

    /** The service layer checks bandwidth only, 0..max with an optional threshold, over one bandwidth pool. */
    static AdmissionPolicy serviceLayer(long capacityKbps, long maxKbps, Threshold threshold) {
        Map<Layer, LayerPolicy> layers = new EnumMap<>(Layer.class);
        for (Layer l : Layer.values()) {
            layers.put(l, LayerPolicy.closed());
        }
        layers.put(Layer.SERVICE, new LayerPolicy(Map.of(QosParameter.BANDWIDTH_KBPS, new Range(1, maxKbps, threshold)),
                Map.of(Pool.BANDWIDTH, capacityKbps)));
        return new AdmissionPolicy(layers, 100_000, 86_400);
    }

    static ServiceClass bandwidthClass(String name, long kbps, double lambda, double holding, double abandon) {
        return new ServiceClass(name, Layer.SERVICE, lambda, holding, Map.of(QosParameter.BANDWIDTH_KBPS, kbps), 10, 6,
                abandon);
    }
}
