package io.credence.ledger;

import java.util.List;
import java.util.Map;

/** An account as seen from outside, at the ledger's current time. */
public record AccountView(String accountId, AccountKind kind, AccountStatus status, Map<Unit, Long> creditLimits,
                          List<Balance> balances, List<BucketView> buckets) {
    public AccountView {
        creditLimits = Map.copyOf(creditLimits);
        balances = List.copyOf(balances);
        buckets = List.copyOf(buckets);
    }
}
