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
import io.credence.admission.EffectiveUsage;
import io.credence.admission.Layer;
import io.credence.admission.Pool;
import io.credence.admission.PoolLevel;
import io.credence.admission.QosParameter;
import io.credence.admission.QosRequest;
import io.credence.charging.AdmissionAnswers;
import io.credence.charging.AdmissionBilling;
import io.credence.charging.AdmissionSettlement;
import io.credence.charging.AdmissionUsage;
import io.credence.ledger.Ids;
import io.credence.ledger.Rejection;

import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code /v1/admissions}: layered admission over HTTP.
 * <pre>
 * POST   /v1/admissions        {admissionId, layer, parameters{...}, ttlSeconds[, accountId[, counterpartyId]]}
 *                              201 charging parameters, the layer's pools[, accountId, reservationId]
 *                              422 qos-rejected (field parameters.X, layer, parameter)
 *                              409 no-capacity (pool, requested, free) | admission-id-taken
 *                              503 busy (the admissions table is full)
 *                              4xx the ledger's problem when the account cannot hold the reservation
 * DELETE /v1/admissions/{id}   [{requestId, usage{bytesMetered, bytesDropped, activeSeconds, wallSeconds}}]
 *                              200 what was released[, raw and effective usage, what was committed]
 *                              400 usage.X contradicts the rest | 404 unknown-admission
 * GET    /v1/admissions/pools  200 every layer's pools and the table's fill
 * </pre>
 * All answer 404 admission-not-configured when the catalog has no admission section. The one
 * table from admission results to HTTP statuses is {@link #answer}; ledger rejections go through
 * {@link Problem#of(Rejection)} like every other ledger command.
 *
 * <p><b>Billing effective service.</b> With an {@code accountId} and {@code reservationBytes > 0}
 * the admission holds a ledger reservation of that many BYTES for its ttl; if the account cannot
 * hold it the admission is released and the answer is the ledger's problem. Its request id is
 * derived from the admission (id and expiry), so a retried POST, which the core answers with the
 * same admission, gets the same reservation. At DELETE the effective bytes
 * ({@link EffectiveUsage}: delivered bytes in active time, not junk or waiting) are committed
 * with overdraft within the credit limit, the rest released, and a usage record written.
 */
final class AdmissionApi {
    /** Usage figures above this are a meter fault, and their products could overflow. */
    static final long USAGE_BYTES_MAX = 1L << 50;
    static final long USAGE_SECONDS_MAX = 10L * 365 * 24 * 3600;
    private static final String ORIGIN = "http";
    private static final System.Logger LOG = System.getLogger(AdmissionApi.class.getName());

    private final Admissions admissions;
    AdmissionApi(Admissions admissions) {
        this.admissions = admissions;
    }

    Answer route(String method, String[] path, Supplier<JsonBody> body) {
        try {
            return routed(method, path, body);
        } catch (Admissions.Busy busy) {
            throw new ApiError(503, "busy", null, busy.getMessage());
        }
    }

    private Answer routed(String method, String[] path, Supplier<JsonBody> body) {
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
            return new Answer.Json(200, pools(admissions.pools().orElseThrow(AdmissionApi::notConfigured)));
        }
        requireMethod(method, "DELETE");
        String admissionId = admissionId("admissionId", path[3]);
        return end(admissionId, body.get());
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
        String accountId = body.optionalAccountId("accountId", null);
        String counterpartyId = body.optionalAccountId("counterpartyId", Ids.SYSTEM_ACCOUNT);
        if (accountId == null && body.has("counterpartyId")) {
            throw new ApiError("counterpartyId", "is only meaningful with accountId");
        }
        if (counterpartyId.equals(accountId)) {
            throw new ApiError("counterpartyId", "must differ from accountId");
        }
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
        return switch (admissions.admit(admissionId, new QosRequest(layer, values), ttlSeconds, accountId,
                accountId == null ? null : counterpartyId)) {
            case AdmissionAnswers.NotConfigured none -> throw notConfigured();
            case AdmissionAnswers.BilledToAnother other -> failed(409, "admission-id-taken", "admission '" + admissionId
                    + "' is billed to account '" + other.held().accountId() + "'", "accountId", Map.of());
            case AdmissionAnswers.ReservationRefused refused -> new Answer.Failed(Problem.of(refused.rejection()));
            case AdmissionAnswers.Answered answered -> answered.billing() == null ? answer(answered.result())
                    : billed((Admitted) answered.result(), answered.billing());
        };
    }

    private static ApiError notConfigured() {
        return new ApiError(404, "admission-not-configured", null,
                "the server runs without an admission policy (catalog section \"admission\")");
    }

    private static Answer billed(Admitted admitted, AdmissionBilling billing) {
        Map<String, Object> body = admitted(admitted);
        body.put("accountId", billing.accountId());
        body.put("reservationId", billing.reservationId());
        return new Answer.Json(201, body);
    }

    // ---------------------------------------------------------------- release and settlement

    private Answer end(String admissionId, JsonBody body) {
        String requestId = body.optionalString("requestId");
        if (requestId != null && Ids.requestIdProblem(requestId) != null) {
            throw new ApiError("requestId", Ids.requestIdProblem(requestId));
        }
        JsonBody figures = body.optionalObject("usage");
        AdmissionUsage used = figures == null ? null : usage(figures);
        if (requestId != null && used == null) {
            throw new ApiError("usage", "is required with requestId: the request id names the commit of this usage");
        }
        body.rejectUnknownFields();
        return switch (admissions.end(admissionId, used, requestId)) {
            case AdmissionAnswers.NotConfigured none -> throw notConfigured();
            case AdmissionAnswers.Unknown unknown -> throw new ApiError(404, "unknown-admission", "admissionId",
                    "no live admission '" + admissionId + "' (never admitted, released or expired)");
            case AdmissionAnswers.CommitRefused refused -> new Answer.Failed(Problem.of(refused.rejection()));
            case AdmissionAnswers.Settled settled -> new Answer.Json(200, settled(admissionId, settled.settlement()));
            case AdmissionAnswers.Released released -> {
                Map<String, Object> answer = released(admissionId, released.released());
                if (released.billing() != null) {
                    answer.put("accountId", released.billing().accountId());
                    answer.put("reservationId", released.billing().reservationId());
                    // an expired or closed reservation holds nothing any more: the admission is released all the same
                    answer.put("reservationReleased", released.reservationReleased());
                }
                yield new Answer.Json(200, answer);
            }
        };
    }

    /**
     * The four figures, each checked on its own and then against each other, so the problem names
     * the figure at fault; {@link EffectiveUsage#of} then cannot refuse them.
     */
    private static AdmissionUsage usage(JsonBody figures) {
        long metered = figures.requiredLong("bytesMetered", 0, USAGE_BYTES_MAX);
        long dropped = figures.requiredLong("bytesDropped", 0, USAGE_BYTES_MAX);
        long active = figures.requiredLong("activeSeconds", 0, USAGE_SECONDS_MAX);
        long wall = figures.requiredLong("wallSeconds", 0, USAGE_SECONDS_MAX);
        figures.rejectUnknownFields();
        if (dropped > metered) {
            throw figures.invalid("bytesDropped", "must not exceed bytesMetered (" + metered + "), was " + dropped);
        }
        if (active > wall) {
            throw figures.invalid("activeSeconds", "must not exceed wallSeconds (" + wall + "), was " + active);
        }
        if (active == 0 && metered > dropped) {
            throw figures.invalid("activeSeconds", "must be at least 1 when bytes were delivered ("
                    + (metered - dropped) + ")");
        }
        return new AdmissionUsage(metered, dropped, active, wall);
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
        String notASegment = Ids.pathSegmentProblem(value); // released as DELETE /v1/admissions/{admissionId}
        if (notASegment != null) {
            throw new ApiError(field, notASegment);
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

    private static Map<String, Object> settled(String admissionId, AdmissionSettlement s) {
        EffectiveUsage used = s.usage().effective();
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("raw", Map.of("bytes", used.rawBytes(), "seconds", used.rawSeconds()));
        Map<String, Object> effective = new LinkedHashMap<>();
        effective.put("bytes", used.effectiveBytes());
        effective.put("seconds", used.effectiveSeconds());
        effective.put("throughputBytesPerSecond", used.throughputBytesPerSecond());
        usage.put("effective", effective);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("admissionId", admissionId);
        body.put("released", s.released() == null ? null : charging(s.released()));
        body.put("accountId", s.billing().accountId());
        body.put("reservationId", s.billing().reservationId());
        body.put("requestId", s.requestId());
        body.put("usage", usage);
        body.put("committed", s.committed().committed());
        body.put("reservationReleased", s.committed().released());
        body.put("overdraft", s.committed().overdraft());
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
