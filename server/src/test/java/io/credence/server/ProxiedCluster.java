package io.credence.server;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Three {@code credence serve --cluster} processes on loopback whose Raft traffic goes through one
 * TCP proxy per direction of each link, so a test can cut links one by one. Each node has its own
 * hosts file ({@code -Djdk.net.hosts.file}) in which the other members' names resolve to the
 * loopback address of its own link proxies: every node's group configuration names the same
 * {@code nX.raft:port}, and node i reaches node j at 127.1.(i+1).(j+1), that link's proxy.
 */
final class ProxiedCluster implements AutoCloseable {
    static final List<String> IDS = List.of("n1", "n2", "n3");

    private final Path dir;
    private final String[] extraArgs;
    private final int[] raftPorts = new int[3];
    private final LoopbackProxy[][] links = new LoopbackProxy[3][3];
    private final ServerProcess[] nodes = new ServerProcess[3];

    /** Opens the link proxies; {@code extraArgs} go to every node's {@code serve}. */
    ProxiedCluster(Path dir, String... extraArgs) throws IOException {
        this.dir = dir;
        this.extraArgs = extraArgs;
        for (int n = 0; n < 3; n++) {
            raftPorts[n] = io.credence.testkit.Ports.freeBelowEphemeralRange();
        }
        for (int from = 0; from < 3; from++) {
            for (int to = 0; to < 3; to++) {
                if (from != to) {
                    links[from][to] = new LoopbackProxy(InetAddress.getByName(linkAddress(from, to)),
                            raftPorts[to], raftPorts[to]);
                }
            }
        }
    }

    private static String raftName(int node) {
        return IDS.get(node) + ".raft";
    }

    /** The address node {@code from} reaches node {@code to} at: its own proxy for that link. */
    private static String linkAddress(int from, int to) {
        return "127.1." + (from + 1) + "." + (to + 1);
    }

    /** A hosts file for node {@code self}, or (self &lt; 0) for an operator who reaches every node directly. */
    Path hostsFile(String name, int self) throws IOException {
        StringBuilder hosts = new StringBuilder("127.0.0.1 localhost " + InetAddress.getLocalHost().getHostName() + "\n");
        for (int n = 0; n < 3; n++) {
            hosts.append(self < 0 || n == self ? "127.0.0.1" : linkAddress(self, n)).append(' ')
                    .append(raftName(n)).append('\n');
        }
        Path file = dir.resolve(name);
        Files.writeString(file, hosts);
        return file;
    }

    Path clusterFile(String self) throws IOException {
        StringBuilder file = new StringBuilder("group = chaos\nself = " + self + "\n");
        for (int n = 0; n < 3; n++) {
            file.append("peer.").append(IDS.get(n)).append(" = ").append(raftName(n)).append(':')
                    .append(raftPorts[n]).append('\n');
        }
        Path path = dir.resolve("cluster-" + self + ".properties");
        Files.writeString(path, file);
        return path;
    }

    ServerProcess node(int node) {
        return nodes[node];
    }

    /** Starts (or restarts) one node. */
    ServerProcess start(int node) throws IOException {
        String id = IDS.get(node);
        List<String> args = new ArrayList<>(List.of("--cluster", clusterFile(id).toString()));
        args.addAll(List.of(extraArgs));
        nodes[node] = ServerProcess.start(List.of("-Djdk.net.hosts.file=" + hostsFile("hosts-" + id, node),
                        "-Dorg.slf4j.simpleLogger.log.org.apache.ratis=warn"),
                dir.resolve("data-" + id), dir.resolve("server-" + id + ".log"), args.toArray(String[]::new));
        return nodes[node];
    }

    /** Starts the three together: a node's start-up waits for a leader, which needs a majority. */
    void startAll() throws Exception {
        try (ExecutorService starters = Executors.newFixedThreadPool(3)) {
            List<Future<ServerProcess>> starting = new ArrayList<>();
            for (int n = 0; n < 3; n++) {
                int node = n;
                starting.add(starters.submit(() -> start(node)));
            }
            for (Future<ServerProcess> started : starting) {
                started.get(120, TimeUnit.SECONDS);
            }
        }
    }

    /** Cuts (or restores) both directions of every link between {@code node} and the others. */
    void isolate(int node, boolean cut) {
        for (int other = 0; other < 3; other++) {
            if (other != node) {
                for (LoopbackProxy link : List.of(links[node][other], links[other][node])) {
                    if (cut) {
                        link.cut();
                    } else {
                        link.restore();
                    }
                }
            }
        }
    }

    Http http(int node) {
        return new Http(nodes[node].port, Duration.ofSeconds(4));
    }

    /** What {@code node}'s /health says of its place in the group (role DOWN when it does not answer). */
    Map<String, Object> replication(int node) {
        try {
            var r = http(node).get("health").body().path("replication");
            return Map.of("role", r.path("role").asText(), "leader", r.path("leader").asText(),
                    "applied", r.path("appliedIndex").asLong(), "commit", r.path("commitIndex").asLong());
        } catch (RuntimeException down) {
            return Map.of("role", "DOWN", "leader", "", "applied", -1L, "commit", -1L);
        }
    }

    /** The node every live node names as leader, and that says so itself. */
    int awaitLeader(List<Integer> among) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            for (int n : among) {
                Map<String, Object> r = replication(n);
                if (r.get("role").equals("LEADER")) {
                    boolean agreed = among.stream().allMatch(o -> replication(o).get("leader").equals(IDS.get(n)));
                    if (agreed) {
                        return n;
                    }
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no leader agreed by " + among + " within 60 s");
    }

    /** Waits until {@code node} has applied what the leader had committed when it was asked. */
    void awaitCaughtUp(int node) throws InterruptedException {
        int leader = awaitLeader(List.of(0, 1, 2));
        long target = (long) replication(leader).get("commit");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while ((long) replication(node).get("applied") < target) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(IDS.get(node) + " did not catch up to " + target + " within 60 s: "
                        + replication(node));
            }
            Thread.sleep(50);
        }
    }

    /** The survivors name one of them leader, and it says so: the time since {@code since}, in ms. */
    long millisToLeader(long since, List<Integer> survivors) {
        while (System.nanoTime() - since < TimeUnit.SECONDS.toNanos(90)) {
            List<Map<String, Object>> views = survivors.stream().map(this::replication).toList();
            Object leader = views.get(0).get("leader");
            boolean agreed = views.stream().allMatch(v -> v.get("leader").equals(leader))
                    && survivors.stream().anyMatch(n -> IDS.get(n).equals(leader));
            if (agreed) {
                return (System.nanoTime() - since) / 1_000_000;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException stop) {
                return -1;
            }
        }
        return -1;
    }

    /** Kills the nodes still running, keeps what they printed in {@code kept}, and closes the links. */
    void closeKeepingLogs(Path kept) throws Exception {
        Files.createDirectories(kept);
        for (int n = 0; n < 3; n++) {
            if (nodes[n] != null) {
                nodes[n].close();
                Files.write(kept.resolve("stdout-" + IDS.get(n) + ".log"), List.copyOf(nodes[n].stdout));
                Path log = dir.resolve("server-" + IDS.get(n) + ".log");
                if (Files.exists(log)) { // what the nodes printed, for the failure's reader
                    Files.copy(log, kept.resolve("server-" + IDS.get(n) + ".log"),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        close();
    }

    @Override
    public void close() throws IOException {
        for (ServerProcess node : nodes) {
            if (node != null) {
                try {
                    node.close();
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        for (LoopbackProxy[] row : links) {
            for (LoopbackProxy link : row) {
                if (link != null) {
                    link.close();
                }
            }
        }
    }
}
