package io.credence.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.credence.devices.DataShares;
import io.credence.devices.DeviceQuota;
import io.credence.journal.DurableEngine;
import io.credence.market.log.MerkleLog;
import io.credence.market.trade.Marketplace;
import io.credence.journal.Submission;
import io.credence.ledger.LedgerView;
import io.credence.ledger.AccountKind;
import io.credence.ledger.AccountStatus;
import io.credence.ledger.AccountView;
import io.credence.ledger.BucketSpec;
import io.credence.ledger.Command;
import io.credence.ledger.IdentityType;
import io.credence.ledger.Ids;
import io.credence.ledger.Ledger;
import io.credence.ledger.Operation;
import io.credence.ledger.Outcome;
import io.credence.ledger.Rejection;
import io.credence.ledger.ServiceFilter;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.SubscriberIdentity;
import io.credence.ledger.TransferKind;
import io.credence.ledger.TransferRecord;
import io.credence.ledger.Unit;
import io.credence.rating.ProductPackage;
import io.credence.records.UsageSink;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The provisioning API, {@code /v1}: accounts, buckets, top-ups, transfers, reservations and
 * subscriber identities as JSON over HTTP. Each mutating request becomes one ledger command; its
 * request id comes from the body's {@code requestId} or the {@code Idempotency-Key} header, so a
 * client that retries gets the first answer. Errors are {@code application/problem+json} naming
 * the field.
 */
public final class ProvisioningApi extends Handler.Abstract {
    /** Largest request body accepted; larger ones get 413 before parsing. */
    public static final int BODY_BYTES_MAX = 64 * 1024;
    public static final int TRANSFERS_PAGE_MAX = 1000;
    private static final long ANSWER_TIMEOUT_SECONDS = 30;
    private static final long AMOUNT_MAX = Long.MAX_VALUE;

    private record Reply(int status, String contentType, Object body, Map<String, String> headers) {
        static Reply json(int status, Object body) {
            return new Reply(status, "application/json", body, Map.of());
        }

        static Reply problem(Problem problem) {
            Map<String, String> headers = problem.status() == 503 ? Map.of("Retry-After", "1") : Map.of();
            return new Reply(problem.status(), Problem.CONTENT_TYPE, problem.body(), headers);
        }
    }

    public static final int SESSIONS_PAGE_MAX = 1000;
    public static final int RECORDS_PAGE_DEFAULT = 100;
    private static final int REASON_LENGTH_MAX = 256;
    private static final int QUERY_TEXT_LENGTH_MAX = 256;

    private final DurableEngine ledger;
    private final String currency;
    private final LiveSessions sessions;
    private final CatalogControl catalog;
    private final AdmissionApi admissions;
    private final DeviceApi devices;
    private final MarketApi market;
    private final UsageRecords records;

    public ProvisioningApi(DurableEngine ledger, String currency) {
        this(ledger, currency, LiveSessions.NONE, CatalogControl.NONE);
    }

    public ProvisioningApi(DurableEngine ledger, String currency, LiveSessions sessions, CatalogControl catalog) {
        this(ledger, currency, sessions, catalog, Admissions.NONE);
    }

    public ProvisioningApi(DurableEngine ledger, String currency, LiveSessions sessions, CatalogControl catalog,
                           Admissions admissions) {
        this(ledger, currency, sessions, catalog, admissions, UsageSink.NONE);
    }

    /** @param usage where billed admissions' usage records go when they are released */
    public ProvisioningApi(DurableEngine ledger, String currency, LiveSessions sessions, CatalogControl catalog,
                           Admissions admissions, UsageSink usage) {
        this(ledger, currency, sessions, catalog, admissions, usage, UsageRecords.NONE);
    }

    /** @param records the usage records {@code GET /v1/records} reads */
    public ProvisioningApi(DurableEngine ledger, String currency, LiveSessions sessions, CatalogControl catalog,
                           Admissions admissions, UsageSink usage, UsageRecords records) {
        this(ledger, currency, sessions, catalog, admissions, usage, records, null, null);
    }

    /** @param quota cloud-SIM devices and @param shares data shares; both null when the server runs without them */
    public ProvisioningApi(DurableEngine ledger, String currency, LiveSessions sessions, CatalogControl catalog,
                           Admissions admissions, UsageSink usage, UsageRecords records, DeviceQuota quota,
                           DataShares shares) {
        this(ledger, currency, sessions, catalog, admissions, usage, records, quota, shares, null, null);
    }

    /** @param market the relay marketplace on @param marketLog, its contract log; both null without a market */
    public ProvisioningApi(DurableEngine ledger, String currency, LiveSessions sessions, CatalogControl catalog,
                           Admissions admissions, UsageSink usage, UsageRecords records, DeviceQuota quota,
                           DataShares shares, Marketplace market, MerkleLog marketLog) {
        this.devices = quota == null ? null : new DeviceApi(quota, shares);
        this.market = market == null ? null : new MarketApi(market, quota,
                accountId -> await(ledger.query(l -> l.account(accountId))), new MarketLogApi(marketLog));
        this.ledger = ledger;
        this.records = records;
        this.currency = currency;
        this.sessions = sessions;
        this.catalog = catalog;
        this.admissions = new AdmissionApi(admissions);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        Reply reply;
        try {
            reply = route(request);
        } catch (ApiError error) {
            reply = Reply.problem(Problem.of(error));
        }
        if (request.getLength() <= BODY_BYTES_MAX) {
            RequestBodies.drained(request); // what a route left unread (a 404, a 405), so HTTP/2 streams end cleanly
        }
        send(response, callback, reply);
        return true;
    }

    private Reply route(Request request) {
        String method = request.getMethod();
        String[] path = pathSegments(request);
        // path[0] is the empty string before the leading slash
        if (path.length == 2 && path[1].equals("health")) {
            return only(method, "GET", () -> health());
        }
        if (path.length < 3 || !path[1].equals("v1")) {
            throw notFound(request);
        }
        return switch (path[2]) {
            case "accounts" -> routeAccounts(request, method, path);
            case "reservations" -> routeReservations(request, method, path);
            case "identities" -> routeIdentities(request, method, path);
            case "sessions" -> routeSessions(request, method, path);
            case "catalog" -> routeCatalog(request, method, path);
            case "admissions" -> switch (admissions.route(method, path, () -> body(request))) {
                case Answer.Json json -> Reply.json(json.status(), json.body());
                case Answer.Failed failed -> Reply.problem(failed.problem());
            };
            case "devices", "sims", "base-stations", "shares" -> {
                if (devices == null) {
                    throw new ApiError(404, "devices-not-configured", null, "the server runs without device support");
                }
                // without API keys (loopback only) every caller is trusted like an admin, except one
                // that presents a device token: that token is still checked
                Caller caller = Caller.of(request);
                boolean admin = caller.role() == Role.ADMIN
                        || caller.role() == null && request.getHeaders().get(DeviceApi.DEVICE_TOKEN_HEADER) == null;
                DeviceApi.Call call = new DeviceApi.Call(method, path, () -> body(request),
                        name -> request.getHeaders().get(name), admin, caller);
                yield switch (devices.route(call)) {
                    case Answer.Json json -> Reply.json(json.status(), json.body());
                    case Answer.Failed failed -> Reply.problem(failed.problem());
                };
            }
            case "market" -> {
                if (market == null) {
                    throw new ApiError(404, "market-not-configured", null, "the server runs without the relay market");
                }
                Fields query = Request.extractQueryParameters(request);
                Object out = market.route(method, path, () -> body(request), name -> request.getHeaders().get(name),
                        (name, fallback) -> queryLong(query, name, 0, Long.MAX_VALUE, fallback), query::getValue,
                        Caller.of(request));
                yield switch (out) {
                    case Answer.Json json -> Reply.json(json.status(), json.body());
                    case Answer.Failed failed -> Reply.problem(failed.problem());
                    case byte[] raw -> new Reply(200, "application/octet-stream", raw, Map.of());
                    default -> Reply.json(200, out);
                };
            }
            case "transfers" -> {
                if (path.length != 3) {
                    throw notFound(request);
                }
                yield only(method, "POST", () -> transfer(body(request), request));
            }
            case "ledger" -> {
                if (path.length != 3) {
                    throw notFound(request);
                }
                yield only(method, "GET", this::ledgerInfo);
            }
            case "records" -> {
                if (path.length != 3) {
                    throw notFound(request);
                }
                yield only(method, "GET", () -> listRecords(request));
            }
            default -> throw notFound(request);
        };
    }

    private Reply routeAccounts(Request request, String method, String[] path) {
        if (path.length == 3) {
            return only(method, "POST", () -> createAccount(body(request), request));
        }
        String accountId = pathAccountId(path[3]);
        if (path.length == 4) {
            return switch (method) {
                case "GET" -> showAccount(accountId);
                case "PATCH" -> updateAccount(accountId, body(request), request);
                default -> throw methodNotAllowed("GET, PATCH");
            };
        }
        if (path.length != 5) {
            throw notFound(request);
        }
        return switch (path[4]) {
            case "balances" -> only(method, "GET", () -> showAccount(accountId));
            case "topups" -> only(method, "POST", () -> topUp(accountId, body(request), request, false));
            case "buckets" -> only(method, "POST", () -> topUp(accountId, body(request), request, true));
            case "transfers" -> only(method, "GET", () -> listTransfers(accountId, request));
            case "identities" -> only(method, "POST", () -> bindIdentity(accountId, body(request), request));
            case "refunds" -> only(method, "POST", () -> refund(accountId, body(request), request));
            case "packages" -> only(method, "POST", () -> buyPackage(accountId, body(request), request));
            default -> throw notFound(request);
        };
    }

    private Reply routeReservations(Request request, String method, String[] path) {
        if (path.length == 3) {
            return only(method, "POST", () -> reserve(body(request), request));
        }
        long reservationId = pathReservationId(path[3]);
        if (path.length == 4) {
            return only(method, "GET", () -> showReservation(reservationId));
        }
        if (path.length != 5) {
            throw notFound(request);
        }
        return switch (path[4]) {
            case "commit" -> only(method, "POST", () -> commit(reservationId, body(request), request));
            case "release" -> only(method, "POST", () -> release(reservationId, body(request), request));
            default -> throw notFound(request);
        };
    }

    /**
     * {@code /v1/sessions[/{sessionId}[/reauth|/abort]]}: live credit-control sessions. A Session-Id
     * holds ';' and other reserved characters, so it is percent-encoded as one path segment.
     */
    private Reply routeSessions(Request request, String method, String[] path) {
        if (path.length == 3) {
            return only(method, "GET", () -> {
                int limit = (int) queryLong(Request.extractQueryParameters(request), "limit", 1, SESSIONS_PAGE_MAX, 100);
                return Reply.json(200, Map.of("sessions", sessions.list(limit)));
            });
        }
        String sessionId = path[3];
        if (sessionId.isEmpty() || sessionId.length() > 256) {
            throw new ApiError("sessionId", "must be 1..256 characters");
        }
        if (path.length == 4) {
            return only(method, "GET", () -> sessions.find(sessionId).map(view -> Reply.json(200, view))
                    .orElseThrow(() -> unknownSession(sessionId)));
        }
        if (path.length != 5) {
            throw notFound(request);
        }
        return switch (path[4]) {
            case "reauth" -> only(method, "POST", () -> serverInitiated(sessionId, sessions.reAuthorize(sessionId)));
            case "abort" -> only(method, "POST", () -> serverInitiated(sessionId, sessions.abort(sessionId)));
            default -> throw notFound(request);
        };
    }

    /**
     * {@code GET /v1/catalog}, {@code POST /v1/catalog/reload}, {@code POST /v1/catalog/quote},
     * {@code GET /v1/catalog/packages}, {@code GET /v1/catalog/tariffs}, {@code GET /v1/catalog/rules}.
     */
    private Reply routeCatalog(Request request, String method, String[] path) {
        if (path.length == 3) {
            return only(method, "GET", () -> catalog.current().map(c -> Reply.json(200, c)).orElseThrow(
                    () -> new ApiError(404, "no-catalog", null, "the server runs without a catalog (serve --catalog FILE)")));
        }
        if (path.length == 4 && path[3].equals("quote")) {
            return only(method, "POST", () -> Reply.json(200, RatingQuote.quote(catalog.engine().orElseThrow(
                    () -> new ApiError(404, "no-catalog", null, "the server runs without a catalog (serve --catalog FILE)")),
                    body(request), System.currentTimeMillis())));
        }
        if (path.length == 4 && path[3].equals("packages")) {
            return only(method, "GET", () -> Reply.json(200, Packages.list(catalogInForce().catalog())));
        }
        if (path.length == 4 && path[3].equals("tariffs")) {
            return only(method, "GET", () -> Reply.json(200, CatalogViews.tariffs(catalogInForce().catalog())));
        }
        if (path.length == 4 && path[3].equals("rules")) {
            return only(method, "GET", () -> Reply.json(200, CatalogViews.rules(catalogInForce().catalog())));
        }
        if (path.length == 4 && path[3].equals("reload")) {
            return only(method, "POST", () -> switch (catalog.reload()) {
                case CatalogControl.Reload.Loaded loaded -> Reply.json(200, loaded.catalog());
                case CatalogControl.Reload.Refused refused ->
                        throw new ApiError(422, "catalog-refused", "catalog", refused.reason());
            });
        }
        throw notFound(request);
    }

    private io.credence.rating.RatingEngine catalogInForce() {
        return catalog.engine().orElseThrow(
                () -> new ApiError(404, "no-catalog", null, "the server runs without a catalog (serve --catalog FILE)"));
    }

    private static ApiError unknownSession(String sessionId) {
        return new ApiError(404, "unknown-session", "sessionId", "no open session '" + sessionId + "'");
    }

    /** RAR/ASR: the client's Result-Code, 404 for an unknown session, 502 when its peer cannot be reached. */
    private Reply serverInitiated(String sessionId, CompletableFuture<Long> answer) {
        try {
            long resultCode = answer.get(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return Reply.json(200, Map.of("sessionId", sessionId, "resultCode", resultCode));
        } catch (ExecutionException failed) {
            if (failed.getCause() instanceof IllegalArgumentException) {
                throw unknownSession(sessionId);
            }
            throw new ApiError(502, "peer-unreachable", "sessionId", "the session's client did not answer: "
                    + failed.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new ApiError(502, "peer-unreachable", "sessionId", "the session's client did not answer in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "busy", null, "interrupted");
        }
    }

    /** {@code /v1/identities/{type}/{value}}, the value percent-encoded as any path segment. */
    private Reply routeIdentities(Request request, String method, String[] path) {
        if (path.length != 5) {
            throw notFound(request);
        }
        IdentityType type = Enums.parse("type", path[3], IdentityType.class);
        String value = path[4];
        String problem = type.valueProblem(value);
        if (problem != null) {
            throw new ApiError("value", "path segment " + problem);
        }
        return switch (method) {
            case "GET" -> showIdentity(type, value);
            case "DELETE" -> unbindIdentity(type, value, body(request), request);
            default -> throw methodNotAllowed("GET, DELETE");
        };
    }

    // ---------------------------------------------------------------- commands

    private Reply createAccount(JsonBody body, Request request) {
        String requestId = requestId(body, request);
        String accountId = body.requiredAccountId("accountId");
        AccountKind kind = body.requiredEnum("kind", AccountKind.class);
        Map<Unit, Long> limits = creditLimits(body);
        body.rejectUnknownFields();
        return command(requestId, new Operation.CreateAccount(accountId, kind, limits), 201);
    }

    private Reply updateAccount(String accountId, JsonBody body, Request request) {
        String requestId = requestId(body, request);
        AccountStatus status = body.optionalEnum("status", AccountStatus.class);
        Map<Unit, Long> limits = body.has("creditLimits") ? creditLimits(body) : null;
        body.rejectUnknownFields();
        if (status == null && limits == null) {
            throw new ApiError("status", "give status and/or creditLimits to change");
        }
        return command(requestId, new Operation.UpdateAccount(accountId, status, limits), 200);
    }

    private Reply topUp(String accountId, JsonBody body, Request request, boolean newBucket) {
        String requestId = requestId(body, request);
        Unit unit = body.requiredEnum("unit", Unit.class);
        long amount = body.requiredLong("amount", 1, AMOUNT_MAX);
        String source = body.optionalAccountId("source", Ids.SYSTEM_ACCOUNT);
        BucketSpec spec = newBucket ? bucketSpec(body) : null;
        body.rejectUnknownFields();
        Reply reply = command(requestId, new Operation.TopUp(source, accountId, unit, amount, spec), 201);
        if (reply.status() == 201) {
            sessions.credited(accountId); // sessions cut off for lack of credit may ask again now (RAR)
        }
        return reply;
    }

    private BucketSpec bucketSpec(JsonBody body) {
        long validFrom = body.optionalInstantMillis("validFrom", 0);
        long validUntil = body.optionalInstantMillis("validUntil", BucketSpec.FOREVER);
        if (validUntil <= validFrom) {
            throw new ApiError("validUntil", "must be after validFrom");
        }
        int priority = (int) body.optionalLong("priority", Integer.MIN_VALUE + 1, Integer.MAX_VALUE, 0);
        var ratingGroups = body.optionalUnsigned32Set("ratingGroups", ServiceFilter.ENTRIES_MAX);
        var serviceIds = body.optionalUnsigned32Set("serviceIds", ServiceFilter.ENTRIES_MAX);
        if (ratingGroups.size() + serviceIds.size() > ServiceFilter.ENTRIES_MAX) {
            throw new ApiError("ratingGroups", "ratingGroups and serviceIds together list at most "
                    + ServiceFilter.ENTRIES_MAX + " entries");
        }
        return new BucketSpec(validFrom, validUntil, priority, new ServiceFilter(ratingGroups, serviceIds));
    }

    private Reply transfer(JsonBody body, Request request) {
        String requestId = requestId(body, request);
        String from = body.requiredAccountId("from");
        String to = body.requiredAccountId("to");
        if (from.equals(to)) {
            throw new ApiError("to", "must differ from 'from'");
        }
        Unit unit = body.requiredEnum("unit", Unit.class);
        long amount = body.requiredLong("amount", 1, AMOUNT_MAX);
        ServiceRef service = service(body);
        body.rejectUnknownFields();
        return command(requestId, new Operation.Transfer(from, to, unit, amount, service), 201);
    }

    private Reply reserve(JsonBody body, Request request) {
        String requestId = requestId(body, request);
        String accountId = body.requiredAccountId("accountId");
        String counterparty = body.optionalAccountId("counterpartyId", Ids.SYSTEM_ACCOUNT);
        if (accountId.equals(counterparty)) {
            throw new ApiError("counterpartyId", "must differ from accountId");
        }
        Unit unit = body.requiredEnum("unit", Unit.class);
        long amount = body.requiredLong("amount", 1, AMOUNT_MAX);
        ServiceRef service = service(body);
        long ttlSeconds = body.requiredLong("ttlSeconds", 1, Long.MAX_VALUE / 1000);
        body.rejectUnknownFields();
        return command(requestId, new Operation.Reserve(accountId, counterparty, unit, amount, service,
                ttlSeconds * 1000), 201);
    }

    private Reply commit(long reservationId, JsonBody body, Request request) {
        String requestId = requestId(body, request);
        long amount = body.requiredLong("amount", 0, AMOUNT_MAX);
        boolean overdraft = body.optionalBoolean("overdraft", false);
        body.rejectUnknownFields();
        return command(requestId, new Operation.Commit(reservationId, amount, overdraft), 200);
    }

    private Reply release(long reservationId, JsonBody body, Request request) {
        String requestId = requestId(body, request);
        body.rejectUnknownFields();
        return command(requestId, new Operation.Release(reservationId), 200);
    }

    private Reply bindIdentity(String accountId, JsonBody body, Request request) {
        String requestId = requestId(body, request);
        IdentityType type = body.requiredEnum("type", IdentityType.class);
        String value = body.requiredString("value");
        String problem = type.valueProblem(value);
        if (problem == null) {
            // the identity is then addressed as /v1/identities/{type}/{value}; checked here, on
            // binding, not in the ledger, which replays identities bound before the rule
            problem = Ids.pathSegmentProblem(value);
        }
        if (problem != null) {
            throw new ApiError("value", problem);
        }
        body.rejectUnknownFields();
        return command(requestId, new Operation.BindIdentity(type, value, accountId), 201);
    }

    private Reply unbindIdentity(IdentityType type, String value, JsonBody body, Request request) {
        String requestId = requestId(body, request);
        body.rejectUnknownFields();
        return command(requestId, new Operation.UnbindIdentity(type, value), 200);
    }

    /**
     * Money or units back to a subscriber. The ledger has no refund kind of transfer, and its
     * command codec is not changed for one: from a SYSTEM account a refund is a top-up (ledger kind
     * TOP_UP), from any other account (the operator's) a transfer (kind TRANSFER). The reason is
     * kept in the answer only.
     */
    private Reply refund(String accountId, JsonBody body, Request request) {
        String requestId = requestId(body, request);
        Unit unit = body.requiredEnum("unit", Unit.class);
        long amount = body.requiredLong("amount", 1, AMOUNT_MAX);
        String reason = body.requiredString("reason");
        if (reason.isBlank() || reason.length() > REASON_LENGTH_MAX) {
            throw new ApiError("reason", "must be 1.." + REASON_LENGTH_MAX + " characters, not blank");
        }
        String source = body.optionalAccountId("source", Ids.SYSTEM_ACCOUNT);
        body.rejectUnknownFields();
        if (source.equals(accountId)) {
            throw new ApiError("source", "must differ from the account refunded");
        }
        AccountKind sourceKind = query(l -> l.account(source).map(AccountView::kind).orElse(null));
        if (sourceKind == null) {
            throw new ApiError(404, "unknown-account", "source", "account '" + source + "' does not exist");
        }
        Operation operation = sourceKind == AccountKind.SYSTEM
                ? new Operation.TopUp(source, accountId, unit, amount, null)
                : new Operation.Transfer(source, accountId, unit, amount, ServiceRef.ANY);
        Reply reply = command(requestId, operation, 201);
        if (reply.status() != 201) {
            return reply;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> answer = new LinkedHashMap<>((Map<String, Object>) reply.body());
        answer.put("accountId", accountId);
        answer.put("source", source);
        answer.put("unit", unit);
        answer.put("amount", amount);
        answer.put("reason", reason);
        answer.put("transferKind", sourceKind == AccountKind.SYSTEM ? TransferKind.TOP_UP : TransferKind.TRANSFER);
        sessions.credited(accountId);
        return Reply.json(201, answer);
    }

    /**
     * Buys a catalog package: the price and every bucket in one linked ledger command. Buckets run
     * from the time of the request, so a retry builds a command with other times; the ledger then
     * answers DuplicateRequest, and the first purchase's outcome is the answer when it has the
     * package's shape (as credit control does after a restart).
     */
    private Reply buyPackage(String accountId, JsonBody body, Request request) {
        String requestId = requestId(body, request);
        String name = body.requiredString("package");
        body.rejectUnknownFields();
        io.credence.rating.Catalog inForce = catalogInForce().catalog();
        ProductPackage product = inForce.packages().get(name);
        if (product == null) {
            throw new ApiError(404, "unknown-package", "package", "catalog " + inForce.version() + " has no package '"
                    + name + "'");
        }
        Operation.Linked purchase = Packages.purchase(product, accountId, System.currentTimeMillis());
        Outcome outcome = await(ledger.submit(new Command(requestId, purchase)));
        if (outcome instanceof Rejection.DuplicateRequest) {
            Outcome rejectedOrApplied = outcome;
            outcome = query(l -> {
                Outcome first = l.outcomeOf(requestId).orElse(rejectedOrApplied);
                boolean samePurchase = first instanceof Rejection.LinkedRejected rejected
                        && rejected.stepIndex() < Packages.stepCount(product)
                        || first instanceof Outcome.LinkedApplied applied && Packages.recordedAs(product, accountId,
                        requestId, applied, seq -> transferAt(l, accountId, seq));
                return samePurchase ? first : rejectedOrApplied;
            });
        }
        if (outcome instanceof Rejection rejection) {
            return Reply.problem(Problem.of(rejection));
        }
        if (!(outcome instanceof Outcome.LinkedApplied applied)) {
            throw new IllegalStateException("a linked command answered " + outcome);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("requestId", requestId);
        answer.put("accountId", accountId);
        answer.putAll(Packages.purchased(product, currency, applied));
        sessions.credited(accountId);
        return Reply.json(201, answer);
    }

    private static java.util.Optional<TransferRecord> transferAt(LedgerView ledger, String accountId, long seq) {
        return ledger.transfers(accountId, seq + 1, 1).flatMap(list -> list.stream().filter(t -> t.seq() == seq)
                .findFirst());
    }

    private Reply command(String requestId, Operation operation, int successStatus) {
        Outcome outcome = await(ledger.submit(new Command(requestId, operation)));
        if (outcome instanceof Rejection rejection) {
            return Reply.problem(Problem.of(rejection));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("requestId", requestId);
        body.putAll(Views.outcome(outcome));
        return Reply.json(successStatus, body);
    }

    // ---------------------------------------------------------------- queries

    private Reply showAccount(String accountId) {
        Map<String, Object> view = query(l -> l.account(accountId)
                .map(a -> Views.account(a, l.identitiesOf(accountId), currency, l.nowMillis())).orElse(null));
        if (view == null) {
            return Reply.problem(Problem.of(new Rejection.UnknownAccount(accountId)));
        }
        return Reply.json(200, view);
    }

    private Reply showIdentity(IdentityType type, String value) {
        String accountId = query(l -> l.accountForIdentity(type, value).orElse(null));
        if (accountId == null) {
            return Reply.problem(Problem.of(new Rejection.UnknownIdentity(type, value)));
        }
        return Reply.json(200, Views.identity(new SubscriberIdentity(type, value), accountId));
    }

    private Reply listTransfers(String accountId, Request request) {
        Fields query = Request.extractQueryParameters(request);
        int limit = (int) queryLong(query, "limit", 1, TRANSFERS_PAGE_MAX, 100);
        long before = queryLong(query, "before", 1, Long.MAX_VALUE, 0);
        Map<String, Object> page = query(l -> l.transfers(accountId, before, limit)
                .map(list -> Views.transfers(list, limit)).orElse(null));
        if (page == null) {
            return Reply.problem(Problem.of(new Rejection.UnknownAccount(accountId)));
        }
        return Reply.json(200, page);
    }

    /** {@code GET /v1/records?account=&session=&service=&from=&to=&limit=}: usage records, oldest first. */
    private Reply listRecords(Request request) {
        Fields query = Request.extractQueryParameters(request);
        String account = query.getValue("account");
        if (account != null && Ids.accountIdProblem(account) != null) {
            throw new ApiError("account", "query parameter " + Ids.accountIdProblem(account));
        }
        String session = queryText(query, "session");
        String service = queryText(query, "service");
        Instant from = queryInstant(query, "from");
        Instant to = queryInstant(query, "to");
        if (from != null && to != null && !from.isBefore(to)) {
            throw new ApiError("to", "query parameter must be after from");
        }
        int limit = (int) queryLong(query, "limit", 1, UsageRecords.QUERY_LIMIT_MAX, RECORDS_PAGE_DEFAULT);
        try {
            return Reply.json(200, Map.of("records",
                    records.query(new UsageRecords.Query(account, session, service, from, to, limit))));
        } catch (IOException | UncheckedIOException unreadable) {
            throw new ApiError(503, "records-unreadable", null, "the records files cannot be read: "
                    + unreadable.getMessage());
        }
    }

    private Reply showReservation(long reservationId) {
        Map<String, Object> view = query(l -> l.reservation(reservationId).map(Views::reservation).orElse(null));
        if (view == null) {
            return Reply.problem(Problem.of(new Rejection.UnknownReservation(reservationId)));
        }
        return Reply.json(200, view);
    }

    private Reply ledgerInfo() {
        Map<String, Object> info = query(l -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("currency", currency);
            body.put("time", Views.instant(l.nowMillis()));
            body.put("accounts", l.accountCount());
            body.put("openReservations", l.openReservationCount());
            body.put("identities", l.identityCount());
            body.put("rememberedRequestIds", l.requestIdCount());
            body.put("lastTransferSeq", l.lastTransferSeq());
            return body;
        });
        return Reply.json(200, info);
    }

    private Reply health() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "UP");
        body.put("queueDepth", ledger.queueDepth());
        body.put("recovery", ledger.recovery().describe());
        return Reply.json(200, body);
    }

    private <T> T query(Function<LedgerView, T> question) {
        return await(ledger.query(question));
    }

    // ---------------------------------------------------------------- edge plumbing

    private static <T> T await(Submission<T> submission) {
        CompletableFuture<T> answer = switch (submission) {
            case Submission.Accepted<T> accepted -> accepted.answer();
            case Submission.Busy<T> busy -> throw new ApiError(503, "busy", null,
                    "the ledger queue is full (" + busy.queueMax() + " waiting); retry shortly");
            case Submission.TooLarge<T> tooLarge -> throw new ApiError(413, "too-large", null,
                    "the command encodes to " + tooLarge.bytes() + " bytes, more than " + tooLarge.recordBytesMax());
            case Submission.Stopped<T> stopped -> throw new ApiError(503, "stopped", null, stopped.reason());
        };
        try {
            return answer.get(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException slow) {
            throw new ApiError(504, "timeout", null, "no answer from the ledger within " + ANSWER_TIMEOUT_SECONDS + " s");
        } catch (ExecutionException failed) {
            throw new ApiError(503, "stopped", null, "the ledger failed: " + failed.getCause().getMessage());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "stopped", null, "interrupted while waiting for the ledger");
        }
    }

    private static String requestId(JsonBody body, Request request) {
        String fromBody = body.optionalString("requestId");
        String fromHeader = request.getHeaders().get("Idempotency-Key");
        if (fromBody != null && fromHeader != null && !fromBody.equals(fromHeader)) {
            throw new ApiError("requestId", "differs from the Idempotency-Key header");
        }
        String requestId = fromBody != null ? fromBody : fromHeader;
        if (requestId == null) {
            // Without an id a retry cannot be recognised; the request is still applied exactly once.
            return "auto-" + UUID.randomUUID();
        }
        String problem = Ids.requestIdProblem(requestId);
        if (problem != null) {
            throw new ApiError("requestId", problem);
        }
        return requestId;
    }

    private static Map<Unit, Long> creditLimits(JsonBody body) {
        JsonBody limits = body.optionalObject("creditLimits");
        Map<Unit, Long> out = new EnumMap<>(Unit.class);
        if (limits == null) {
            return out;
        }
        var names = limits.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            Unit unit = Enums.parse("creditLimits." + name, name, Unit.class);
            out.put(unit, limits.requiredLong(name, 0, AMOUNT_MAX));
        }
        return out;
    }

    private static ServiceRef service(JsonBody body) {
        long ratingGroup = body.optionalLong("ratingGroup", 0, ServiceRef.UNSIGNED32_MAX, ServiceRef.NONE);
        long serviceId = body.optionalLong("serviceId", 0, ServiceRef.UNSIGNED32_MAX, ServiceRef.NONE);
        return new ServiceRef(ratingGroup, serviceId);
    }

    private static String pathAccountId(String segment) {
        String problem = Ids.accountIdProblem(segment);
        if (problem != null) {
            throw new ApiError("accountId", "path segment " + problem);
        }
        return segment;
    }

    /**
     * The path cut at its raw '/' and only then percent-decoded, segment by segment: an identity
     * value may hold a '/' or a '%' (an NAI may), sent as %2F or %25, and must stay one segment.
     * Jetty's canonical path decodes first and also drops ";parameters", which a SIP URI may end
     * in (";user=phone"). A '+' stays a '+' (path encoding, not form encoding).
     */
    private static String[] pathSegments(Request request) {
        String[] segments = request.getHttpURI().getPath().split("/");
        for (int i = 0; i < segments.length; i++) {
            segments[i] = decodePathSegment(segments[i]);
        }
        return segments;
    }

    /**
     * Strict percent-decoding as UTF-8. Jetty already refuses malformed escapes and bad UTF-8 in
     * the request line; this checks again rather than trust that.
     */
    private static String decodePathSegment(String segment) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        byte[] bytes = new byte[segment.length()];
        int length = 0;
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c > 0x7F) {
                throw badPath("has a character that is not percent-encoded ASCII");
            }
            if (c != '%') {
                bytes[length++] = (byte) c;
                continue;
            }
            int high = i + 2 < segment.length() ? Character.digit(segment.charAt(i + 1), 16) : -1;
            int low = high >= 0 ? Character.digit(segment.charAt(i + 2), 16) : -1;
            if (low < 0) {
                throw badPath("has a '%' not followed by two hex digits");
            }
            bytes[length++] = (byte) (high << 4 | low);
            i += 2;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, length)).toString();
        } catch (CharacterCodingException notUtf8) {
            throw badPath("is not percent-encoded UTF-8");
        }
    }

    private static ApiError badPath(String reason) {
        return new ApiError(400, "malformed-path", null, "a path segment " + reason);
    }

    private static long pathReservationId(String segment) {
        try {
            long id = Long.parseLong(segment);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException notANumber) {
            // falls through to the problem below
        }
        throw new ApiError("reservationId", "path segment must be a positive integer");
    }

    private static String queryText(Fields query, String name) {
        String value = query.getValue(name);
        if (value != null && (value.isEmpty() || value.length() > QUERY_TEXT_LENGTH_MAX)) {
            throw new ApiError(name, "query parameter must be 1.." + QUERY_TEXT_LENGTH_MAX + " characters");
        }
        return value;
    }

    /** ISO-8601 with an offset: a bare local time would mean different things on different hosts. */
    private static Instant queryInstant(Fields query, String name) {
        String value = query.getValue(name);
        if (value == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException notATime) {
            throw new ApiError(name, "query parameter must be an ISO-8601 time with offset, like 2026-11-24T10:00:00Z");
        }
    }

    private static long queryLong(Fields query, String name, long min, long max, long fallback) {
        String value = query.getValue(name);
        if (value == null) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value);
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException notANumber) {
            // falls through to the problem below
        }
        throw new ApiError(name, "query parameter must be an integer between " + min + " and " + max);
    }

    private static JsonBody body(Request request) {
        long declared = request.getLength();
        if (declared > BODY_BYTES_MAX) {
            throw new ApiError(413, "too-large", null, "body of " + declared + " bytes exceeds " + BODY_BYTES_MAX);
        }
        String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (contentType != null && !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw new ApiError(415, "unsupported-media-type", null, "send application/json, not " + contentType);
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] bytes = in.readNBytes(BODY_BYTES_MAX + 1);
            if (bytes.length > BODY_BYTES_MAX) {
                throw new ApiError(413, "too-large", null, "body exceeds " + BODY_BYTES_MAX + " bytes");
            }
            return JsonBody.parse(bytes);
        } catch (IOException unreadable) {
            throw new ApiError(400, "malformed-json", null, "body could not be read: " + unreadable.getMessage());
        }
    }

    private static Reply only(String method, String allowed, java.util.function.Supplier<Reply> handler) {
        if (!method.equals(allowed)) {
            throw methodNotAllowed(allowed);
        }
        return handler.get();
    }

    private static ApiError methodNotAllowed(String allowed) {
        return new ApiError(405, "method-not-allowed", null, "allowed: " + allowed);
    }

    private static ApiError notFound(Request request) {
        return new ApiError(404, "not-found", null, "no resource at " + request.getHttpURI().getPath());
    }

    private static void send(Response response, Callback callback, Reply reply) {
        byte[] bytes;
        try {
            bytes = reply.body() instanceof byte[] raw ? raw : JsonBody.MAPPER.writeValueAsBytes(reply.body());
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException("maps of plain values always serialise", impossible);
        }
        response.setStatus(reply.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
        reply.headers().forEach((name, value) -> response.getHeaders().put(name, value));
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }
}
