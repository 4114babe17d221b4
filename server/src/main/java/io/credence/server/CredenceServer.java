package io.credence.server;

import io.credence.diameter.cc.CreditControlServer;
import io.credence.diameter.transport.DiameterServer;
import io.credence.http.CatalogControl;
import io.credence.http.HttpServer;
import io.credence.server.catalog.CatalogHolder;
import io.credence.http.LiveSessions;
import io.credence.http.ProvisioningApi;
import io.credence.journal.DurableLedger;

import java.util.function.Consumer;

/**
 * The running server: the durable ledger, the HTTP API and the Diameter credit-control listener
 * around it, wired by hand. Closing stops the listeners first (no new work; Diameter peers get
 * DPR), then the ledger (answers what is queued, snapshots).
 */
public final class CredenceServer implements AutoCloseable {
    private final DurableLedger ledger;
    private final HttpServer http;
    private final CreditControlServer creditControl;
    private final DiameterServer diameter;

    private CredenceServer(DurableLedger ledger, HttpServer http, CreditControlServer creditControl,
                           DiameterServer diameter) {
        this.ledger = ledger;
        this.http = http;
        this.creditControl = creditControl;
        this.diameter = diameter;
    }

    /**
     * @param onFatal what to do when the ledger cannot write its journal; {@code serve} halts the
     *                process, since answering from memory that is not on disk would be a lie
     */
    public static CredenceServer start(ServerConfig config, Consumer<Throwable> onFatal) throws Exception {
        DurableLedger ledger = DurableLedger.open(config.dataDir(), config.journal(), config.limits(),
                System::currentTimeMillis, onFatal);
        CreditControlServer creditControl = null;
        CatalogControl catalog = CatalogControl.NONE;
        DiameterServer diameter = null;
        HttpServer http = null;
        try {
            DiameterSettings d = config.diameter();
            if (d != null) {
                DiameterServer[] listener = new DiameterServer[1];
                CatalogHolder holder = d.catalog() == null ? null : new CatalogHolder(d.catalogFile(), d.catalog());
                catalog = holder == null ? CatalogControl.NONE : holder;
                creditControl = new CreditControlServer(ledger, d.creditControl(), d.identity(),
                        host -> listener[0] == null ? java.util.Optional.empty() : listener[0].peers().find(host),
                        System::currentTimeMillis, () -> holder == null ? null : holder.engine());
                diameter = DiameterServer.start(d.transport(), d.identity(), d.allowedPeers(), creditControl);
                listener[0] = diameter;
            }
            LiveSessions sessions = creditControl == null ? LiveSessions.NONE : new DiameterSessions(creditControl);
            http = HttpServer.start(config.host(), config.httpPort(),
                    new ProvisioningApi(ledger, config.currency(), sessions, catalog), config.httpThreadsMax(),
                    config.httpConnectionsMax());
            return new CredenceServer(ledger, http, creditControl, diameter);
        } catch (Exception failed) {
            if (diameter != null) {
                diameter.close();
            }
            if (creditControl != null) {
                creditControl.close();
            }
            ledger.close();
            throw failed;
        }
    }

    public int httpPort() {
        return http.port();
    }

    /** The Diameter port, or -1 when Diameter is not configured. */
    public int diameterPort() {
        return diameter == null ? -1 : diameter.port();
    }

    public DurableLedger ledger() {
        return ledger;
    }

    public CreditControlServer creditControl() {
        return creditControl;
    }

    @Override
    public void close() throws Exception {
        try {
            http.close();
        } finally {
            try {
                if (diameter != null) {
                    diameter.close();
                }
                if (creditControl != null) {
                    creditControl.close();
                }
            } finally {
                ledger.close();
            }
        }
    }
}
