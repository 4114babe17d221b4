package io.credence.http;

import io.credence.admission.AdmissionControl;
import io.credence.admission.AdmissionPolicy;
import io.credence.admission.AdmissionResult;
import io.credence.admission.AdmissionResult.Admitted;
import io.credence.admission.AdmissionResult.Busy;
import io.credence.admission.AdmissionResult.DuplicateId;
import io.credence.admission.AdmissionResult.NoCapacity;
import io.credence.admission.AdmissionResult.Rejected;
import io.credence.admission.ChargingParameters;
import io.credence.admission.Layer;
import io.credence.admission.Pool;
import io.credence.admission.PoolLevel;
import io.credence.admission.QosParameter;
import io.credence.admission.QosRequest;

import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code /v1/admissions}: layered admission over HTTP.
 * <pre>
 * POST   /v1/admissions        {admissionId, layer, parameters{...}, ttlSeconds}
 *                              201 charging parameters and the layer's pools
 *                              422 qos-rejected (field parameters.X, layer, parameter)
 *                              409 no-capacity (pool, requested, free) | admission-id-taken
 *                              503 busy (the admissions table is full)
 * DELETE /v1/admissions/{id}   200 what was released | 404 unknown-admission
 * GET    /v1/admissions/pools  200 every layer's pools and the table's fill
 * </pre>
 * All answer 404 admission-not-configured when the catalog has no admission section. The one
 * table from admission results to HTTP statuses is {@link #answer}.
 */
final class AdmissionApi {
    /** What a route gives back; {@link ProvisioningApi} turns it into a response. */
    sealed interface Answer {
        record Json(int status, Map<String, Object> body) implements Answer {}

        record Failed(Problem problem) implements Answer {}
    }

    private final Admissions admissions;

    AdmissionApi(Admissions admissions) {
        this.admissions = admissions;
    }

    Answer route(String method, String[] path, Supplier<JsonBody> body) {
        AdmissionPolicy policy = admissions.policy().orElseThrow(() -> new ApiError(404, "admission-not-configured", null,
                "the server runs without an admission policy (catalog section \"admission\")"));
        if (path.length == 3) {
            requireMethod(method, "POST");
            return admit(body.get(), policy);
        }
        if (path.length != 4) {
            throw new ApiError(404, "not-found", null, "no resource at /" + String.join("/", path).substring(1));
        }
        if (path[3].equals("pools") && method.equals("GET")) {
            return new Answer.Json(200, pools(admissions.pools()));
        }
        requireMethod(method, "DELETE");
        String admissionId = admissionId("admissionId", path[3]);
        return admissions.release(admissionId)
                .<Answer>map(released -> new Answer.Json(200, released(admissionId, released)))
                .orElseThrow(() -> new ApiError(404, "unknown-admission", "admissionId",
                        "no live admission '" + admissionId + "' (never admitted, released or expired)"));
    }

    private Answer admit(JsonBody body, AdmissionPolicy policy) {
        String admissionId = admissionId("admissionId", body.requiredString("admissionId"));
        String layerName = body.requiredString("layer");
        Layer layer = Layer.ofJsonName(layerName).orElseThrow(() -> new ApiError("layer", "must be one of "
                + Arrays.stream(Layer.values()).map(Layer::jsonName).toList() + ", was '" + layerName + "'"));
        JsonBody parameters = body.optionalObject("parameters");
        if (parameters == null) {
            throw new ApiError("parameters", "is required: an object of QoS parameters");
        }
        long ttlSeconds = body.requiredLong("ttlSeconds", 1, policy.ttlSecondsMax());
        body.rejectUnknownFields();
        Map<QosParameter, Long> values = new EnumMap<>(QosParameter.class);
        for (Iterator<String> names = parameters.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            QosParameter parameter = QosParameter.ofJsonName(name).orElseThrow(() -> new ApiError("parameters." + name,
                    "is not a QoS parameter; one of " + Arrays.stream(QosParameter.values()).map(QosParameter::jsonName).toList()));
            // Any whole number: a value out of the layer's range is the layer's answer (422), not a syntax error.
            values.put(parameter, parameters.requiredLong(name, Long.MIN_VALUE, Long.MAX_VALUE));
        }
        if (values.isEmpty()) {
            throw new ApiError("parameters", "must state at least one QoS parameter");
        }
        return answer(admissions.admit(admissionId, new QosRequest(layer, values), ttlSeconds));
    }

    /** The one table from admission results to HTTP statuses. */
    private static Answer answer(AdmissionResult result) {
        return switch (result) {
            case Admitted a -> new Answer.Json(201, admitted(a));
            case Rejected r -> failed(422, "qos-rejected", r.reason(), "parameters." + r.parameter().jsonName(),
                    Map.of("layer", r.layer().jsonName(), "parameter", r.parameter().jsonName()));
            case NoCapacity n -> failed(409, "no-capacity", "the " + n.layer().jsonName() + " " + n.pool().jsonName()
                            + " pool has " + n.free() + " free, " + n.requested() + " requested",
                    "parameters." + n.pool().jsonName(), Map.of("layer", n.layer().jsonName(), "pool", n.pool().jsonName(),
                            "requested", n.requested(), "free", n.free()));
            case Busy b -> failed(503, "busy", "the admissions table is full (" + b.admissionsMax()
                    + " live admissions); retry after some are released", null, Map.of());
            case DuplicateId d -> failed(409, "admission-id-taken", d.reason(), "admissionId", Map.of());
        };
    }

    private static Answer failed(int status, String type, String detail, String field, Map<String, Object> extra) {
        Problem plain = Problem.of(status, type, detail);
        return new Answer.Failed(new Problem(status, type, plain.title(), detail, field, extra));
    }

    private static String admissionId(String field, String value) {
        if (value.isEmpty() || value.length() > AdmissionControl.ADMISSION_ID_LENGTH_MAX
                || value.chars().anyMatch(c -> c < 0x21 || c > 0x7E)) {
            throw new ApiError(field, "must be 1.." + AdmissionControl.ADMISSION_ID_LENGTH_MAX
                    + " printable ASCII characters without spaces");
        }
        return value;
    }

    private static void requireMethod(String method, String allowed) {
        if (!method.equals(allowed)) {
            throw new ApiError(405, "method-not-allowed", null, "allowed: " + allowed);
        }
    }

    private static Map<String, Object> admitted(Admitted a) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("admissionId", a.admissionId());
        body.put("layer", a.charging().layer().jsonName());
        body.put("expiresAt", Instant.ofEpochMilli(a.expiresAtMillis()).toString());
        body.put("charging", charging(a.charging()));
        body.put("pools", levels(a.pools()));
        return body;
    }

    private static Map<String, Object> released(String admissionId, ChargingParameters c) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("admissionId", admissionId);
        body.put("released", charging(c));
        return body;
    }

    private static Map<String, Object> charging(ChargingParameters c) {
        Map<String, Object> draws = new LinkedHashMap<>();
        c.draws().forEach((pool, amount) -> draws.put(pool.jsonName(), amount));
        Map<String, Object> classes = new LinkedHashMap<>();
        c.classes().forEach((parameter, value) -> classes.put(parameter.jsonName(), value));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("layer", c.layer().jsonName());
        body.put("draws", draws);
        body.put("classes", classes);
        body.put("reservationBytes", c.reservationBytes());
        return body;
    }

    private static Map<String, Object> levels(Map<Pool, PoolLevel> levels) {
        Map<String, Object> body = new LinkedHashMap<>();
        levels.forEach((pool, level) -> {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("capacity", level.capacity());
            one.put("used", level.used());
            one.put("free", level.free());
            body.put(pool.jsonName(), one);
        });
        return body;
    }

    private static Map<String, Object> pools(AdmissionControl.Report report) {
        Map<String, Object> layers = new LinkedHashMap<>();
        report.layers().forEach((layer, levels) -> layers.put(layer.jsonName(), levels(levels)));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("admissions", report.admissions());
        body.put("admissionsMax", report.admissionsMax());
        body.put("layers", layers);
        return body;
    }
}
