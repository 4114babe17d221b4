package io.credence.server;

import io.credence.cluster.ClusterConfig;
import io.credence.journal.DurableEngine;

import io.credence.http.ApiKeys;
import io.credence.http.HttpServer;
import io.credence.journal.JournalConfig;
import io.credence.market.contract.UnitKind;
import io.credence.market.trade.ContractDesk;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import io.credence.diameter.cc.CreditControlConfig;
import io.credence.diameter.peer.LocalIdentity;
import io.credence.diameter.transport.AddressRange;
import io.credence.diameter.transport.TlsConfig;
import io.credence.diameter.transport.TransportConfig;
import io.credence.ledger.Unit;
import io.credence.rating.Catalog;
import io.credence.records.postgres.RecordsDbConfig;
import io.credence.server.catalog.CatalogFile;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code credence serve}: runs the ledger, its HTTP API and the Diameter credit-control server until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the Credence server.")
final class ServeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--cluster", paramLabel = "FILE",
            description = "run as one node of a Raft group named in FILE (group, self, peer.<id> = host:port; docs/cluster.md)")
    Path clusterFile;

    @Option(names = "--data", defaultValue = "./data", description = "data directory (journal and snapshots), default ${DEFAULT-VALUE}")
    Path data;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to listen on, default ${DEFAULT-VALUE}")
    String host;

    @Option(names = "--http-port", defaultValue = "8080", description = "HTTP port (0 picks a free one), default ${DEFAULT-VALUE}")
    int httpPort;

    @Option(names = "--currency", defaultValue = "EUR", description = "ISO 4217 currency of MONEY amounts, default ${DEFAULT-VALUE}")
    String currency;

    @Option(names = "--snapshot-every", defaultValue = "1000000", description = "journal records between snapshots, default ${DEFAULT-VALUE}")
    long snapshotEvery;

    @Option(names = "--queue-max", defaultValue = "65536", description = "ledger submissions waiting before 'busy', default ${DEFAULT-VALUE}")
    int queueMax;

    @Option(names = "--request-id-retention-seconds", defaultValue = "120",
            description = "how long a request id is remembered for retries, default ${DEFAULT-VALUE}")
    long requestIdRetentionSeconds;

    @Option(names = "--journal-check-hours", defaultValue = "24",
            description = "re-read sealed journal segments and snapshots every N hours (and once at start-up) for "
                    + "damage start-up never reads (0: only at start-up), default ${DEFAULT-VALUE}")
    long journalCheckHours;

    @Option(names = "--journal-check-mib-per-second", defaultValue = "32",
            description = "read rate of that check, so it leaves the disk to the journal writer, default ${DEFAULT-VALUE}")
    long journalCheckMibPerSecond;

    @Option(names = "--request-ids-max", defaultValue = "4000000",
            description = "request ids remembered at most; when full, new requests are busy, default ${DEFAULT-VALUE}")
    int requestIdsMax;

    @Option(names = "--http-threads", defaultValue = "128", description = "concurrent HTTP requests, default ${DEFAULT-VALUE}")
    int httpThreads;

    @Option(names = "--diameter-port", defaultValue = "3868",
            description = "Diameter credit-control port (0 picks a free one, -1 disables Diameter), default ${DEFAULT-VALUE}")
    int diameterPort;

    @Option(names = "--origin-host", defaultValue = "ocs.credence.local",
            description = "our Diameter Origin-Host, default ${DEFAULT-VALUE}")
    String originHost;

    @Option(names = "--origin-realm", defaultValue = "credence.local",
            description = "our Diameter Origin-Realm, default ${DEFAULT-VALUE}")
    String originRealm;

    @Option(names = "--diameter-peer", paramLabel = "ORIGIN-HOST",
            description = "a Diameter peer allowed to connect (repeat for each); others get DIAMETER_UNKNOWN_PEER")
    List<String> diameterPeers = new ArrayList<>();

    @Option(names = "--diameter-host", paramLabel = "ADDR",
            description = "address the Diameter listener binds (the signalling network), default: --host")
    String diameterHost;

    @Option(names = "--diameter-connections-max", defaultValue = "256",
            description = "open Diameter connections; when full, the oldest one without a capabilities exchange "
                    + "makes room, default ${DEFAULT-VALUE}")
    int diameterConnectionsMax;

    @Option(names = "--diameter-connections-per-address-max", defaultValue = "32",
            description = "open Diameter connections from one source address, default ${DEFAULT-VALUE}")
    int diameterConnectionsPerAddressMax;

    @Option(names = "--diameter-allow-from", paramLabel = "CIDR",
            description = "a source address or CIDR block that may open a Diameter connection (repeat); "
                    + "without any, every source may try its CER")
    List<String> diameterAllowFrom = new ArrayList<>();

    @Option(names = "--diameter-in-flight", defaultValue = "4096",
            description = "requests one peer may have in flight before 3004 TOO_BUSY, default ${DEFAULT-VALUE}")
    int diameterInFlight;

    @Option(names = "--diameter-watchdog-seconds", defaultValue = "30",
            description = "Tw: DWR after this many seconds of silence, default ${DEFAULT-VALUE}")
    int watchdogSeconds;

    @Option(names = "--diameter-message-max", defaultValue = "65536",
            description = "largest Diameter message in bytes, default ${DEFAULT-VALUE}")
    int diameterMessageMax;

    @Option(names = "--diameter-tls-keystore", description = "PKCS#12 key store: serve Diameter over TLS")
    Path tlsKeyStore;

    @Option(names = "--diameter-tls-password", defaultValue = "${env:CREDENCE_DIAMETER_TLS_PASSWORD}",
            description = "password of --diameter-tls-keystore, default $CREDENCE_DIAMETER_TLS_PASSWORD")
    String tlsPassword;

    @Option(names = "--diameter-tls-password-file", paramLabel = "FILE",
            description = "file holding the password of --diameter-tls-keystore (keeps it out of ps)")
    Path tlsPasswordFile;

    @Option(names = "--default-quota", paramLabel = "RG=UNIT:AMOUNT",
            description = "grant for an empty Requested-Service-Unit of a rating group, e.g. 10=BYTES:10485760 (repeatable)")
    List<String> defaultQuotas = new ArrayList<>();

    @Option(names = "--catalog", paramLabel = "FILE",
            description = "rating catalog (JSON, see examples/catalog.json): its services' rating groups, units and "
                    + "default grants apply to credit control; a bad catalog refuses start-up with file, line and reason")
    Path catalog;

    @Option(names = "--catalog-watch-seconds", defaultValue = "2",
            description = "how often the --catalog file is checked for edits, which are then loaded as by "
                    + "'credence catalog reload' (0: never), default ${DEFAULT-VALUE}")
    int catalogWatchSeconds;

    @Option(names = "--validity-seconds", defaultValue = "600",
            description = "Validity-Time of every grant; silent sessions' reservations expire after it, default ${DEFAULT-VALUE}")
    int validitySeconds;

    @Option(names = "--redirect-url",
            description = "send Final-Unit-Action REDIRECT to this URL (a top-up portal) instead of TERMINATE")
    String redirectUrl;

    @Option(names = "--finished-session-retention-seconds", defaultValue = "60",
            description = "how long a finished charging session is kept with its last answer, so a retransmitted "
                    + "final request gets that answer again (1..86400), default ${DEFAULT-VALUE}")
    int finishedSessionRetentionSeconds;

    @Option(names = "--sessions-max", defaultValue = "1000000",
            description = "credit-control sessions remembered at once, default ${DEFAULT-VALUE}")
    int sessionsMax;

    @Option(names = "--records-db", paramLabel = "JDBC-URL",
            description = "also ship usage records to PostgreSQL (jdbc:postgresql://host:5432/db); the records files "
                    + "buffer them through outages and restarts, each record stored once")
    String recordsDb;

    @Option(names = "--records-db-user", description = "user for --records-db")
    String recordsDbUser;

    @Option(names = "--records-db-password", defaultValue = "${env:CREDENCE_RECORDS_DB_PASSWORD}",
            description = "password for --records-db, default $CREDENCE_RECORDS_DB_PASSWORD (keeps it out of ps)")
    String recordsDbPassword;

    @Option(names = "--records-db-password-file", paramLabel = "FILE", description = "file holding the password for --records-db")
    Path recordsDbPasswordFile;

    @Option(names = "--api-keys", paramLabel = "FILE",
            description = "API keys of the HTTP port, lines 'name role sha256hex [principal]' (roles admin, "
                    + "network-function, device, read-only; a network-function key may name the operator:ACCOUNT or "
                    + "base-station:ID it acts for); without it the HTTP API is open and only a loopback --host is "
                    + "allowed")
    Path apiKeys;

    @Option(names = "--market-validators", paramLabel = "FILE",
            description = "the separate `credence validator` processes that validate market contracts, lines 'id "
                    + "base64-public-key' (as `credence validator keygen` prints them); default: four in-process validators")
    Path marketValidators;

    @Option(names = "--market-quorum", paramLabel = "N",
            description = "approvals a contract needs from --market-validators; default: a simple majority")
    Integer marketQuorum;

    @Option(names = "--market-unit-rate", paramLabel = "KIND=N",
            description = "what a minor unit of money is worth in a unit buyers may pay relay fees in: bonus-credit "
                    + "(service units, default 1), free-minutes (seconds, default 6), data-pack (bytes, default "
                    + "10000); repeat for each kind to change")
    Map<String, String> marketUnitRates;

    @Option(names = "--http-tls-keystore", paramLabel = "FILE", description = "PKCS#12 key store: serve HTTPS on --http-port")
    Path httpTlsKeyStore;

    @Option(names = "--http-tls-password", defaultValue = "${env:CREDENCE_HTTP_TLS_PASSWORD}",
            description = "password of --http-tls-keystore, default $CREDENCE_HTTP_TLS_PASSWORD")
    String httpTlsPassword;

    @Option(names = "--http-tls-password-file", paramLabel = "FILE",
            description = "file holding the password of --http-tls-keystore (keeps it out of ps)")
    Path httpTlsPasswordFile;

    @CommandLine.Mixin
    ChfOptions chf = new ChfOptions();

    @Override
    public Integer call() throws Exception {
        ServerConfig config = config();
        if (config.httpAccess().apiKeys() == null) {
            System.err.println("credence: warning: the HTTP API takes requests without keys; it listens on loopback "
                    + config.host() + " only (use --api-keys FILE to require keys)");
        }
        ClusterConfig cluster = clusterFile == null ? null
                : ClusterConfig.read(clusterFile, config.dataDir().resolve("raft"));
        CredenceServer server = CredenceServer.start(config, cluster, fatal -> {
            System.err.println("credence: fatal: the journal cannot be written (" + fatal + "); stopping");
            Runtime.getRuntime().halt(70);
        });
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("credence: stopping: no new requests; answering what is queued");
            try {
                server.close();
                System.out.println(server.ledger() instanceof DurableEngine journal
                        ? "credence: snapshot at record " + journal.lastSnapshotRecord() + " written; stopped"
                        : "credence: raft node stopped");
            } catch (Exception e) {
                System.err.println("credence: error while stopping: " + e);
            } finally {
                System.out.flush();
                stopped.countDown();
            }
        }, "credence-shutdown"));
        System.out.println("credence: " + server.ledger().startReport());
        String scheme = config.httpAccess().tls() == null ? "http" : "https";
        System.out.println("credence: listening on " + scheme + "://" + config.host() + ":" + server.httpPort()
                + " (data " + config.dataDir().toAbsolutePath() + ", currency " + config.currency() + ")");
        if (server.diameterPort() >= 0) {
            System.out.println("credence: diameter on " + config.diameter().transport().host() + ":"
                    + server.diameterPort() + " as " + originHost + " (" + originRealm + "), peers " + diameterPeers);
            if (diameterPeers.isEmpty()) {
                System.out.println("credence: WARNING: no --diameter-peer is configured, so every Diameter CER will "
                        + "be refused (3010 DIAMETER_UNKNOWN_PEER); name each gateway's Origin-Host with --diameter-peer");
            }
        }
        System.out.println("credence: 5G Nchf_ConvergedCharging on " + scheme + "://" + config.host() + ":"
                + server.httpPort() + "/nchf-convergedcharging/v3 (" + (config.httpAccess().tls() == null
                ? "HTTP/1.1 and h2c" : "HTTP/1.1 and h2") + ") as CHF " + server.nfInstanceId()
                + (config.chf().nrf() == null ? "" : ", registering at the NRF " + config.chf().nrf()));
        System.out.flush();
        stopped.await();
        return 0;
    }

    private ServerConfig config() {
        require(httpPort >= 0 && httpPort <= 65_535, "--http-port must be 0..65535, was " + httpPort);
        require(currency.matches("[A-Z]{3}"), "--currency must be an ISO 4217 code such as EUR, was '" + currency + "'");
        require(snapshotEvery >= 0, "--snapshot-every must be >= 0 (0 = only at shutdown), was " + snapshotEvery);
        require(queueMax >= 16, "--queue-max must be >= 16, was " + queueMax);
        require(httpThreads >= 4 && httpThreads <= queueMax, "--http-threads must be between 4 and --queue-max (" + queueMax
                + "), was " + httpThreads);
        require(requestIdRetentionSeconds >= 1 && requestIdRetentionSeconds <= 86_400,
                "--request-id-retention-seconds must be 1..86400, was " + requestIdRetentionSeconds);
        require(requestIdsMax >= 1000, "--request-ids-max must be >= 1000, was " + requestIdsMax);
        require(journalCheckHours >= 0 && journalCheckHours <= 8760, "--journal-check-hours must be 0..8760, was "
                + journalCheckHours);
        require(journalCheckMibPerSecond >= 1 && journalCheckMibPerSecond <= 4096,
                "--journal-check-mib-per-second must be 1..4096, was " + journalCheckMibPerSecond);
        ServerConfig defaults = ServerConfig.defaults(data);
        JournalConfig journal = defaults.journal().withQueueMax(queueMax).withSnapshotEveryRecords(snapshotEvery);
        return new ServerConfig(data, host, httpPort, currency, httpThreads, defaults.httpConnectionsMax(), journal,
                ServerConfig.limits(requestIdsMax, requestIdRetentionSeconds * 1000), diameter(), httpAccess(),
                recordsDb()).withMarket(market()).withJournalCheck(new io.credence.journal.JournalCheck.Settings(
                java.time.Duration.ZERO, java.time.Duration.ofHours(journalCheckHours), journalCheckMibPerSecond << 20))
                .withChf(chf.settings(spec.commandLine(), host));
    }

    private MarketSettings market() {
        MarketSettings settings;
        if (marketValidators == null) {
            require(marketQuorum == null, "--market-quorum needs --market-validators");
            settings = MarketSettings.IN_PROCESS;
        } else {
            Map<String, byte[]> validators;
            try {
                validators = MarketSettings.readValidators(marketValidators);
            } catch (IOException bad) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--market-validators: " + bad.getMessage());
            }
            int quorum = marketQuorum != null ? marketQuorum : validators.size() / 2 + 1;
            require(quorum > validators.size() / 2 && quorum <= validators.size(), "--market-quorum must be a majority of the "
                    + validators.size() + " validators (" + (validators.size() / 2 + 1) + ".." + validators.size()
                    + "), was " + quorum);
            settings = new MarketSettings(validators, quorum, ContractDesk.RATES_DEFAULT);
        }
        return marketUnitRates == null ? settings : settings.withRates(unitRates());
    }

    private Map<UnitKind, ContractDesk.Rate> unitRates() {
        Map<UnitKind, ContractDesk.Rate> rates = new EnumMap<>(UnitKind.class);
        marketUnitRates.forEach((name, value) -> {
            UnitKind kind = java.util.Arrays.stream(UnitKind.values()).filter(k -> MarketSettings.optionName(k).equals(name))
                    .findFirst().orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(),
                            "--market-unit-rate: '" + name + "' is not a unit kind; one of bonus-credit, free-minutes, "
                                    + "data-pack"));
            long perMinor;
            try {
                perMinor = Long.parseLong(value);
            } catch (NumberFormatException notNumber) {
                perMinor = 0;
            }
            require(perMinor >= 1 && perMinor <= MarketSettings.RATE_MAX, "--market-unit-rate " + name + " must be 1.."
                    + MarketSettings.RATE_MAX + " units per minor unit of money, was '" + value + "'");
            rates.put(kind, new ContractDesk.Rate(ContractDesk.RATES_DEFAULT.get(kind).unit(), perMinor));
        });
        return rates;
    }

    private HttpAccess httpAccess() {
        require(httpTlsKeyStore != null || httpTlsPasswordFile == null && !given("--http-tls-password"),
                "--http-tls-password needs --http-tls-keystore");
        String httpPassword = secret("--http-tls-password", httpTlsPassword, httpTlsPasswordFile,
                "CREDENCE_HTTP_TLS_PASSWORD");
        require(httpTlsKeyStore == null || httpPassword != null,
                "--http-tls-keystore needs its password: --http-tls-password-file FILE or $CREDENCE_HTTP_TLS_PASSWORD");
        if (httpTlsKeyStore != null) {
            Secrets.checkKeyStore(spec, "--http-tls-keystore", httpTlsKeyStore, httpPassword);
        }
        ApiKeys keys = null;
        if (apiKeys != null) {
            try {
                keys = ApiKeys.read(apiKeys);
            } catch (ApiKeys.Invalid invalid) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--api-keys refused: " + invalid.getMessage());
            }
        }
        HttpAccess access = new HttpAccess(keys, httpTlsKeyStore == null ? null
                : new HttpServer.Tls(httpTlsKeyStore, httpPassword));
        String refusal = access.refusal(host);
        require(refusal == null, refusal);
        return access;
    }

    private RecordsDbConfig recordsDb() {
        if (recordsDb == null) {
            require(recordsDbUser == null, "--records-db-user needs --records-db");
            return null;
        }
        require(recordsDb.startsWith(RecordsDbConfig.URL_PREFIX), "--records-db must be a "
                + RecordsDbConfig.URL_PREFIX + "//host:port/database URL, was '" + recordsDb + "'");
        return RecordsDbConfig.defaults(recordsDb, recordsDbUser, secret("--records-db-password", recordsDbPassword,
                recordsDbPasswordFile, "CREDENCE_RECORDS_DB_PASSWORD"), data.resolve("records"));
    }

    private DiameterSettings diameter() {
        require(diameterPort >= -1 && diameterPort <= 65_535, "--diameter-port must be -1..65535, was " + diameterPort);
        require(originHost.matches("[A-Za-z0-9.-]+"), "--origin-host must be a host name, was '" + originHost + "'");
        require(originRealm.matches("[A-Za-z0-9.-]+"), "--origin-realm must be a realm name, was '" + originRealm + "'");
        for (String peer : diameterPeers) {
            require(peer.matches("[A-Za-z0-9.-]+"), "--diameter-peer must be an Origin-Host, was '" + peer + "'");
        }
        require(diameterInFlight >= 1 && diameterInFlight <= 1_000_000,
                "--diameter-in-flight must be 1..1000000, was " + diameterInFlight);
        require(watchdogSeconds >= 6, "--diameter-watchdog-seconds must be >= 6 (RFC 3539), was " + watchdogSeconds);
        require(diameterMessageMax >= 1024 && diameterMessageMax <= 16_777_215,
                "--diameter-message-max must be 1024..16777215, was " + diameterMessageMax);
        require(tlsKeyStore != null || tlsPasswordFile == null && !given("--diameter-tls-password"),
                "--diameter-tls-password needs --diameter-tls-keystore");
        String diameterPassword = secret("--diameter-tls-password", tlsPassword, tlsPasswordFile,
                "CREDENCE_DIAMETER_TLS_PASSWORD");
        require(tlsKeyStore == null || diameterPassword != null, "--diameter-tls-keystore needs its password: "
                + "--diameter-tls-password-file FILE or $CREDENCE_DIAMETER_TLS_PASSWORD");
        if (tlsKeyStore != null) {
            Secrets.checkKeyStore(spec, "--diameter-tls-keystore", tlsKeyStore, diameterPassword);
        }
        require(validitySeconds >= 1 && validitySeconds <= 86_400, "--validity-seconds must be 1..86400, was "
                + validitySeconds);
        require(sessionsMax >= 1, "--sessions-max must be >= 1, was " + sessionsMax);
        require(finishedSessionRetentionSeconds >= 1 && finishedSessionRetentionSeconds <= 86_400,
                "--finished-session-retention-seconds must be 1..86400, was " + finishedSessionRetentionSeconds);
        Map<Long, CreditControlConfig.Quota> quotas = new HashMap<>();
        CatalogFile.Contents c = null;
        if (catalog != null) {
            try {
                c = CatalogFile.readAll(catalog);
                quotas.putAll(DiameterSettings.quotasOf(c.catalog()));
            } catch (CatalogFile.Invalid invalid) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--catalog refused: " + invalid.getMessage());
            }
        }
        for (String q : defaultQuotas) { // explicit options win over the catalog
            var m = java.util.regex.Pattern.compile("(\\d{1,10})=(BYTES|SECONDS|SERVICE_UNITS|MONEY):(\\d{1,18})").matcher(q);
            require(m.matches() && Long.parseLong(m.group(1)) <= 0xFFFF_FFFFL && Long.parseLong(m.group(3)) > 0,
                    "--default-quota must be RG=UNIT:AMOUNT (UNIT one of BYTES, SECONDS, SERVICE_UNITS, MONEY), was '"
                            + q + "'");
            quotas.put(Long.parseLong(m.group(1)), new CreditControlConfig.Quota(Unit.valueOf(m.group(2)),
                    Long.parseLong(m.group(3))));
        }
        require(diameterConnectionsMax >= 1 && diameterConnectionsMax <= TransportConfig.CONNECTIONS_MAX_LIMIT,
                "--diameter-connections-max must be 1.." + TransportConfig.CONNECTIONS_MAX_LIMIT + ", was "
                        + diameterConnectionsMax);
        require(diameterConnectionsPerAddressMax >= 1 && diameterConnectionsPerAddressMax <= diameterConnectionsMax,
                "--diameter-connections-per-address-max must be 1..--diameter-connections-max ("
                        + diameterConnectionsMax + "), was " + diameterConnectionsPerAddressMax);
        List<AddressRange> allowFrom = new ArrayList<>();
        for (String source : diameterAllowFrom) {
            try {
                allowFrom.add(AddressRange.parse(source));
            } catch (IllegalArgumentException bad) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--diameter-allow-from: " + bad.getMessage());
            }
        }
        String listenOn = diameterHost == null ? host : diameterHost;
        require(listenOn.matches("[0-9A-Fa-f:.]+|[A-Za-z0-9.-]+"), "--diameter-host must be an address, was '"
                + listenOn + "'");
        // -1: no Diameter listener, but the credit-control engine (and its catalog) still serves Nchf
        TransportConfig transport = diameterPort < 0 ? null : TransportConfig.defaults(listenOn, diameterPort)
                .withInFlightPerPeerMax(diameterInFlight).withWatchdog(Duration.ofSeconds(watchdogSeconds))
                .withMessageBytesMax(diameterMessageMax)
                .withConnections(diameterConnectionsMax, diameterConnectionsPerAddressMax)
                .withAllowedSources(allowFrom)
                .withTls(tlsKeyStore == null ? null : new TlsConfig(tlsKeyStore, diameterPassword.toCharArray()));
        CreditControlConfig cc = CreditControlConfig.defaults().withRatingGroupQuotas(quotas)
                .withValidity(validitySeconds, 30).withSessionsMax(sessionsMax)
                .withClosedRetentionSeconds(finishedSessionRetentionSeconds);
        if (redirectUrl != null) {
            require(redirectUrl.matches("https?://\\S+"), "--redirect-url must be an http(s) URL, was '" + redirectUrl + "'");
            cc = cc.withRedirect(new CreditControlConfig.Redirect(2, redirectUrl));
        }
        LocalIdentity identity = new LocalIdentity(originHost, originRealm, List.of(hostAddress(listenOn)), 0,
                "credence", 1);
        if (catalogWatchSeconds < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--catalog-watch-seconds must be >= 0, was "
                    + catalogWatchSeconds);
        }
        return c == null ? new DiameterSettings(transport, identity, Set.copyOf(diameterPeers), cc)
                : new DiameterSettings(transport, identity, Set.copyOf(diameterPeers), cc, c, catalog,
                java.time.Duration.ofSeconds(catalogWatchSeconds));
    }

    /** The Host-IP-Address our CEA announces: the Diameter listener's own address. */
    private byte[] hostAddress(String listenOn) {
        try {
            InetAddress address = InetAddress.getByName(listenOn);
            return address.isAnyLocalAddress() ? InetAddress.getLoopbackAddress().getAddress() : address.getAddress();
        } catch (UnknownHostException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), (diameterHost == null ? "--host" : "--diameter-host")
                    + " is not an address: " + listenOn);
        }
    }

    /** A secret option's value, from the command line, its -file twin or the environment (see {@link Secrets}). */
    private String secret(String option, String value, Path file, String environment) {
        return Secrets.resolve(spec, option, value, given(option), file, environment);
    }

    /** Whether the option was typed on the command line (rather than left to its default). */
    private boolean given(String option) {
        return spec.commandLine().getParseResult() != null && spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    private void require(boolean ok, String message) {
        if (!ok) {
            throw new CommandLine.ParameterException(spec.commandLine(), message);
        }
    }
}
