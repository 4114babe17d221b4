package io.credence.admission;

import io.credence.admission.AdmissionPolicy.LayerPolicy;
import io.credence.admission.AdmissionPolicy.Range;
import io.credence.admission.AdmissionPolicy.Threshold;

import java.util.Map;

import static io.credence.admission.QosParameter.BANDWIDTH_KBPS;
import static io.credence.admission.QosParameter.CPU_CLASS;
import static io.credence.admission.QosParameter.DATA_VOLUME_BYTES;
import static io.credence.admission.QosParameter.LATENCY_CLASS;
import static io.credence.admission.QosParameter.MEMORY_CLASS;
import static io.credence.admission.QosParameter.STORAGE_MB;

/** A small three-layer policy the admission tests share. */
final class Policies {
    private Policies() {}

    static LayerPolicy bearerLayer(long bandwidthCapacity) {
        return new LayerPolicy(Map.of(
                BANDWIDTH_KBPS, new Range(64, 100_000, new Threshold(20_000, 80)),
                LATENCY_CLASS, new Range(2, 9, null)),
                Map.of(Pool.BANDWIDTH, bandwidthCapacity));
    }

    static LayerPolicy serviceLayer(long volumeCapacity, long bandwidthCapacity) {
        return new LayerPolicy(Map.of(
                BANDWIDTH_KBPS, new Range(32, 50_000, null),
                DATA_VOLUME_BYTES, new Range(1, 10_000_000, null)),
                Map.of(Pool.BANDWIDTH, bandwidthCapacity, Pool.DATA_VOLUME, volumeCapacity));
    }

    static LayerPolicy applicationLayer(long storageCapacity) {
        return new LayerPolicy(Map.of(
                STORAGE_MB, new Range(1, 1_000, null),
                CPU_CLASS, new Range(1, 5, null),
                MEMORY_CLASS, new Range(1, 5, null)),
                Map.of(Pool.STORAGE, storageCapacity));
    }

    static AdmissionPolicy policy(long bearerBandwidth, long serviceVolume, long storage, int admissionsMax) {
        return new AdmissionPolicy(Map.of(Layer.BEARER, bearerLayer(bearerBandwidth),
                Layer.SERVICE, serviceLayer(serviceVolume, 200_000),
                Layer.APPLICATION, applicationLayer(storage)), admissionsMax, 3600);
    }

    static AdmissionPolicy standard() {
        return policy(1_000_000, 50_000_000, 10_000, 100);
    }

    static QosRequest bearer(long kbps, long latencyClass) {
        return new QosRequest(Layer.BEARER, Map.of(BANDWIDTH_KBPS, kbps, LATENCY_CLASS, latencyClass));
    }

    static QosRequest service(long kbps, long bytes) {
        return new QosRequest(Layer.SERVICE, Map.of(BANDWIDTH_KBPS, kbps, DATA_VOLUME_BYTES, bytes));
    }

    static QosRequest application(long storageMb, long cpuClass, long memoryClass) {
        return new QosRequest(Layer.APPLICATION, Map.of(STORAGE_MB, storageMb, CPU_CLASS, cpuClass, MEMORY_CLASS, memoryClass));
    }
}
