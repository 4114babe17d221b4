package io.credence.http;

import io.credence.devices.DeviceQuota;
import io.credence.ledger.AccountStatus;
import io.credence.ledger.AccountView;
import io.credence.market.contract.ContractLimits;
import io.credence.market.contract.Offer;
import io.credence.market.contract.OfferRanking;
import io.credence.market.contract.ResourceType;
import io.credence.market.trade.ContractAnswer;
import io.credence.market.trade.ContractView;
import io.credence.market.trade.EndAnswer;
import io.credence.market.trade.Listed;
import io.credence.market.trade.MarketUnavailable;
import io.credence.market.trade.Marketplace;
import io.credence.market.trade.Provider;
import io.credence.market.trade.Publication;
import io.credence.market.trade.Registration;
import io.credence.market.trade.Requested;
import io.credence.market.trade.VerdictAnswer;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@code /v1/market}: relay providers and their offers.
 * <pre>
 * POST /v1/market/providers    {simId, publicKey?}  (header Credence-Device-Token)   201 providerId, serviceId,
 *                                                                                    publicKey[, seed once]
 *                                                  401 device-token | 403 not-qualified | 409 key-mismatch
 * GET  /v1/market/providers/{providerId}                                             200 the registration
 * POST /v1/market/offers       {signedOffer}       (base64 of the signed entry)      201 offerId, logIndex
 * POST /v1/market/withdrawals  {signedWithdrawal}                                    201 offerId, logIndex
 * GET  /v1/market/offers[?resourceType&amp;amount&amp;from&amp;to&amp;levelMin&amp;maxPrice&amp;weights=p,l,d&amp;limit]
 *                                                  200 live offers; with needs, those that can serve, best first
 * /v1/market/log/**                                see {@link MarketLogApi}
 * </pre>
 * Offers and withdrawals carry their provider's signature, which the marketplace checks; the API
 * key lets a terminal, an operator or a base station in, and where a caller acts for an operator
 * (registration, its contracts, its settlements) or a base station (allocations) the key must be
 * bound to that one ({@link Caller}).
 */
final class MarketApi {
    static final int OFFERS_PAGE_MAX = 1000;
    private static final Base64.Encoder B64 = Base64.getEncoder();

    private final Marketplace market;
    private final DeviceQuota devices;
    private final Function<String, Optional<AccountView>> accounts;
    private final MarketLogApi logApi;

    MarketApi(Marketplace market, DeviceQuota devices, Function<String, Optional<AccountView>> accounts,
              MarketLogApi logApi) {
        this.market = market;
        this.devices = devices;
        this.accounts = accounts;
        this.logApi = logApi;
    }

    /** @param query a bounded long query parameter; @param text a raw query parameter or null */
    Object route(String method, String[] path, Supplier<JsonBody> body, Function<String, String> header,
                 java.util.function.ToLongBiFunction<String, Long> query, Function<String, String> text,
                 Caller caller) {
        try {
            if (path.length >= 4 && path[3].equals("operators")) {
                if (!caller.mayActForOperators()) {
                    throw new ApiError(403, "forbidden", null, "operators act with an API key of role network-function or admin");
                }
                return operators(method, path, body, caller);
            }
            if (path.length >= 4 && path[3].equals("log")) {
                return logApi.route(method, path, query);
            }
            if (path.length == 4 && path[3].equals("providers")) {
                requireMethod(method, "POST");
                return register(body.get(), header.apply(DeviceApi.DEVICE_TOKEN_HEADER));
            }
            if (path.length == 5 && path[3].equals("providers")) {
                requireMethod(method, "GET");
                return market.provider(path[4]).map(MarketApi::providerView).orElseThrow(() -> new ApiError(404,
                        "unknown-provider", "providerId", "no relay provider '" + path[4] + "'"));
            }
            if (path.length == 4 && path[3].equals("offers")) {
                return switch (method) {
                    case "GET" -> offers(query, text);
                    case "POST" -> published(market.publish(signed(body.get(), "signedOffer")), "offerId");
                    default -> throw new ApiError(405, "method-not-allowed", null, "allowed: GET, POST");
                };
            }
            if (path.length == 5 && path[3].equals("allocations") && path[4].equals("pending")) {
                requireMethod(method, "GET");
                String station = baseStation(header, caller);
                int limit = (int) Math.max(1, Math.min(query.applyAsLong("limit", 100L), 1000));
                List<Map<String, Object>> items = market.allocationsFor(station, devices::homeBaseStation, limit).stream()
                        .map(r -> {
                            Map<String, Object> item = new LinkedHashMap<>();
                            item.put("contractId", r.contract().contractId());
                            item.put("providerTerminal", r.providerTerminal());
                            item.put("resourceUsingNode", r.contract().resourceUsingNode());
                            item.put("resourceType", r.contract().resourceType().name());
                            item.put("amount", r.contract().amount());
                            item.put("periodStartMillis", r.contract().periodStartMillis());
                            item.put("periodEndMillis", r.contract().periodEndMillis());
                            item.put("serviceLevel", r.contract().serviceLevel());
                            return item;
                        }).toList();
                return Map.of("allocations", items);
            }
            if (path.length == 6 && path[3].equals("contracts") && path[5].equals("allocation")) {
                requireMethod(method, "POST");
                String station = baseStation(header, caller);
                JsonBody request = body.get();
                boolean allocated = request.optionalBoolean("allocated", false);
                if (!request.has("allocated")) {
                    throw new ApiError("allocated", "is required: true when the relay resource is allocated, false to refuse");
                }
                String reason = request.optionalString("reason");
                request.rejectUnknownFields();
                return switch (market.allocate(path[4], station, devices::homeBaseStation, allocated, reason)) {
                    case EndAnswer.Proposed p -> new Answer.Json(200, Map.of("contractId", path[4],
                            "allocation", "ALLOCATED"));
                    case EndAnswer.Ended e -> new Answer.Json(200, Map.of("contractId", path[4],
                            "allocation", "REFUSED", "termination", e.result().termination().name(),
                            "feePaidMinor", e.result().feePaidMinor()));
                    case EndAnswer.Refused r -> throw new ApiError(r.status(), r.status() == 404
                            ? "unknown-contract" : r.status() == 403 ? "not-a-party" : "contract-state", "contractId",
                            r.reason());
                    case EndAnswer.Rejected r -> throw new IllegalStateException("an allocation is not rejected");
                };
            }
            if (path.length == 5 && path[3].equals("validations") && path[4].equals("pending")) {
                return pending(method, text, query);
            }
            if (path.length >= 4 && path[3].equals("contracts")) {
                return contracts(method, path, body, header, caller);
            }
            if (path.length >= 4 && path[3].equals("requests")) {
                return requests(method, path, body);
            }
            if (path.length == 4 && path[3].equals("withdrawals")) {
                requireMethod(method, "POST");
                return published(market.withdraw(signed(body.get(), "signedWithdrawal")), "offerId");
            }
            throw new ApiError(404, "not-found", null, "no resource at /" + String.join("/", path).substring(1));
        } catch (MarketUnavailable unavailable) {
            throw new ApiError(503, "busy", null, unavailable.getMessage());
        }
    }

    private Object register(JsonBody body, String token) {
        String simId = body.requiredString("simId");
        String publicKey = body.optionalString("publicKey");
        String home = body.optionalString("homeBaseStationId");
        body.rejectUnknownFields();
        byte[] key = publicKey == null ? null : base64("publicKey", publicKey);
        DeviceQuota.DeviceSim sim = devices.authenticate(simId, token).orElseThrow(() -> new ApiError(401, "device-token",
                DeviceApi.DEVICE_TOKEN_HEADER, "SIM '" + simId + "' is not registered to a device with this token: "
                + "a provider proves itself as a registered terminal"));
        AccountView account = accounts.apply(sim.accountId()).orElseThrow(() -> new ApiError(403, "not-qualified",
                "simId", "the terminal's account '" + sim.accountId() + "' does not exist"));
        if (account.status() != AccountStatus.ACTIVE) {
            throw new ApiError(403, "not-qualified", "simId", "the terminal's account '" + sim.accountId() + "' is "
                    + account.status());
        }
        if (home != null) {
            String problem = devices.setHomeBaseStation(simId, home);
            if (problem != null) {
                throw new ApiError(422, "invalid-field", "homeBaseStationId", problem);
            }
        }
        return registered(market.register(sim.accountId(), simId, key));
    }

    private Object contracts(String method, String[] path, Supplier<JsonBody> body, Function<String, String> header,
                             Caller caller) {
        if (path.length == 4) {
            requireMethod(method, "POST");
            return contractAnswer(market.propose(signed(body.get(), "signedContract")));
        }
        String contractId = path[4];
        if (path.length == 6 && path[5].equals("validations")) {
            requireMethod(method, "POST");
            return switch (market.addVerdict(contractId, signed(body.get(), "signedValidation"))) {
                case VerdictAnswer.Counted counted -> contractAnswer(counted.contract());
                case VerdictAnswer.Refused r -> throw new ApiError(r.status(), r.status() == 404
                        ? "unknown-contract" : "verdict-refused", "signedValidation", r.reason());
            };
        }
        return contractActions(method, path, contractId, body, header, caller);
    }

    /** {@code GET /v1/market/validations/pending?validator=ID}: what a separate validator process should judge. */
    private Object pending(String method, Function<String, String> text,
                           java.util.function.ToLongBiFunction<String, Long> query) {
        requireMethod(method, "GET");
        String validator = text.apply("validator");
        if (validator == null || validator.isBlank()) {
            throw new ApiError("validator", "query parameter is required: the validator's id");
        }
        int limit = (int) Math.min(query.applyAsLong("limit", 100L), 1000);
        List<Map<String, Object>> items = market.pendingFor(validator, Math.max(1, limit)).stream().map(p -> {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("contractId", p.contract().entry().contractId());
            item.put("signedContract", B64.encodeToString(p.contract().encode()));
            item.put("signedOffer", B64.encodeToString(p.offer().encode()));
            Map<String, Object> keys = new LinkedHashMap<>();
            p.partyKeys().forEach((party, key) -> keys.put(party, B64.encodeToString(key)));
            item.put("partyKeys", keys);
            return item;
        }).toList();
        return Map.of("contracts", items);
    }

    private static Answer contractAnswer(ContractAnswer answer) {
        return switch (answer) {
                case ContractAnswer.Effective e -> new Answer.Json(201, Map.of("contractId", e.contractId(),
                        "status", "EFFECTIVE", "validators", e.validators(), "logIndex", e.logIndex()));
                case ContractAnswer.Validating v -> new Answer.Json(202, Map.of("contractId", v.contractId(),
                        "status", "VALIDATING", "logIndex", v.logIndex()));
                case ContractAnswer.NotEffective n -> new Answer.Failed(new Problem(409, "not-effective",
                        "Not effective", n.reason(), null, Map.of("contractId", n.contractId(), "logIndex", n.logIndex())));
                case ContractAnswer.Refused r -> new Answer.Failed(new Problem(
                        r.type().equals("contract-exists") ? 409 : 422, r.type(),
                        r.type().equals("payment-refused") ? "Payment refused" : "Contract refused",
                        String.join("; ", r.problems()),
                        "signedContract", Map.of("problems", r.problems())));
            };
    }

    private Object contractActions(String method, String[] path, String contractId, Supplier<JsonBody> body,
                                   Function<String, String> header, Caller caller) {
        if (path.length == 5) {
            requireMethod(method, "GET");
            return market.contract(contractId).map(MarketApi::contractView).orElseThrow(() -> new ApiError(404,
                    "unknown-contract", "contractId", "no contract '" + contractId + "'"));
        }
        String action = path.length == 6 ? path[5] : path.length == 7 && path[5].equals("early-termination")
                ? "early-termination/" + path[6] : "?";
        if (!List.of("complete", "cancel", "early-termination", "early-termination/accept",
                "early-termination/reject").contains(action)) {
            throw new ApiError(404, "not-found", null, "no resource at /" + String.join("/", path).substring(1));
        }
        requireMethod(method, "POST");
        JsonBody request = body.get();
        String simId = request.optionalString("simId");
        String operatorId = request.optionalString("operatorId");
        long fee = action.equals("early-termination") ? request.requiredLong("feeMinor", 0, Long.MAX_VALUE) : 0;
        request.rejectUnknownFields();
        String party;
        if (operatorId != null) {
            // an operator buyer acts with its own API key, not a terminal's token
            if (simId != null || !caller.mayActForOperators()) {
                throw new ApiError(403, "forbidden", "operatorId",
                        "an operator acts alone (no simId) with an API key of role network-function or admin");
            }
            caller.actFor(ApiKeys.Principal.Kind.OPERATOR, operatorId, "operatorId");
            party = operatorId;
        } else if (simId != null) {
            party = devices.authenticate(simId, header.apply(DeviceApi.DEVICE_TOKEN_HEADER)).orElseThrow(() ->
                    new ApiError(401, "device-token", DeviceApi.DEVICE_TOKEN_HEADER, "SIM '" + simId
                            + "' is not registered to a device with this token")).accountId();
        } else {
            throw new ApiError("simId", "is required: the acting terminal (or operatorId for an operator)");
        }
        EndAnswer answer = switch (action) {
            case "complete" -> market.end(contractId, party, io.credence.market.contract.Termination.COMPLETED);
            case "cancel" -> market.end(contractId, party, io.credence.market.contract.Termination.BUYER_EARLY);
            case "early-termination" -> market.proposeEarlyEnd(contractId, party, fee);
            case "early-termination/accept" -> market.answerEarlyEnd(contractId, party, true);
            default -> market.answerEarlyEnd(contractId, party, false);
        };
        return switch (answer) {
            case EndAnswer.Ended e -> new Answer.Json(200, Map.of("contractId", contractId,
                    "termination", e.result().termination().name(), "feePaidMinor", e.result().feePaidMinor(),
                    "actualDurationMillis", e.result().actualDurationMillis(), "logIndex", e.logIndex()));
            case EndAnswer.Proposed p -> new Answer.Json(200, Map.of("contractId", contractId,
                    "proposedFeeMinor", p.feeMinor()));
            case EndAnswer.Rejected r -> new Answer.Json(200, Map.of("contractId", contractId,
                    "status", "EFFECTIVE", "proposal", "rejected"));
            case EndAnswer.Refused r -> throw new ApiError(r.status(), r.status() == 404 ? "unknown-contract"
                    : r.status() == 403 ? "not-a-party" : "contract-state", "contractId", r.reason());
        };
    }

    /**
     * {@code POST /v1/market/operators {accountId, publicKey?}}: an operator account becomes a market
     * party (it buys relay service for its subscribers' terminals);
     * {@code POST /v1/market/operators/{id}/settlements {before?}}: its batch settlement of every
     * relay contract that ended before {@code before} (epoch ms, default now), e.g. monthly.
     */
    private Object operators(String method, String[] path, Supplier<JsonBody> body, Caller caller) {
        requireMethod(method, "POST");
        if (path.length == 4) {
            JsonBody request = body.get();
            String accountId = request.requiredString("accountId");
            String publicKey = request.optionalString("publicKey");
            request.rejectUnknownFields();
            // the answer holds the operator's signing seed: only the operator's own key may ask
            caller.actFor(ApiKeys.Principal.Kind.OPERATOR, accountId, "accountId");
            AccountView account = accounts.apply(accountId).orElseThrow(() -> new ApiError(404, "unknown-account",
                    "accountId", "account '" + accountId + "' does not exist"));
            if (account.kind() != io.credence.ledger.AccountKind.OPERATOR || account.status() != AccountStatus.ACTIVE) {
                throw new ApiError(403, "not-qualified", "accountId", "account '" + accountId + "' is " + account.kind()
                        + ", " + account.status() + "; an active OPERATOR account is needed");
            }
            return registered(market.register(accountId, "operator", publicKey == null ? null
                    : base64("publicKey", publicKey)));
        }
        if (path.length == 6 && path[5].equals("settlements")) {
            caller.actFor(ApiKeys.Principal.Kind.OPERATOR, path[4], "operatorId");
            JsonBody request = body.get();
            long before = request.optionalLong("before", 0, Long.MAX_VALUE, System.currentTimeMillis());
            request.rejectUnknownFields();
            List<io.credence.market.contract.ExecutionResult> settled = market.settleOperator(path[4], before);
            long total = settled.stream().mapToLong(io.credence.market.contract.ExecutionResult::feePaidMinor).sum();
            return new Answer.Json(200, Map.of("operatorId", path[4], "settled", settled.stream().map(r -> Map.of(
                    "contractId", r.contractId(), "feePaidMinor", r.feePaidMinor())).toList(), "totalMinor", total));
        }
        throw new ApiError(404, "not-found", null, "no resource at /" + String.join("/", path).substring(1));
    }

    private static Answer registered(Registration registration) {
        return switch (registration) {
            case Registration.Registered r -> {
                Map<String, Object> out = providerView(r.provider());
                if (r.seed() != null) {
                    out.put("seed", B64.encodeToString(r.seed()));
                }
                yield new Answer.Json(r.again() ? 200 : 201, out);
            }
            case Registration.Refused refused -> throw new ApiError(409, "key-mismatch", "publicKey",
                    refused.reason());
        };
    }

    /**
     * Mode B. {@code POST /v1/market/requests {signedRequest}} broadcasts a buyer's need;
     * {@code GET /v1/market/requests} lists the open ones (providers watch it);
     * {@code POST /v1/market/requests/{id}/answers {signedAnswer}} answers with an offer or "cannot
     * serve"; {@code GET /v1/market/requests/{id}} shows the answers and the offers, to pick from.
     */
    private Object requests(String method, String[] path, Supplier<JsonBody> body) {
        if (path.length == 4) {
            return switch (method) {
                case "POST" -> published(market.broadcast(signed(body.get(), "signedRequest")), "requestId");
                case "GET" -> Map.of("requests", market.requests(OFFERS_PAGE_MAX).stream().map(this::requestView).toList());
                default -> throw new ApiError(405, "method-not-allowed", null, "allowed: GET, POST");
            };
        }
        if (path.length == 5) {
            requireMethod(method, "GET");
            return market.request(path[4]).map(this::requestView).orElseThrow(() -> new ApiError(404, "unknown-request",
                    "requestId", "no request '" + path[4] + "'"));
        }
        if (path.length == 6 && path[5].equals("answers")) {
            requireMethod(method, "POST");
            return published(market.answer(signed(body.get(), "signedAnswer")), "requestId");
        }
        throw new ApiError(404, "not-found", null, "no resource at /" + String.join("/", path).substring(1));
    }

    private Map<String, Object> requestView(Requested r) {
        io.credence.market.contract.Request q = r.request().entry();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("requestId", q.requestId());
        out.put("buyerId", q.buyerId());
        out.put("buyerType", q.buyerType().name());
        out.put("resourceType", q.resourceType().name());
        out.put("amount", q.amount());
        out.put("periodStartMillis", q.periodStartMillis());
        out.put("periodEndMillis", q.periodEndMillis());
        out.put("serviceLevelMin", q.serviceLevelMin());
        out.put("maxPricePerUnitMinor", q.maxPricePerUnitMinor());
        out.put("logIndex", r.logIndex());
        out.put("signedRequest", B64.encodeToString(r.request().encode()));
        out.put("answers", r.answers().stream().map(a -> {
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("providerId", a.answer().entry().providerId());
            answer.put("canServe", a.answer().entry().canServe());
            answer.put("offerId", a.answer().entry().offerId());
            answer.put("signedOffer", a.answer().entry().offerId() == null ? null : market.liveOffer(
                    a.answer().entry().offerId()).map(o -> B64.encodeToString(o.encode())).orElse(null));
            return answer;
        }).toList());
        return out;
    }

    /**
     * The calling base station, authenticated by its id and secret headers (as for data shares) and
     * by a key bound to it.
     */
    private String baseStation(Function<String, String> header, Caller caller) {
        String id = header.apply(DeviceApi.BASE_STATION_ID_HEADER);
        if (id != null) {
            caller.actFor(ApiKeys.Principal.Kind.BASE_STATION, id, DeviceApi.BASE_STATION_ID_HEADER);
        }
        if (id == null || !devices.baseStationKnown(id, header.apply(DeviceApi.BASE_STATION_SECRET_HEADER))) {
            throw new ApiError(401, "base-station-credentials", DeviceApi.BASE_STATION_SECRET_HEADER,
                    "the base station is unknown or its secret is wrong");
        }
        return id;
    }

    private static Map<String, Object> contractView(ContractView v) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("contractId", v.contract().entry().contractId());
        out.put("status", v.status());
        out.put("reason", v.reason());
        out.put("providerId", v.contract().entry().providerId());
        out.put("buyerId", v.contract().entry().buyerId());
        out.put("feeMinor", v.contract().entry().feeMinor());
        out.put("validators", v.validators());
        out.put("logIndex", v.logIndex());
        out.put("proposedFeeMinor", v.proposedFee() < 0 ? null : v.proposedFee());
        out.put("allocation", v.allocation());
        out.put("termination", v.result() == null ? null : v.result().termination().name());
        out.put("feePaidMinor", v.result() == null ? null : v.result().feePaidMinor());
        out.put("signedContract", B64.encodeToString(v.contract().encode()));
        return out;
    }

    private static Map<String, Object> providerView(Provider p) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("providerId", p.providerId());
        out.put("terminalId", p.terminalId());
        out.put("serviceId", p.serviceId());
        out.put("publicKey", B64.encodeToString(p.publicKey()));
        out.put("logIndex", p.logIndex());
        return out;
    }

    private Object offers(java.util.function.ToLongBiFunction<String, Long> query, Function<String, String> text) {
        int limit = (int) query.applyAsLong("limit", (long) OFFERS_PAGE_MAX);
        String type = text.apply("resourceType");
        OfferRanking.Needs needs = null;
        OfferRanking.Weights weights = null;
        if (type != null) {
            ResourceType resourceType = Enums.parse("resourceType", type, ResourceType.class);
            try {
                if (text.apply("from") == null || text.apply("to") == null) {
                    throw new ApiError("from", "a search by resourceType needs the period: from and to (epoch ms)");
                }
                needs = new OfferRanking.Needs(resourceType, query.applyAsLong("amount", 1L),
                        query.applyAsLong("from", 0L), query.applyAsLong("to", 0L),
                        (int) query.applyAsLong("levelMin", 1L),
                        query.applyAsLong("maxPrice", ContractLimits.PRICE_PER_UNIT_MINOR_MAX));
                weights = weights(text.apply("weights"));
            } catch (IllegalArgumentException bad) {
                throw new ApiError("resourceType", bad.getMessage());
            }
        }
        List<Map<String, Object>> items = market.offers(needs, weights, Math.max(1, Math.min(limit, OFFERS_PAGE_MAX)))
                .stream().map(MarketApi::offerView).toList();
        return new Answer.Json(200, Map.of("offers", items));
    }

    private static OfferRanking.Weights weights(String text) {
        if (text == null) {
            return new OfferRanking.Weights(1, 1, 1);
        }
        String[] parts = text.split(",");
        if (parts.length != 3) {
            throw new ApiError("weights", "must be three integers price,level,period, e.g. 5,2,1");
        }
        try {
            return new OfferRanking.Weights(Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[1].strip()),
                    Integer.parseInt(parts[2].strip()));
        } catch (IllegalArgumentException bad) {
            throw new ApiError("weights", bad.getMessage());
        }
    }

    static Map<String, Object> offerView(Listed listed) {
        Offer o = listed.offer().entry();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("offerId", o.offerId());
        out.put("serviceId", o.serviceId());
        out.put("providerId", o.providerId());
        out.put("terminalId", o.terminalId());
        out.put("periodStartMillis", o.periodStartMillis());
        out.put("periodEndMillis", o.periodEndMillis());
        out.put("serviceLevel", o.serviceLevel());
        out.put("pricePerUnitMinor", o.pricePerUnitMinor());
        out.put("chargingStandard", o.chargingStandard().name());
        out.put("resourceType", o.resourceType().name());
        out.put("amount", o.amount());
        out.put("score", listed.score());
        out.put("logIndex", listed.logIndex());
        out.put("signedOffer", B64.encodeToString(listed.offer().encode()));
        return out;
    }

    /** @param idField what the published entry's id is called in the answer */
    private static Answer published(Publication publication, String idField) {
        return switch (publication) {
            case Publication.Published p -> new Answer.Json(p.again() ? 200 : 201,
                    Map.of(idField, p.id(), "logIndex", p.logIndex()));
            case Publication.Refused r -> throw new ApiError(422, "entry-refused", r.field(), r.reason());
        };
    }

    private static byte[] signed(JsonBody body, String field) {
        String value = body.requiredString(field);
        body.rejectUnknownFields();
        return base64(field, value);
    }

    private static byte[] base64(String field, String value) {
        try {
            return Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException bad) {
            throw new ApiError(field, "is not base64: " + bad.getMessage());
        }
    }

    private static void requireMethod(String method, String allowed) {
        if (!method.equals(allowed)) {
            throw new ApiError(405, "method-not-allowed", null, "allowed: " + allowed);
        }
    }
}
