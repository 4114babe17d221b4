package io.credence.market.trade;

/** What publishing an entry answers: an offer, a withdrawal, a buyer's request or a provider's answer to one. */
public sealed interface Publication {
    /** @param id the offer's or the request's id */
    record Published(String id, long logIndex, boolean again) implements Publication {}

    /** @param field the part of the request at fault */
    record Refused(String field, String reason) implements Publication {}
}
