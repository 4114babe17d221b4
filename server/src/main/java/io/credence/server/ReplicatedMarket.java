package io.credence.server;

import io.credence.cluster.ContractLogReplica;
import io.credence.cluster.ReplicatedEngine;
import io.credence.http.ClusterMarket;
import io.credence.journal.Submission;
import io.credence.market.log.ContractLogWriter;
import io.credence.market.log.MerkleLog;
import io.credence.market.trade.ContractDesk;
import io.credence.market.trade.MarketUnavailable;
import io.credence.market.trade.Marketplace;

import io.credence.ledger.LedgerLimits;

import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The relay market on a node of a Raft group.
 *
 * <p>Every node holds a copy of the contract log (its own Merkle log file under
 * {@code DATA/market}): contract log entries travel in the Raft log, and every replica appends the
 * committed ones at the same leaf index ({@link ContractLogReplica}), so every copy has the same
 * leaves and root. The marketplace itself, whose checks need one up-to-date state, runs on the
 * leader only: the first market request of a leader's term replays this node's copy (after a
 * read that makes sure every entry of the terms before is applied here) into a marketplace whose
 * appends go through the group, each one only if the log is still as long as the marketplace
 * knows it. Should another node have appended in between (a deposed leader's last entry), the
 * append is refused on every replica alike and the next request replays the log again.
 *
 * <p>Side effects on the ledger (escrow holds and settlements) are engine commands keyed by the
 * contract's id, so a new leader repeating one finds it done.
 */
final class ReplicatedMarket implements ClusterMarket, ContractLogReplica, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ReplicatedMarket.class.getName());
    /** How long the first request of a term waits for everything before it to be applied here. */
    private static final long CATCH_UP_SECONDS = 30;

    private final MerkleLog log;
    private final MarketLogs.Keys keys;
    private final Supplier<ContractDesk> desks;
    private volatile ReplicatedEngine engine;
    /** The marketplace of the term this node leads, or null; guarded by this. */
    private Marketplace open;
    private Writer openWriter;
    private long openTerm = -1;

    private ReplicatedMarket(MerkleLog log, MarketLogs.Keys keys, Supplier<ContractDesk> desks) {
        this.log = log;
        this.keys = keys;
        this.desks = desks;
    }

    /** Opens this node's copy of the contract log under {@code dir}, with the market's keys there. */
    static ReplicatedMarket open(Path dir, MarketSettings settings, LedgerLimits limits) throws IOException {
        MarketLogs.Keys keys = MarketLogs.keys(dir, settings);
        MerkleLog log = keys.openLog(dir);
        ReplicatedMarket[] market = new ReplicatedMarket[1];
        // a desk per marketplace opened; its escrow goes through the engine, attached once it runs
        market[0] = new ReplicatedMarket(log, keys, () -> keys.desk(new LedgerEscrow(market[0].engine, limits),
                settings));
        return market[0];
    }

    /** The engine this market's entries go through; set once it has started (it applies to this log from the start). */
    void attach(ReplicatedEngine engine) {
        this.engine = engine;
    }

    // ---------------------------------------------------------------- the replica (apply thread)

    @Override
    public long size() {
        return log.size();
    }

    @Override
    public byte[] entry(long index) throws IOException {
        return log.entry(index);
    }

    @Override
    public void append(List<byte[]> entries) throws IOException {
        long expected = log.size();
        while (true) {
            MerkleLog.AppendResult result;
            try {
                result = log.append(entries);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while appending committed contract log entries");
            }
            switch (result) {
                case MerkleLog.Appended appended -> {
                    if (appended.firstIndex() != expected) {
                        throw new IOException("committed contract log entries went to leaf " + appended.firstIndex()
                                + ", not " + expected);
                    }
                    return;
                }
                // only this thread appends here, so the queue drains at once
                case MerkleLog.Busy busy -> java.util.concurrent.locks.LockSupport.parkNanos(100_000);
                case MerkleLog.Refused refused -> throw new IOException("the contract log refused committed entries: "
                        + refused.reason());
            }
        }
    }

    // ---------------------------------------------------------------- the market (leader only)

    @Override
    public synchronized Marketplace here() {
        ReplicatedEngine group = engine;
        if (group == null) {
            throw new MarketUnavailable("the node is starting");
        }
        if (!group.isLeader()) {
            closeOpen();
            return null;
        }
        long term = group.term();
        if (open != null && openTerm == term && !openWriter.outOfDate) {
            return open;
        }
        closeOpen();
        long started = System.nanoTime();
        catchUp(group);
        long caughtUp = System.nanoTime();
        requireTheLogsAuthority();
        Writer writer = new Writer(group, log.size());
        try {
            open = Marketplace.open(log, writer, keys.authority(), desks.get(), System::currentTimeMillis);
        } catch (IOException failed) {
            throw new MarketUnavailable("the contract log could not be read: " + failed.getMessage());
        }
        openWriter = writer;
        openTerm = term;
        LOG.log(System.Logger.Level.INFO, "market opened on leader {0} in term {1} at contract log size {2}: caught "
                        + "up in {3} ms, replayed in {4} ms", group.id(), term, log.size(),
                (caughtUp - started) / 1_000_000, (System.nanoTime() - caughtUp) / 1_000_000);
        return open;
    }

    /**
     * Refuses to lead the market with an authority key other than the one the log's entries were
     * signed with: what this node signed would not verify for anyone who trusts the log's key,
     * and its in-process validators' verdicts would count for nothing on the other nodes.
     */
    private void requireTheLogsAuthority() {
        try {
            for (long i = 0; i < log.size(); i++) {
                List<io.credence.market.contract.Signature> byMarket =
                        io.credence.market.contract.Signed.decode(log.entry(i)).by(Marketplace.AUTHORITY_ID);
                if (!byMarket.isEmpty()) {
                    if (!java.util.Arrays.equals(byMarket.getFirst().publicKey(), keys.authority().publicKey())) {
                        throw new MarketUnavailable("this node's market keys are not the ones the contract log was "
                                + "written with (leaf " + i + "): copy DATA/market/*.key from another node of the group "
                                + "(docs/cluster.md) and restart it");
                    }
                    return;
                }
            }
        } catch (IOException unreadable) {
            throw new MarketUnavailable("the contract log could not be read: " + unreadable.getMessage());
        }
    }

    /** A read through the group: once it is answered, every entry committed before it is applied here. */
    private static void catchUp(ReplicatedEngine group) {
        Submission<Boolean> read = group.queryEngine(view -> Boolean.TRUE);
        if (!(read instanceof Submission.Accepted<Boolean> accepted)) {
            throw new MarketUnavailable("the group is busy; retry shortly (" + read + ")");
        }
        try {
            accepted.answer().get(CATCH_UP_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException failed) {
            throw new MarketUnavailable("this node could not catch up with the group: " + failed);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new MarketUnavailable("interrupted while catching up with the group");
        }
    }

    private void closeOpen() {
        if (open != null) {
            Marketplace closing = open;
            open = null;
            openWriter = null;
            // its admission stage may wait for an append that no longer commits: not on a request's thread
            Thread.ofVirtual().name("market-close").start(closing::close);
        }
    }

    @Override
    public MerkleLog log() {
        return log;
    }

    @Override
    public CompletableFuture<byte[]> toLeader(byte[] call) {
        ReplicatedEngine group = engine;
        return group == null ? CompletableFuture.failedFuture(new IllegalStateException("the node is starting"))
                : group.askLeader(call);
    }

    /** For {@code /health}: this node's copy of the contract log and the keys it would lead the market with. */
    @Override
    public Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("contractLogSize", log.size());
        status.put("contractLogRoot", java.util.Base64.getEncoder().encodeToString(log.root())); // as /v1/market/log shows it
        status.put("keysFingerprint", keysFingerprint());
        synchronized (this) {
            status.put("marketOpenHere", open != null);
        }
        return status;
    }

    /** Equal on nodes that hold the same market keys: compare it across nodes before they serve. */
    private String keysFingerprint() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(keys.logKey().publicKey());
            sha.update(keys.authority().publicKey());
            keys.validatorKeys().forEach((id, key) -> {
                sha.update(id.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update(key);
            });
            return HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (open != null) {
            open.close();
            open = null;
        }
        log.close();
    }

    /**
     * The leader's marketplace's way onto the log: through the group, at the leaf after the last one
     * it knows. Anything but "appended there" leaves it out of date, and the next request replays.
     */
    private static final class Writer implements ContractLogWriter {
        private final ReplicatedEngine group;
        private long next;
        private volatile boolean outOfDate;

        Writer(ReplicatedEngine group, long next) {
            this.group = group;
            this.next = next;
        }

        @Override
        public long append(List<byte[]> entries) {
            if (outOfDate) {
                throw new Unavailable("the market is reopening after another node appended to the contract log; retry");
            }
            if (!group.isLeader()) {
                // a deposed leader's marketplace stops here; the new leader's replays the log
                outOfDate = true;
                throw new Unavailable("this node no longer leads the group; retry");
            }
            CompletableFuture<ContractLogReplica.Appended> appending = group.appendContractLog(next, entries);
            if (appending == null) {
                throw new Unavailable("the group's queue is full; retry shortly");
            }
            ContractLogReplica.Appended appended;
            try {
                appended = appending.get(APPEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException failed) {
                outOfDate = true; // it may still be committed: the next request reads the log again
                throw new Unavailable("the group did not commit the contract log entry: " + failed.getCause());
            } catch (TimeoutException slow) {
                outOfDate = true;
                throw new Unavailable("the group did not commit the contract log entry within "
                        + APPEND_TIMEOUT_SECONDS + " s");
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                outOfDate = true;
                throw new Unavailable("interrupted while appending to the contract log");
            }
            return switch (appended) {
                case ContractLogReplica.Appended.At at -> {
                    next = at.index() + entries.size();
                    yield at.index();
                }
                case ContractLogReplica.Appended.Stale stale -> {
                    outOfDate = true;
                    throw new Unavailable(new ContractLogReplica.StaleAppend(stale).getMessage() + "; retry");
                }
            };
        }
    }
}
