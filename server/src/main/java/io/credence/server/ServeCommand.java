package io.credence.server;

import io.credence.journal.JournalConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code credence serve}: runs the ledger and its HTTP API until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the Credence server.")
final class ServeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

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

    @Option(names = "--request-ids-max", defaultValue = "4000000",
            description = "request ids remembered at most; when full, new requests are busy, default ${DEFAULT-VALUE}")
    int requestIdsMax;

    @Option(names = "--http-threads", defaultValue = "128", description = "concurrent HTTP requests, default ${DEFAULT-VALUE}")
    int httpThreads;

    @Override
    public Integer call() throws Exception {
        ServerConfig config = config();
        CredenceServer server = CredenceServer.start(config, fatal -> {
            System.err.println("credence: fatal: the journal cannot be written (" + fatal + "); stopping");
            Runtime.getRuntime().halt(70);
        });
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                System.err.println("credence: error while stopping: " + e);
            } finally {
                stopped.countDown();
            }
        }, "credence-shutdown"));
        System.out.println("credence: " + server.ledger().recovery().describe());
        System.out.println("credence: listening on http://" + config.host() + ":" + server.httpPort()
                + " (data " + config.dataDir().toAbsolutePath() + ", currency " + config.currency() + ")");
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
        ServerConfig defaults = ServerConfig.defaults(data);
        JournalConfig journal = defaults.journal().withQueueMax(queueMax).withSnapshotEveryRecords(snapshotEvery);
        return new ServerConfig(data, host, httpPort, currency, httpThreads, defaults.httpConnectionsMax(), journal,
                ServerConfig.limits(requestIdsMax, requestIdRetentionSeconds * 1000));
    }

    private void require(boolean ok, String message) {
        if (!ok) {
            throw new CommandLine.ParameterException(spec.commandLine(), message);
        }
    }
}
