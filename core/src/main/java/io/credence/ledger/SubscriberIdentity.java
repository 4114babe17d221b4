package io.credence.ledger;

/**
 * One identity a subscriber is known by on the network (Diameter Subscription-Id), bound to at
 * most one account at a time. Validated here so that a malformed identity never reaches the
 * ledger's tables or the journal.
 */
public record SubscriberIdentity(IdentityType type, String value) {
    public SubscriberIdentity {
        if (type == null) {
            throw new IllegalArgumentException("type must not be null");
        }
        String problem = type.valueProblem(value);
        if (problem != null) {
            throw new IllegalArgumentException("value: " + problem);
        }
    }
}
