package io.credence.market.contract;

/** The provider takes an offer back; contracts made before {@code atMillis} stand. Signed by the provider. */
public record Withdrawal(String offerId, String providerId, long atMillis) implements Entry {
    public Withdrawal {
        Canonical.requireId("offerId", offerId);
        Canonical.requireId("providerId", providerId);
        EntryChecks.instant("atMillis", atMillis);
    }

    @Override
    public EntryKind kind() {
        return EntryKind.WITHDRAWAL;
    }
}
