package io.credence.http;

import io.credence.ledger.Ids;
import io.credence.ledger.Operation;
import io.credence.ledger.Rejection;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;
import org.eclipse.jetty.server.Request;

import java.util.Map;

import static io.credence.http.RequestInputs.AMOUNT_MAX;
import static io.credence.http.RequestInputs.requestId;
import static io.credence.http.RequestInputs.service;

/**
 * Reservations made over HTTP rather than Diameter: hold an amount for a while, then commit what
 * was used (with overdraft, if asked, within the credit limit) or release it all.
 */
final class ReservationsApi {
    private final LedgerCalls ledger;

    ReservationsApi(LedgerCalls ledger) {
        this.ledger = ledger;
    }

    /** {@code POST /v1/reservations}. */
    Reply reserve(JsonBody body, Request request) {
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
        return ledger.command(requestId, new Operation.Reserve(accountId, counterparty, unit, amount, service,
                ttlSeconds * 1000), 201);
    }

    /** {@code GET /v1/reservations/{reservationId}}: open, or how and when it closed while that is remembered. */
    Reply show(long reservationId) {
        Map<String, Object> view = ledger.query(l -> l.reservation(reservationId).map(Views::reservation).orElse(null));
        if (view == null) {
            return Reply.problem(Problem.of(new Rejection.UnknownReservation(reservationId)));
        }
        return Reply.json(200, view);
    }

    /** {@code POST /v1/reservations/{reservationId}/commit}. */
    Reply commit(long reservationId, JsonBody body, Request request) {
        String requestId = requestId(body, request);
        long amount = body.requiredLong("amount", 0, AMOUNT_MAX);
        boolean overdraft = body.optionalBoolean("overdraft", false);
        body.rejectUnknownFields();
        return ledger.command(requestId, new Operation.Commit(reservationId, amount, overdraft), 200);
    }

    /** {@code POST /v1/reservations/{reservationId}/release}. */
    Reply release(long reservationId, JsonBody body, Request request) {
        String requestId = requestId(body, request);
        body.rejectUnknownFields();
        return ledger.command(requestId, new Operation.Release(reservationId), 200);
    }
}
