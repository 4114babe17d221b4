package io.credence.cluster;

import io.credence.ledger.AccountKind;
import io.credence.ledger.Command;
import io.credence.ledger.Operation;
import io.credence.ledger.Outcome;
import io.credence.ledger.Unit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    private static final List<String> ACCOUNTS = List.of("alice", "bob", "carol");
    private static final long SNAPSHOT_EVERY = 50;

    @TempDir
    Path dir;
    private LocalGroup group;

    @AfterEach
    void stopAll() throws IOException {
        group.close();
    }

    private static Command topUp(String requestId, String account, long amount) {
        return new Command(requestId, new Operation.TopUp("system", account, Unit.MONEY, amount, null));
    }

    @Test
    void whatAnyNodeAcknowledgedIsOnEveryReplicaOnceThroughALeaderStopAndRestart() throws Exception {
        group = new LocalGroup("test", dir);
        group.startThree(SNAPSHOT_EVERY);
        ReplicatedEngine leader = group.awaitLeader();
        for (String account : ACCOUNTS) {
            assertThat(apply(leader, new Command("create-" + account, new Operation.CreateAccount(account,
                    AccountKind.SUBSCRIBER, Map.of()))).accepted()).isTrue();
        }

        // top-ups through every node, one at a time per node, three nodes at once
        Map<String, Long> acknowledged = new java.util.concurrent.ConcurrentHashMap<>();
        List<Thread> clients = new ArrayList<>();
        for (String id : List.of("n1", "n2", "n3")) {
            ReplicatedEngine node = group.node(id);
            clients.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 60; i++) {
                    String account = ACCOUNTS.get(i % 3);
                    try {
                        Outcome outcome = apply(node, topUp("t-" + id + "-" + i, account, 1 + i));
                        if (outcome.accepted()) {
                            acknowledged.merge(account, 1L + i, Long::sum);
                        }
                    } catch (Exception | AssertionError e) {
                        group.failed(e);
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
        group.stop(stopped);
        ReplicatedEngine next = group.awaitLeader();
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
        ReplicatedEngine back = group.start(stopped, SNAPSHOT_EVERY);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (back.appliedIndex() < next.commitIndex() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        for (ReplicatedEngine node : group.running()) {
            for (String account : ACCOUNTS) {
                assertThat(money(node, account)).as("%s on %s", account, node.id())
                        .isEqualTo(acknowledged.get(account));
            }
        }
        byte[] first = null;
        for (ReplicatedEngine node : group.running()) {
            byte[] state = node.stateBytes().get(30, TimeUnit.SECONDS);
            if (first == null) {
                first = state;
            } else {
                assertThat(state).as("replica %s byte-identical", node.id()).isEqualTo(first);
            }
        }
    }
}
