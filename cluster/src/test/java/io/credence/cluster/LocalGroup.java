package io.credence.cluster;

import io.credence.journal.EngineSetup;
import io.credence.ledger.LedgerLimits;
import io.credence.testkit.Ports;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replicas of one Raft group in the test's JVM: real Ratis servers on loopback ports below the
 * ephemeral range, each with its own directory under the test's, a fixed clock, and every fatal
 * error a replica reports kept so that closing the group fails the test if there was one.
 */
final class LocalGroup implements AutoCloseable {
    static final long START_MILLIS = 1_800_000_000_000L;

    private final String name;
    private final Path dir;
    private final List<Throwable> fatal = new CopyOnWriteArrayList<>();
    private final Map<String, ReplicatedEngine> running = new LinkedHashMap<>();
    private final List<ClusterConfig.Peer> peers = new ArrayList<>();
    /** Each member's contract log, kept across its restarts as its file would be. */
    private final Map<String, MemoryContractLog> contractLogs = new java.util.concurrent.ConcurrentHashMap<>();

    LocalGroup(String name, Path dir) {
        this.name = name;
        this.dir = dir;
    }

    /** Names a member (a free port of its own); the members named so far are every node's peers. */
    ClusterConfig.Peer member(String id) throws IOException {
        ClusterConfig.Peer peer = new ClusterConfig.Peer(id, "127.0.0.1", Ports.freeBelowEphemeralRange());
        peers.add(peer);
        return peer;
    }

    List<ClusterConfig.Peer> peers() {
        return List.copyOf(peers);
    }

    Path dir(String id) {
        return dir.resolve(id);
    }

    ClusterConfig configOf(String id, long snapshotEveryEntries) {
        return ClusterConfig.of(name, id, peers, dir(id)).withSnapshotEveryEntries(snapshotEveryEntries);
    }

    /** Names n1, n2 and n3 and starts them: the group most tests need. */
    void startThree(long snapshotEveryEntries) throws IOException {
        List<String> ids = List.of("n1", "n2", "n3");
        for (String id : ids) {
            member(id);
        }
        for (String id : ids) {
            start(id, snapshotEveryEntries);
        }
    }

    /** Starts (or restarts) a member from its directory. */
    ReplicatedEngine start(String id, long snapshotEveryEntries) throws IOException {
        ReplicatedEngine node = ReplicatedEngine.start(configOf(id, snapshotEveryEntries), LedgerLimits.DEFAULTS,
                EngineSetup.NONE, () -> START_MILLIS, fatal::add, contractLog(id));
        running.put(id, node);
        return node;
    }

    MemoryContractLog contractLog(String id) {
        return contractLogs.computeIfAbsent(id, any -> new MemoryContractLog());
    }

    ReplicatedEngine node(String id) {
        return running.get(id);
    }

    Collection<ReplicatedEngine> running() {
        return running.values();
    }

    /** Stops a member; its directory stays, to start it again. */
    void stop(String id) throws IOException {
        running.remove(id).close();
    }

    /** Where a client's failure in the test's own threads is kept, failing the test at close. */
    void failed(Throwable failure) {
        fatal.add(failure);
    }

    ReplicatedEngine awaitLeader() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            for (ReplicatedEngine node : running.values()) {
                if (node.isLeader()) {
                    return node;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no leader elected within 20 s");
    }

    @Override
    public void close() throws IOException {
        for (ReplicatedEngine node : running.values()) {
            node.close();
        }
        running.clear();
        assertThat(fatal).isEmpty();
    }
}
