package io.credence.server;

import io.credence.http.HttpServer;
import io.credence.http.ProvisioningApi;
import io.credence.journal.DurableLedger;

import java.util.function.Consumer;

/**
 * The running server: the durable ledger and the HTTP API around it, wired by hand.
 * Closing stops HTTP first (no new work), then the ledger (answers what is queued, snapshots).
 */
public final class CredenceServer implements AutoCloseable {
    private final DurableLedger ledger;
    private final HttpServer http;

    private CredenceServer(DurableLedger ledger, HttpServer http) {
        this.ledger = ledger;
        this.http = http;
    }

    /**
     * @param onFatal what to do when the ledger cannot write its journal; {@code serve} halts the
     *                process, since answering from memory that is not on disk would be a lie
     */
    public static CredenceServer start(ServerConfig config, Consumer<Throwable> onFatal) throws Exception {
        DurableLedger ledger = DurableLedger.open(config.dataDir(), config.journal(), config.limits(),
                System::currentTimeMillis, onFatal);
        try {
            HttpServer http = HttpServer.start(config.host(), config.httpPort(),
                    new ProvisioningApi(ledger, config.currency()), config.httpThreadsMax(), config.httpConnectionsMax());
            return new CredenceServer(ledger, http);
        } catch (Exception failed) {
            ledger.close();
            throw failed;
        }
    }

    public int httpPort() {
        return http.port();
    }

    public DurableLedger ledger() {
        return ledger;
    }

    @Override
    public void close() throws Exception {
        try {
            http.close();
        } finally {
            ledger.close();
        }
    }
}
