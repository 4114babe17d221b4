package io.credence.http;

import io.credence.ledger.BucketSpec;
import io.credence.ledger.Ids;
import io.credence.ledger.Operation;
import io.credence.ledger.Outcome;
import io.credence.ledger.ServiceFilter;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.TransferRecord;
import io.credence.ledger.Unit;
import io.credence.rating.Catalog;
import io.credence.rating.ProductPackage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongFunction;

/**
 * Packages of the catalog as the API shows them, and a purchase as one ledger command: the price
 * paid to the system account and one bucket per grant, linked, so either the subscriber has paid
 * and has every bucket, or nothing changed.
 */
final class Packages {
    static {
        // price step + one top-up per grant must fit one linked command
        if (ProductPackage.GRANTS_MAX + 1 > Operation.Linked.STEPS_MAX) {
            throw new IllegalStateException("ProductPackage.GRANTS_MAX does not fit Operation.Linked.STEPS_MAX");
        }
    }

    private Packages() {}

    static Map<String, Object> list(Catalog catalog) {
        List<Map<String, Object>> items = new ArrayList<>();
        new TreeMap<>(catalog.packages()).values().forEach(p -> items.add(view(p, catalog.currency())));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", catalog.version());
        body.put("packages", items);
        return body;
    }

    static Map<String, Object> view(ProductPackage p, String currency) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", p.name());
        body.put("price", p.priceMinor());
        body.put("currency", currency);
        List<Map<String, Object>> buckets = new ArrayList<>();
        for (ProductPackage.Grant g : p.grants()) {
            Map<String, Object> bucket = new LinkedHashMap<>();
            bucket.put("unit", g.unit());
            bucket.put("amount", g.amount());
            bucket.put("validityDays", g.validityDays());
            bucket.put("priority", g.priority());
            bucket.put("ratingGroups", new TreeSet<>(g.ratingGroups()));
            buckets.add(bucket);
        }
        body.put("buckets", buckets);
        return body;
    }

    /** How many ledger steps a purchase of {@code p} has: the payment (when not free) and a top-up per bucket. */
    static int stepCount(ProductPackage p) {
        return (p.priceMinor() > 0 ? 1 : 0) + p.grants().size();
    }

    /** The purchase as one linked command; buckets are valid from {@code nowMillis} for their days. */
    static Operation.Linked purchase(ProductPackage p, String accountId, long nowMillis) {
        List<Operation.Step> steps = new ArrayList<>(stepCount(p));
        if (p.priceMinor() > 0) {
            steps.add(new Operation.Transfer(accountId, Ids.SYSTEM_ACCOUNT, Unit.MONEY, p.priceMinor(), ServiceRef.ANY));
        }
        for (ProductPackage.Grant g : p.grants()) {
            BucketSpec spec = new BucketSpec(nowMillis, nowMillis + g.validityMillis(), g.priority(),
                    new ServiceFilter(g.ratingGroups(), Set.of()));
            steps.add(new Operation.TopUp(Ids.SYSTEM_ACCOUNT, accountId, g.unit(), g.amount(), spec));
        }
        Operation.Linked linked = new Operation.Linked(steps);
        if (linked.steps().size() != stepCount(p)) {
            throw new IllegalStateException("a purchase of " + p.name() + " has " + linked.steps().size() + " steps");
        }
        return linked;
    }

    /** Whether {@code applied} is what a purchase of {@code p} answers: a payment when not free, then a top-up per bucket. */
    static boolean fits(ProductPackage p, Outcome.LinkedApplied applied) {
        if (applied.steps().size() != stepCount(p)) {
            return false;
        }
        for (int i = 0; i < applied.steps().size(); i++) {
            boolean payment = p.priceMinor() > 0 && i == 0;
            Outcome step = applied.steps().get(i);
            if (payment ? !(step instanceof Outcome.Transferred) : !(step instanceof Outcome.ToppedUp)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the transfers the ledger recorded for {@code applied} (looked up by sequence number)
     * are a purchase of {@code p} by {@code accountId}: the same price and the same unit and amount
     * in each bucket, under {@code requestId}. A retry after a catalog reload that changed the package
     * is not the same purchase.
     */
    static boolean recordedAs(ProductPackage p, String accountId, String requestId, Outcome.LinkedApplied applied,
                              LongFunction<Optional<TransferRecord>> transferAt) {
        if (!fits(p, applied)) {
            return false;
        }
        int step = 0;
        if (p.priceMinor() > 0) {
            long seq = ((Outcome.Transferred) applied.steps().get(step++)).transferSeq();
            if (!transferAt.apply(seq).filter(t -> t.fromAccountId().equals(accountId) && t.unit() == Unit.MONEY
                    && t.amount() == p.priceMinor() && requestId.equals(t.requestId())).isPresent()) {
                return false;
            }
        }
        for (ProductPackage.Grant g : p.grants()) {
            long seq = ((Outcome.ToppedUp) applied.steps().get(step++)).transferSeq();
            if (!transferAt.apply(seq).filter(t -> t.toAccountId().equals(accountId) && t.unit() == g.unit()
                    && t.amount() == g.amount() && requestId.equals(t.requestId())).isPresent()) {
                return false;
            }
        }
        return true;
    }

    /** The answer to a purchase the ledger applied; from the outcome and the package alone, so a retry gets the same. */
    static Map<String, Object> purchased(ProductPackage p, String currency, Outcome.LinkedApplied applied) {
        if (!fits(p, applied)) {
            throw new IllegalStateException("not the outcome of a purchase of " + p.name() + ": " + applied);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("package", p.name());
        body.put("price", p.priceMinor());
        body.put("currency", currency);
        int step = 0;
        if (p.priceMinor() > 0) {
            body.put("paymentTransferSeq", ((Outcome.Transferred) applied.steps().get(step++)).transferSeq());
        } else {
            body.put("paymentTransferSeq", null);
        }
        List<Map<String, Object>> buckets = new ArrayList<>();
        for (ProductPackage.Grant g : p.grants()) {
            Outcome.ToppedUp toppedUp = (Outcome.ToppedUp) applied.steps().get(step++);
            Map<String, Object> bucket = new LinkedHashMap<>();
            bucket.put("bucketId", toppedUp.bucketId());
            bucket.put("transferSeq", toppedUp.transferSeq());
            bucket.put("unit", g.unit());
            bucket.put("amount", g.amount());
            buckets.add(bucket);
        }
        body.put("buckets", buckets);
        return body;
    }
}
