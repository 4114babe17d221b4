package io.credence.charging;

import io.credence.admission.AdmissionControl;
import io.credence.admission.AdmissionPolicy;
import io.credence.admission.AdmissionResult;
import io.credence.admission.Layer;
import io.credence.admission.QosParameter;
import io.credence.admission.QosRequest;
import io.credence.charging.ChargingOutcome.Field;
import io.credence.charging.ChargingOutcome.Result;
import io.credence.charging.ChargingOutcome.ServiceOutcome;
import io.credence.ledger.Unit;

import java.util.EnumMap;
import java.util.Map;

/**
 * Layered admission of a first grant whose request asks for QoS: IMS calls go to the service
 * layer, everything else to the bearer layer. The latency class, the larger requested bandwidth
 * and, for volume, the grant itself are offered; of these the layer is asked for the ones it
 * checks. A value outside the layer's range refuses the service naming the field; a full pool
 * refuses it as denied. The admission is held under the grant's tag and lives as long as the grant.
 */
final class Admissions {
    private Admissions() {}

    /** Whether admission let a service in: a refusal to answer, or whether pools are now held. */
    record Admission(ServiceOutcome refusal, boolean held) {}

    private static final Admission NOT_ASKED = new Admission(null, false);

    static Admission admit(RequestContext ctx, ChargingRequest.ServiceUsage usage, ServiceCharging.Want want) {
        AdmissionControl control = ctx.admission;
        ChargingRequest.Qos qos = usage.qos();
        if (control == null || qos == null) {
            return NOT_ASKED;
        }
        AdmissionPolicy policy = control.policy();
        Layer layer = EngineConfig.CONTEXT_IMS.equals(ctx.request.serviceContext()) ? Layer.SERVICE : Layer.BEARER;
        Map<QosParameter, Long> offered = new EnumMap<>(QosParameter.class);
        if (qos.bandwidthKbps() >= 0) {
            offered.put(QosParameter.BANDWIDTH_KBPS, qos.bandwidthKbps());
        }
        if (qos.latencyClass() >= 0) {
            offered.put(QosParameter.LATENCY_CLASS, qos.latencyClass());
        }
        if (want.unit() == Unit.BYTES) {
            offered.put(QosParameter.DATA_VOLUME_BYTES, want.amount());
        }
        offered.keySet().retainAll(policy.layer(layer).ranges().keySet());
        if (offered.isEmpty()) {
            return NOT_ASKED;
        }
        String id = RequestContext.grantTag(ctx.session.key, usage.key());
        long ttlMillis = Math.min(ctx.config.grantTtlMillis(), policy.ttlSecondsMax() * 1000);
        AdmissionResult result = control.admit(id, new QosRequest(layer, offered), ttlMillis, ctx.nowMillis);
        ServiceKey key = usage.key();
        return switch (result) {
            case AdmissionResult.Admitted admitted -> new Admission(null, true);
            case AdmissionResult.Rejected rejected -> new Admission(ServiceOutcome.refused(key, Result.INVALID_VALUE,
                    rejected.layer().jsonName() + " layer: " + rejected.reason(), switch (rejected.parameter()) {
                        case BANDWIDTH_KBPS -> Field.BANDWIDTH;
                        case LATENCY_CLASS -> Field.LATENCY_CLASS;
                        default -> null;
                    }), false);
            case AdmissionResult.NoCapacity full -> new Admission(ServiceOutcome.refused(key,
                    Result.END_USER_SERVICE_DENIED, full.layer().jsonName() + " layer: the " + full.pool().jsonName()
                            + " pool has " + full.free() + " free, " + full.requested() + " asked", null), false);
            case AdmissionResult.Busy busy -> new Admission(ServiceOutcome.refused(key, Result.TOO_BUSY,
                    "admission table full (" + busy.admissionsMax() + ")", null), false);
            case AdmissionResult.DuplicateId duplicate -> new Admission(ServiceOutcome.refused(key,
                    Result.END_USER_SERVICE_DENIED, duplicate.reason(), null), false);
        };
    }

    /** The grant goes on: so does its admission. */
    static void renew(RequestContext ctx, ServiceKey key) {
        if (ctx.admission != null) {
            long ttlMillis = Math.min(ctx.config.grantTtlMillis(), ctx.admission.policy().ttlSecondsMax() * 1000);
            ctx.admission.renew(RequestContext.grantTag(ctx.session.key, key), ttlMillis, ctx.nowMillis);
        }
    }

    static void release(RequestContext ctx, ServiceKey key) {
        if (ctx.admission != null) {
            ctx.admission.release(RequestContext.grantTag(ctx.session.key, key), ctx.nowMillis);
        }
    }
}
