package io.credence.market.contract;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The marketplace server has checked a provider's credentials and vouches for its key. Signed by
 * the market authority's key, so anyone holding that one key can build the provider key
 * directory from the log alone.
 *
 * @param providerId the terminal's account, the id the provider signs offers and contracts as
 * @param publicKey  the provider's Ed25519 public key (32 bytes)
 */
public record ProviderRegistration(String providerId, String serviceId, byte[] publicKey, long registeredAtMillis)
        implements Entry {
    public ProviderRegistration {
        Canonical.requireId("providerId", providerId);
        Canonical.requireId("serviceId", serviceId);
        publicKey = Canonical.requireBytes("publicKey", publicKey, Ed25519.PUBLIC_KEY_BYTES);
        EntryChecks.instant("registeredAtMillis", registeredAtMillis);
    }

    @Override
    public EntryKind kind() {
        return EntryKind.PROVIDER_REGISTRATION;
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ProviderRegistration that && providerId.equals(that.providerId)
                && serviceId.equals(that.serviceId) && Arrays.equals(publicKey, that.publicKey)
                && registeredAtMillis == that.registeredAtMillis;
    }

    @Override
    public int hashCode() {
        return Objects.hash(providerId, serviceId, Arrays.hashCode(publicKey), registeredAtMillis);
    }

    @Override
    public String toString() {
        return "ProviderRegistration[providerId=" + providerId + ", serviceId=" + serviceId + ", publicKey="
                + HexFormat.of().formatHex(publicKey) + ", registeredAtMillis=" + registeredAtMillis + "]";
    }
}
