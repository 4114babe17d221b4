package io.credence.http;

import io.credence.ledger.IdentityType;
import io.credence.ledger.Ids;
import io.credence.ledger.Operation;
import io.credence.ledger.Rejection;
import io.credence.ledger.SubscriberIdentity;
import org.eclipse.jetty.server.Request;

import static io.credence.http.RequestInputs.requestId;

/**
 * Subscriber identities (an MSISDN, an IMSI, a SIP URI...): binding one to an account, looking up
 * the account one is bound to, and unbinding it, which is the only way a number is freed.
 */
final class IdentitiesApi {
    private final LedgerCalls ledger;

    IdentitiesApi(LedgerCalls ledger) {
        this.ledger = ledger;
    }

    /** {@code POST /v1/accounts/{accountId}/identities}. */
    Reply bind(String accountId, JsonBody body, Request request) {
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
        return ledger.command(requestId, new Operation.BindIdentity(type, value, accountId), 201);
    }

    /** {@code GET /v1/identities/{type}/{value}}. */
    Reply show(IdentityType type, String value) {
        String accountId = ledger.query(l -> l.accountForIdentity(type, value).orElse(null));
        if (accountId == null) {
            return Reply.problem(Problem.of(new Rejection.UnknownIdentity(type, value)));
        }
        return Reply.json(200, Views.identity(new SubscriberIdentity(type, value), accountId));
    }

    /** {@code DELETE /v1/identities/{type}/{value}}. */
    Reply unbind(IdentityType type, String value, JsonBody body, Request request) {
        String requestId = requestId(body, request);
        body.rejectUnknownFields();
        return ledger.command(requestId, new Operation.UnbindIdentity(type, value), 200);
    }
}
