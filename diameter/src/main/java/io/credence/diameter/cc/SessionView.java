package io.credence.diameter.cc;

import java.util.List;

/** A live credit-control session as operators see it (listing, inspection). */
public record SessionView(String sessionId, String accountId, String peerHost, long lastRequestNumber,
                          boolean finished, List<GrantView> grants) {
    public record GrantView(long ratingGroup, long serviceId, String unit, long amount, long reservationId) {}
}
