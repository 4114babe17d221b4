package io.credence.server;

import io.credence.admission.AdmissionPolicy;
import io.credence.diameter.cc.CreditControlServer;
import io.credence.diameter.transport.ApplicationHandler;
import io.credence.diameter.transport.DiameterServer;
import io.credence.devices.DataShares;
import io.credence.devices.DeviceQuota;
import io.credence.devices.LegacyDeviceDb;
import io.credence.http.CatalogControl;
import io.credence.http.HttpServer;
import io.credence.server.catalog.CatalogFile;
import io.credence.server.catalog.CatalogHolder;
import io.credence.http.LiveSessions;
import io.credence.http.MarketFeed;
import io.credence.http.Metrics;
import io.credence.http.PrefixRouter;
import io.credence.nchf.NchfApi;
import io.credence.http.ProvisioningApi;
import io.credence.cluster.ClusterConfig;
import io.credence.cluster.ReplicatedEngine;
import io.credence.journal.DurableEngine;
import io.credence.journal.EngineGate;
import io.credence.journal.EngineSetup;
import io.credence.journal.JournalCheck;
import io.credence.records.cdr.CdrFileWriter;
import io.credence.records.file.RecordWriter;
import io.credence.records.file.RecordWriterConfig;
import io.credence.records.postgres.RecordShipper;
import org.eclipse.jetty.server.Handler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The running server: the durable ledger, the HTTP API (provisioning and 5G Nchf on one port) and
 * the Diameter credit-control listener around it, wired by hand. Closing stops the listeners first (no new work; Diameter peers get
 * DPR), then the ledger (answers what is queued, snapshots).
 */
public final class CredenceServer implements AutoCloseable {
    private final EngineGate ledger;
    private final HttpServer http;
    private final CreditControlServer creditControl;
    private final DiameterServer diameter;
    private final EngineAdmissions admissions;
    /** Closed after the listeners, before the engine: catalog watcher, devices, the market. */
    private final List<AutoCloseable> attached;
    /** Closed after the engine, whose last batches still write usage records: record writer, then the records database shipper. */
    private final List<AutoCloseable> afterEngine;

    /** Long-lived offer streams: ended first, so stopping the HTTP server does not wait for them. */
    private final MarketFeed feed;
    /** Deregistered from the NRF before anything stops, so that no consumer is sent to a closing server. */
    private final FiveGCore fiveG;

    private CredenceServer(EngineGate ledger, HttpServer http, CreditControlServer creditControl,
                           DiameterServer diameter, EngineAdmissions admissions, List<AutoCloseable> attached,
                           List<AutoCloseable> afterEngine, MarketFeed feed, FiveGCore fiveG) {
        this.feed = feed;
        this.fiveG = fiveG;
        this.attached = List.copyOf(attached);
        this.afterEngine = List.copyOf(afterEngine);
        this.ledger = ledger;
        this.http = http;
        this.creditControl = creditControl;
        this.diameter = diameter;
        this.admissions = admissions;
    }

    /** Reconcile period when the caller names none. */
    public static final Duration ADMISSION_RECONCILE_PERIOD_DEFAULT = Duration.ofSeconds(10);

    /** Without admission control: see the next method for {@code onFatal}. */
    public static CredenceServer start(ServerConfig config, Consumer<Throwable> onFatal) throws Exception {
        return start(config, onFatal, () -> null, ADMISSION_RECONCILE_PERIOD_DEFAULT);
    }

    /** As one node of a Raft group ({@code cluster}; null: the single-node journal). */
    public static CredenceServer start(ServerConfig config, ClusterConfig cluster, Consumer<Throwable> onFatal)
            throws Exception {
        return start(config, cluster, onFatal, () -> null, ADMISSION_RECONCILE_PERIOD_DEFAULT);
    }

    /**
     * @param onFatal what to do when the ledger cannot write its journal; {@code serve} halts the
     *                process, since answering from memory that is not on disk would be a lie
     * @param admissionPolicy the admission policy in force, asked again at each reconcile (so a
     *                reloaded catalog applies then); null from it means admission is not configured
     */
    public static CredenceServer start(ServerConfig config, Consumer<Throwable> onFatal,
                                       Supplier<AdmissionPolicy> admissionPolicy, Duration admissionReconcilePeriod)
            throws Exception {
        return start(config, null, onFatal, admissionPolicy, admissionReconcilePeriod);
    }

    private record Devices(DeviceQuota quota, DataShares shares) {}

    /**
     * Device quota and data shares over the engine, whose device directory holds the SIMs, base
     * stations and share rules. A single node imports a registry file from before that (devices.db)
     * once; a cluster node does not (one node's file would become the whole group's state the
     * moment it started): import it on a single node first, then make that node's data the group's.
     */
    private static Devices devices(ServerConfig config, EngineGate ledger, Metrics metrics, boolean clusterNode)
            throws java.io.IOException {
        java.nio.file.Path legacy = config.dataDir().resolve("devices.db");
        if (!clusterNode) {
            LegacyDeviceDb.importInto(legacy, ledger);
        } else if (java.nio.file.Files.exists(legacy)) {
            System.getLogger(CredenceServer.class.getName()).log(System.Logger.Level.WARNING, legacy
                    + " (a device registry from before devices were engine state) is not imported on a cluster "
                    + "node; start this data directory once without --cluster to import it");
        }
        DeviceSettings ds = config.devices();
        DeviceQuota quota = new DeviceQuota(ledger, ds.quota(), System::currentTimeMillis);
        DataShares shares = new DataShares(ledger, quota, DataShares.terms(ds.quota(), ds.shareHoldTtl(),
                ds.sharesMax()), System::currentTimeMillis);
        metrics.gauge("credence_devices_sims", "Cloud SIMs provisioned", quota::simCount);
        // clients that go past what they were given: charged or cut, and counted here (the log
        // shows an example every 10 s at most)
        metrics.counter("credence_device_reports_over_grant_total",
                "Device usage reports that used more than their grant held", quota::reportsOverGrant);
        metrics.counter("credence_device_report_bytes_over_grant_total",
                "Bytes device reports used past their grants", quota::bytesOverGrant);
        metrics.counter("credence_share_reports_over_limit_total",
                "Data-share usage reports whose total was past the share's limit (the excess is not settled)",
                shares::reportsOverLimit);
        return new Devices(quota, shares);
    }

    private static CredenceServer start(ServerConfig config, ClusterConfig cluster, Consumer<Throwable> onFatal,
                                        Supplier<AdmissionPolicy> admissionPolicy, Duration admissionReconcilePeriod)
            throws Exception {
        String refusal = config.httpAccess().refusal(config.host());
        if (refusal != null) {
            throw new IllegalArgumentException(refusal);
        }
        // usage records are written by the engine as it charges (and again for charges replayed at
        // start-up), so the writer is open before the engine; it creates no file until a record comes
        RecordWriter records = RecordWriter.open(RecordWriterConfig.defaults(config.dataDir().resolve("records")));
        // the CHF CDR files are written by the same batches, with the same discipline
        // this CHF's NF instance id: in its CDRs, its NRF profile and the audience of its tokens
        java.util.UUID nfInstanceId = io.credence.nchf.nrf.NfInstanceId.loadOrCreate(config.dataDir(),
                config.chf().nfInstanceId());
        CdrFileWriter cdrs;
        try {
            cdrs = openCdrs(config, nfInstanceId.toString());
        } catch (Exception failed) {
            records.close();
            throw failed;
        }
        UnrecoveredUsage unrecovered = new UnrecoveredUsage();
        EngineGate ledger;
        ReplicatedMarket clusterMarket = null;
        try {
            EngineSetup setup = new EngineSetup(CatalogFile.READER, cdrs == null ? records
                    : new UsageSinks(records, cdrs), unrecovered);
            if (cluster == null) {
                ledger = openLedger(config, onFatal, setup);
            } else {
                // this node's copy of the contract log is open before the engine, which appends to it from the start
                clusterMarket = ReplicatedMarket.open(config.dataDir().resolve("market"), config.market(),
                        config.limits());
                ReplicatedEngine replicated = ReplicatedEngine.start(cluster, config.limits(), setup,
                        System::currentTimeMillis, onFatal, clusterMarket);
                clusterMarket.attach(replicated);
                ledger = replicated;
            }
        } catch (Exception failed) {
            if (clusterMarket != null) {
                clusterMarket.close();
            }
            records.close();
            if (cdrs != null) {
                cdrs.close();
            }
            throw failed;
        }
        CreditControlServer creditControl = null;
        List<AutoCloseable> attached = new ArrayList<>();
        List<AutoCloseable> afterEngine = new ArrayList<>();
        afterEngine.add(new RecordSync(records, cdrs));
        afterEngine.add(records);
        if (cdrs != null) {
            afterEngine.add(cdrs);
        }
        if (clusterMarket != null) {
            afterEngine.add(clusterMarket); // the engine appends to its log until it stops
        }
        CatalogControl catalog = CatalogControl.NONE;
        DiameterServer diameter = null;
        HttpServer http = null;
        EngineAdmissions admissions = null;
        FiveGCore fiveG = null;
        try {
            // re-reads what start-up skipped (segments behind the snapshot, older snapshots) and
            // reports damage there before the day a lost snapshot would need them; knows only the path
            JournalCheck journalCheck = JournalCheck.start(config.dataDir(), config.journalCheck());
            attached.add(journalCheck);
            if (config.recordsDb() != null) {
                // Last in the list: closed after the writer, so it ships the final records.
                afterEngine.add(RecordShipper.start(config.recordsDb()));
            }
            Metrics metrics = new Metrics(); // gauges are added once what they read exists
            // Nchf charges through the same engine, so it runs even without a Diameter listener
            DiameterSettings d = config.diameter() != null ? config.diameter() : DiameterSettings.engineOnly();
            // how the engine grants and remembers: journaled, so a replay grants as this run does
            EngineStart.configure(ledger, d.creditControl().engineConfig());
            DiameterServer[] listener = new DiameterServer[1];
            fiveG = FiveGCore.prepare(config, nfInstanceId, ledger);
            FiveGCore core = fiveG;
            // a tariff change asks every Nchf consumer to report and ask again under it (the first load is no change)
            java.util.concurrent.atomic.AtomicBoolean catalogLoaded = new java.util.concurrent.atomic.AtomicBoolean();
            CatalogHolder holder = d.catalogFile() == null ? null
                    : new CatalogHolder(d.catalogFile(), source -> {
                        String refused = EngineStart.install(ledger, source);
                        if (refused == null && catalogLoaded.getAndSet(true)) {
                            core.notifications().reAuthorizeAll();
                        }
                        return refused;
                    });
            catalog = holder == null ? CatalogControl.NONE : holder;
            if (holder != null && !d.catalogWatch().isZero()) {
                holder.watch(d.catalogWatch());
            }
            if (holder != null) {
                attached.add(0, holder);
            }
            // a policy given directly; the catalog's admission section comes in force with the catalog
            admissions = new EngineAdmissions(ledger, admissionPolicy, admissionReconcilePeriod);
            creditControl = new CreditControlServer(ledger, d.creditControl(), d.identity(),
                    host -> listener[0] == null ? java.util.Optional.empty() : listener[0].peers().find(host));
            if (d.transport() != null) {
                ApplicationHandler charging = ServerMetrics.observed(creditControl, metrics);
                diameter = listening("Diameter", d.transport().host(), d.transport().port(), "--diameter-port",
                        () -> DiameterServer.start(d.transport(), d.identity(), d.allowedPeers(), charging));
                listener[0] = diameter;
            }
            LiveSessions sessions = new EngineSessions(ledger, creditControl, fiveG.notifications());
            OperatorConsole console = OperatorConsole.open(config.dataDir(), metrics);
            attached.add(console);
            ServerMetrics.register(metrics, ledger, catalog, journalCheck, unrecovered);
            ProvisioningApi provisioning;
            MarketFeed feed = null;
            Handler beyondNchf;
            Devices devices = devices(config, ledger, metrics, cluster != null);
            if (cluster == null) {
                // the relay market: its contract log (durable Merkle log) and the state replayed from it
                MarketLogs.Opened market = MarketLogs.open(config.dataDir().resolve("market"),
                        new LedgerEscrow(ledger, config.limits()), config.market());
                attached.add(market.log());
                attached.add(0, market.market()); // its admission stage stops before the log closes
                provisioning = new ProvisioningApi(ledger, config.currency(), sessions, catalog, admissions, records,
                        new RecordFiles(config.dataDir().resolve("records")), devices.quota(), devices.shares(),
                        market.market(), market.log(), console.adjustments());
                // the offer feed (server-sent events) streams from the contract log; everything else is the API
                feed = new MarketFeed(market.log(), provisioning);
                beyondNchf = feed;
            } else {
                ProvisioningApi onNode = ProvisioningApi.onClusterNode(ledger, config.currency(), sessions, catalog,
                        admissions, records, new RecordFiles(config.dataDir().resolve("records")), devices.quota(),
                        devices.shares(), clusterMarket, console.adjustments());
                provisioning = onNode;
                // a follower's market requests run here while this node leads (each on a thread of its own:
                // a contract's admission waits for the group)
                java.util.concurrent.Executor forwarded = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
                ((ReplicatedEngine) ledger).answerLeaderCalls(call -> java.util.concurrent.CompletableFuture.supplyAsync(
                        () -> onNode.answerForwardedMarketCall(call), forwarded));
                // the offer feed streams from this node's copy of the contract log
                feed = new MarketFeed(clusterMarket.log(), provisioning);
                beyondNchf = feed;
            }
            // one port: /nchf-convergedcharging/ to the 5G API, everything else to /v1; keys, metrics and
            // health in front of both
            Handler api = new PrefixRouter(new PrefixRouter.Route(NchfApi.PATH_PREFIX,
                    new NchfApi(ledger, d.creditControl().redirect() == null
                            || d.creditControl().redirect().addressType() != 2 ? null
                            : d.creditControl().redirect().address(), fiveG.notifications(),
                            // on a cluster every node holds every session: a consumer may fail over to another
                            config.chf().terms().withFailoverSupported(cluster != null))), beyondNchf);
            api = console.views(api, ledger, () -> listener[0], devices.quota());
            Handler front = ServerMetrics.front(api, config.httpAccess(), fiveG.tokens(), console.sessions(), ledger,
                    config.dataDir(), metrics, journalCheck, fiveG::health);
            http = listening("HTTP", config.host(), config.httpPort(), "--http-port", () -> HttpServer.start(
                    config.host(), config.httpPort(), front, config.httpThreadsMax(), config.httpConnectionsMax(),
                    config.httpAccess().tls()));
            // registered once it can be called; deregistered first at close, so no SMF is sent to a closing server
            fiveG.register(http.port(), config.httpAccess().tls() != null);
            return new CredenceServer(ledger, http, creditControl, diameter, admissions, attached, afterEngine, feed,
                    fiveG);
        } catch (Exception failed) {
            if (http != null) {
                http.close();
            }
            if (fiveG != null) {
                fiveG.close();
            }
            if (admissions != null) {
                admissions.close();
            }
            if (diameter != null) {
                diameter.close();
            }
            if (creditControl != null) {
                creditControl.close();
            }
            closeAll(attached);
            ledger.close();
            closeAll(afterEngine);
            throw failed;
        }
    }

    /** The CDR files' writer, or null when they are off; a CDR directory another process holds is a {@link StartupFailure}. */
    private static CdrFileWriter openCdrs(ServerConfig config, String nfInstanceId) throws Exception {
        CdrSettings settings = config.chf().cdrs();
        if (!settings.enabled()) {
            return null;
        }
        try {
            return CdrFileWriter.open(settings.writerConfig(config.dataDir(), nfInstanceId),
                    java.time.InstantSource.system());
        } catch (CdrFileWriter.InUse inUse) {
            throw new StartupFailure("data directory " + config.dataDir().toAbsolutePath() + " is in use by "
                    + (inUse.holderPid() > 0 ? "process " + inUse.holderPid() : "another process")
                    + "; stop it, or pick another directory with --data", inUse);
        }
    }

    /** Opens the data directory; one held by another process is a {@link StartupFailure} naming its PID. */
    private static DurableEngine openLedger(ServerConfig config, Consumer<Throwable> onFatal, EngineSetup setup)
            throws Exception {
        try {
            return DurableEngine.open(config.dataDir(), config.journal(), config.limits(), System::currentTimeMillis,
                    onFatal, setup);
        } catch (io.credence.journal.DataDirectoryInUse inUse) {
            throw new StartupFailure("data directory " + config.dataDir().toAbsolutePath() + " is in use by "
                    + (inUse.holderPid() > 0 ? "process " + inUse.holderPid() : "another process")
                    + "; stop it, or pick another directory with --data", inUse);
        }
    }

    private interface Listener<T> {
        T start() throws Exception;
    }

    /** Starts a listener; a port someone else holds is a {@link StartupFailure} naming the option to change. */
    private static <T> T listening(String what, String host, int port, String option, Listener<T> listener)
            throws Exception {
        try {
            return listener.start();
        } catch (Exception failed) {
            if (StartupFailure.causeOf(failed, java.net.BindException.class) != null) {
                throw new StartupFailure(what + " port " + port + " on " + host + " is in use; pick another with "
                        + option, failed);
            }
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

    /** The engine: this node's journaled writer, or its replica of the Raft group. */
    public EngineGate ledger() {
        return ledger;
    }

    public CreditControlServer creditControl() {
        return creditControl;
    }

    public EngineAdmissions admissions() {
        return admissions;
    }

    /** This CHF's NF instance id (TS 29.510), kept in the data directory. */
    public java.util.UUID nfInstanceId() {
        return fiveG.instanceId();
    }

    /** How far the records database is behind the records files; empty without {@code --records-db}. */
    public Optional<RecordShipper.Status> recordsDbStatus() {
        return afterEngine.stream().filter(RecordShipper.class::isInstance).map(c -> ((RecordShipper) c).status()).findFirst();
    }

    @Override
    public void close() throws Exception {
        fiveG.close();
        if (feed != null) {
            feed.close();
        }
        try {
            http.close();
        } finally {
            admissions.close();
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
                    try {
                        ledger.close();
                    } finally {
                        closeAll(afterEngine);
                    }
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
     * Forces the usage records and CDRs to disk every second, and closes a CDR file whose time is up. Each record reaches the OS before its charge
     * is answered, so a killed process loses none; this bounds what a power loss could take.
     */
    private static final class RecordSync implements AutoCloseable {
        private final java.util.concurrent.ScheduledExecutorService timer;

        RecordSync(RecordWriter records, CdrFileWriter cdrs) {
            timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "usage-record-sync");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleWithFixedDelay(() -> {
                try {
                    records.force();
                    if (cdrs != null) {
                        cdrs.force();
                        cdrs.tick(); // a CDR file is closed on time even when no charge comes
                    }
                } catch (Exception e) {
                    System.getLogger(CredenceServer.class.getName()).log(System.Logger.Level.WARNING,
                            "usage records not forced to disk: " + e.getMessage());
                }
            }, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
        }

        /**
         * Lets a force in progress finish: interrupting a thread inside {@code FileChannel.force}
         * closes the channel, and the records writer's own close would then fail to force its file.
         */
        @Override
        public void close() throws InterruptedException {
            timer.shutdown();
            if (!timer.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)) {
                timer.shutdownNow();
            }
        }
    }
}
