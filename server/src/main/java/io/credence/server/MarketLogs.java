package io.credence.server;

import io.credence.market.contract.Ed25519;
import io.credence.market.log.LogKey;
import io.credence.market.log.LogLimits;
import io.credence.market.log.MerkleLog;
import io.credence.market.contract.PaymentCheck;
import io.credence.market.contract.Validator;
import io.credence.market.trade.ContractDesk;
import io.credence.market.trade.Marketplace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The market's files under {@code <data>/market}: the contract log, the key that signs its tree
 * heads ({@code log.key}) and the market authority's key that signs provider registrations
 * ({@code authority.key}) and the in-process validators' keys ({@code validator-N.key}); all are made
 * on first start and kept with owner-only access.
 */
final class MarketLogs {
    record Opened(MerkleLog log, Marketplace market) {}

    private MarketLogs() {}

    /** In-process validators and the quorum among them: a majority of four. */
    static final int VALIDATORS = 4;
    static final int QUORUM = 3;
    /** A personal buyer with this much money (100.00 in minor units) may contract whatever the fee. */
    static final long PAYMENT_THRESHOLD_MINOR = 10_000;

    static Opened open(Path dir, ContractDesk.Escrow escrow, MarketSettings settings) throws IOException {
        Keys keys = keys(dir, settings);
        MerkleLog log = keys.openLog(dir);
        try {
            return new Opened(log, Marketplace.open(log, keys.authority(), keys.desk(escrow, settings),
                    System::currentTimeMillis));
        } catch (IOException | RuntimeException failed) {
            log.close();
            throw failed;
        }
    }

    /**
     * The market's keys: the log's (signs tree heads), the authority's (signs what the market
     * writes itself) and the in-process validators'. On a node of a Raft group every node must
     * hold the same ones, since any node may come to lead the market (docs/cluster.md).
     */
    record Keys(LogKey logKey, Ed25519.KeyPair authority, List<Validator> validators,
                Map<String, byte[]> validatorKeys, int quorum) {
        MerkleLog openLog(Path dir) throws IOException {
            return MerkleLog.open(dir, LogLimits.DEFAULTS, logKey, InstantSource.system());
        }

        /** A desk for a marketplace about to replay the log (it holds the contracts' states). */
        ContractDesk desk(ContractDesk.Escrow escrow, MarketSettings settings) {
            return new ContractDesk(validators, validatorKeys, quorum, escrow,
                    new ContractDesk.PaymentPolicy(PAYMENT_THRESHOLD_MINOR, new PaymentCheck.Policy(800, 20)),
                    settings.rates(), System::currentTimeMillis);
        }
    }

    static Keys keys(Path dir, MarketSettings settings) throws IOException {
        Files.createDirectories(dir);
        LogKey logKey = key(dir.resolve("log.key"));
        Ed25519.KeyPair authority = Ed25519.fromSeed(key(dir.resolve("authority.key")).seed());
        List<Validator> validators = new ArrayList<>();
        Map<String, byte[]> validatorKeys = new LinkedHashMap<>(settings.validators());
        if (settings.inProcess()) {
            for (int i = 1; i <= VALIDATORS; i++) {
                Ed25519.KeyPair k = Ed25519.fromSeed(key(dir.resolve("validator-" + i + ".key")).seed());
                validators.add(new Validator("validator-" + i, k));
                validatorKeys.put("validator-" + i, k.publicKey());
            }
        }
        int quorum = settings.inProcess() ? QUORUM : settings.quorum();
        return new Keys(logKey, authority, validators, validatorKeys, quorum);
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
