package io.credence.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.credence.market.contract.BuyerType;
import io.credence.market.contract.ChargingStandard;
import io.credence.market.contract.Contract;
import io.credence.market.contract.Ed25519;
import io.credence.market.contract.Offer;
import io.credence.market.contract.Payment;
import io.credence.market.contract.ResourceType;
import io.credence.market.contract.Signed;
import io.credence.market.log.LogKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The relay market on a three-node group. Providers register, an offer is published and a
 * contract made, each through a follower (which sends it to the leader, the one node that runs
 * the marketplace); the leader is SIGKILLed; the contract is found effective and ended through
 * the survivors, the new leader having replayed its copy of the contract log; the killed node is
 * restarted. Every node's copy of the contract log then has the same leaves and root, each copy
 * verifies offline against the leader's signed tree head, and the buyer paid the fee once.
 */
class MarketClusterIT {
    private static final long BUYER_MONEY = 1_000_000;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;
    private ProxiedCluster cluster;

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** A client patient enough for a market request that opens the marketplace on a new leader. */
    private Http http(int node) {
        return new Http(cluster.node(node).port, Duration.ofSeconds(60));
    }

    private record Party(String token, Ed25519.KeyPair key, String serviceId) {}

    private Party party(String name, long money, int accountsVia, int registerVia) {
        Http api = http(accountsVia);
        assertThat(api.post("v1/accounts", "{\"requestId\":\"a-" + name + "\",\"accountId\":\"" + name
                + "\",\"kind\":\"SUBSCRIBER\"}").status()).isEqualTo(201);
        if (money > 0) {
            assertThat(api.post("v1/accounts/" + name + "/topups", "{\"requestId\":\"t-" + name
                    + "\",\"unit\":\"MONEY\",\"amount\":" + money + "}").status()).isEqualTo(201);
        }
        assertThat(api.post("v1/sims", "{\"requestId\":\"s-" + name + "\",\"simId\":\"sim-" + name
                + "\",\"accountId\":\"" + name + "\",\"secret\":\"" + name + "-sim-secret-0123\"}").status()).isEqualTo(201);
        String token = api.post("v1/devices/sim-" + name + "/register", "{\"deviceId\":\"phone-" + name
                + "\",\"simSecret\":\"" + name + "-sim-secret-0123\"}").body().path("token").asText();
        Http.Reply registered = device(registerVia, "POST", "v1/market/providers", token,
                "{\"simId\":\"sim-" + name + "\"}");
        assertThat(registered.status()).as("%s registered through %s: %s", name, ProxiedCluster.IDS.get(registerVia),
                registered.raw()).isEqualTo(201);
        return new Party(token, Ed25519.fromSeed(Base64.getDecoder().decode(registered.body().path("seed").asText())),
                registered.body().path("serviceId").asText());
    }

    private Http.Reply device(int node, String method, String path, String token, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                        + cluster.node(node).port + "/" + path)).header("Credence-Device-Token", token)
                .header("Content-Type", "application/json");
        return http(node).send(request.method(method, HttpRequest.BodyPublishers.ofString(json)));
    }

    /** The same market keys on every node, as docs/cluster.md tells an operator to copy them. */
    private void sameMarketKeysOnEveryNode() throws Exception {
        Path keys = dir.resolve("market-keys");
        Files.createDirectories(keys);
        List<String> names = new ArrayList<>(List.of("log.key", "authority.key"));
        for (int i = 1; i <= MarketLogs.VALIDATORS; i++) {
            names.add("validator-" + i + ".key");
        }
        for (String name : names) {
            LogKey.generate(new SecureRandom()).store(keys.resolve(name));
        }
        for (String id : ProxiedCluster.IDS) {
            Path market = dir.resolve("data-" + id).resolve("market");
            Files.createDirectories(market);
            for (String name : names) {
                Files.copy(keys.resolve(name), market.resolve(name));
            }
        }
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    @Test
    void aContractMadeThroughFollowersSurvivesTheLeadersKillAndEveryNodeHoldsTheSameLog() throws Exception {
        sameMarketKeysOnEveryNode();
        cluster = new ProxiedCluster(dir);
        cluster.startAll();
        int leader = cluster.awaitLeader(List.of(0, 1, 2));
        int a = (leader + 1) % 3;
        int b = (leader + 2) % 3;

        Party alice = party("alice", 0, a, a);
        Party bob = party("bob", BUYER_MONEY, b, b);
        Http.Reply again = device(leader, "POST", "v1/market/providers", alice.token(), "{\"simId\":\"sim-alice\"}");
        assertThat(again.status()).as("registering again through the leader: " + again.raw()).isIn(200, 201);
        assertThat(again.body().path("serviceId").asText()).isEqualTo(alice.serviceId());
        assertThat(again.body().has("seed")).as("the seed is answered once only").isFalse();

        long now = System.currentTimeMillis();
        Signed<Offer> offer = Signed.sign(new Offer("o1", alice.serviceId(), "alice", "sim-alice", now,
                now + 3_600_000, 3, 100, ChargingStandard.PER_MB, ResourceType.DATA_BYTES, 50_000_000), "alice",
                alice.key());
        String offerJson = "{\"signedOffer\":\"" + b64(offer.encode()) + "\"}";
        Http.Reply published = http(b).post("v1/market/offers", offerJson);
        assertThat(published.status()).as("published through a follower: " + published.raw()).isEqualTo(201);
        Http.Reply republished = http(a).post("v1/market/offers", offerJson);
        assertThat(republished.body().path("logIndex").asLong()).as("the same offer again, through the other "
                + "follower: " + republished.raw()).isEqualTo(published.body().path("logIndex").asLong());
        for (int node = 0; node < 3; node++) {
            Http.Reply listed = http(node).get("v1/market/offers");
            assertThat(listed.body().path("offers").size()).as("offers listed through %s: %s",
                    ProxiedCluster.IDS.get(node), listed.raw()).isEqualTo(1);
        }

        Contract c = new Contract("c1", offer.entry().hash(), "alice", "bob", BuyerType.PERSONAL, "bob",
                ResourceType.DATA_BYTES, 5_000_000, offer.entry().periodStartMillis(), offer.entry().periodEndMillis(), 3,
                ChargingStandard.PER_MB, 100, 500, Payment.MONEY, System.currentTimeMillis());
        Signed<Contract> signed = Signed.sign(c, "bob", bob.key()).cosign("alice", alice.key());
        Http.Reply made = http(a).post("v1/market/contracts", "{\"signedContract\":\"" + b64(signed.encode()) + "\"}");
        assertThat(made.status()).as("contract through a follower: " + made.raw()).isEqualTo(201);
        assertThat(made.body().path("status").asText()).isEqualTo("EFFECTIVE");

        cluster.node(leader).kill();
        List<Integer> survivors = List.of(a, b);
        cluster.awaitLeader(survivors);
        Http.Reply found = http(b).get("v1/market/contracts/c1");
        assertThat(found.status()).as("the contract after the leader's kill: " + found.raw()).isEqualTo(200);
        assertThat(found.body().path("status").asText()).as(found.raw()).isEqualTo("EFFECTIVE");
        Http.Reply cancelled = device(a, "POST", "v1/market/contracts/c1/cancel", bob.token(),
                "{\"simId\":\"sim-bob\"}");
        assertThat(cancelled.status()).as("the buyer ends it through a survivor: " + cancelled.raw()).isEqualTo(200);
        long fee = cancelled.body().path("feePaidMinor").asLong();

        cluster.start(leader);
        cluster.awaitLeader(List.of(0, 1, 2));
        cluster.awaitCaughtUp(leader);
        JsonNode head = http(leader).get("v1/market/log").body();
        List<String> roots = new ArrayList<>();
        for (int node = 0; node < 3; node++) {
            String name = ProxiedCluster.IDS.get(node);
            cluster.awaitCaughtUp(node);
            JsonNode market = http(node).get("health").body().path("replication").path("market");
            assertThat(market.path("contractLogSize").asLong()).as("%s's copy of the contract log: %s", name, market)
                    .isEqualTo(head.path("size").asLong());
            roots.add(market.path("contractLogRoot").asText());
            JsonNode bobNow = http(node).get("v1/accounts/bob").body();
            JsonNode aliceNow = http(node).get("v1/accounts/alice").body();
            assertThat(money(bobNow, "total")).as("bob paid the fee once, through %s", name).isEqualTo(BUYER_MONEY - fee);
            assertThat(money(bobNow, "reserved")).as("no escrow left on %s", name).isZero();
            assertThat(money(aliceNow, "total")).as("alice was paid once, through %s", name).isEqualTo(fee);
        }
        assertThat(roots).as("every node's copy has the same root").containsOnly(head.path("rootHash").asText());
        assertThat(fee).as("a cancelled contract pays a share of its fee").isBetween(0L, 500L);

        cluster.close();
        cluster = null;
        for (String id : ProxiedCluster.IDS) {
            CommandLineRunner.Run verified = CommandLineRunner.run("ledger", "verify", "--log",
                    dir.resolve("data-" + id).resolve("market").toString(), "--public-key",
                    head.path("publicKey").asText(), "--tree-head", head.path("size").asLong() + ":"
                            + head.path("timestampMillis").asLong() + ":" + head.path("rootHash").asText() + ":"
                            + head.path("signature").asText());
            assertThat(verified.exitCode()).as("%s's copy verifies: %s%s", id, verified.out(), verified.err()).isZero();
        }
    }

    /**
     * Nodes started with market keys of their own (the operator skipped the copy): the leader that
     * made the first registration serves, and a node that comes to lead with other keys refuses
     * the market, naming why, rather than sign what the others' copies cannot verify.
     */
    @Test
    void aLeaderWithOtherMarketKeysThanTheLogsRefusesTheMarket() throws Exception {
        cluster = new ProxiedCluster(dir);
        cluster.startAll();
        int leader = cluster.awaitLeader(List.of(0, 1, 2));
        party("carol", 0, leader, leader);
        List<String> fingerprints = new ArrayList<>();
        for (int node = 0; node < 3; node++) {
            fingerprints.add(http(node).get("health").body().path("replication").path("market")
                    .path("keysFingerprint").asText());
        }
        assertThat(fingerprints).as("keys made by each node on its own").doesNotHaveDuplicates();

        cluster.node(leader).kill();
        int next = cluster.awaitLeader(List.of((leader + 1) % 3, (leader + 2) % 3));
        Http.Reply refused = http(next).get("v1/market/offers");
        assertThat(refused.status()).as(refused.raw()).isEqualTo(503);
        assertThat(refused.raw()).contains("market keys are not the ones the contract log was written with");
    }

    private static long money(JsonNode account, String field) {
        for (JsonNode balance : account.path("balances")) {
            if (balance.path("unit").asText().equals("MONEY")) {
                return balance.path(field).asLong();
            }
        }
        return 0;
    }
}
