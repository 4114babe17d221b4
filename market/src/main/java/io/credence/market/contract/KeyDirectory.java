package io.credence.market.contract;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Who holds which key: a party id (provider or buyer account) to its registered Ed25519 public
 * key. The integrator builds it from {@link ProviderRegistration}s signed by the market authority
 * and its own account records; the rules only ask.
 */
@FunctionalInterface
public interface KeyDirectory {
    /** The 32-byte public key registered for {@code partyId}, or empty when it has none. */
    Optional<byte[]> publicKey(String partyId);

    /** A fixed directory (keys copied now, handed out as copies). */
    static KeyDirectory of(Map<String, byte[]> keys) {
        Map<String, byte[]> copy = new HashMap<>();
        keys.forEach((id, key) -> copy.put(Canonical.requireId("partyId", id),
                Canonical.requireBytes("public key of " + id, key, Ed25519.PUBLIC_KEY_BYTES)));
        return partyId -> Optional.ofNullable(copy.get(partyId)).map(byte[]::clone);
    }
}
