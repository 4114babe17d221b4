package io.credence.server.devices;

import com.fasterxml.jackson.databind.JsonNode;
import io.credence.market.contract.ChargingStandard;
import io.credence.market.contract.Ed25519;
import io.credence.market.contract.Offer;
import io.credence.market.contract.ResourceType;
import io.credence.market.contract.Signature;
import io.credence.market.contract.Signed;
import io.credence.market.contract.Withdrawal;
import io.credence.market.log.MerkleHashes;
import io.credence.market.log.Proofs;
import io.credence.market.log.SignedTreeHead;
import io.credence.server.CommandLineRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Relay providers register as terminals, publish signed offers and withdraw them, over the real
 * HTTP API; every change is an entry of the contract log, which proves each entry's inclusion
 * and its own consistency over HTTP and verifies offline, and a tampered copy is caught.
 */
class MarketDiscoveryTest {
    private static final long HOUR = 3_600_000;
    private static final Base64.Encoder B64 = Base64.getEncoder();

    @TempDir
    Path dir;
    DeviceWorld world;
    String aliceToken;

    @BeforeEach
    void start() throws Exception {
        world = DeviceWorld.start(dir, DeviceWorld.settings(Duration.ofMinutes(2)));
        world.subscriber("alice", 0, 0);
        world.subscriber("carol", 0, 0);
        world.sim("sim-alice", "alice", "alice-sim-secret-xyz");
        world.sim("sim-carol", "carol", "carol-sim-secret-xyz");
        aliceToken = world.register("sim-alice", "phone-a", "alice-sim-secret-xyz");
    }

    @AfterEach
    void stop() throws Exception {
        world.close();
    }

    private DeviceWorld.Reply registerProvider(String simId, String token) {
        return world.call("POST", "/v1/market/providers", DeviceWorld.DEVICE, "{\"simId\":\"" + simId + "\"}",
                "Credence-Device-Token", token);
    }

    private DeviceWorld.Reply post(String path, String field, byte[] signed) {
        return world.call("POST", path, DeviceWorld.DEVICE, "{\"" + field + "\":\"" + B64.encodeToString(signed) + "\"}");
    }

    private static Offer offer(String id, String serviceId, long now) {
        return new Offer(id, serviceId, "alice", "sim-alice", now, now + HOUR, 3, 100, ChargingStandard.PER_MB,
                ResourceType.DATA_BYTES, 50_000_000);
    }

    @Test
    void aTerminalRegistersAsProviderPublishesSignedOffersAndWithdrawsThem() {
        DeviceWorld.Reply registered = registerProvider("sim-alice", aliceToken);
        assertThat(registered.status()).as(registered.body().toString()).isEqualTo(201);
        Ed25519.KeyPair key = Ed25519.fromSeed(Base64.getDecoder().decode(registered.body().path("seed").asText()));
        String serviceId = registered.body().path("serviceId").asText();
        assertThat(registerProvider("sim-alice", aliceToken).status()).as("registering again").isEqualTo(200);
        assertThat(registerProvider("sim-alice", "0".repeat(64)).problemType()).as("unknown node").isEqualTo("device-token");
        String carolToken = world.register("sim-carol", "phone-c", "carol-sim-secret-xyz");
        world.admin("PATCH", "/v1/accounts/carol", "{\"requestId\":\"sus-c\",\"status\":\"SUSPENDED\"}");
        assertThat(registerProvider("sim-carol", carolToken).problemType()).as("unqualified").isEqualTo("not-qualified");

        long now = System.currentTimeMillis();
        Signed<Offer> signed = Signed.sign(offer("o1", serviceId, now), "alice", key);
        assertThat(post("/v1/market/offers", "signedOffer", signed.encode()).status()).isEqualTo(201);

        Ed25519.KeyPair mallory = Ed25519.generate(new SecureRandom());
        DeviceWorld.Reply forged = post("/v1/market/offers", "signedOffer",
                Signed.sign(offer("o2", serviceId, now), "alice", mallory).encode());
        assertThat(forged.status()).isEqualTo(422);
        assertThat(forged.body().path("field").asText()).isEqualTo("signedOffer");
        assertThat(forged.body().path("detail").asText()).contains("not provider 'alice''s registered key");
        Signature original = Signed.sign(offer("o3", serviceId, now), "alice", key).signatures().getFirst();
        Offer cheaper = new Offer("o3", serviceId, "alice", "sim-alice", now, now + HOUR, 3, 1, ChargingStandard.PER_MB,
                ResourceType.DATA_BYTES, 50_000_000);
        assertThat(post("/v1/market/offers", "signedOffer", new Signed<>(cheaper, List.of(original)).encode())
                .body().path("detail").asText()).as("changed after signing").contains("does not verify");

        JsonNode listed = world.call("GET", "/v1/market/offers?resourceType=DATA_BYTES&amount=1000000&from=" + now
                + "&to=" + (now + HOUR) + "&weights=5,1,1", DeviceWorld.DEVICE, null).body().path("offers");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).path("offerId").asText()).isEqualTo("o1");
        assertThat(listed.get(0).path("score").asLong()).isPositive();

        Signed<Withdrawal> withdrawal = Signed.sign(new Withdrawal("o1", "alice", now), "alice", key);
        assertThat(post("/v1/market/withdrawals", "signedWithdrawal", withdrawal.encode()).status()).isEqualTo(201);
        assertThat(world.call("GET", "/v1/market/offers", DeviceWorld.DEVICE, null).body().path("offers")).isEmpty();
        assertThat(post("/v1/market/offers", "signedOffer", signed.encode()).body().path("detail").asText())
                .contains("was withdrawn");
    }

    @Test
    void theLogProvesEveryEntryOverHttpAndVerifiesOfflineUntilAByteIsChanged() throws Exception {
        DeviceWorld.Reply registered = registerProvider("sim-alice", aliceToken);
        Ed25519.KeyPair key = Ed25519.fromSeed(Base64.getDecoder().decode(registered.body().path("seed").asText()));
        long now = System.currentTimeMillis();
        for (int i = 0; i < 6; i++) {
            Signed<Offer> offer = Signed.sign(offer("p" + i, registered.body().path("serviceId").asText(), now), "alice",
                    key);
            assertThat(post("/v1/market/offers", "signedOffer", offer.encode()).status()).isEqualTo(201);
        }
        JsonNode head = world.call("GET", "/v1/market/log", DeviceWorld.ADMIN, null).body();
        long size = head.path("size").asLong();
        assertThat(size).isEqualTo(7);
        byte[] publicKey = Base64.getDecoder().decode(head.path("publicKey").asText());
        SignedTreeHead sth = new SignedTreeHead(size, head.path("timestampMillis").asLong(),
                Base64.getDecoder().decode(head.path("rootHash").asText()),
                Base64.getDecoder().decode(head.path("signature").asText()));
        assertThat(sth.verify(publicKey)).isTrue();
        for (long i = 0; i < size; i++) {
            JsonNode entry = world.call("GET", "/v1/market/log/entries/" + i, DeviceWorld.ADMIN, null).body();
            byte[] leaf = MerkleHashes.leafHash(Base64.getDecoder().decode(entry.path("entry").asText()));
            JsonNode proof = world.call("GET", "/v1/market/log/proofs/inclusion?index=" + i + "&size=" + size,
                    DeviceWorld.ADMIN, null).body();
            assertThat(Proofs.verifyInclusion(i, size, leaf, nodes(proof.path("proof")), sth.rootHash()))
                    .isInstanceOf(Proofs.Verified.class);
        }
        for (long first = 1; first < size; first++) {
            JsonNode proof = world.call("GET", "/v1/market/log/proofs/consistency?first=" + first + "&second=" + size,
                    DeviceWorld.ADMIN, null).body();
            assertThat(Proofs.verifyConsistency(first, size,
                    Base64.getDecoder().decode(proof.path("firstRootHash").asText()), sth.rootHash(),
                    nodes(proof.path("proof")))).isInstanceOf(Proofs.Verified.class);
        }

        byte[] file = world.download("/v1/market/log/file", DeviceWorld.ADMIN);
        Path copy = dir.resolve("copy.log");
        Files.write(copy, file);
        String treeHead = size + ":" + sth.timestampMillis() + ":" + head.path("rootHash").asText() + ":"
                + head.path("signature").asText();
        CommandLineRunner.Run ok = CommandLineRunner.run("ledger", "verify", "--log", copy.toString(), "--public-key",
                head.path("publicKey").asText(), "--tree-head", treeHead);
        assertThat(ok.exitCode()).as(ok.out() + ok.err()).isZero();
        assertThat(ok.out()).contains("OK: 7 entries").contains("signed tree head verified");

        file[file.length / 2] ^= 0x04;
        Files.write(copy, file);
        CommandLineRunner.Run bad = CommandLineRunner.run("ledger", "verify", "--log", copy.toString(), "--public-key",
                head.path("publicKey").asText(), "--tree-head", treeHead);
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.out()).startsWith("BAD: ").contains("first bad entry: ");

        // a restart replays the log: the provider and its offers are there, the log is the same
        world.close();
        world = DeviceWorld.start(dir, DeviceWorld.settings(Duration.ofMinutes(2)));
        assertThat(world.call("GET", "/v1/market/log", DeviceWorld.ADMIN, null).body().path("rootHash").asText())
                .isEqualTo(head.path("rootHash").asText());
        assertThat(world.call("GET", "/v1/market/offers", DeviceWorld.DEVICE, null).body().path("offers")).hasSize(6);
        assertThat(registerProvider("sim-alice", aliceToken).status()).isEqualTo(200);
    }

    @Test
    void subscribersSeeOffersPublishedAndWithdrawnAsServerSentEvents() throws Exception {
        DeviceWorld.Reply registered = registerProvider("sim-alice", aliceToken);
        Ed25519.KeyPair key = Ed25519.fromSeed(Base64.getDecoder().decode(registered.body().path("seed").asText()));
        String serviceId = registered.body().path("serviceId").asText();
        java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        java.net.http.HttpRequest subscribe = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                + world.server.httpPort() + "/v1/market/offers/feed")).header("Authorization", "Bearer " + DeviceWorld.DEVICE)
                .GET().build();
        java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<java.util.stream.Stream<String>>> feed =
                client.sendAsync(subscribe, java.net.http.HttpResponse.BodyHandlers.ofLines());
        java.net.http.HttpResponse<java.util.stream.Stream<String>> response = feed.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                response.body().forEach(lines::add);
            } catch (java.io.UncheckedIOException closedByTheTest) {
                // the client is shut down at the end
            }
        });
        long now = System.currentTimeMillis();
        assertThat(post("/v1/market/offers", "signedOffer", Signed.sign(offer("live-1", serviceId, now), "alice", key)
                .encode()).status()).isEqualTo(201);
        assertThat(awaitLine(lines, "event: offer")).isTrue();
        assertThat(awaitLine(lines, "data: {\"offerId\":\"live-1\"")).isTrue();
        assertThat(post("/v1/market/withdrawals", "signedWithdrawal", Signed.sign(new Withdrawal("live-1", "alice", now),
                "alice", key).encode()).status()).isEqualTo(201);
        assertThat(awaitLine(lines, "event: withdrawal")).isTrue();
        client.shutdownNow();
        reader.interrupt();
    }

    /** Waits up to 10 s for a line starting with {@code prefix}, consuming the lines before it. */
    private static boolean awaitLine(java.util.concurrent.BlockingQueue<String> lines, String prefix)
            throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
            if (line != null && line.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static List<byte[]> nodes(JsonNode array) {
        List<byte[]> out = new ArrayList<>();
        array.forEach(n -> out.add(Base64.getDecoder().decode(n.asText())));
        return out;
    }
}
