package io.credence.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three {@code credence serve --cluster} processes on loopback form one Raft group. Top-ups go
 * through the nodes that are up while each node in turn is killed with SIGKILL and restarted (so
 * the leader is killed at least once): every acknowledged top-up is on every node exactly once,
 * read back through each node, and a retry through another node gets the first answer.
 */
class ClusterServeIT {
    private static final List<String> IDS = List.of("n1", "n2", "n3");
    private static final List<String> ACCOUNTS = List.of("sub-a", "sub-b");

    @TempDir
    Path dir;

    private final ServerProcess[] nodes = new ServerProcess[3];
    private final Map<String, Long> acknowledged = new HashMap<>();
    private final Map<String, String> firstAnswers = new HashMap<>();

    private final Map<ServerProcess, Http> clients = new HashMap<>();

    private Http http(ServerProcess node) {
        return clients.computeIfAbsent(node, n -> new Http(n.port));
    }

    /** The Prometheus text of a node's /metrics (the test's JSON client does not read text). */
    private static String metricsOf(ServerProcess node) throws IOException, InterruptedException {
        try (var client = java.net.http.HttpClient.newHttpClient()) {
            return client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + node.port
                    + "/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    private static int freePort() throws IOException {
        return io.credence.testkit.Ports.freeBelowEphemeralRange();
    }

    private ServerProcess start(int node) throws IOException {
        String id = IDS.get(node);
        nodes[node] = ServerProcess.start(dir.resolve("data-" + id), dir.resolve("server-" + id + ".log"),
                "--cluster", dir.resolve("cluster-" + id + ".properties").toString());
        return nodes[node];
    }

    /** Posts until a 2xx answer (the same request id each time, through the nodes that are up in turn). */
    private Http.Reply postUntilAnswered(List<Integer> through, String path, String json) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int attempt = 0;
        while (System.nanoTime() < deadline) {
            ServerProcess node = nodes[through.get(attempt++ % through.size())];
            try {
                Http.Reply reply = http(node).post(path, json);
                if (reply.status() / 100 == 2) {
                    return reply;
                }
            } catch (RuntimeException notNow) {
                // a node without a leader yet, or a connection cut: the retry decides
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no 2xx answer within 60 s for " + path + " " + json);
    }

    private void topUps(String round, List<Integer> through, int count) throws InterruptedException {
        for (int i = 0; i < count; i++) {
            String account = ACCOUNTS.get(i % ACCOUNTS.size());
            String requestId = round + "-" + i;
            long amount = 10 + i;
            Http.Reply reply = postUntilAnswered(List.of(through.get(i % through.size()), through.get((i + 1)
                    % through.size())), "v1/accounts/" + account + "/topups",
                    "{\"requestId\":\"" + requestId + "\",\"unit\":\"MONEY\",\"amount\":" + amount + "}");
            acknowledged.merge(account, amount, Long::sum);
            firstAnswers.put(requestId + "|" + account + "|" + amount, reply.raw());
        }
    }

    private long total(int node, String account) {
        return http(nodes[node]).get("v1/accounts/" + account).body().path("balances").get(0)
                .path("total").asLong();
    }

    @Test
    void everyAcknowledgedTopUpIsOnEveryNodeOnceWhileEachNodeInTurnIsKilledAndRestarted() throws Exception {
        int[] raftPorts = {freePort(), freePort(), freePort()};
        for (String id : IDS) {
            StringBuilder file = new StringBuilder("group = it\nself = " + id + "\n");
            for (int n = 0; n < 3; n++) {
                file.append("peer.").append(IDS.get(n)).append(" = 127.0.0.1:").append(raftPorts[n]).append('\n');
            }
            Files.writeString(dir.resolve("cluster-" + id + ".properties"), file);
        }
        try {
            // together: a node's start-up waits for a leader, which needs a majority of the three
            try (var starters = java.util.concurrent.Executors.newFixedThreadPool(3)) {
                List<java.util.concurrent.Future<ServerProcess>> starting = new java.util.ArrayList<>();
                for (int n = 0; n < 3; n++) {
                    int node = n;
                    starting.add(starters.submit(() -> start(node)));
                }
                for (var started : starting) {
                    started.get(120, TimeUnit.SECONDS);
                }
            }
            for (String account : ACCOUNTS) {
                postUntilAnswered(List.of(0, 1, 2), "v1/accounts", "{\"requestId\":\"create-" + account
                        + "\",\"accountId\":\"" + account + "\",\"kind\":\"SUBSCRIBER\"}");
            }
            topUps("before", List.of(0, 1, 2), 12);
            for (int victim = 0; victim < 3; victim++) {
                List<Integer> others = List.of((victim + 1) % 3, (victim + 2) % 3);
                long started = System.nanoTime();
                nodes[victim].kill();
                topUps("without-" + IDS.get(victim), others, 12);
                long killed = System.nanoTime();
                start(victim);
                long restarted = System.nanoTime();
                topUps("back-" + IDS.get(victim), List.of(victim, others.get(0), others.get(1)), 6);
                System.out.printf("%s killed: 12 top-ups in %d ms; restarted in %d ms; 6 top-ups in %d ms%n",
                        IDS.get(victim), (killed - started) / 1_000_000, (restarted - killed) / 1_000_000,
                        (System.nanoTime() - restarted) / 1_000_000);
            }

            for (int node = 0; node < 3; node++) {
                for (String account : ACCOUNTS) {
                    assertThat(total(node, account)).as("%s read through %s", account, IDS.get(node))
                            .isEqualTo(acknowledged.get(account));
                }
            }
            // a client's retry of its last top-up through another node (within the request-id
            // retention of 120 s): the first answer, byte for byte, and nothing applied again
            String last = "back-n3-5";
            String account = ACCOUNTS.get(5 % ACCOUNTS.size());
            Http.Reply again = http(nodes[1]).post("v1/accounts/" + account + "/topups",
                    "{\"requestId\":\"" + last + "\",\"unit\":\"MONEY\",\"amount\":15}");
            assertThat(again.raw()).isEqualTo(firstAnswers.get(last + "|" + account + "|15"));
            for (int node = 0; node < 3; node++) {
                assertThat(total(node, account)).isEqualTo(acknowledged.get(account));
            }
            // each node says on /health and in its metrics where it stands in the group
            java.util.Set<String> leaders = new java.util.HashSet<>();
            int followers = 0;
            for (int node = 0; node < 3; node++) {
                var replication = http(nodes[node]).get("health").body().path("replication");
                assertThat(replication.path("node").asText()).isEqualTo(IDS.get(node));
                assertThat(replication.path("commitIndex").asLong()).isPositive();
                leaders.add(replication.path("leader").asText());
                followers += replication.path("role").asText().equals("FOLLOWER") ? 1 : 0;
                assertThat(metricsOf(nodes[node])).contains("credence_raft_term ")
                        .contains("credence_raft_leader ").contains("credence_raft_peer_lag_entries{peer=\"");
            }
            assertThat(leaders).as("one leader, named alike by every node").hasSize(1).isSubsetOf(IDS);
            assertThat(followers).isEqualTo(2);
        } finally {
            for (ServerProcess node : nodes) {
                if (node != null) {
                    node.close();
                }
            }
        }
    }
}
