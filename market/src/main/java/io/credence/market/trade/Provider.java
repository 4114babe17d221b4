package io.credence.market.trade;

/**
 * A relay provider as the log registered it: its terminal, the service identifier its offers
 * carry and the key they must be signed with.
 */
public record Provider(String providerId, String terminalId, String serviceId, byte[] publicKey, long logIndex) {}
