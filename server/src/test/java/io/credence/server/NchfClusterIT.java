package io.credence.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.credence.server.nchf.Free5gcSmfRequests;
import io.credence.server.nchf.Free5gcSmfRequests.Report;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A free5GC-shaped SMF's charging session on a three-node group, its requests in free5GC's exact
 * shapes ({@link Free5gcSmfRequests}): created and updated through a follower, the leader SIGKILLed
 * in the middle of the session, updated again through the same follower once a new leader is
 * elected, and released through the node that was killed, restarted. Every replica then shows
 * exactly the bytes the SMF reported, charged once, and nothing reserved.
 */
class NchfClusterIT {
    private static final String ROOT = "nchf-convergedcharging/v3/chargingdata";
    private static final String UPF = "6b1a4f7e-2f53-4a5e-9d1c-0e8c3b7a5d21";
    private static final long RG = 1;
    private static final long PACK = 10_000_000;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;
    private ProxiedCluster cluster;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private record Answer(int status, String location, String body) {}

    private Answer post(int node, String path, String body) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + cluster.node(node).port + "/" + path)).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.headers().firstValue("Location").orElse(null), r.body());
    }

    /** The rating group's granted volume in an update's answer (how the SMF reads it). */
    private static long granted(Answer answer) throws Exception {
        for (JsonNode unit : Http.JSON.readTree(answer.body()).path("multipleUnitInformation")) {
            if (unit.path("ratingGroup").asLong() == RG && unit.path("uPFID").asText().equals(UPF)) {
                assertThat(unit.path("resultCode").asText()).as(answer.body()).isEqualTo("SUCCESS");
                return unit.path("grantedUnit").path("totalVolume").asLong();
            }
        }
        throw new AssertionError("no grant for rating group " + RG + ": " + answer.body());
    }

    private JsonNode bytes(int node) {
        Http.Reply account = cluster.http(node).get("v1/accounts/ue1");
        assertThat(account.status()).as(account.raw()).isEqualTo(200);
        for (JsonNode balance : account.body().path("balances")) {
            if (balance.path("unit").asText().equals("BYTES")) {
                return balance;
            }
        }
        throw new AssertionError("no BYTES balance: " + account.raw());
    }

    @Test
    void aSessionThroughAFollowerSurvivesTheLeadersDeathAndIsChargedOnceOnEveryReplica() throws Exception {
        cluster = new ProxiedCluster(dir);
        cluster.startAll();
        int leader = cluster.awaitLeader(List.of(0, 1, 2));
        int follower = (leader + 1) % 3;
        Http provisioning = cluster.http(follower);
        for (String[] call : List.of(
                new String[] {"v1/accounts", "{\"requestId\":\"a-ue1\",\"accountId\":\"ue1\",\"kind\":\"SUBSCRIBER\"}"},
                new String[] {"v1/accounts/ue1/identities",
                        "{\"requestId\":\"i-ue1\",\"type\":\"E164\",\"value\":\"0900000000\"}"},
                new String[] {"v1/accounts/ue1/buckets", "{\"requestId\":\"b-ue1\",\"unit\":\"BYTES\",\"amount\":"
                        + PACK + ",\"ratingGroups\":[" + RG + "]}"})) {
            Http.Reply reply = provisioning.post(call[0], call[1]);
            assertThat(reply.status()).as(call[0] + ": " + reply.raw()).isEqualTo(201);
        }
        // free5GC's SUPI is not provisioned: the subscriber is found by servedGPSI, as with the real SMF
        Free5gcSmfRequests smf = new Free5gcSmfRequests("imsi-208930000000001", "msisdn-0900000000", 7);

        Answer created = post(follower, ROOT, smf.create());
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        // every node holds the session: the consumer is told it may fail over to another instance
        assertThat(created.body()).contains("\"sessionFailover\":\"FAILOVER_SUPPORTED\"");
        String update = ROOT + "/" + created.location().substring(created.location().lastIndexOf('/') + 1);
        Answer started = post(follower, update + "/update",
                smf.usageReport(new Report(RG, UPF, "START_OF_SERVICE_DATA_FLOW", 0, 0, true)));
        assertThat(started.status()).as(started.body()).isEqualTo(200);
        assertThat(granted(started)).isEqualTo(1_000);
        Answer exhausted = post(follower, update + "/update",
                smf.usageReport(new Report(RG, UPF, "QUOTA_EXHAUSTED", 300, 700, true)));
        assertThat(exhausted.status()).as(exhausted.body()).isEqualTo(200);

        cluster.node(leader).kill();
        List<Integer> survivors = new ArrayList<>(List.of(0, 1, 2));
        survivors.remove(Integer.valueOf(leader));
        cluster.awaitLeader(survivors);
        Answer afterFailover = post(follower, update + "/update",
                smf.usageReport(new Report(RG, UPF, "QUOTA_EXHAUSTED", 200, 400, true)));
        assertThat(afterFailover.status()).as("an update through the follower once a new leader is elected: "
                + afterFailover.body()).isEqualTo(200);
        assertThat(granted(afterFailover)).isEqualTo(1_000);

        cluster.start(leader);
        cluster.awaitLeader(List.of(0, 1, 2));
        Answer released = post(leader, update + "/release",
                smf.release(new Report(RG, UPF, "FINAL", 100, 150, true)));
        assertThat(released.status()).as("released through the node that was killed: " + released.body())
                .isEqualTo(204);

        long used = 1_000 + 600 + 250;
        for (int node = 0; node < 3; node++) {
            JsonNode balance = bytes(node);
            assertThat(balance.path("total").asLong()).as("through %s: the pack less what the SMF reported, once",
                    ProxiedCluster.IDS.get(node)).isEqualTo(PACK - used);
            assertThat(balance.path("reserved").asLong()).as("nothing left reserved on %s",
                    ProxiedCluster.IDS.get(node)).isZero();
        }
    }
}
