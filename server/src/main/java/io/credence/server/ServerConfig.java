package io.credence.server;

import io.credence.journal.JournalCheck;
import io.credence.journal.JournalConfig;
import io.credence.ledger.LedgerLimits;
import io.credence.records.postgres.RecordsDbConfig;

import java.nio.file.Path;

/**
 * Everything {@code credence serve} needs, with every bound explicit.
 *
 * @param httpThreadsMax concurrent HTTP requests being handled (each waits for its ledger answer)
 * @param httpConnectionsMax open HTTP connections; past it new ones wait in the accept queue
 * @param diameter           the Diameter credit-control listener, or null for none
 * @param httpAccess         API keys and HTTPS of the HTTP port ({@link HttpAccess#OPEN}: none, loopback only)
 * @param recordsDb          the PostgreSQL usage records sink, or null for none (records go to files only)
 * @param devices            cloud-SIM device quota and data shares
 * @param market             who validates market contracts
 * @param journalCheck       when and how fast the background check re-reads sealed journal segments and snapshots
 * @param chf                the NRF registration and access tokens of a 5G CHF ({@link ChfSettings#NONE}: neither)
 */
public record ServerConfig(Path dataDir, String host, int httpPort, String currency, int httpThreadsMax,
                           int httpConnectionsMax, JournalConfig journal, LedgerLimits limits,
                           DiameterSettings diameter, HttpAccess httpAccess, RecordsDbConfig recordsDb,
                           DeviceSettings devices, MarketSettings market, JournalCheck.Settings journalCheck,
                           ChfSettings chf) {

    /** Not a CHF of a 5G core beyond serving the Nchf API: no NRF, no access tokens. */
    public ServerConfig(Path dataDir, String host, int httpPort, String currency, int httpThreadsMax,
                        int httpConnectionsMax, JournalConfig journal, LedgerLimits limits,
                        DiameterSettings diameter, HttpAccess httpAccess, RecordsDbConfig recordsDb,
                        DeviceSettings devices, MarketSettings market, JournalCheck.Settings journalCheck) {
        this(dataDir, host, httpPort, currency, httpThreadsMax, httpConnectionsMax, journal, limits, diameter,
                httpAccess, recordsDb, devices, market, journalCheck, ChfSettings.NONE);
    }

    /** With the default journal check (at start-up, then daily). */
    public ServerConfig(Path dataDir, String host, int httpPort, String currency, int httpThreadsMax,
                        int httpConnectionsMax, JournalConfig journal, LedgerLimits limits,
                        DiameterSettings diameter, HttpAccess httpAccess, RecordsDbConfig recordsDb,
                        DeviceSettings devices, MarketSettings market) {
        this(dataDir, host, httpPort, currency, httpThreadsMax, httpConnectionsMax, journal, limits, diameter,
                httpAccess, recordsDb, devices, market, JournalCheck.Settings.DEFAULTS);
    }

    /** With in-process market validators. */
    public ServerConfig(Path dataDir, String host, int httpPort, String currency, int httpThreadsMax,
                        int httpConnectionsMax, JournalConfig journal, LedgerLimits limits,
                        DiameterSettings diameter, HttpAccess httpAccess, RecordsDbConfig recordsDb,
                        DeviceSettings devices) {
        this(dataDir, host, httpPort, currency, httpThreadsMax, httpConnectionsMax, journal, limits, diameter,
                httpAccess, recordsDb, devices, MarketSettings.IN_PROCESS);
    }

    /** With the default device settings. */
    public ServerConfig(Path dataDir, String host, int httpPort, String currency, int httpThreadsMax,
                        int httpConnectionsMax, JournalConfig journal, LedgerLimits limits,
                        DiameterSettings diameter, HttpAccess httpAccess, RecordsDbConfig recordsDb) {
        this(dataDir, host, httpPort, currency, httpThreadsMax, httpConnectionsMax, journal, limits, diameter,
                httpAccess, recordsDb, DeviceSettings.DEFAULTS);
    }

    /** Without API keys, HTTPS or a records database. */
    public ServerConfig(Path dataDir, String host, int httpPort, String currency, int httpThreadsMax,
                        int httpConnectionsMax, JournalConfig journal, LedgerLimits limits, DiameterSettings diameter) {
        this(dataDir, host, httpPort, currency, httpThreadsMax, httpConnectionsMax, journal, limits, diameter,
                HttpAccess.OPEN, null);
    }

    public ServerConfig {
        java.util.Objects.requireNonNull(httpAccess, "httpAccess (HttpAccess.OPEN for none)");
        java.util.Objects.requireNonNull(devices, "devices (DeviceSettings.DEFAULTS)");
        java.util.Objects.requireNonNull(market, "market (MarketSettings.IN_PROCESS)");
        java.util.Objects.requireNonNull(journalCheck, "journalCheck (JournalCheck.Settings.DEFAULTS)");
        java.util.Objects.requireNonNull(chf, "chf (ChfSettings.NONE)");
        if (httpPort < 0 || httpPort > 65_535) {
            throw new IllegalArgumentException("httpPort must be 0..65535, was " + httpPort);
        }
        if (currency == null || !currency.matches("[A-Z]{3}")) {
            throw new IllegalArgumentException("currency must be an ISO 4217 code such as EUR, was " + currency);
        }
        if (httpThreadsMax < 4 || httpConnectionsMax < 1) {
            throw new IllegalArgumentException("httpThreadsMax >= 4 and httpConnectionsMax >= 1 required");
        }
        // A worker blocks until its command is durable, so more workers than queue slots would
        // only turn into Busy answers.
        if (httpThreadsMax > journal.queueMax()) {
            throw new IllegalArgumentException("httpThreadsMax (" + httpThreadsMax + ") must not exceed the ledger queue ("
                    + journal.queueMax() + ")");
        }
        // The shipper follows the files the server's record writer writes: <data>/records.
        if (recordsDb != null && !recordsDb.recordsDir().equals(dataDir.resolve("records"))) {
            throw new IllegalArgumentException("recordsDb must follow " + dataDir.resolve("records") + ", not "
                    + recordsDb.recordsDir());
        }
    }

    /**
     * Request ids are remembered for 2 minutes, up to 4 million: a sustained 33,000 commands/s
     * before new requests are refused as busy. Clients retry within seconds (Diameter Tx timers,
     * HTTP client retries); the ledger's own default (15 minutes, 2 million) would cap a server at
     * about 2,200 commands/s. Both are options of {@code credence serve}.
     */
    public static final long REQUEST_ID_RETENTION_MILLIS = 120_000;
    public static final int REQUEST_IDS_MAX = 4_000_000;

    public static ServerConfig defaults(Path dataDir) {
        return new ServerConfig(dataDir, "127.0.0.1", 8080, "EUR", 128, 1024, JournalConfig.DEFAULTS,
                limits(REQUEST_IDS_MAX, REQUEST_ID_RETENTION_MILLIS), null);
    }

    public ServerConfig withDiameter(DiameterSettings settings) {
        return new ServerConfig(dataDir, host, httpPort, currency, httpThreadsMax, httpConnectionsMax, journal, limits,
                settings, httpAccess, recordsDb, devices, market, journalCheck, chf);
    }

    public ServerConfig withRecordsDb(RecordsDbConfig sink) {
        return new ServerConfig(dataDir, host, httpPort, currency, httpThreadsMax, httpConnectionsMax, journal, limits,
                diameter, httpAccess, sink, devices, market, journalCheck, chf);
    }

    public ServerConfig withHttpAccess(HttpAccess access) {
        return new ServerConfig(dataDir, host, httpPort, currency, httpThreadsMax, httpConnectionsMax, journal, limits,
                diameter, access, recordsDb, devices, market, journalCheck, chf);
    }

    public ServerConfig withHttpPort(int port) {
        return new ServerConfig(dataDir, host, port, currency, httpThreadsMax, httpConnectionsMax, journal, limits,
                diameter, httpAccess, recordsDb, devices, market, journalCheck, chf);
    }

    public ServerConfig withDevices(DeviceSettings settings) {
        return new ServerConfig(dataDir, host, httpPort, currency, httpThreadsMax, httpConnectionsMax, journal, limits,
                diameter, httpAccess, recordsDb, settings, market, journalCheck, chf);
    }

    public ServerConfig withMarket(MarketSettings settings) {
        return new ServerConfig(dataDir, host, httpPort, currency, httpThreadsMax, httpConnectionsMax, journal, limits,
                diameter, httpAccess, recordsDb, devices, settings, journalCheck, chf);
    }

    public ServerConfig withJournalCheck(JournalCheck.Settings settings) {
        return new ServerConfig(dataDir, host, httpPort, currency, httpThreadsMax, httpConnectionsMax, journal, limits,
                diameter, httpAccess, recordsDb, devices, market, settings, chf);
    }

    public ServerConfig withChf(ChfSettings settings) {
        return new ServerConfig(dataDir, host, httpPort, currency, httpThreadsMax, httpConnectionsMax, journal, limits,
                diameter, httpAccess, recordsDb, devices, market, journalCheck, settings);
    }

    static LedgerLimits limits(int requestIdsMax, long requestIdRetentionMillis) {
        LedgerLimits d = LedgerLimits.DEFAULTS;
        return new LedgerLimits(d.accountsMax(), d.bucketsPerAccountMax(), d.reservationsMax(),
                d.reservationTtlMaxMillis(), requestIdsMax, requestIdRetentionMillis, d.transfersRetainedMax(),
                d.identitiesMax());
    }
}
