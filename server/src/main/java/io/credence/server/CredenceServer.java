package io.credence.server;

import io.credence.diameter.cc.CreditControlServer;
import io.credence.diameter.transport.DiameterServer;
import io.credence.http.CatalogControl;
import io.credence.http.HttpServer;
import io.credence.server.catalog.CatalogHolder;
import io.credence.http.LiveSessions;
import io.credence.http.ProvisioningApi;
import io.credence.journal.DurableLedger;
import io.credence.records.file.RecordWriter;
import io.credence.records.file.RecordWriterConfig;

import java.util.ArrayList;
import java.util.List;
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
    /** Closed after the listeners, before the ledger, last opened first: catalog watcher, record writer. */
    private final List<AutoCloseable> attached;

    private CredenceServer(DurableLedger ledger, HttpServer http, CreditControlServer creditControl,
                           DiameterServer diameter, List<AutoCloseable> attached) {
        this.attached = List.copyOf(attached);
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
        List<AutoCloseable> attached = new ArrayList<>();
        CatalogControl catalog = CatalogControl.NONE;
        DiameterServer diameter = null;
        HttpServer http = null;
        try {
            DiameterSettings d = config.diameter();
            if (d != null) {
                RecordWriter records = RecordWriter.open(RecordWriterConfig.defaults(config.dataDir().resolve("records")));
                attached.add(0, new RecordSync(records));
                attached.add(1, records);
                DiameterServer[] listener = new DiameterServer[1];
                CatalogHolder holder = d.catalog() == null ? null : new CatalogHolder(d.catalogFile(), d.catalog());
                catalog = holder == null ? CatalogControl.NONE : holder;
                if (holder != null && !d.catalogWatch().isZero()) {
                    holder.watch(d.catalogWatch());
                }
                if (holder != null) {
                    attached.add(0, holder);
                }
                creditControl = new CreditControlServer(ledger, d.creditControl(), d.identity(),
                        host -> listener[0] == null ? java.util.Optional.empty() : listener[0].peers().find(host),
                        System::currentTimeMillis, () -> holder == null ? null : holder.inForce(), records);
                diameter = DiameterServer.start(d.transport(), d.identity(), d.allowedPeers(), creditControl);
                listener[0] = diameter;
            }
            LiveSessions sessions = creditControl == null ? LiveSessions.NONE : new DiameterSessions(creditControl);
            http = HttpServer.start(config.host(), config.httpPort(),
                    new ProvisioningApi(ledger, config.currency(), sessions, catalog), config.httpThreadsMax(),
                    config.httpConnectionsMax());
            return new CredenceServer(ledger, http, creditControl, diameter, attached);
        } catch (Exception failed) {
            if (diameter != null) {
                diameter.close();
            }
            if (creditControl != null) {
                creditControl.close();
            }
            closeAll(attached);
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
                try {
                    closeAll(attached);
                } finally {
                    ledger.close();
                }
            }
        }
    }

    private static void closeAll(List<AutoCloseable> closeables) throws Exception {
        Exception first = null;
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * Forces the usage records to disk every second. Each record reaches the OS before its charge
     * is answered, so a killed process loses none; this bounds what a power loss could take.
     */
    private static final class RecordSync implements AutoCloseable {
        private final java.util.concurrent.ScheduledExecutorService timer;

        RecordSync(RecordWriter records) {
            timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "usage-record-sync");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleWithFixedDelay(() -> {
                try {
                    records.force();
                } catch (Exception e) {
                    System.getLogger(CredenceServer.class.getName()).log(System.Logger.Level.WARNING,
                            "usage records not forced to disk: " + e.getMessage());
                }
            }, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            timer.shutdownNow();
        }
    }
}
