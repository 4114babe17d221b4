package io.credence.server;

import io.credence.market.contract.Ed25519;
import io.credence.market.log.LogKey;
import io.credence.market.log.LogLimits;
import io.credence.market.log.MerkleLog;
import io.credence.market.trade.Marketplace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.InstantSource;

/**
 * The market's files under {@code <data>/market}: the contract log, the key that signs its tree
 * heads ({@code log.key}) and the market authority's key that signs provider registrations
 * ({@code authority.key}); both keys are made on first start and kept with owner-only access.
 */
final class MarketLogs {
    record Opened(MerkleLog log, Marketplace market) {}

    private MarketLogs() {}

    static Opened open(Path dir) throws IOException {
        Files.createDirectories(dir);
        LogKey logKey = key(dir.resolve("log.key"));
        Ed25519.KeyPair authority = Ed25519.fromSeed(key(dir.resolve("authority.key")).seed());
        MerkleLog log = MerkleLog.open(dir, LogLimits.DEFAULTS, logKey, InstantSource.system());
        try {
            return new Opened(log, Marketplace.open(log, authority, System::currentTimeMillis));
        } catch (IOException | RuntimeException failed) {
            log.close();
            throw failed;
        }
    }

    private static LogKey key(Path file) throws IOException {
        if (Files.exists(file)) {
            return LogKey.load(file);
        }
        LogKey key = LogKey.generate(new SecureRandom());
        key.store(file);
        return key;
    }
}
