package io.credence.market.trade;

/** What {@link Marketplace#register} answers. */
public sealed interface Registration {
    /** @param seed the generated key's secret seed, handed over once; null when the provider brought its key */
    record Registered(Provider provider, byte[] seed, boolean again) implements Registration {}

    record Refused(String reason) implements Registration {}
}
