package io.credence.server;

import io.credence.diameter.cc.CreditControlConfig;
import io.credence.diameter.peer.LocalIdentity;
import io.credence.diameter.transport.TransportConfig;

import io.credence.admission.AdmissionPolicy;
import io.credence.rating.Catalog;
import io.credence.server.catalog.CatalogFile;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The Diameter side of {@code credence serve}: where to listen, who we are in capabilities
 * exchange, which peers may connect, how credit control grants, and the rating catalog (or null)
 * with how often its file is checked for edits (zero: only on {@code credence catalog reload}).
 * A null {@code transport} runs the credit-control engine without a Diameter listener (for Nchf
 * alone, {@code --diameter-port -1}).
 */
public record DiameterSettings(TransportConfig transport, LocalIdentity identity, Set<String> allowedPeers,
                               CreditControlConfig creditControl, Catalog catalog, Path catalogFile,
                               Duration catalogWatch, AdmissionPolicy admission) {
    public DiameterSettings {
        allowedPeers = Set.copyOf(allowedPeers);
        catalogWatch = catalogWatch == null ? Duration.ZERO : catalogWatch;
    }

    public DiameterSettings(TransportConfig transport, LocalIdentity identity, Set<String> allowedPeers,
                            CreditControlConfig creditControl, Catalog catalog, Path catalogFile) {
        this(transport, identity, allowedPeers, creditControl, catalog, catalogFile, Duration.ZERO, null);
    }

    /** With everything a catalog file holds: the rating catalog and its admission policy. */
    public DiameterSettings(TransportConfig transport, LocalIdentity identity, Set<String> allowedPeers,
                            CreditControlConfig creditControl, CatalogFile.Contents contents, Path catalogFile,
                            Duration catalogWatch) {
        this(transport, identity, allowedPeers, creditControl, contents.catalog(), catalogFile, catalogWatch,
                contents.admission());
    }

    /** Without a rating catalog: units and grants come from the credit-control configuration alone. */
    public DiameterSettings(TransportConfig transport, LocalIdentity identity, Set<String> allowedPeers,
                            CreditControlConfig creditControl) {
        this(transport, identity, allowedPeers, creditControl, null, null);
    }

    /** The engine alone with default grants and no catalog: what serves Nchf when no Diameter settings are given. */
    public static DiameterSettings engineOnly() {
        LocalIdentity identity = new LocalIdentity("ocs.credence.local", "credence.local",
                java.util.List.of(java.net.InetAddress.getLoopbackAddress().getAddress()), 0, "credence", 1);
        return new DiameterSettings(null, identity, Set.of(), CreditControlConfig.defaults());
    }

    /** The grant for an empty request per rating group, in the unit the catalog rates each service in. */
    public static Map<Long, CreditControlConfig.Quota> quotasOf(Catalog catalog) {
        Map<Long, CreditControlConfig.Quota> quotas = new HashMap<>();
        for (Catalog.Service service : catalog.services().values()) {
            for (long rg : service.ratingGroups()) {
                quotas.put(rg, new CreditControlConfig.Quota(service.unit(), service.defaultQuota()));
            }
        }
        return quotas;
    }
}
