package io.credence.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.credence.devices.DataShares;
import io.credence.devices.DeviceQuota;
import io.credence.journal.EngineGate;
import io.credence.ledger.IdentityType;
import io.credence.market.log.MerkleLog;
import io.credence.market.trade.Marketplace;
import io.credence.records.UsageSink;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.credence.http.RequestInputs.body;
import static io.credence.http.RequestInputs.pathAccountId;
import static io.credence.http.RequestInputs.pathReservationId;
import static io.credence.http.RequestInputs.pathSegments;
import static io.credence.http.Routes.methodNotAllowed;
import static io.credence.http.Routes.notFound;
import static io.credence.http.Routes.only;

/**
 * The provisioning API, {@code /v1}: accounts, buckets, top-ups, transfers, reservations and
 * subscriber identities as JSON over HTTP. Each mutating request becomes one ledger command; its
 * request id comes from the body's {@code requestId} or the {@code Idempotency-Key} header, so a
 * client that retries gets the first answer. Errors are {@code application/problem+json} naming
 * the field.
 *
 * <p>The whole {@code /v1} route table is here; each capability answers its own requests:
 * {@link AccountsApi}, {@link IdentitiesApi}, {@link ValueApi} (top-ups, buckets, transfers,
 * refunds, packages), {@link ReservationsApi}, {@link RecordsApi}, and with routers of their own
 * {@link SessionsApi}, {@link CatalogApi}, {@link AdmissionApi}, {@link DeviceApi} and
 * {@link MarketApi}. A malformed request anywhere is an {@link ApiError}, turned into its problem
 * document in {@link #handle} alone.
 */
public final class ProvisioningApi extends Handler.Abstract {
    /** Largest request body accepted; larger ones get 413 before parsing. */
    public static final int BODY_BYTES_MAX = RequestInputs.BODY_BYTES_MAX;
    public static final int TRANSFERS_PAGE_MAX = AccountsApi.TRANSFERS_PAGE_MAX;
    public static final int SESSIONS_PAGE_MAX = SessionsApi.SESSIONS_PAGE_MAX;
    public static final int RECORDS_PAGE_DEFAULT = RecordsApi.RECORDS_PAGE_DEFAULT;

    private final EngineGate ledger;
    private final String currency;
    private final LedgerCalls calls;
    private final AccountsApi accounts;
    private final IdentitiesApi identities;
    private final ValueApi value;
    private final ReservationsApi reservations;
    private final RecordsApi records;
    private final SessionsApi sessions;
    private final CatalogApi catalog;
    private final AdmissionApi admissions;
    private final DeviceApi devices;
    /** Null without a market. */
    private final MarketRoutes market;

    public ProvisioningApi(EngineGate ledger, String currency) {
        this(ledger, currency, LiveSessions.NONE, CatalogControl.NONE);
    }

    public ProvisioningApi(EngineGate ledger, String currency, LiveSessions sessions, CatalogControl catalog) {
        this(ledger, currency, sessions, catalog, Admissions.NONE);
    }

    public ProvisioningApi(EngineGate ledger, String currency, LiveSessions sessions, CatalogControl catalog,
                           Admissions admissions) {
        this(ledger, currency, sessions, catalog, admissions, UsageSink.NONE);
    }

    /** @param usage where billed admissions' usage records go when they are released */
    public ProvisioningApi(EngineGate ledger, String currency, LiveSessions sessions, CatalogControl catalog,
                           Admissions admissions, UsageSink usage) {
        this(ledger, currency, sessions, catalog, admissions, usage, UsageRecords.NONE);
    }

    /** @param records the usage records {@code GET /v1/records} reads */
    public ProvisioningApi(EngineGate ledger, String currency, LiveSessions sessions, CatalogControl catalog,
                           Admissions admissions, UsageSink usage, UsageRecords records) {
        this(ledger, currency, sessions, catalog, admissions, usage, records, null, null);
    }

    /** @param quota cloud-SIM devices and @param shares data shares; both null when the server runs without them */
    public ProvisioningApi(EngineGate ledger, String currency, LiveSessions sessions, CatalogControl catalog,
                           Admissions admissions, UsageSink usage, UsageRecords records, DeviceQuota quota,
                           DataShares shares) {
        this(ledger, currency, sessions, catalog, admissions, usage, records, quota, shares, null, null);
    }

    /** @param market the relay marketplace on @param marketLog, its contract log; both null without a market */
    public ProvisioningApi(EngineGate ledger, String currency, LiveSessions sessions, CatalogControl catalog,
                           Admissions admissions, UsageSink usage, UsageRecords records, DeviceQuota quota,
                           DataShares shares, Marketplace market, MerkleLog marketLog) {
        this(ledger, currency, sessions, catalog, admissions, usage, records, quota, shares, market, marketLog, null,
                AdjustmentLog.inMemory());
    }

    /** @param adjustments where operators' adjustments keep their reasons */
    public ProvisioningApi(EngineGate ledger, String currency, LiveSessions sessions, CatalogControl catalog,
                           Admissions admissions, UsageSink usage, UsageRecords records, DeviceQuota quota,
                           DataShares shares, Marketplace market, MerkleLog marketLog, AdjustmentLog adjustments) {
        this(ledger, currency, sessions, catalog, admissions, usage, records, quota, shares, market, marketLog, null,
                adjustments);
    }

    /**
     * On a node of a Raft group: devices, SIMs, base stations and shares are engine state and served
     * like everything else; the market runs on the group's leader over the replicated contract log,
     * and a follower sends its market requests there ({@link ClusterMarket}).
     */
    public static ProvisioningApi onClusterNode(EngineGate ledger, String currency, LiveSessions sessions,
                                                CatalogControl catalog, Admissions admissions, UsageSink usage,
                                                UsageRecords records, DeviceQuota quota, DataShares shares,
                                                ClusterMarket market, AdjustmentLog adjustments) {
        return new ProvisioningApi(ledger, currency, sessions, catalog, admissions, usage, records, quota, shares, null,
                null, market, adjustments);
    }

    /** On the leader: a market call a follower sent; its encoded reply (see {@link ClusterMarket#toLeader}). */
    public byte[] answerForwardedMarketCall(byte[] call) {
        if (market == null) {
            throw new IllegalStateException("this node has no market");
        }
        return market.answerForwarded(call);
    }

    private ProvisioningApi(EngineGate ledger, String currency, LiveSessions sessions, CatalogControl catalog,
                            Admissions admissions, UsageSink usage, UsageRecords records, DeviceQuota quota,
                            DataShares shares, Marketplace market, MerkleLog marketLog, ClusterMarket cluster,
                            AdjustmentLog adjustments) {
        this.ledger = ledger;
        this.currency = currency;
        this.calls = new LedgerCalls(ledger);
        this.devices = quota == null ? null : new DeviceApi(quota, shares);
        java.util.function.Function<String, java.util.Optional<io.credence.ledger.AccountView>> accountOf =
                accountId -> calls.query(l -> l.account(accountId));
        this.market = cluster != null ? MarketRoutes.cluster(quota, accountOf, cluster)
                : market == null ? null : MarketRoutes.single(quota, accountOf, market, marketLog);
        this.accounts = new AccountsApi(calls, currency, sessions);
        this.identities = new IdentitiesApi(calls);
        this.value = new ValueApi(calls, currency, sessions, catalog, adjustments);
        this.reservations = new ReservationsApi(calls);
        this.records = new RecordsApi(records);
        this.sessions = new SessionsApi(sessions);
        this.catalog = new CatalogApi(catalog);
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
            case "sessions" -> sessions.route(request, method, path);
            case "catalog" -> catalog.route(request, method, path);
            case "admissions" -> Reply.of(admissions.route(method, path, () -> body(request)));
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
                yield Reply.of(devices.route(call));
            }
            case "market" -> {
                if (market == null) {
                    throw new ApiError(404, "market-not-configured", null, "the server runs without the relay market");
                }
                yield market.reply(MarketCall.of(request, method, path));
            }
            case "transfers" -> {
                if (path.length != 3) {
                    throw notFound(request);
                }
                yield only(method, "POST", () -> value.transfer(body(request), request));
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
                yield only(method, "GET", () -> records.list(request));
            }
            default -> throw notFound(request);
        };
    }

    private Reply routeAccounts(Request request, String method, String[] path) {
        if (path.length == 3) {
            return switch (method) {
                case "POST" -> accounts.create(body(request), request);
                case "GET" -> accounts.search(request);
                default -> throw methodNotAllowed("GET, POST");
            };
        }
        String accountId = pathAccountId(path[3]);
        if (path.length == 4) {
            return switch (method) {
                case "GET" -> accounts.show(accountId);
                case "PATCH" -> accounts.update(accountId, body(request), request);
                default -> throw methodNotAllowed("GET, PATCH");
            };
        }
        if (path.length != 5) {
            throw notFound(request);
        }
        return switch (path[4]) {
            case "balances" -> only(method, "GET", () -> accounts.show(accountId));
            case "topups" -> only(method, "POST", () -> value.topUp(accountId, body(request), request, false));
            case "buckets" -> only(method, "POST", () -> value.topUp(accountId, body(request), request, true));
            case "transfers" -> only(method, "GET", () -> accounts.listTransfers(accountId, request));
            case "identities" -> only(method, "POST", () -> identities.bind(accountId, body(request), request));
            case "refunds" -> only(method, "POST", () -> value.refund(accountId, body(request), request));
            case "packages" -> only(method, "POST", () -> value.buyPackage(accountId, body(request), request));
            case "adjustments" -> switch (method) {
                case "POST" -> value.adjust(accountId, body(request), request);
                case "GET" -> value.adjustments(accountId);
                default -> throw methodNotAllowed("GET, POST");
            };
            default -> throw notFound(request);
        };
    }

    private Reply routeReservations(Request request, String method, String[] path) {
        if (path.length == 3) {
            return only(method, "POST", () -> reservations.reserve(body(request), request));
        }
        long reservationId = pathReservationId(path[3]);
        if (path.length == 4) {
            return only(method, "GET", () -> reservations.show(reservationId));
        }
        if (path.length != 5) {
            throw notFound(request);
        }
        return switch (path[4]) {
            case "commit" -> only(method, "POST", () -> reservations.commit(reservationId, body(request), request));
            case "release" -> only(method, "POST", () -> reservations.release(reservationId, body(request), request));
            default -> throw notFound(request);
        };
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
            case "GET" -> identities.show(type, value);
            case "DELETE" -> identities.unbind(type, value, body(request), request);
            default -> throw methodNotAllowed("GET, DELETE");
        };
    }

    // ---------------------------------------------------------------- the ledger and the server

    private Reply ledgerInfo() {
        Map<String, Object> info = calls.query(l -> {
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
        body.put("recovery", ledger.startReport());
        return Reply.json(200, body);
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
