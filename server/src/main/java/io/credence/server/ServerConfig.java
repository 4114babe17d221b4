package io.credence.server;

import io.credence.journal.JournalConfig;
import io.credence.ledger.LedgerLimits;

import java.nio.file.Path;

/**
 * Everything {@code credence serve} needs, with every bound explicit.
 *
 * @param httpThreadsMax concurrent HTTP requests being handled (each waits for its ledger answer)
 * @param httpConnectionsMax open HTTP connections; past it new ones wait in the accept queue
 */
public record ServerConfig(Path dataDir, String host, int httpPort, String currency, int httpThreadsMax,
                           int httpConnectionsMax, JournalConfig journal, LedgerLimits limits) {

    public ServerConfig {
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
    }

    public static ServerConfig defaults(Path dataDir) {
        return new ServerConfig(dataDir, "127.0.0.1", 8080, "EUR", 128, 1024, JournalConfig.DEFAULTS,
                LedgerLimits.DEFAULTS);
    }
}
