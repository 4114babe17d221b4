package io.credence.server;

import io.credence.diameter.cc.CreditControlConfig;
import io.credence.diameter.peer.LocalIdentity;
import io.credence.diameter.transport.TransportConfig;

import java.util.Set;

/**
 * The Diameter side of {@code credence serve}: where to listen, who we are in capabilities
 * exchange, which peers may connect, and how credit control grants.
 */
public record DiameterSettings(TransportConfig transport, LocalIdentity identity, Set<String> allowedPeers,
                               CreditControlConfig creditControl) {
    public DiameterSettings {
        allowedPeers = Set.copyOf(allowedPeers);
    }
}
