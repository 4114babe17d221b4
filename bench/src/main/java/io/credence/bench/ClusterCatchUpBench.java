package io.credence.bench;

import io.credence.charging.EngineCommand;
import io.credence.charging.EngineOutcome;
import io.credence.cluster.ClusterAdmin;
import io.credence.cluster.ClusterConfig;
import io.credence.cluster.ReplicatedEngine;
import io.credence.journal.EngineSetup;
import io.credence.journal.Submission;
import io.credence.ledger.AccountKind;
import io.credence.ledger.Command;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Operation;
import io.credence.ledger.Unit;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Catch-up of a replica that was down while many commands were committed (issue 18): three
 * replicas of the engine in this process, on loopback with real Ratis sockets and fsyncs; one is
 * stopped; {@code --commands} top-ups are committed through the leader in batches of
 * {@code --batch}; the stopped one is started again and timed until it has applied everything the
 * leader committed, then the three replicas' state digests are compared at one applied index. With
 * {@code --snapshot-every} entries below the number of entries written, the leader purges its log
 * and the returning replica is sent a snapshot; above it, the log.
 *
 * <pre>
 *   java -cp bench/target/benchmarks.jar io.credence.bench.ClusterCatchUpBench --commands=1000000
 * </pre>
 */
public final class ClusterCatchUpBench {
    private ClusterCatchUpBench() {}

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        Path dir = Path.of(args.string("dir", "/tmp/credence-catch-up"));
        int commands = args.intValue("commands", 1_000_000);
        int batch = args.intValue("batch", 1024);
        int accounts = args.intValue("accounts", 10_000);
        long snapshotEvery = args.longValue("snapshot-every", 100_000);
        args.requireAllUsed();
        System.out.println("# ClusterCatchUpBench " + args.describe());
        System.out.println("# " + Environment.describe());
        Environment.deleteTree(dir);

        List<ClusterConfig.Peer> peers = new ArrayList<>();
        for (int n = 1; n <= 3; n++) {
            peers.add(new ClusterConfig.Peer("n" + n, "127.0.0.1", 19_870 + n));
        }
        ReplicatedEngine[] nodes = new ReplicatedEngine[3];
        for (int n = 0; n < 3; n++) {
            nodes[n] = start(peers, n, dir, snapshotEvery);
        }
        ReplicatedEngine leader = awaitLeader(nodes);
        List<EngineCommand> setUp = new ArrayList<>();
        for (int a = 0; a < accounts; a++) {
            setUp.add(new EngineCommand.LedgerCommand(new Command("create-" + a,
                    new Operation.CreateAccount("acct-" + a, AccountKind.SUBSCRIBER, Map.of()))));
            if (setUp.size() == batch || a == accounts - 1) {
                submit(leader, setUp).join();
                setUp = new ArrayList<>();
            }
        }
        int down = leader == nodes[2] ? 1 : 2;
        long appliedWhenStopped = nodes[down].appliedIndex();
        nodes[down].close();

        long started = System.nanoTime();
        ArrayDeque<CompletableFuture<EngineOutcome[]>> inFlight = new ArrayDeque<>();
        List<EngineCommand> chunk = new ArrayList<>(batch);
        for (int c = 0; c < commands; c++) {
            chunk.add(new EngineCommand.LedgerCommand(new Command("topup-" + c,
                    new Operation.TopUp("system", "acct-" + (c % accounts), Unit.MONEY, 1, null))));
            if (chunk.size() == batch || c == commands - 1) {
                inFlight.add(submit(leader, chunk));
                chunk = new ArrayList<>(batch);
                while (inFlight.size() > 32) {
                    inFlight.poll().join();
                }
            }
        }
        while (!inFlight.isEmpty()) {
            inFlight.poll().join();
        }
        double writeSeconds = (System.nanoTime() - started) / 1e9;
        long target = leader.commitIndex();
        System.out.printf("committed %,d commands with %s down in %.1f s (%,.0f/s); leader's commit index %,d "
                + "(%s was at %,d)%n", commands, peers.get(down).id(), writeSeconds, commands / writeSeconds, target,
                peers.get(down).id(), appliedWhenStopped);

        started = System.nanoTime();
        nodes[down] = start(peers, down, dir, snapshotEvery);
        long startedMillis = (System.nanoTime() - started) / 1_000_000;
        while (nodes[down].appliedIndex() < target) {
            Thread.sleep(5);
        }
        double catchUpSeconds = (System.nanoTime() - started) / 1e9;
        // the replicas' digests at one applied index (a linearizable read would append a barrier
        // entry stamped with a new time, so two reads would compare states of different instants)
        List<ClusterAdmin.MemberStatus> members;
        try (ClusterAdmin admin = new ClusterAdmin(ClusterConfig.of("catch-up", "n1", peers, dir.resolve("n1")))) {
            do {
                members = admin.status(true);
            } while (members.stream().map(ClusterAdmin.MemberStatus::digestIndex).distinct().count() > 1);
        }
        boolean identical = members.stream().map(ClusterAdmin.MemberStatus::stateDigest).distinct().count() == 1;
        System.out.printf("%s back: started in %,d ms, applied index %,d reached in %.2f s; at index %,d the three "
                        + "states are %s (sha-256 %s); %s%n", peers.get(down).id(), startedMillis, target,
                catchUpSeconds, members.getFirst().digestIndex(), identical ? "byte-identical" : "DIFFERENT",
                members.getFirst().stateDigest().substring(0, 16), Environment.load());
        for (ReplicatedEngine node : nodes) {
            node.close();
        }
        System.exit(identical ? 0 : 1);
    }

    private static ReplicatedEngine start(List<ClusterConfig.Peer> peers, int node, Path dir, long snapshotEvery)
            throws Exception {
        String id = peers.get(node).id();
        ClusterConfig config = ClusterConfig.of("catch-up", id, peers, dir.resolve(id))
                .withSnapshotEveryEntries(snapshotEvery);
        return ReplicatedEngine.start(config, LedgerLimits.DEFAULTS, EngineSetup.NONE, System::currentTimeMillis,
                fatal -> {
                    fatal.printStackTrace();
                    System.exit(3);
                });
    }

    private static ReplicatedEngine awaitLeader(ReplicatedEngine[] nodes) throws InterruptedException {
        while (true) {
            for (ReplicatedEngine node : nodes) {
                if (node.isLeader()) {
                    return node;
                }
            }
            Thread.sleep(20);
        }
    }

    private static CompletableFuture<EngineOutcome[]> submit(ReplicatedEngine node, List<EngineCommand> commands) {
        while (true) {
            Submission<EngineOutcome[]> submitted = node.submitAll(commands);
            if (submitted instanceof Submission.Accepted<EngineOutcome[]> accepted) {
                return accepted.answer();
            }
            if (!(submitted instanceof Submission.Busy<EngineOutcome[]>)) {
                throw new IllegalStateException("refused: " + submitted);
            }
            Thread.onSpinWait();
        }
    }
}
