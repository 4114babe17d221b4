package io.credence.http;

import io.credence.ledger.AccountKind;
import io.credence.ledger.AccountView;
import io.credence.ledger.BucketSpec;
import io.credence.ledger.Command;
import io.credence.ledger.Ids;
import io.credence.ledger.LedgerView;
import io.credence.ledger.Operation;
import io.credence.ledger.Outcome;
import io.credence.ledger.Rejection;
import io.credence.ledger.ServiceFilter;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.TransferKind;
import io.credence.ledger.TransferRecord;
import io.credence.ledger.Unit;
import io.credence.rating.Catalog;
import io.credence.rating.ProductPackage;
import org.eclipse.jetty.server.Request;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.credence.http.RequestInputs.AMOUNT_MAX;
import static io.credence.http.RequestInputs.requestId;
import static io.credence.http.RequestInputs.service;

/**
 * Value onto and between accounts: top-ups (to the main balance, or as a new bucket with its own
 * validity, priority and services), transfers, refunds and catalog package purchases. Whatever
 * credits an account tells its live sessions, so that one cut off for lack of credit may ask again.
 */
final class ValueApi {
    private static final int REASON_LENGTH_MAX = 256;

    private final LedgerCalls ledger;
    private final String currency;
    private final LiveSessions sessions;
    private final CatalogControl catalog;

    private final AdjustmentLog adjustments;

    ValueApi(LedgerCalls ledger, String currency, LiveSessions sessions, CatalogControl catalog,
             AdjustmentLog adjustments) {
        this.adjustments = adjustments;
        this.ledger = ledger;
        this.currency = currency;
        this.sessions = sessions;
        this.catalog = catalog;
    }

    /** {@code POST /v1/accounts/{accountId}/topups}, or {@code /buckets} with {@code newBucket}. */
    Reply topUp(String accountId, JsonBody body, Request request, boolean newBucket) {
        String requestId = requestId(body, request);
        Unit unit = body.requiredEnum("unit", Unit.class);
        long amount = body.requiredLong("amount", 1, AMOUNT_MAX);
        String source = body.optionalAccountId("source", Ids.SYSTEM_ACCOUNT);
        BucketSpec spec = newBucket ? bucketSpec(body) : null;
        body.rejectUnknownFields();
        Reply reply = ledger.command(requestId, new Operation.TopUp(source, accountId, unit, amount, spec), 201);
        if (reply.status() == 201) {
            sessions.credited(accountId); // sessions cut off for lack of credit may ask again now (RAR)
        }
        return reply;
    }

    private static BucketSpec bucketSpec(JsonBody body) {
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

    /**
     * {@code POST /v1/accounts/{accountId}/adjustments}: an operator's correction of a balance,
     * with the reason recorded ({@link AdjustmentLog}) before the ledger applies it. A positive
     * amount is a top-up from the system account; a negative one a transfer to it, which the
     * balance must cover (an adjustment makes no debt).
     */
    Reply adjust(String accountId, JsonBody body, Request request) {
        String requestId = requestId(body, request);
        Unit unit = body.requiredEnum("unit", Unit.class);
        long amount = body.requiredLong("amount", -AMOUNT_MAX, AMOUNT_MAX);
        if (amount == 0) {
            throw new ApiError("amount", "must not be 0: positive credits the account, negative debits it");
        }
        String reason = reason(body);
        body.rejectUnknownFields();
        if (ledger.query(l -> l.account(accountId)).isEmpty()) {
            return Reply.problem(Problem.of(new Rejection.UnknownAccount(accountId)));
        }
        Object by = request.getAttribute(Authenticating.HOLDER_ATTRIBUTE);
        adjustments.append(new AdjustmentLog.Entry(java.time.Instant.now().toString(), requestId, accountId,
                unit.name(), amount, reason.strip(), by == null ? "loopback" : by.toString()));
        Operation operation = amount > 0
                ? new Operation.TopUp(Ids.SYSTEM_ACCOUNT, accountId, unit, amount, null)
                : new Operation.Transfer(accountId, Ids.SYSTEM_ACCOUNT, unit, -amount, ServiceRef.ANY);
        Reply reply = ledger.command(requestId, operation, 201);
        if (reply.status() != 201) {
            return reply;
        }
        Map<String, Object> answer = answered(reply, accountId);
        answer.put("unit", unit);
        answer.put("amount", amount);
        answer.put("reason", reason.strip());
        if (amount > 0) {
            sessions.credited(accountId);
        }
        return Reply.json(201, answer);
    }

    /**
     * {@code GET /v1/accounts/{accountId}/adjustments}: the reasons recorded, newest first, each
     * with what the ledger made of it: {@code applied} and its {@code transferSeq}, or refused
     * ({@code applied: false}), asked by request id, so however many transfers came since. Once the
     * ledger has forgotten the request id (its retention) the transfer is looked for among the
     * account's transfers it keeps; found in neither, {@code applied} is null: not known any more.
     */
    Reply adjustments(String accountId) {
        List<AdjustmentLog.Entry> asked = adjustments.of(accountId, 100);
        List<Map<String, Object>> out = ledger.query(l -> {
            Map<String, TransferRecord> kept = null; // read once, only if a request id was forgotten
            List<Map<String, Object>> views = new java.util.ArrayList<>();
            for (AdjustmentLog.Entry entry : asked) {
                Map<String, Object> view = entry.json();
                Optional<Outcome> outcome = l.outcomeOf(entry.requestId());
                Long transferSeq = null;
                Boolean applied = null;
                if (outcome.isPresent()) {
                    applied = !(outcome.get() instanceof Rejection);
                    transferSeq = switch (outcome.get()) {
                        case Outcome.ToppedUp t -> t.transferSeq();
                        case Outcome.Transferred t -> t.transferSeq();
                        default -> null;
                    };
                } else {
                    if (kept == null) {
                        kept = new java.util.HashMap<>();
                        Map<String, TransferRecord> byRequest = kept;
                        l.transfers(accountId, 0, AccountsApi.TRANSFERS_PAGE_MAX).ifPresent(list -> list.forEach(
                                t -> byRequest.putIfAbsent(t.requestId(), t)));
                    }
                    TransferRecord transfer = kept.get(entry.requestId());
                    if (transfer != null) {
                        applied = true;
                        transferSeq = transfer.seq();
                    }
                }
                view.put("applied", applied);
                if (transferSeq != null) {
                    view.put("transferSeq", transferSeq);
                }
                views.add(view);
            }
            return views;
        });
        return Reply.json(200, Map.of("adjustments", out));
    }

    /** Why an operator moved value: 1..256 characters, not blank. */
    private static String reason(JsonBody body) {
        String reason = body.requiredString("reason");
        if (reason.isBlank() || reason.length() > REASON_LENGTH_MAX) {
            throw new ApiError("reason", "must be 1.." + REASON_LENGTH_MAX + " characters, not blank");
        }
        return reason;
    }

    /** The ledger's answer to a command, to add what the request said to. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> answered(Reply reply, String accountId) {
        Map<String, Object> answer = new LinkedHashMap<>((Map<String, Object>) reply.body());
        answer.put("accountId", accountId);
        return answer;
    }

    /** {@code POST /v1/transfers}. */
    Reply transfer(JsonBody body, Request request) {
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
        return ledger.command(requestId, new Operation.Transfer(from, to, unit, amount, service), 201);
    }

    /**
     * {@code POST /v1/accounts/{accountId}/refunds}: money or units back to a subscriber. The
     * ledger has no refund kind of transfer, and its command codec is not changed for one: from a
     * SYSTEM account a refund is a top-up (ledger kind TOP_UP), from any other account (the
     * operator's) a transfer (kind TRANSFER). The reason is kept in the answer only.
     */
    Reply refund(String accountId, JsonBody body, Request request) {
        String requestId = requestId(body, request);
        Unit unit = body.requiredEnum("unit", Unit.class);
        long amount = body.requiredLong("amount", 1, AMOUNT_MAX);
        String reason = reason(body);
        String source = body.optionalAccountId("source", Ids.SYSTEM_ACCOUNT);
        body.rejectUnknownFields();
        if (source.equals(accountId)) {
            throw new ApiError("source", "must differ from the account refunded");
        }
        AccountKind sourceKind = ledger.query(l -> l.account(source).map(AccountView::kind).orElse(null));
        if (sourceKind == null) {
            throw new ApiError(404, "unknown-account", "source", "account '" + source + "' does not exist");
        }
        Operation operation = sourceKind == AccountKind.SYSTEM
                ? new Operation.TopUp(source, accountId, unit, amount, null)
                : new Operation.Transfer(source, accountId, unit, amount, ServiceRef.ANY);
        Reply reply = ledger.command(requestId, operation, 201);
        if (reply.status() != 201) {
            return reply;
        }
        Map<String, Object> answer = answered(reply, accountId);
        answer.put("source", source);
        answer.put("unit", unit);
        answer.put("amount", amount);
        answer.put("reason", reason);
        answer.put("transferKind", sourceKind == AccountKind.SYSTEM ? TransferKind.TOP_UP : TransferKind.TRANSFER);
        sessions.credited(accountId);
        return Reply.json(201, answer);
    }

    /**
     * {@code POST /v1/accounts/{accountId}/packages}: buys a catalog package, the price and every
     * bucket in one linked ledger command. Buckets run from the time of the request, so a retry
     * builds a command with other times; the ledger then answers DuplicateRequest, and the first
     * purchase's outcome is the answer when it has the package's shape (as credit control does
     * after a restart).
     */
    Reply buyPackage(String accountId, JsonBody body, Request request) {
        String requestId = requestId(body, request);
        String name = body.requiredString("package");
        body.rejectUnknownFields();
        Catalog inForce = CatalogApi.inForce(catalog).catalog();
        ProductPackage product = inForce.packages().get(name);
        if (product == null) {
            throw new ApiError(404, "unknown-package", "package", "catalog " + inForce.version() + " has no package '"
                    + name + "'");
        }
        Operation.Linked purchase = Packages.purchase(product, accountId, System.currentTimeMillis());
        Outcome outcome = ledger.submit(new Command(requestId, purchase));
        if (outcome instanceof Rejection.DuplicateRequest) {
            Outcome rejectedOrApplied = outcome;
            outcome = ledger.query(l -> {
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

    private static Optional<TransferRecord> transferAt(LedgerView ledger, String accountId, long seq) {
        return ledger.transfers(accountId, seq + 1, 1).flatMap(list -> list.stream().filter(t -> t.seq() == seq)
                .findFirst());
    }
}
