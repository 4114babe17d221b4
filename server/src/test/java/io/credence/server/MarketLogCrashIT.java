package io.credence.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.credence.market.contract.ChargingStandard;
import io.credence.market.contract.Ed25519;
import io.credence.market.contract.Offer;
import io.credence.market.contract.ResourceType;
import io.credence.market.contract.Signed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract log is durable like the journal: offers are published from several threads, the
 * server is killed (SIGKILL) in the middle, and after the restart every offer that was answered
 * 201 is there, nothing else appeared, and the log on disk verifies offline.
 */
class MarketLogCrashIT {
    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedOfferSurvivesAKillAndTheLogVerifies() throws Exception {
        Path keys = SecuredServer.keysFile(dir);
        Path data = dir.resolve("data");
        Path log = dir.resolve("server.log");
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        Set<String> sent = ConcurrentHashMap.newKeySet();
        byte[] seed;
        String serviceId;
        try (ServerProcess server = ServerProcess.start(data, log, "--api-keys", keys.toString())) {
            SecuredServer.Client api = new SecuredServer.Client(server.port);
            String admin = SecuredServer.ADMIN;
            assertThat(api.call("POST", "/v1/accounts", admin,
                    "{\"requestId\":\"a\",\"accountId\":\"relay-1\",\"kind\":\"SUBSCRIBER\"}").status()).isEqualTo(201);
            assertThat(api.call("POST", "/v1/sims", admin,
                    "{\"simId\":\"sim-r1\",\"accountId\":\"relay-1\",\"secret\":\"relay-sim-secret-0123\"}").status())
                    .isEqualTo(201);
            String token = api.call("POST", "/v1/devices/sim-r1/register", SecuredServer.DEVICE,
                    "{\"deviceId\":\"phone-r1\",\"simSecret\":\"relay-sim-secret-0123\"}").json().path("token").asText();
            SecuredServer.Reply registered = api.send(api.builder("/v1/market/providers")
                    .header("Authorization", "Bearer " + SecuredServer.DEVICE)
                    .header("Credence-Device-Token", token), "POST", "{\"simId\":\"sim-r1\"}");
            assertThat(registered.status()).as(registered.raw()).isEqualTo(201);
            seed = Base64.getDecoder().decode(registered.json().path("seed").asText());
            serviceId = registered.json().path("serviceId").asText();
            Ed25519.KeyPair key = Ed25519.fromSeed(seed);

            AtomicBoolean stop = new AtomicBoolean();
            long now = System.currentTimeMillis();
            List<Thread> publishers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                publishers.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        String id = "o-" + thread + "-" + i;
                        Offer offer = new Offer(id, serviceId, "relay-1", "sim-r1", now, now + 3_600_000, 3, 100,
                                ChargingStandard.PER_MB, ResourceType.DATA_BYTES, 10_000_000);
                        String body = "{\"signedOffer\":\"" + Base64.getEncoder().encodeToString(
                                Signed.sign(offer, "relay-1", key).encode()) + "\"}";
                        sent.add(id);
                        try {
                            if (api.call("POST", "/v1/market/offers", SecuredServer.DEVICE, body).status() == 201) {
                                acknowledged.add(id);
                            }
                        } catch (RuntimeException connectionLost) {
                            return;
                        }
                    }
                }));
            }
            while (acknowledged.size() < 200) {
                Thread.sleep(5);
            }
            server.kill();
            stop.set(true);
            for (Thread t : publishers) {
                t.join();
            }
        }
        try (ServerProcess again = ServerProcess.start(data, log, "--api-keys", keys.toString())) {
            SecuredServer.Client api = new SecuredServer.Client(again.port);
            Set<String> listed = new HashSet<>();
            for (JsonNode o : api.call("GET", "/v1/market/offers", SecuredServer.ADMIN, null).json().path("offers")) {
                listed.add(o.path("offerId").asText());
            }
            assertThat(listed).as("every acknowledged offer survived").containsAll(acknowledged);
            assertThat(sent).as("nothing appeared that was not sent").containsAll(listed);
            JsonNode head = api.call("GET", "/v1/market/log", SecuredServer.ADMIN, null).json();
            assertThat(head.path("size").asLong()).as("the registration and the offers").isEqualTo(1 + listed.size());
            again.stop();
            String treeHead = head.path("size").asLong() + ":" + head.path("timestampMillis").asLong() + ":"
                    + head.path("rootHash").asText() + ":" + head.path("signature").asText();
            CommandLineRunner.Run verified = CommandLineRunner.run("ledger", "verify", "--log",
                    data.resolve("market").toString(), "--public-key", head.path("publicKey").asText(),
                    "--tree-head", treeHead);
            assertThat(verified.exitCode()).as(verified.out() + verified.err()).isZero();
            assertThat(Files.exists(data.resolve("market").resolve("entries.log"))).isTrue();
        }
    }
}
