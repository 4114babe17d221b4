package io.credence.http;

import io.credence.charging.DataShare;
import io.credence.charging.DeviceAnswers;
import io.credence.charging.ShareAnswers;
import io.credence.charging.EngineCommand;
import io.credence.devices.DataShares;
import io.credence.devices.DeviceQuota;
import io.credence.devices.DeviceQuota.DeviceSim;
import io.credence.devices.DeviceQuota.GrantAnswer;
import io.credence.devices.DeviceQuota.Registration;
import io.credence.devices.DeviceQuota.ReportAnswer;
import io.credence.devices.DirectoryFull;
import io.credence.devices.LedgerUnavailable;
import io.credence.devices.ShareRules;
import io.credence.devices.SimMoveAnswer;
import io.credence.devices.SimProvisioning;
import io.credence.ledger.BucketView;
import io.credence.ledger.SequenceView;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Devices (cloud-SIM quota agents), the SIMs and base stations behind them, and data shares.
 * <pre>
 * admin (each takes a requestId or Idempotency-Key: a retry gets the first answer)
 *   POST   /v1/sims                        {simId, accountId, secret}          201 (again for the same SIM)
 *                                                                              409 sim-exists
 *   POST   /v1/sims/{simId}/move           {accountId}                         200 moved, lastReportSeq (audited)
 *   DELETE /v1/sims/{simId}/binding                                            200 (another device may register)
 *   POST   /v1/base-stations               {baseStationId, secret}             201
 * device (API key role device, and after registering the header Credence-Device-Token)
 *   POST   /v1/devices/{simId}/register    {deviceId, simSecret}               200 token, lastReportSeq, reportedBytes
 *                                                                              401 sim-credentials | 409 sim-bound-elsewhere
 *   GET    /v1/devices/{simId}                                                 200 binding, totals, open grant
 *   GET    /v1/devices/{simId}/packages                                        200 availableBytes, packages
 *   POST   /v1/devices/{simId}/grants      {bytes}                             200 grantId, bytes, expiresAt
 *                                                                              403 quota-exhausted
 *   POST   /v1/devices/{simId}/reports     {seq, bytes, final}                 200 seq, duplicate, reportedBytes,
 *                                                                                  returnedBytes, grant
 *                                          or {reports: [{seq, bytes, final}...]}  200 {reports: [each as above]}
 *   GET|PUT /v1/devices/{simId}/share-rules {maxBytesPerDay, allowedBorrowers, priceMinorPerMb}
 *   POST   /v1/devices/{simId}/shares/{shareId}/cancel                         200 the share, cutOff
 * base station (API key role network-function; headers Credence-Base-Station-Id and -Secret)
 *   POST   /v1/shares                      {requestId, borrower{simId, token}, supplier{simId, token}, bytes}
 *                                          201 the share | 403 share-refused (reason) | 200 the first share again
 *   GET    /v1/shares/{shareId}                                                200 the share
 *   POST   /v1/shares/{shareId}/usage      {totalBytes, final}                 200 the share, cutOff, overLimitBytes
 * </pre>
 * Device calls with an admin key need no device token (support staff look at a SIM); so do
 * calls without one to a server run without API keys (loopback only), where everyone is trusted.
 */
final class DeviceApi {
    static final String DEVICE_TOKEN_HEADER = "Credence-Device-Token";
    static final String BASE_STATION_ID_HEADER = "Credence-Base-Station-Id";
    static final String BASE_STATION_SECRET_HEADER = "Credence-Base-Station-Secret";
    static final long REPORT_BYTES_MAX = 1L << 50;
    /** Reports in one request: an agent's backlog after a day offline at one report a minute fits twice. */
    static final int REPORTS_PER_REQUEST_MAX = EngineCommand.DeviceReports.REPORTS_MAX;
    private static final int TEXT_MAX = 256;

    private final DeviceQuota quota;
    private final DataShares shares;
    private final AdminRequests requests;

    DeviceApi(DeviceQuota quota, DataShares shares) {
        this.quota = quota;
        this.shares = shares;
        this.requests = new AdminRequests(quota);
    }

    /**
     * The request as this API needs it: method, decoded path, body, a header, whether an admin key
     * let it in (device routes then need no device token), and who sent it (base stations act only
     * through a key bound to them).
     */
    record Call(String method, String[] path, Supplier<JsonBody> body, Function<String, String> header, boolean admin,
                Caller caller) {}

    Answer route(Call call) {
        try {
            return switch (call.path()[2]) {
                case "sims" -> sims(call);
                case "base-stations" -> baseStations(call);
                case "devices" -> devices(call);
                case "shares" -> shares(call);
                default -> throw notFound(call);
            };
        } catch (DirectoryFull full) {
            throw new ApiError(503, "busy", null, full.getMessage());
        } catch (LedgerUnavailable unavailable) {
            throw new ApiError(503, unavailable.busy() ? "busy" : "stopped", null, unavailable.getMessage());
        }
    }

    // ---- administration

    private Answer sims(Call call) {
        String[] path = call.path();
        if (path.length == 3) {
            requireMethod(call, "POST");
            JsonBody body = call.body().get();
            return requests.once(call.method(), path, body, call.header(), () -> createSim(body));
        }
        if (path.length == 5 && path[4].equals("binding")) {
            requireMethod(call, "DELETE");
            JsonBody body = call.body().get();
            return requests.once(call.method(), path, body, call.header(), () -> {
                body.rejectUnknownFields();
                if (!quota.unbind(path[3])) {
                    return new Answer.Failed(Problem.of(unknownSim(path[3])));
                }
                return new Answer.Json(200, Map.of("simId", path[3], "bound", false));
            });
        }
        if (path.length == 5 && path[4].equals("move")) {
            requireMethod(call, "POST");
            JsonBody body = call.body().get();
            return requests.once(call.method(), path, body, call.header(), () -> moveSim(call, path[3], body));
        }
        throw notFound(call);
    }

    /**
     * {@code POST /v1/sims}: a new SIM, or the same answer for exactly the same SIM (a retry); a SIM
     * that exists otherwise is 409, never silently re-assigned (that is {@code /move}).
     */
    private Answer createSim(JsonBody body) {
        String simId = body.requiredString("simId");
        String accountId = body.requiredString("accountId");
        String secret = body.requiredString("secret");
        body.rejectUnknownFields();
        return switch (quota.provisionSim(simId, accountId, secret)) {
            case SimProvisioning.Created created -> new Answer.Json(201, Map.of("simId", simId, "accountId", accountId));
            case SimProvisioning.Exists exists -> new Answer.Failed(new Problem(409, "sim-exists", "SIM exists",
                    "SIM '" + simId + "' exists" + (exists.accountId().equals(accountId) ? " with another secret"
                            : " on account '" + exists.accountId() + "'") + "; creating it again changes nothing: "
                            + "POST /v1/sims/" + simId + "/move gives it to another account", "simId", Map.of()));
            case SimProvisioning.UnknownAccount unknown -> new Answer.Failed(new Problem(404, "unknown-account",
                    "Unknown account", "account '" + accountId + "' does not exist", "accountId", Map.of()));
            case SimProvisioning.Invalid invalid -> throw new ApiError(invalid.field(), invalid.detail());
        };
    }

    /**
     * {@code POST /v1/sims/{simId}/move {accountId}}: the SIM, its secret and its device binding go
     * to another account; its report numbering continues there, so no report is charged twice.
     */
    private Answer moveSim(Call call, String simId, JsonBody body) {
        String accountId = body.requiredAccountId("accountId");
        body.rejectUnknownFields();
        String by = call.caller().keyName() == null ? "(no API keys)" : call.caller().keyName();
        String requestId = body.has("requestId") ? body.optionalString("requestId") : call.header().apply("Idempotency-Key");
        return switch (quota.move(simId, accountId, by, requestId)) {
            case SimMoveAnswer.Moved moved -> {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("simId", simId);
                out.put("fromAccountId", moved.fromAccountId());
                out.put("accountId", moved.accountId());
                out.put("moved", moved.moved());
                out.put("deviceId", moved.deviceId());
                out.put("lastReportSeq", moved.lastReportSeq());
                out.put("reportedBytes", moved.reportedBytes());
                yield new Answer.Json(200, out);
            }
            case SimMoveAnswer.UnknownSim unknown -> new Answer.Failed(Problem.of(unknownSim(simId)));
            case SimMoveAnswer.UnknownAccount unknown -> new Answer.Failed(new Problem(404, "unknown-account",
                    "Unknown account", "account '" + accountId + "' does not exist", "accountId", Map.of()));
            case SimMoveAnswer.Refused refused -> new Answer.Failed(Problem.of(refused.rejection()));
        };
    }

    private Answer baseStations(Call call) {
        if (call.path().length != 3) {
            throw notFound(call);
        }
        requireMethod(call, "POST");
        JsonBody body = call.body().get();
        return requests.once(call.method(), call.path(), body, call.header(), () -> {
            String id = body.requiredString("baseStationId");
            String secret = body.requiredString("secret");
            body.rejectUnknownFields();
            String problem = quota.provisionBaseStation(id, secret);
            if (problem != null) {
                int colon = problem.indexOf(':');
                throw new ApiError(problem.substring(0, colon), problem.substring(colon + 1).strip());
            }
            return new Answer.Json(201, Map.of("baseStationId", id));
        });
    }

    // ---- devices

    private Answer devices(Call call) {
        String[] path = call.path();
        String route = path.length == 4 ? "" : path.length == 5 ? path[4]
                : path.length == 7 && path[4].equals("shares") && path[6].equals("cancel") ? "shares/cancel" : "?";
        String allowed = switch (route) {
            case "", "packages" -> "GET";
            case "register", "grants", "reports", "shares/cancel" -> "POST";
            case "share-rules" -> "GET, PUT";
            default -> throw notFound(call);
        };
        if (!List.of(allowed.split(", ")).contains(call.method())) {
            throw new ApiError(405, "method-not-allowed", null, "allowed: " + allowed);
        }
        String simId = path[3];
        if (route.equals("register")) {
            return register(simId, call.body().get());
        }
        if (route.equals("shares/cancel")) {
            String token = call.header().apply(DEVICE_TOKEN_HEADER);
            return switch (shares.cancel(path[5], simId, token == null ? "" : token)) {
                case ShareAnswers.CutOff cut -> new Answer.Json(200, shareView(cut.share()));
                case ShareAnswers.UnknownShare unknown -> throw unknownShare(unknown.shareId());
                case ShareAnswers.NotAParty notParty -> throw new ApiError(403, "not-a-party", "simId",
                        "SIM '" + simId + "' is neither the borrower nor the supplier of share " + notParty.shareId());
            };
        }
        if (!call.admin() && (route.equals("grants") || route.equals("reports"))) {
            // the device's own call: its token is checked by the engine in the command itself
            String token = call.header().apply(DEVICE_TOKEN_HEADER);
            return route.equals("grants")
                    ? grant(simId, call.body().get(), bytes -> quota.grant(simId, token, bytes))
                    : report(simId, call.body().get(), reports -> quota.reportAll(simId, token, reports));
        }
        DeviceSim sim = authenticated(call, simId);
        return switch (route) {
            case "" -> {
                Map<String, Object> view = deviceView(sim);
                if (call.admin()) {
                    // the audit trail of moves between accounts, for support staff only
                    view.put("moves", quota.moves(simId).stream().map(m -> {
                        Map<String, Object> move = new LinkedHashMap<>();
                        move.put("at", Instant.ofEpochMilli(m.atMillis()).toString());
                        move.put("fromAccountId", m.fromAccount());
                        move.put("accountId", m.toAccount());
                        move.put("lastReportSeq", m.lastReportSeq());
                        move.put("byKey", m.byKey());
                        move.put("requestId", m.requestId());
                        return move;
                    }).toList());
                }
                yield new Answer.Json(200, view);
            }
            case "packages" -> new Answer.Json(200, packages(quota.packages(sim)));
            case "grants" -> grant(simId, call.body().get(), bytes -> quota.grant(sim, bytes));
            case "reports" -> report(simId, call.body().get(), reports -> quota.reportAll(sim, reports));
            case "share-rules" -> {
                if (call.method().equals("GET")) {
                    yield new Answer.Json(200, rulesView(simId, shares.rules(simId)));
                }
                ShareRules rules = rules(call.body().get());
                shares.putRules(simId, rules);
                yield new Answer.Json(200, rulesView(simId, rules));
            }
            default -> throw new IllegalStateException("route " + route + " was checked above");
        };
    }

    private Answer register(String simId, JsonBody body) {
        String deviceId = body.requiredString("deviceId");
        String secret = body.requiredString("simSecret");
        body.rejectUnknownFields();
        if (deviceId.isEmpty() || deviceId.length() > 64) {
            throw new ApiError("deviceId", "must be 1..64 characters");
        }
        return switch (quota.register(simId, deviceId, secret)) {
            case Registration.Registered r -> {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("simId", r.simId());
                out.put("deviceId", r.deviceId());
                out.put("accountId", r.accountId());
                out.put("token", r.token());
                out.put("lastReportSeq", r.lastReportSeq());
                out.put("reportedBytes", r.reportedBytes());
                yield new Answer.Json(200, out);
            }
            case Registration.BadCredentials bad -> throw new ApiError(401, "sim-credentials", "simSecret",
                    "SIM '" + simId + "' is unknown or the secret is wrong");
            case Registration.BoundElsewhere bound -> throw new ApiError(409, "sim-bound-elsewhere", "deviceId",
                    "SIM '" + simId + "' is bound to device '" + bound.deviceId() + "'; an admin must unbind it first");
        };
    }

    private DeviceSim authenticated(Call call, String simId) {
        if (call.admin()) {
            return quota.adminView(simId).orElseThrow(() -> unknownSim(simId));
        }
        String token = call.header().apply(DEVICE_TOKEN_HEADER);
        return quota.authenticate(simId, token).orElseThrow(() -> notAuthenticated(simId));
    }

    private static ApiError notAuthenticated(String simId) {
        return new ApiError(401, "device-token", DEVICE_TOKEN_HEADER,
                "SIM '" + simId + "' is not registered to a device with this token; register first");
    }

    private Answer grant(String simId, JsonBody body, java.util.function.LongFunction<GrantAnswer> ask) {
        long bytes = body.optionalLong("bytes", 1, REPORT_BYTES_MAX, 0);
        body.rejectUnknownFields();
        return switch (ask.apply(bytes)) {
            case GrantAnswer.Granted granted -> new Answer.Json(200, grantView(granted.grant()));
            case GrantAnswer.Exhausted exhausted -> throw new ApiError(403, "quota-exhausted", null,
                    "SIM '" + simId + "' has no data left (" + exhausted.availableBytes() + " bytes available)");
            case GrantAnswer.Refused refused -> new Answer.Failed(Problem.of(refused.rejection()));
            case GrantAnswer.NotAuthenticated n -> throw notAuthenticated(simId);
        };
    }

    /**
     * One report ({@code seq, bytes, final}), or a batch of them ({@code reports: [...]}, numbered
     * in order, at most {@link #REPORTS_PER_REQUEST_MAX}): an agent back from being offline sends
     * what it kept in one request, counted and charged together as one engine command.
     */
    private Answer report(String simId, JsonBody body,
                          Function<List<DeviceAnswers.Report>, List<ReportAnswer>> send) {
        if (body.has("reports")) {
            List<JsonBody> items = body.requiredObjects("reports", 1, REPORTS_PER_REQUEST_MAX);
            body.rejectUnknownFields();
            List<DeviceAnswers.Report> reports = new ArrayList<>(items.size());
            long previous = 0;
            for (int i = 0; i < items.size(); i++) {
                DeviceAnswers.Report r = reportOf(items.get(i));
                if (r.seq() <= previous) {
                    throw new ApiError("reports[" + i + "].seq", "must follow the one before (" + previous + "), was "
                            + r.seq());
                }
                previous = r.seq();
                reports.add(r);
            }
            List<Map<String, Object>> results = new ArrayList<>(reports.size());
            for (ReportAnswer answer : send.apply(reports)) {
                switch (answer) {
                    case ReportAnswer.Reported r -> results.add(reported(r));
                    case ReportAnswer.Refused refused -> {
                        return new Answer.Failed(Problem.of(refused.rejection()));
                    }
                    case ReportAnswer.NotAuthenticated n -> throw notAuthenticated(simId);
                }
            }
            return new Answer.Json(200, Map.of("reports", results));
        }
        DeviceAnswers.Report r = reportOf(body);
        return switch (send.apply(List.of(r)).getFirst()) {
            case ReportAnswer.Reported reported -> new Answer.Json(200, reported(reported));
            case ReportAnswer.Refused refused -> new Answer.Failed(Problem.of(refused.rejection()));
            case ReportAnswer.NotAuthenticated n -> throw notAuthenticated(simId);
        };
    }

    private static DeviceAnswers.Report reportOf(JsonBody body) {
        long seq = body.requiredLong("seq", 1, Long.MAX_VALUE);
        long bytes = body.requiredLong("bytes", 0, REPORT_BYTES_MAX);
        boolean last = body.optionalBoolean("final", false);
        body.rejectUnknownFields();
        return new DeviceAnswers.Report(seq, bytes, last);
    }

    private Map<String, Object> reported(ReportAnswer.Reported r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("seq", r.seq());
        out.put("duplicate", r.duplicate());
        out.put("reportedBytes", r.reportedBytes());
        out.put("returnedBytes", r.returnedBytes());
        out.put("grant", r.grant() == null ? null : grantView(r.grant()));
        return out;
    }

    private Map<String, Object> deviceView(DeviceSim sim) {
        SequenceView totals = quota.reported(sim);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("simId", sim.simId());
        out.put("accountId", sim.accountId());
        out.put("deviceId", sim.deviceId());
        out.put("lastReportSeq", totals.lastSeq());
        out.put("reportedBytes", totals.total());
        out.put("grant", quota.openGrant(sim).map(DeviceApi::grantView).orElse(null));
        return out;
    }

    private static Map<String, Object> grantView(DeviceQuota.Grant grant) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("grantId", grant.grantId());
        out.put("bytes", grant.bytes());
        out.put("expiresAt", Instant.ofEpochMilli(grant.expiresAtMillis()).toString());
        return out;
    }

    private static Map<String, Object> packages(DeviceQuota.Packages packages) {
        List<Map<String, Object>> items = new ArrayList<>();
        for (BucketView b : packages.buckets()) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("bucketId", b.bucketId());
            item.put("unit", b.unit().name());
            item.put("amount", b.amount());
            item.put("available", b.available());
            item.put("main", b.main());
            item.put("validUntil", b.validUntilMillis() == Long.MAX_VALUE ? null
                    : Instant.ofEpochMilli(b.validUntilMillis()).toString());
            items.add(item);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("availableBytes", packages.availableBytes());
        out.put("packages", items);
        return out;
    }

    private static ShareRules rules(JsonBody body) {
        Long maxPerDay = body.has("maxBytesPerDay") ? body.requiredLong("maxBytesPerDay", 1, REPORT_BYTES_MAX) : null;
        Set<String> allowed = null;
        if (body.has("allowedBorrowers")) {
            List<String> listed = body.optionalStringList("allowedBorrowers", ShareRules.ALLOWED_BORROWERS_MAX);
            allowed = listed == null ? null : new HashSet<>(listed);
        }
        long price = body.optionalLong("priceMinorPerMb", 0, ShareRules.PRICE_MINOR_PER_MB_MAX, 0);
        body.rejectUnknownFields();
        try {
            return new ShareRules(maxPerDay, allowed, price);
        } catch (IllegalArgumentException e) {
            throw new ApiError("allowedBorrowers", e.getMessage());
        }
    }

    private static Map<String, Object> rulesView(String simId, ShareRules rules) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("simId", simId);
        out.put("maxBytesPerDay", rules.maxBytesPerDay());
        out.put("allowedBorrowers", rules.allowedBorrowers() == null ? null : rules.allowedBorrowers().stream().sorted().toList());
        out.put("priceMinorPerMb", rules.priceMinorPerMb());
        return out;
    }

    // ---- base stations

    private Answer shares(Call call) {
        String[] path = call.path();
        String allowed = path.length == 3 || path.length == 5 && path[4].equals("usage") ? "POST"
                : path.length == 4 ? "GET" : null;
        if (allowed == null) {
            throw notFound(call);
        }
        requireMethod(call, allowed);
        String baseStationId = call.header().apply(BASE_STATION_ID_HEADER);
        String secret = call.header().apply(BASE_STATION_SECRET_HEADER);
        if (baseStationId == null || baseStationId.length() > TEXT_MAX) {
            throw new ApiError(400, "invalid-field", BASE_STATION_ID_HEADER, "the base station names itself in this header");
        }
        // the secret proves the base station; the key must be the one issued to it as well, so a
        // key of one network function cannot open or meter shares as another's base station
        call.caller().actFor(ApiKeys.Principal.Kind.BASE_STATION, baseStationId, BASE_STATION_ID_HEADER);
        if (path.length == 3) {
            return open(baseStationId, secret, call.body().get());
        }
        if (!shares.baseStationKnown(baseStationId, secret)) {
            throw new ApiError(401, "base-station-credentials", BASE_STATION_SECRET_HEADER,
                    "base station '" + baseStationId + "' is unknown or its secret is wrong");
        }
        String shareId = path[3];
        if (path.length == 4) {
            DataShare share = shares.share(shareId).filter(s -> s.baseStationId().equals(baseStationId))
                    .orElseThrow(() -> unknownShare(shareId));
            return new Answer.Json(200, shareView(share));
        }
        JsonBody body = call.body().get();
        long total = body.requiredLong("totalBytes", 0, REPORT_BYTES_MAX);
        boolean last = body.optionalBoolean("final", false);
        body.rejectUnknownFields();
        return switch (shares.meter(baseStationId, shareId, total, last)) {
            case ShareAnswers.Metered metered -> {
                Map<String, Object> out = shareView(metered.share());
                // served past the limit: not settled, so not charged to the supplier nor paid for
                out.put("overLimitBytes", metered.overLimitBytes());
                yield new Answer.Json(200, out);
            }
            case ShareAnswers.Ended ended -> last && ended.share().status() == DataShare.Status.SETTLED
                    && ended.share().usedBytes() == Math.min(total, ended.share().limitBytes())
                    // a repeated final report: the first answer again
                    ? new Answer.Json(200, shareView(ended.share()))
                    : new Answer.Failed(new Problem(409, "share-ended", "Share ended", "share " + shareId + " is "
                    + ended.share().status() + "; it settled " + ended.share().usedBytes() + " bytes", null,
                    Map.of("share", shareView(ended.share()))));
            case ShareAnswers.UnknownShare unknown -> throw unknownShare(unknown.shareId());
            case ShareAnswers.NotYours notYours -> throw unknownShare(notYours.shareId());
            case ShareAnswers.BadTotal bad -> throw new ApiError(422, "invalid-field", "totalBytes", bad.detail());
        };
    }

    private Answer open(String baseStationId, String secret, JsonBody body) {
        String requestId = body.requiredString("requestId");
        JsonBody borrower = body.requiredObject("borrower");
        String borrowerSim = borrower.requiredString("simId");
        String borrowerToken = borrower.requiredString("token");
        borrower.rejectUnknownFields();
        JsonBody supplier = body.requiredObject("supplier");
        String supplierSim = supplier.requiredString("simId");
        String supplierToken = supplier.requiredString("token");
        supplier.rejectUnknownFields();
        long bytes = body.requiredLong("bytes", 1, REPORT_BYTES_MAX);
        body.rejectUnknownFields();
        if (requestId.isEmpty() || requestId.length() > 64 || !requestId.matches("[A-Za-z0-9._-]+")) {
            throw new ApiError("requestId", "must be 1..64 letters, digits and - _ .");
        }
        if (io.credence.ledger.Ids.pathSegmentProblem(requestId) != null) {
            throw new ApiError("requestId", io.credence.ledger.Ids.pathSegmentProblem(requestId));
        }
        return switch (shares.open(baseStationId, secret, requestId, borrowerSim, borrowerToken, supplierSim,
                supplierToken, bytes)) {
            case ShareAnswers.Opened opened -> new Answer.Json(opened.again() ? 200 : 201, shareView(opened.share()));
            case ShareAnswers.Refused refused when refused.reason() == ShareAnswers.Refusal.SHARES_FULL ->
                    throw new ApiError(503, "busy", null, refused.detail());
            case ShareAnswers.Refused refused -> new Answer.Failed(new Problem(403, "share-refused", "Share refused",
                    refused.detail(), null, Map.of("reason", refused.reason().apiName())));
        };
    }

    private static Map<String, Object> shareView(DataShare share) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("shareId", share.id());
        out.put("status", share.status().name());
        out.put("baseStationId", share.baseStationId());
        out.put("supplierSim", share.supplierSim());
        out.put("borrowerSim", share.borrowerSim());
        out.put("limitBytes", share.limitBytes());
        out.put("usedBytes", share.usedBytes());
        out.put("remainingBytes", share.limitBytes() - share.usedBytes());
        out.put("priceMinorPerMb", share.priceMinorPerMb());
        out.put("feePaid", share.feePaid());
        out.put("cutOff", share.cutOff());
        out.put("endedBy", share.endedBy());
        return out;
    }

    private static ApiError unknownSim(String simId) {
        return new ApiError(404, "unknown-sim", "simId", "no SIM '" + simId + "'");
    }

    private static ApiError unknownShare(String shareId) {
        return new ApiError(404, "unknown-share", "shareId", "no share '" + shareId + "' of this base station");
    }

    private static void requireMethod(Call call, String allowed) {
        if (!call.method().equals(allowed)) {
            throw new ApiError(405, "method-not-allowed", null, "allowed: " + allowed);
        }
    }

    private static ApiError notFound(Call call) {
        return new ApiError(404, "not-found", null, "no resource at /" + String.join("/", call.path()).substring(1));
    }
}
