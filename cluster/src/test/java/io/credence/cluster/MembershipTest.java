package io.credence.cluster;

import io.credence.ledger.AccountKind;
import io.credence.ledger.Command;
import io.credence.ledger.Operation;
import io.credence.ledger.Unit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.credence.cluster.Replicas.apply;
import static io.credence.cluster.Replicas.money;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A dead member replaced without stopping the group: a fourth node joins (it catches up from the
 * others' snapshot and log before it votes), the dead one is removed, and the group of three goes
 * on committing; the operator's status shows the members, their roles and equal state digests.
 */
class MembershipTest {
    private static final long SNAPSHOT_EVERY = 20;

    @TempDir
    Path dir;
    private LocalGroup group;

    @AfterEach
    void stopAll() throws IOException {
        group.close();
    }

    private static Command topUp(String requestId, long amount) {
        return new Command(requestId, new Operation.TopUp("system", "alice", Unit.MONEY, amount, null));
    }

    private static ContractLogReplica.Appended appendLeaves(ReplicatedEngine node, long index, String leaf)
            throws Exception {
        return node.appendContractLog(index, List.of(leaf.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .get(20, TimeUnit.SECONDS);
    }

    @Test
    void aDeadMemberIsReplacedByANewOneWhileTheGroupKeepsCommitting() throws Exception {
        group = new LocalGroup("members", dir);
        group.startThree(SNAPSHOT_EVERY);
        ReplicatedEngine n2 = group.node("n2");
        assertThat(apply(n2, new Command("create", new Operation.CreateAccount("alice", AccountKind.SUBSCRIBER,
                Map.of()))).accepted()).isTrue();
        long acknowledged = 0;
        for (int i = 0; i < 50; i++) { // past two snapshots: the newcomer starts from one
            assertThat(apply(n2, topUp("before-" + i, 10)).accepted()).isTrue();
            acknowledged += 10;
            if (i % 10 == 0) { // contract log leaves in entries the newcomer will not be sent
                assertThat(appendLeaves(n2, i / 10, "before-" + i)).isEqualTo(new ContractLogReplica.Appended.At(i / 10));
            }
        }
        assertThat(appendLeaves(group.node("n1"), 2, "stale")).as("an append at a leaf the log has moved past")
                .isEqualTo(new ContractLogReplica.Appended.Stale(2, 5));
        assertThat(appendLeaves(group.node("n3"), 4, "before-40")).as("the same leaf again is where it is")
                .isEqualTo(new ContractLogReplica.Appended.At(4));

        // n3's machine dies; n4 is started with a file naming all four, then added
        group.stop("n3");
        ClusterConfig.Peer n4Peer = group.member("n4");
        ReplicatedEngine n4 = group.start("n4", SNAPSHOT_EVERY);
        try (ClusterAdmin admin = new ClusterAdmin(group.configOf("n1", SNAPSHOT_EVERY))) {
            assertThat(admin.add("n4", n4Peer.address())).containsExactly("n1", "n2", "n3", "n4");
            assertThat(admin.remove("n3")).containsExactly("n1", "n2", "n4");
            assertThatThrownBy(() -> admin.remove("n3")).hasMessageContaining("n3 is not a member");
            assertThatThrownBy(() -> admin.add("n1", "127.0.0.1:1")).hasMessageContaining("already a member");
            assertThatThrownBy(() -> admin.add("n5", "no-port")).hasMessageContaining("host:port");
            assertThat(admin.currentMembers()).containsOnlyKeys("n1", "n2", "n4");

            for (int i = 0; i < 10; i++) {
                assertThat(apply(n4, topUp("after-" + i, 1)).accepted()).isTrue();
                acknowledged += 1;
            }
            assertThat(appendLeaves(n4, 5, "after")).isEqualTo(new ContractLogReplica.Appended.At(5));
            for (ReplicatedEngine node : group.running()) {
                assertThat(money(node, "alice")).as("on %s", node.id()).isEqualTo(acknowledged);
            }
            // quiet now: every reachable member at the same applied index with the same state digest
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            List<ClusterAdmin.MemberStatus> status;
            do {
                status = admin.status(true).stream().filter(ClusterAdmin.MemberStatus::reachable).toList();
                Thread.sleep(50);
            } while (status.stream().map(ClusterAdmin.MemberStatus::digestIndex).distinct().count() > 1
                    && System.nanoTime() < deadline);
            assertThat(status).extracting(ClusterAdmin.MemberStatus::id).containsExactlyInAnyOrder("n1", "n2", "n4");
            assertThat(status).extracting(ClusterAdmin.MemberStatus::stateDigest).doesNotContain("")
                    .containsOnly(status.get(0).stateDigest());
            assertThat(status).extracting(ClusterAdmin.MemberStatus::role).containsOnlyOnce("LEADER");
            // the newcomer fetched the leaves its snapshot skipped from the leader: every log the same
            List<String> leaves = List.of("before-0", "before-10", "before-20", "before-30", "before-40", "after");
            for (String id : List.of("n1", "n2", "n4")) {
                assertThat(group.contractLog(id).leaves()).as("%s's contract log", id).isEqualTo(leaves);
            }
            assertThat(admin.status(false)).filteredOn(s -> s.id().equals("n3")).singleElement()
                    .extracting(ClusterAdmin.MemberStatus::reachable).isEqualTo(false);
        }
    }
}
