package io.credence.server;

import io.credence.diameter.cc.CcrBuilder;
import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.peer.LocalIdentity;
import io.credence.diameter.transport.DiameterClient;
import io.credence.ledger.Unit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three {@code credence serve --cluster} processes under load through all three nodes (Diameter
 * sessions, HTTP top-ups and transfers) while the test SIGKILLs the leader 12 times, kills a
 * follower, cuts a node off and cuts the leader off from the other two but not from its clients.
 *
 * <p>Raft traffic between the nodes goes through one TCP proxy per direction of each link
 * ({@link ProxiedCluster}): each
 * node has its own hosts file ({@code -Djdk.net.hosts.file}) in which the other members' names
 * resolve to the loopback address of its own link proxies, so every node's group configuration
 * names the same {@code nX.raft:port} and the test still cuts links one by one.
 *
 * <p>A history checker then decides from what the clients recorded, not from the servers' view:
 * every operation was retried with its request id until a definitive answer; each account's money
 * is exactly what the acknowledged top-ups and transfers make it, each subscriber's bytes exactly
 * its balance less the usage its acknowledged requests reported, read through every node; a
 * retry's answer equals the first answer byte for byte; and {@code credence cluster status
 * --digest} shows the three replicas at one applied index with one state digest.
 */
class ClusterChaosIT {
    private static final List<String> IDS = ProxiedCluster.IDS;
    /**
     * 12 in the suite, which keeps it within its time; the failover figures of BENCHMARKS.md
     * section 13 come from runs with {@code -Dcredence.chaos.leaderKills=20}.
     */
    private static final int LEADER_KILLS = Integer.getInteger("credence.chaos.leaderKills", 12);
    private static final int ACCOUNTS = 4;
    private static final long MONEY_START = 1_000_000_000L;
    private static final int SUBSCRIBERS = 4;
    private static final long BYTES_START = 1_000_000_000_000L;
    private static final long QUOTA = 10_000;
    private static final LocalIdentity PGW = new LocalIdentity("pgw.chaos.test", "operator.test",
            List.of(new byte[] {127, 0, 0, 1}), 10415, "chaos-pgw", 1);

    @TempDir
    Path dir;

    private ProxiedCluster cluster;
    private final AtomicBoolean loadRunning = new AtomicBoolean(true);
    private final Queue<String> violations = new ConcurrentLinkedQueue<>();

    /** One acknowledged HTTP operation of the history: what was asked and what the first answer said. */
    private record Acked(String kind, String from, String to, long amount, String firstAnswer) {}

    private final Queue<Acked> acked = new ConcurrentLinkedQueue<>();
    private final AtomicLong retriedRequests = new AtomicLong();
    private final AtomicLong repeatedAnswersCompared = new AtomicLong();
    private final Map<String, AtomicLong> reportedUse = new ConcurrentHashMap<>();
    private final AtomicLong diameterAnswers = new AtomicLong();
    private final AtomicLong diameterRetransmissions = new AtomicLong();
    private final AtomicLong endToEnd = new AtomicLong(1);

    // ---------------------------------------------------------------- HTTP clients

    /**
     * Posts with the same request id until a definitive answer (2xx or 4xx), through the nodes in
     * turn starting at {@code first}; a 4xx fails the history. Returns the first definitive answer.
     */
    private Http.Reply untilDefinitive(int first, String path, String json) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        for (int attempt = 0; System.nanoTime() < deadline; attempt++) {
            if (attempt > 0) {
                retriedRequests.incrementAndGet();
                Thread.sleep(50);
            }
            try {
                Http.Reply reply = cluster.http((first + attempt) % 3).post(path, json);
                if (reply.status() / 100 == 2) {
                    return reply;
                }
                if (reply.status() / 100 == 4) {
                    violations.add("refused " + path + " " + json + ": " + reply.raw());
                    return reply;
                }
            } catch (RuntimeException notNow) {
                // node down, cut off, or between leaders: the same request id again, elsewhere
            }
        }
        throw new AssertionError("no definitive answer within 90 s for " + path + " " + json);
    }

    private void httpClient(int worker) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; loadRunning.get(); i++) {
            String requestId = "w" + worker + "-" + i;
            int node = random.nextInt(3);
            try {
                String from = "acct-" + random.nextInt(ACCOUNTS);
                long amount = 1 + random.nextInt(1_000);
                String path;
                String json;
                String to;
                if (i % 3 == 2) {
                    to = "acct-" + ((Integer.parseInt(from.substring(5)) + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS);
                    path = "v1/transfers";
                    json = "{\"requestId\":\"" + requestId + "\",\"from\":\"" + from + "\",\"to\":\"" + to
                            + "\",\"unit\":\"MONEY\",\"amount\":" + amount + "}";
                } else {
                    to = from;
                    from = "system";
                    path = "v1/accounts/" + to + "/topups";
                    json = "{\"requestId\":\"" + requestId + "\",\"unit\":\"MONEY\",\"amount\":" + amount + "}";
                }
                Thread.sleep(5); // clients with a little think time: the three nodes share two cores with them
                Http.Reply first = untilDefinitive(node, path, json);
                if (first.status() / 100 != 2) {
                    continue;
                }
                acked.add(new Acked(path.equals("v1/transfers") ? "transfer" : "topup", from, to, amount, first.raw()));
                if (i % 4 == 0) { // a client that did not see the answer asks again, through another node
                    Http.Reply again = untilDefinitive(node + 1, path, json);
                    repeatedAnswersCompared.incrementAndGet();
                    if (!again.raw().equals(first.raw())) {
                        violations.add("retry of " + requestId + " answered " + again.raw() + ", first " + first.raw());
                    }
                }
            } catch (InterruptedException stop) {
                return;
            } catch (AssertionError stuck) {
                violations.add(stuck.getMessage());
            }
        }
    }

    // ---------------------------------------------------------------- Diameter gateways

    /** One gateway session: I, updates reporting each grant used up, then T. */
    private static final class GySession {
        final String id;
        final String msisdn;
        long number;
        long granted;

        GySession(String id, String msisdn) {
            this.id = id;
            this.msisdn = msisdn;
        }
    }

    private DiameterClient connectAny(int from) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        for (int attempt = 0; System.nanoTime() < deadline; attempt++) {
            try {
                return DiameterClient.connect("127.0.0.1", cluster.node((from + attempt) % 3).diameterPort, PGW,
                        DiameterClient.Options.defaults().withRequestTimeout(Duration.ofSeconds(4)), request -> null);
            } catch (Exception down) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("no node took the gateway's connection within 90 s");
    }

    /**
     * A gateway whose OCS peers are the three nodes: a request unanswered (node dead, cut off, busy)
     * is retransmitted with the T flag to the next node, as RFC 6733's failover says, until answered.
     */
    private void gateway(int gateway) {
        int node = gateway % 3;
        DiameterClient pgw = null;
        try {
            pgw = connectAny(node);
            for (int n = 0; loadRunning.get(); n++) {
                GySession s = new GySession(PGW.originHost() + ";" + gateway + ";" + n, msisdn((gateway + n) % SUBSCRIBERS));
                while (true) {
                    Thread.sleep(5);
                    DiameterMessage request = next(s);
                    boolean retransmit = false;
                    DiameterMessage answer = null;
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                    while (answer == null) {
                        if (System.nanoTime() > deadline) {
                            throw new AssertionError("no success answer within 90 s for " + s.id + " #" + s.number);
                        }
                        try {
                            DiameterMessage sent = retransmit ? new DiameterMessage(request.flags()
                                    | DiameterMessage.FLAG_RETRANSMITTED, request.commandCode(), request.applicationId(),
                                    0, request.endToEnd(), request.avps()) : request;
                            DiameterMessage reply = pgw.send(sent).get(5, TimeUnit.SECONDS);
                            long result = reply.find(Codes.RESULT_CODE, 0).map(Avp::unsigned32).orElse(0L);
                            if (result == Codes.DIAMETER_SUCCESS) {
                                answer = reply;
                                break;
                            }
                        } catch (Exception failed) {
                            // the node died or is cut off: the next one
                        }
                        retransmit = true;
                        diameterRetransmissions.incrementAndGet();
                        pgw.close();
                        node++;
                        Thread.sleep(50);
                        pgw = connectAny(node);
                    }
                    diameterAnswers.incrementAndGet();
                    reportedUse.computeIfAbsent(s.msisdn, k -> new AtomicLong())
                            .addAndGet(DiameterCrashIT.unitsIn(request, Codes.USED_SERVICE_UNIT));
                    if (request.find(Codes.CC_REQUEST_TYPE, 0).orElseThrow().integer32() == Codes.TERMINATION_REQUEST) {
                        break;
                    }
                    s.granted = DiameterCrashIT.unitsIn(answer, Codes.GRANTED_SERVICE_UNIT);
                    s.number++;
                }
            }
        } catch (InterruptedException stop) {
            // the test is over
        } catch (AssertionError | RuntimeException stuck) {
            violations.add("gateway " + gateway + ": " + stuck);
        } finally {
            if (pgw != null) {
                pgw.close();
            }
        }
    }

    private DiameterMessage next(GySession s) {
        CcrBuilder ccr;
        if (s.number == 0) {
            ccr = CcrBuilder.request(s.id, PGW.originHost(), PGW.originRealm(), "credence.local", Codes.INITIAL_REQUEST, 0)
                    .msisdn(s.msisdn).mscc(10, Unit.BYTES, QUOTA, null);
        } else if (s.number < 4) {
            ccr = CcrBuilder.request(s.id, PGW.originHost(), PGW.originRealm(), "credence.local", Codes.UPDATE_REQUEST,
                    s.number).mscc(10, Unit.BYTES, QUOTA, s.granted);
        } else {
            ccr = CcrBuilder.request(s.id, PGW.originHost(), PGW.originRealm(), "credence.local",
                    Codes.TERMINATION_REQUEST, s.number).mscc(10, Unit.BYTES, null, s.granted / 2);
        }
        return ccr.build(endToEnd.getAndIncrement());
    }

    private static String msisdn(int i) {
        return "4915200000" + i;
    }

    // ---------------------------------------------------------------- the test

    private void provision() throws InterruptedException {
        for (int i = 0; i < ACCOUNTS; i++) {
            untilDefinitive(0, "v1/accounts", "{\"requestId\":\"c-" + i + "\",\"accountId\":\"acct-" + i
                    + "\",\"kind\":\"SUBSCRIBER\"}");
            untilDefinitive(1, "v1/accounts/acct-" + i + "/topups", "{\"requestId\":\"start-" + i
                    + "\",\"unit\":\"MONEY\",\"amount\":" + MONEY_START + "}");
        }
        for (int i = 0; i < SUBSCRIBERS; i++) {
            String account = "sub-" + i;
            untilDefinitive(2, "v1/accounts", "{\"requestId\":\"cs-" + i + "\",\"accountId\":\"" + account
                    + "\",\"kind\":\"SUBSCRIBER\"}");
            untilDefinitive(0, "v1/accounts/" + account + "/topups", "{\"requestId\":\"bytes-" + i
                    + "\",\"unit\":\"BYTES\",\"amount\":" + BYTES_START + "}");
            untilDefinitive(1, "v1/accounts/" + account + "/identities", "{\"requestId\":\"id-" + i
                    + "\",\"type\":\"E164\",\"value\":\"" + msisdn(i) + "\"}");
        }
    }

    /** Writes succeed through the given nodes again: the time since {@code since}, in ms. */
    private long firstWriteAfter(long since, List<Integer> through, String probeId) throws InterruptedException {
        String json = "{\"requestId\":\"" + probeId + "\",\"unit\":\"MONEY\",\"amount\":1}";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        for (int attempt = 0; System.nanoTime() < deadline; attempt++) {
            try {
                Http.Reply reply = new Http(cluster.node(through.get(attempt % through.size())).port,
                        Duration.ofSeconds(2)).post("v1/accounts/acct-0/topups", json);
                if (reply.status() / 100 == 2) {
                    long millis = (System.nanoTime() - since) / 1_000_000;
                    acked.add(new Acked("topup", "system", "acct-0", 1, reply.raw()));
                    return millis;
                }
            } catch (RuntimeException notYet) {
                // no leader yet
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no write answered through " + through + " within 90 s; they say "
                + through.stream().map(cluster::replication).toList());
    }

    @Test
    void aHistoryOfChargesThroughLeaderKillsCutLinksAndAPartitionedLeaderIsExactlyOnceOnEveryReplica()
            throws Exception {
        ExecutorService load = Executors.newFixedThreadPool(5);
        try {
            cluster = new ProxiedCluster(dir, "--diameter-peer", PGW.originHost());
            cluster.startAll();
            provision();

            List<Future<?>> clients = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                int worker = w;
                clients.add(load.submit(() -> httpClient(worker)));
            }
            for (int g = 0; g < 2; g++) {
                int gateway = g;
                clients.add(load.submit(() -> gateway(gateway)));
            }

            // 1. the leader, SIGKILLed and restarted, LEADER_KILLS times
            List<Long> failovers = new ArrayList<>();
            List<Long> elections = new ArrayList<>();
            for (int kill = 0; kill < LEADER_KILLS; kill++) {
                int leader = cluster.awaitLeader(List.of(0, 1, 2));
                List<Integer> others = List.of((leader + 1) % 3, (leader + 2) % 3);
                long killedAt = System.nanoTime();
                cluster.node(leader).kill();
                var elected = java.util.concurrent.CompletableFuture.supplyAsync(
                        () -> cluster.millisToLeader(killedAt, others), Executors.newVirtualThreadPerTaskExecutor());
                failovers.add(firstWriteAfter(killedAt, others, "failover-" + kill));
                elections.add(elected.get(90, TimeUnit.SECONDS));
                cluster.start(leader);
                cluster.awaitCaughtUp(leader);
            }
            // 2. a follower killed while the others go on
            int leader = cluster.awaitLeader(List.of(0, 1, 2));
            int follower = (leader + 1) % 3;
            cluster.node(follower).kill();
            firstWriteAfter(System.nanoTime(), List.of(leader), "follower-killed");
            Thread.sleep(2_000);
            cluster.start(follower);
            cluster.awaitCaughtUp(follower);
            // 3. a follower cut off from both others, then let back
            leader = cluster.awaitLeader(List.of(0, 1, 2));
            follower = (leader + 2) % 3;
            cluster.isolate(follower, true);
            Thread.sleep(3_000);
            firstWriteAfter(System.nanoTime(), List.of(leader), "follower-cut");
            cluster.isolate(follower, false);
            cluster.awaitCaughtUp(follower);
            // 4. the leader cut off from the others but not from its clients: the others elect a
            // new leader; what the old one could not commit is never acknowledged
            leader = cluster.awaitLeader(List.of(0, 1, 2));
            List<Integer> majority = List.of((leader + 1) % 3, (leader + 2) % 3);
            long cutAt = System.nanoTime();
            cluster.isolate(leader, true);
            long partitionFailover = firstWriteAfter(cutAt, majority, "partitioned-leader");
            int newLeader = cluster.awaitLeader(majority);
            assertThat(newLeader).isNotEqualTo(leader);
            Thread.sleep(3_000);
            cluster.isolate(leader, false);
            cluster.awaitCaughtUp(leader);

            loadRunning.set(false);
            for (Future<?> client : clients) {
                client.get(180, TimeUnit.SECONDS);
            }
            assertThat(violations).as("what the history checker found").isEmpty();

            checkHistoryOnEveryNode();
            checkReplicasIdentical();
            checkEachNodeSaysWhereItStands();

            List<Long> sorted = new ArrayList<>(failovers);
            Collections.sort(sorted);
            System.out.printf("leader SIGKILL to first write answered by the new leader, %d kills: p50 %d ms, max %d ms "
                            + "(all: %s); partitioned leader to first write: %d ms%n", sorted.size(),
                    sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1), failovers, partitionFailover);
            System.out.printf("leader SIGKILL to a new leader named by both survivors: %s ms%n", elections);
            System.out.printf("history: %d acknowledged HTTP operations (%d retried requests, %d repeated answers "
                            + "compared), %d Diameter answers (%d retransmissions)%n", acked.size(),
                    retriedRequests.get(), repeatedAnswersCompared.get(), diameterAnswers.get(),
                    diameterRetransmissions.get());
            assertThat(diameterAnswers.get()).as("Diameter load ran").isPositive();
            assertThat(acked.size()).as("HTTP load ran").isGreaterThan(LEADER_KILLS * 4);
        } finally {
            loadRunning.set(false);
            load.shutdownNow();
            if (cluster != null) { // what the nodes printed stays in target/ for the failure's reader
                cluster.closeKeepingLogs(Path.of(System.getProperty("basedir", ".")).resolve("target/cluster-chaos"));
            }
        }
    }

    /** Each account and subscriber, read through each node, is exactly what the history makes it. */
    private void checkHistoryOnEveryNode() {
        Map<String, Long> money = new HashMap<>();
        for (int i = 0; i < ACCOUNTS; i++) {
            money.put("acct-" + i, MONEY_START);
        }
        for (Acked op : acked) {
            money.merge(op.to(), op.amount(), Long::sum);
            if (op.kind().equals("transfer")) {
                money.merge(op.from(), -op.amount(), Long::sum);
            }
        }
        for (int node = 0; node < 3; node++) {
            Http http = new Http(cluster.node(node).port, Duration.ofSeconds(20));
            for (var account : money.entrySet()) {
                assertThat(balance(http, account.getKey(), "MONEY", "total")).as("%s through %s", account.getKey(),
                        IDS.get(node)).isEqualTo(account.getValue());
            }
            for (int i = 0; i < SUBSCRIBERS; i++) {
                long used = reportedUse.getOrDefault(msisdn(i), new AtomicLong()).get();
                assertThat(balance(http, "sub-" + i, "BYTES", "available")).as("sub-%d through %s (used %d)", i,
                        IDS.get(node), used).isEqualTo(BYTES_START - used);
            }
            assertThat(http.get("v1/ledger").body().path("openReservations").asLong())
                    .as("open reservations through %s once every session ended", IDS.get(node)).isZero();
        }
    }

    /** /health and /metrics of each node: one leader, named alike by all, and two followers. */
    private void checkEachNodeSaysWhereItStands() throws Exception {
        java.util.Set<String> leaders = new java.util.HashSet<>();
        int followers = 0;
        for (int node = 0; node < 3; node++) {
            var replication = new Http(cluster.node(node).port, Duration.ofSeconds(20)).get("health").body()
                    .path("replication");
            assertThat(replication.path("node").asText()).isEqualTo(IDS.get(node));
            assertThat(replication.path("commitIndex").asLong()).isPositive();
            leaders.add(replication.path("leader").asText());
            followers += replication.path("role").asText().equals("FOLLOWER") ? 1 : 0;
            try (var client = java.net.http.HttpClient.newHttpClient()) {
                String metrics = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                        "http://127.0.0.1:" + cluster.node(node).port + "/metrics")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                assertThat(metrics).contains("credence_raft_term ").contains("credence_raft_leader ")
                        .contains("credence_raft_applied_index ").contains("credence_raft_peer_lag_entries{peer=\"");
            }
        }
        assertThat(leaders).as("one leader, named alike by every node").hasSize(1).isSubsetOf(IDS);
        assertThat(followers).isEqualTo(2);
    }

    private static long balance(Http http, String account, String unit, String field) {
        for (var balance : http.get("v1/accounts/" + account).body().path("balances")) {
            if (balance.path("unit").asText().equals(unit)) {
                return balance.path(field).asLong();
            }
        }
        return 0;
    }

    /** {@code credence cluster status --digest}, run as an operator would: one applied index, one digest. */
    private void checkReplicasIdentical() throws Exception {
        Path adminFile = dir.resolve("cluster-admin.properties");
        Files.writeString(adminFile, Files.readString(cluster.clusterFile("n1")));
        Path hosts = cluster.hostsFile("hosts-admin", -1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String out = "";
        while (System.nanoTime() < deadline) {
            String java = ProcessHandle.current().info().command().orElse("java");
            Process status = new ProcessBuilder(java, "-Djdk.net.hosts.file=" + hosts, "-jar",
                    ServerProcess.jar().toString(), "cluster", "status", "--cluster", adminFile.toString(), "--digest")
                    .redirectErrorStream(true).start();
            out = new String(status.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(status.waitFor(60, TimeUnit.SECONDS)).isTrue();
            List<String> states = out.lines().filter(l -> l.matches("n[123] .*")).map(l -> {
                String[] fields = l.trim().split("\\s+");
                return fields[fields.length - 2] + " " + fields[fields.length - 1];
            }).distinct().toList();
            if (status.exitValue() == 0 && out.lines().filter(l -> l.matches("n[123] .*(LEADER|FOLLOWER).*")).count() == 3
                    && states.size() == 1) {
                System.out.println("credence cluster status --digest:\n" + out);
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("replicas not at one applied index with one state digest within 60 s:\n" + out);
    }
}
