package io.credence.http;

import io.credence.ledger.AccountView;
import io.credence.ledger.Balance;
import io.credence.ledger.BucketSpec;
import io.credence.ledger.BucketView;
import io.credence.ledger.Outcome;
import io.credence.ledger.ReservationView;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.SubscriberIdentity;
import io.credence.ledger.TransferRecord;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * JSON shapes of what the API returns. Kept as explicit maps so the wire format is decided
 * here and not by whatever a record happens to be named.
 */
final class Views {
    private Views() {}

    static Map<String, Object> account(AccountView view, List<SubscriberIdentity> identities, String currency,
                                       long nowMillis) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accountId", view.accountId());
        body.put("kind", view.kind());
        body.put("status", view.status());
        body.put("currency", currency);
        body.put("creditLimits", view.creditLimits());
        body.put("balances", view.balances().stream().map(b -> balance(b, view.buckets())).toList());
        body.put("buckets", view.buckets().stream().map(Views::bucket).toList());
        body.put("identities", identities.stream().map(i -> identity(i, null)).toList());
        body.put("asOf", instant(nowMillis));
        return body;
    }

    /**
     * One unit's totals, with what makes them up: a person reading {@code total 1000000000,
     * available 0} beside a bucket with 1000000000 available must see why (the bucket pays for
     * rating group 10 only). {@code available} is what can be spent now on some service (every
     * valid bucket, the main balance and its credit limit); {@code availableToAnyService} what a
     * service no bucket names could take (the main balance, unrestricted buckets, the credit limit).
     */
    static Map<String, Object> balance(Balance b, List<BucketView> buckets) {
        long main = 0;
        long inBuckets = 0;
        long availableNow = 0;
        int bucketCount = 0;
        for (BucketView bucket : buckets) {
            if (bucket.unit() != b.unit()) {
                continue;
            }
            availableNow += bucket.available();
            if (bucket.main()) {
                main += bucket.amount();
            } else {
                inBuckets += bucket.amount();
                bucketCount++;
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("unit", b.unit());
        body.put("total", b.total());
        body.put("main", main);
        body.put("inBuckets", inBuckets);
        body.put("buckets", bucketCount);
        body.put("reserved", b.reserved());
        body.put("available", availableNow);
        body.put("availableToAnyService", b.available());
        body.put("creditLimit", b.creditLimit());
        return body;
    }

    static Map<String, Object> bucket(BucketView b) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("bucketId", b.bucketId());
        body.put("unit", b.unit());
        body.put("main", b.main());
        body.put("amount", b.amount());
        body.put("reserved", b.reserved());
        body.put("available", b.available());
        if (!b.main()) {
            body.put("priority", b.priority());
            body.put("validFrom", b.validFromMillis() == 0 ? null : instant(b.validFromMillis())); // no start: null
            body.put("validUntil", b.validUntilMillis() == BucketSpec.FOREVER ? null : instant(b.validUntilMillis()));
            body.put("ratingGroups", new TreeSet<>(b.services().ratingGroups()));
            body.put("serviceIds", new TreeSet<>(b.services().serviceIds()));
        }
        return body;
    }

    /** An identity, with the account it is bound to when {@code accountId} is given. */
    static Map<String, Object> identity(SubscriberIdentity identity, String accountId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", identity.type());
        body.put("value", identity.value());
        if (accountId != null) {
            body.put("accountId", accountId);
        }
        return body;
    }

    static Map<String, Object> reservation(ReservationView r) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("reservationId", r.reservationId());
        body.put("status", r.status());
        if (r.accountId() != null) {
            body.put("accountId", r.accountId());
            body.put("counterpartyId", r.counterpartyId());
            body.put("unit", r.unit());
            body.put("amount", r.amount());
            putService(body, r.service());
            body.put("expiresAt", instant(r.expiresAtMillis()));
        } else {
            body.put("closedAt", instant(r.closedAtMillis()));
        }
        return body;
    }

    static Map<String, Object> transfers(List<TransferRecord> transfers, int limit) {
        List<Map<String, Object>> items = new ArrayList<>(transfers.size());
        for (TransferRecord t : transfers) {
            items.add(transfer(t));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("transfers", items);
        body.put("nextBefore", transfers.size() == limit && !transfers.isEmpty()
                ? transfers.get(transfers.size() - 1).seq() : null);
        return body;
    }

    static Map<String, Object> transfer(TransferRecord t) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("seq", t.seq());
        body.put("kind", t.kind());
        body.put("from", t.fromAccountId());
        body.put("to", t.toAccountId());
        body.put("unit", t.unit());
        body.put("amount", t.amount());
        if (t.overdraft() != 0) {
            body.put("overdraft", t.overdraft());
        }
        if (t.reservationId() != 0) {
            body.put("reservationId", t.reservationId());
        }
        if (t.bucketId() != 0) {
            body.put("bucketId", t.bucketId());
        }
        body.put("at", instant(t.atMillis()));
        body.put("requestId", t.requestId());
        return body;
    }

    /** The body of a successful command; built from the outcome alone so a retry gets the same bytes. */
    static Map<String, Object> outcome(Outcome outcome) {
        Map<String, Object> body = new LinkedHashMap<>();
        switch (outcome) {
            case Outcome.AccountCreated o -> body.put("accountId", o.accountId());
            case Outcome.AccountUpdated o -> {
                body.put("accountId", o.accountId());
                body.put("status", o.status());
            }
            case Outcome.ToppedUp o -> {
                body.put("transferSeq", o.transferSeq());
                body.put("bucketId", o.bucketId());
            }
            case Outcome.Transferred o -> body.put("transferSeq", o.transferSeq());
            case Outcome.Reserved o -> {
                body.put("reservationId", o.reservationId());
                body.put("amount", o.amount());
                body.put("expiresAt", instant(o.expiresAtMillis()));
            }
            case Outcome.Committed o -> {
                body.put("reservationId", o.reservationId());
                body.put("committed", o.committed());
                body.put("released", o.released());
                body.put("overdraft", o.overdraft());
                body.put("transferSeq", o.transferSeq() == 0 ? null : o.transferSeq());
            }
            case Outcome.Released o -> {
                body.put("reservationId", o.reservationId());
                body.put("released", o.released());
            }
            case Outcome.IdentityBound o ->
                    body.putAll(identity(new SubscriberIdentity(o.type(), o.value()), o.accountId()));
            case Outcome.IdentityUnbound o ->
                    body.putAll(identity(new SubscriberIdentity(o.type(), o.value()), o.accountId()));
            case Outcome.Advanced o -> {
                body.put("accountId", o.accountId());
                body.put("stream", o.stream());
                body.put("seq", o.seq());
                body.put("total", o.total());
            }
            case Outcome.LinkedApplied o -> body.put("steps", o.steps().stream().map(Views::outcome).toList());
            case io.credence.ledger.Rejection r -> throw new IllegalArgumentException("rejections are problems: " + r);
        }
        return body;
    }

    private static void putService(Map<String, Object> body, ServiceRef service) {
        if (service.ratingGroup() != ServiceRef.NONE) {
            body.put("ratingGroup", service.ratingGroup());
        }
        if (service.serviceId() != ServiceRef.NONE) {
            body.put("serviceId", service.serviceId());
        }
    }

    static String instant(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }
}
