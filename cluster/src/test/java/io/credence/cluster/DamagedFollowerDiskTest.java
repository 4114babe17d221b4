package io.credence.cluster;

import io.credence.ledger.AccountKind;
import io.credence.ledger.Command;
import io.credence.ledger.Operation;
import io.credence.ledger.Unit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.credence.cluster.Replicas.apply;
import static io.credence.cluster.Replicas.money;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A follower's disk goes bad while it is down: a byte of a committed log entry, or of its newest
 * snapshot, is flipped. On restart the node finds the damage (Ratis' entry checksums, the
 * snapshot's MD5), never applies the damaged bytes, sets the damaged files aside, and takes the
 * state from the others (the leader's snapshot and log): its replica ends byte-identical to theirs
 * with every acknowledged top-up once.
 */
class DamagedFollowerDiskTest {
    @TempDir
    Path dir;
    private LocalGroup group;
    private long acknowledged;

    @BeforeEach
    void newGroup() {
        group = new LocalGroup("disk", dir);
    }

    @AfterEach
    void stopAll() throws IOException {
        group.close();
    }

    private void topUps(ReplicatedEngine through, String round, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            assertThat(apply(through, new Command(round + "-" + i, new Operation.TopUp("system", "alice", Unit.MONEY,
                    1 + i, null))).accepted()).isTrue();
            acknowledged += 1 + i;
        }
    }

    /** A group whose replicas hold 40 top-ups; then one follower stops, and its id is returned. */
    private String followerStoppedAfterTopUps(long snapshotEvery) throws Exception {
        group.startThree(snapshotEvery);
        ReplicatedEngine leader = group.node("n1");
        assertThat(apply(leader, new Command("create", new Operation.CreateAccount("alice", AccountKind.SUBSCRIBER,
                Map.of()))).accepted()).isTrue();
        topUps(leader, "before", 40);
        String follower = follower();
        group.stop(follower);
        return follower;
    }

    private String follower() {
        return group.running().stream().filter(n -> !n.isLeader()).findFirst().orElseThrow().id();
    }

    private Path groupDir(String id) throws IOException {
        try (Stream<Path> groups = Files.list(group.dir(id))) {
            return groups.filter(p -> p.getFileName().toString().matches("[0-9a-f-]{36}")).findFirst().orElseThrow();
        }
    }

    private static void flipByteAt(Path file, long offset) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            int b = raf.read();
            raf.seek(offset);
            raf.write(b ^ 0x5A);
        }
    }

    private void assertRepairedAndIdentical(String repaired) throws Exception {
        ReplicatedEngine leader = group.awaitLeader();
        topUps(leader, "after", 5); // the group goes on; the repaired node follows
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (group.node(repaired).appliedIndex() < leader.commitIndex() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        byte[] first = null;
        for (ReplicatedEngine node : group.running()) {
            assertThat(money(node, "alice")).as("on %s", node.id()).isEqualTo(acknowledged);
            byte[] state = node.stateBytes().get(30, TimeUnit.SECONDS);
            if (first == null) {
                first = state;
            } else {
                assertThat(state).as("replica %s byte-identical", node.id()).isEqualTo(first);
            }
        }
        try (Stream<Path> kept = Files.list(group.dir(repaired))) {
            assertThat(kept.map(p -> p.getFileName().toString())).as("the damaged files are kept aside")
                    .anyMatch(name -> name.startsWith("damaged-"));
        }
    }

    @Test
    void aFollowerWithADamagedLogEntryTakesTheEntriesFromTheOthers() throws Exception {
        String follower = followerStoppedAfterTopUps(1_000_000); // no snapshot: the damaged entry is in the log

        Path segment;
        try (Stream<Path> logs = Files.list(groupDir(follower).resolve("current"))) {
            segment = logs.filter(p -> p.getFileName().toString().startsWith("log_"))
                    .max(Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
        }
        flipByteAt(segment, Files.size(segment) / 2);

        group.start(follower, 1_000_000);
        assertRepairedAndIdentical(follower);
    }

    @Test
    void aFollowerWithADamagedSnapshotInstallsTheLeadersInstead() throws Exception {
        String follower = followerStoppedAfterTopUps(10);

        Path snapshot;
        try (Stream<Path> files = Files.list(groupDir(follower).resolve("sm"))) {
            snapshot = files.filter(p -> p.getFileName().toString().matches("snapshot\\.\\d+_\\d+"))
                    .max(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().replaceAll(".*_", ""))))
                    .orElseThrow();
        }
        flipByteAt(snapshot, Files.size(snapshot) / 2);

        group.start(follower, 10);
        assertRepairedAndIdentical(follower);
    }
}
