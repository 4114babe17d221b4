package io.credence.market.contract;

/**
 * A provider's answer to a {@link Request}: the offer it proposes, or {@code offerId == null}
 * when it cannot serve (said explicitly, so the buyer need not wait for a timeout). Signed by
 * the provider.
 */
public record RequestAnswer(String requestId, String providerId, String offerId) implements Entry {
    public RequestAnswer {
        Canonical.requireId("requestId", requestId);
        Canonical.requireId("providerId", providerId);
        Canonical.requireOptionalId("offerId", offerId);
    }

    public boolean canServe() {
        return offerId != null;
    }

    @Override
    public EntryKind kind() {
        return EntryKind.REQUEST_ANSWER;
    }
}
