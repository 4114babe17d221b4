package io.credence.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cloud SIM on a three-node group, every step through a different node than the one before:
 * provisioned through one, its provisioning retried through another (the first answer comes back),
 * registered through a third, reporting through each, the leader SIGKILLed between reports, moved
 * to another account through the node that was killed, restarted. Every replica then holds the
 * same SIM, binding and move, and the same balances, each report charged once, to the account the
 * SIM had when it was applied.
 */
class DeviceClusterIT {
    private static final String SIM = "8988211000000000001";
    private static final String SECRET = "sim-secret-of-ue1-0001";
    private static final long PACK = 10_000_000;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;
    private ProxiedCluster cluster;

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private Http.Reply device(int node, String method, String tail, String token, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                + cluster.node(node).port + "/v1/devices/" + SIM + tail)).header("Credence-Device-Token", token);
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        return cluster.http(node).send(request.method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json)));
    }

    private static void created(Http.Reply reply, String what) {
        assertThat(reply.status()).as(what + ": " + reply.raw()).isIn(200, 201);
    }

    private long bytes(int node, String account) {
        Http.Reply reply = cluster.http(node).get("v1/accounts/" + account);
        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        for (JsonNode balance : reply.body().path("balances")) {
            if (balance.path("unit").asText().equals("BYTES")) {
                assertThat(balance.path("reserved").asLong()).as("%s holds a grant on %s", account, node).isZero();
                return balance.path("total").asLong();
            }
        }
        return 0;
    }

    @Test
    void aSimProvisionedOnOneNodeReportsThroughEveryOtherAcrossALeaderKillAndAMove() throws Exception {
        cluster = new ProxiedCluster(dir);
        cluster.startAll();
        int leader = cluster.awaitLeader(List.of(0, 1, 2));
        int a = (leader + 1) % 3;
        int b = (leader + 2) % 3;
        for (String account : List.of("ue1", "ue2")) {
            created(cluster.http(a).post("v1/accounts", "{\"requestId\":\"a-" + account + "\",\"accountId\":\""
                    + account + "\",\"kind\":\"SUBSCRIBER\"}"), "account " + account);
            created(cluster.http(a).post("v1/accounts/" + account + "/buckets", "{\"requestId\":\"b-" + account
                    + "\",\"unit\":\"BYTES\",\"amount\":" + PACK + ",\"ratingGroups\":[10]}"), "bucket " + account);
        }
        String provision = "{\"requestId\":\"sim-1\",\"simId\":\"" + SIM + "\",\"accountId\":\"ue1\",\"secret\":\""
                + SECRET + "\"}";
        Http.Reply first = cluster.http(b).post("v1/sims", provision);
        assertThat(first.status()).as(first.raw()).isEqualTo(201);
        Http.Reply retried = cluster.http(leader).post("v1/sims", provision);
        assertThat(retried.status()).as("a retry through another node gets the first answer").isEqualTo(201);
        assertThat(retried.body()).isEqualTo(first.body());

        Http.Reply registered = cluster.http(leader).post("v1/devices/" + SIM + "/register",
                "{\"deviceId\":\"phone-1\",\"simSecret\":\"" + SECRET + "\"}");
        assertThat(registered.status()).as(registered.raw()).isEqualTo(200);
        String token = registered.body().path("token").asText();
        Http.Reply grant = device(a, "POST", "/grants", token, "{\"bytes\":50000}");
        assertThat(grant.status()).as("the token works at once on another node: " + grant.raw()).isEqualTo(200);
        for (int seq = 1; seq <= 3; seq++) {
            Http.Reply report = device(seq % 3, "POST", "/reports", token, "{\"seq\":" + seq + ",\"bytes\":1000}");
            assertThat(report.status()).as("report %d: %s", seq, report.raw()).isEqualTo(200);
        }

        cluster.node(leader).kill();
        List<Integer> survivors = new ArrayList<>(List.of(0, 1, 2));
        survivors.remove(Integer.valueOf(leader));
        cluster.awaitLeader(survivors);
        Http.Reply fourth = device(a, "POST", "/reports", token, "{\"seq\":4,\"bytes\":2000}");
        assertThat(fourth.status()).as(fourth.raw()).isEqualTo(200);
        Http.Reply again = device(b, "POST", "/reports", token, "{\"seq\":4,\"bytes\":2000}");
        assertThat(again.body().path("duplicate").asBoolean()).as("sent again through the other survivor: "
                + again.raw()).isTrue();

        cluster.start(leader);
        cluster.awaitLeader(List.of(0, 1, 2));
        Http.Reply moved = cluster.http(leader).post("v1/sims/" + SIM + "/move",
                "{\"requestId\":\"move-1\",\"accountId\":\"ue2\"}");
        assertThat(moved.status()).as("moved through the node that was killed: " + moved.raw()).isEqualTo(200);
        assertThat(moved.body().path("lastReportSeq").asLong()).isEqualTo(4);
        Http.Reply afterMove = device(b, "POST", "/reports", token, "{\"seq\":5,\"bytes\":500,\"final\":true}");
        assertThat(afterMove.status()).as(afterMove.raw()).isEqualTo(200);

        for (int node = 0; node < 3; node++) {
            String name = ProxiedCluster.IDS.get(node);
            assertThat(bytes(node, "ue1")).as("ue1 through %s: reports 1-4, once", name).isEqualTo(PACK - 5_000);
            assertThat(bytes(node, "ue2")).as("ue2 through %s: report 5, after the move", name).isEqualTo(PACK - 500);
            Http.Reply view = cluster.http(node).get("v1/devices/" + SIM);
            assertThat(view.status()).as(view.raw()).isEqualTo(200);
            assertThat(view.body().path("accountId").asText()).isEqualTo("ue2");
            assertThat(view.body().path("deviceId").asText()).isEqualTo("phone-1");
            assertThat(view.body().path("lastReportSeq").asLong()).isEqualTo(5);
            assertThat(view.body().path("moves").size()).as("the move's audit row on %s", name).isEqualTo(1);
            assertThat(view.body().path("moves").get(0).path("requestId").asText()).isEqualTo("move-1");
        }

    }
}
