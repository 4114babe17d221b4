package io.credence.http;

import io.credence.ledger.AccountKind;
import io.credence.ledger.AccountStatus;
import io.credence.ledger.Operation;
import io.credence.ledger.Rejection;
import io.credence.ledger.Unit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

import java.util.EnumMap;
import java.util.Map;

import static io.credence.http.RequestInputs.AMOUNT_MAX;
import static io.credence.http.RequestInputs.queryLong;
import static io.credence.http.RequestInputs.requestId;

/**
 * Accounts: opening one, changing its status or credit limits, showing its balances and buckets,
 * and paging through its transfers, newest first.
 */
final class AccountsApi {
    static final int TRANSFERS_PAGE_MAX = 1000;

    private final LedgerCalls ledger;
    private final String currency;
    private final LiveSessions sessions;

    AccountsApi(LedgerCalls ledger, String currency, LiveSessions sessions) {
        this.ledger = ledger;
        this.currency = currency;
        this.sessions = sessions;
    }

    /** {@code POST /v1/accounts}. */
    Reply create(JsonBody body, Request request) {
        String requestId = requestId(body, request);
        String accountId = body.requiredAccountId("accountId");
        AccountKind kind = body.requiredEnum("kind", AccountKind.class);
        Map<Unit, Long> limits = creditLimits(body);
        body.rejectUnknownFields();
        return ledger.command(requestId, new Operation.CreateAccount(accountId, kind, limits), 201);
    }

    /** {@code PATCH /v1/accounts/{accountId}}. */
    Reply update(String accountId, JsonBody body, Request request) {
        String requestId = requestId(body, request);
        AccountStatus status = body.optionalEnum("status", AccountStatus.class);
        Map<Unit, Long> limits = body.has("creditLimits") ? creditLimits(body) : null;
        body.rejectUnknownFields();
        if (status == null && limits == null) {
            throw new ApiError("status", "give status and/or creditLimits to change");
        }
        Reply reply = ledger.command(requestId, new Operation.UpdateAccount(accountId, status, limits), 200);
        if (reply.status() == 200 && (status == AccountStatus.SUSPENDED || status == AccountStatus.CLOSED)) {
            sessions.suspended(accountId); // its sessions may charge no more: their clients are told to end them
        }
        return reply;
    }

    /**
     * {@code GET /v1/accounts?q=TERM}: the accounts a customer may be known by in a call centre:
     * the account id itself, or an identity of any type bound to it (MSISDN, IMSI, SIP URI, NAI,
     * private id), tried with the term as typed. At most one account per type, so the answer is
     * small; nothing is scanned.
     */
    Reply search(Request request) {
        String term = Request.extractQueryParameters(request).getValue("q");
        if (term == null || term.isBlank() || term.length() > 256) {
            throw new ApiError("q", "query parameter must be 1..256 characters: an account id, MSISDN, IMSI or SIP URI");
        }
        String typed = term.strip();
        java.util.List<Map<String, Object>> matches = ledger.query(l -> {
            java.util.List<Map<String, Object>> found = new java.util.ArrayList<>();
            java.util.Set<String> accounts = new java.util.HashSet<>();
            if (io.credence.ledger.Ids.accountIdProblem(typed) == null && l.account(typed).isPresent()) {
                accounts.add(typed);
                found.add(match(typed, "ACCOUNT", typed));
            }
            for (io.credence.ledger.IdentityType type : io.credence.ledger.IdentityType.values()) {
                for (String value : candidates(type, typed)) {
                    if (type.valueProblem(value) != null) {
                        continue;
                    }
                    l.accountForIdentity(type, value).ifPresent(account -> {
                        if (accounts.add(account)) {
                            found.add(match(account, type.name(), value));
                        }
                    });
                }
            }
            return found;
        });
        return Reply.json(200, Map.of("query", typed, "matches", matches));
    }

    /** The forms an operator may type a value in: an MSISDN with or without its '+', a SIP URI with or without "sip:". */
    private static java.util.List<String> candidates(io.credence.ledger.IdentityType type, String typed) {
        return switch (type) {
            case E164 -> typed.startsWith("+") ? java.util.List.of(typed, typed.substring(1)) : java.util.List.of(typed);
            case SIP_URI -> typed.startsWith("sip:") || typed.startsWith("sips:") || typed.startsWith("tel:")
                    ? java.util.List.of(typed) : java.util.List.of(typed, "sip:" + typed);
            default -> java.util.List.of(typed);
        };
    }

    private static Map<String, Object> match(String accountId, String by, String value) {
        return Map.of("accountId", accountId, "matchedBy", by, "value", value);
    }

    /** {@code GET /v1/accounts/{accountId}} and its {@code /balances}. */
    Reply show(String accountId) {
        Map<String, Object> view = ledger.query(l -> l.account(accountId)
                .map(a -> Views.account(a, l.identitiesOf(accountId), currency, l.nowMillis())).orElse(null));
        if (view == null) {
            return Reply.problem(Problem.of(new Rejection.UnknownAccount(accountId)));
        }
        return Reply.json(200, view);
    }

    /** {@code GET /v1/accounts/{accountId}/transfers?limit=&before=}. */
    Reply listTransfers(String accountId, Request request) {
        Fields query = Request.extractQueryParameters(request);
        int limit = (int) queryLong(query, "limit", 1, TRANSFERS_PAGE_MAX, 100);
        long before = queryLong(query, "before", 1, Long.MAX_VALUE, 0);
        Map<String, Object> page = ledger.query(l -> l.transfers(accountId, before, limit)
                .map(list -> Views.transfers(list, limit)).orElse(null));
        if (page == null) {
            return Reply.problem(Problem.of(new Rejection.UnknownAccount(accountId)));
        }
        return Reply.json(200, page);
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
}
