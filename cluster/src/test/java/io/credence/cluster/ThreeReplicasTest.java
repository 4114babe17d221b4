package io.credence.cluster;

import io.credence.journal.EngineSetup;
import io.credence.ledger.AccountKind;
import io.credence.ledger.Command;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Operation;
import io.credence.ledger.Outcome;
import io.credence.ledger.Unit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.credence.cluster.Replicas.apply;
import static io.credence.cluster.Replicas.money;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three replicas of the engine on loopback, real Ratis over real sockets: commands submitted
 * through every node, the leader stopped in the middle, restarted, caught up. What every node
 * acknowledged is applied exactly once on every replica, and the replicas end byte-identical.
 */
class ThreeReplicasTest {
    private static final long START_MILLIS = 1_800_000_000_000L;
    private static final List<String> ACCOUNTS = List.of("alice", "bob", "carol");

    @TempDir
    Path dir;

    private final List<Throwable> fatal = new CopyOnWriteArrayList<>();
    private final Map<String, ReplicatedEngine> nodes = new HashMap<>();
    private List<ClusterConfig.Peer> peers;

    @AfterEach
    void stopAll() throws IOException {
        for (ReplicatedEngine node : nodes.values()) {
            node.close();
        }
        assertThat(fatal).isEmpty();
    }

    private static int freePort() throws IOException {
        return io.credence.testkit.Ports.freeBelowEphemeralRange();
    }

    private ReplicatedEngine start(String id) throws IOException {
        ClusterConfig config = ClusterConfig.of("test", id, peers, dir.resolve(id)).withSnapshotEveryEntries(50);
        ReplicatedEngine node = ReplicatedEngine.start(config, LedgerLimits.DEFAULTS, EngineSetup.NONE,
                () -> START_MILLIS, fatal::add);
        nodes.put(id, node);
        return node;
    }

    private ReplicatedEngine awaitLeader() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            for (ReplicatedEngine node : nodes.values()) {
                if (node.isLeader()) {
                    return node;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no leader elected within 20 s");
    }

    private static Command topUp(String requestId, String account, long amount) {
        return new Command(requestId, new Operation.TopUp("system", account, Unit.MONEY, amount, null));
    }

    @Test
    void whatAnyNodeAcknowledgedIsOnEveryReplicaOnceThroughALeaderStopAndRestart() throws Exception {
        peers = List.of(new ClusterConfig.Peer("n1", "127.0.0.1", freePort()),
                new ClusterConfig.Peer("n2", "127.0.0.1", freePort()),
                new ClusterConfig.Peer("n3", "127.0.0.1", freePort()));
        for (ClusterConfig.Peer peer : peers) {
            start(peer.id());
        }
        ReplicatedEngine leader = awaitLeader();
        for (String account : ACCOUNTS) {
            assertThat(apply(leader, new Command("create-" + account, new Operation.CreateAccount(account,
                    AccountKind.SUBSCRIBER, Map.of()))).accepted()).isTrue();
        }

        // top-ups through every node, one at a time per node, three nodes at once
        Map<String, Long> acknowledged = new java.util.concurrent.ConcurrentHashMap<>();
        List<Thread> clients = new ArrayList<>();
        for (String id : List.of("n1", "n2", "n3")) {
            ReplicatedEngine node = nodes.get(id);
            clients.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 60; i++) {
                    String account = ACCOUNTS.get(i % 3);
                    try {
                        Outcome outcome = apply(node, topUp("t-" + id + "-" + i, account, 1 + i));
                        if (outcome.accepted()) {
                            acknowledged.merge(account, 1L + i, Long::sum);
                        }
                    } catch (Exception | AssertionError e) {
                        fatal.add(e);
                    }
                }
            }));
        }
        for (Thread client : clients) {
            client.join();
        }

        // the leader stops; the other two elect a new one and go on; a retry of a command the old
        // leader applied gets the first answer and changes nothing
        String stopped = leader.id();
        leader.close();
        nodes.remove(stopped);
        ReplicatedEngine next = awaitLeader();
        assertThat(next.id()).isNotEqualTo(stopped);
        for (int i = 0; i < 30; i++) {
            String account = ACCOUNTS.get(i % 3);
            assertThat(apply(next, topUp("after-" + i, account, 100)).accepted()).isTrue();
            acknowledged.merge(account, 100L, Long::sum);
        }
        String repeated = "t-" + stopped + "-5";
        long before = money(next, ACCOUNTS.get(5 % 3));
        apply(next, topUp(repeated, ACCOUNTS.get(5 % 3), 6));
        assertThat(money(next, ACCOUNTS.get(5 % 3))).as("a retry applied once").isEqualTo(before);

        // the stopped node comes back (from its own log and snapshot) and catches up
        ReplicatedEngine back = start(stopped);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (back.appliedIndex() < next.commitIndex() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        for (ReplicatedEngine node : nodes.values()) {
            for (String account : ACCOUNTS) {
                assertThat(money(node, account)).as("%s on %s", account, node.id())
                        .isEqualTo(acknowledged.get(account));
            }
        }
        byte[] first = null;
        for (ReplicatedEngine node : nodes.values()) {
            byte[] state = node.stateBytes().get(30, TimeUnit.SECONDS);
            if (first == null) {
                first = state;
            } else {
                assertThat(state).as("replica %s byte-identical", node.id()).isEqualTo(first);
            }
        }
    }
}
