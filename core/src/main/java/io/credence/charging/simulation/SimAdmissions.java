package io.credence.charging.simulation;

import io.credence.admission.AdmissionPolicy;
import io.credence.admission.Layer;
import io.credence.admission.Pool;
import io.credence.admission.QosParameter;
import io.credence.admission.QosRequest;
import io.credence.charging.AdmissionUsage;
import io.credence.charging.EngineCommand;
import io.credence.ledger.Ids;

import java.util.Map;

/**
 * Layered admissions as an HTTP client asks for them: a few ids reused over and over (so ends
 * race admissions, and a released id is admitted again), most billed to a subscriber, ended with
 * the meter's figures or released plainly, requests sent twice.
 */
final class SimAdmissions {
    private static final int IDS = 30;

    private SimAdmissions() {}

    /**
     * The service layer checks a voice call's QoS (bandwidth, latency class) against a bandwidth
     * pool; the application layer admits data volumes, billed as reservations of bytes.
     */
    static AdmissionPolicy policy(SplitMix64 random) {
        return new AdmissionPolicy(Map.of(
                Layer.BEARER, AdmissionPolicy.LayerPolicy.closed(),
                Layer.SERVICE, new AdmissionPolicy.LayerPolicy(Map.of(
                        QosParameter.BANDWIDTH_KBPS, new AdmissionPolicy.Range(8, 2_000,
                                new AdmissionPolicy.Threshold(500, 80)),
                        QosParameter.LATENCY_CLASS, new AdmissionPolicy.Range(1, 9, null)),
                        Map.of(Pool.BANDWIDTH, random.between(2_000, 40_000))),
                Layer.APPLICATION, new AdmissionPolicy.LayerPolicy(Map.of(
                        QosParameter.DATA_VOLUME_BYTES, new AdmissionPolicy.Range(1, 5_000_000, null)),
                        Map.of(Pool.DATA_VOLUME, random.between(5_000_000, 60_000_000)))),
                (int) random.between(10, 300), 3_600);
    }

    static EngineCommand.Admit admit(SplitMix64 random, int subscribers) {
        String id = "adm-" + random.nextInt(IDS);
        QosRequest request = new QosRequest(Layer.APPLICATION, Map.of(QosParameter.DATA_VOLUME_BYTES,
                random.percent(3) ? 9_000_000 : random.between(1, 300_000)));
        boolean billed = random.percent(70);
        return new EngineCommand.Admit(id, request, random.between(5, 600) * 1000L,
                billed ? SimWorld.accountId(random.nextInt(subscribers)) : null, billed ? Ids.SYSTEM_ACCOUNT : null);
    }

    /** @param recent the id admitted last, ended more often than any other (an HTTP client ends what it got) */
    static EngineCommand.EndAdmission end(SplitMix64 random, long n, String recent) {
        String id = recent != null && random.percent(70) ? recent : "adm-" + random.nextInt(IDS);
        if (random.percent(30)) {
            return new EngineCommand.EndAdmission(id, null, null);
        }
        long metered = random.between(0, 400_000);
        long dropped = random.between(0, metered);
        long wall = random.between(1, 900);
        long active = random.between(metered > dropped ? 1 : 0, wall);
        return new EngineCommand.EndAdmission(id, new AdmissionUsage(metered, dropped, active, wall),
                random.percent(50) ? "sim:end:" + n : null);
    }
}
