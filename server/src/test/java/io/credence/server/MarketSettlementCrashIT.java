package io.credence.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.credence.market.contract.BuyerType;
import io.credence.market.contract.ChargingStandard;
import io.credence.market.contract.Contract;
import io.credence.market.contract.Offer;
import io.credence.market.contract.Payment;
import io.credence.market.contract.ResourceType;
import io.credence.market.contract.Signed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server is killed while contracts are being settled. After the restart every contract that
 * ended was paid exactly once (the buyer lost and the provider gained exactly the logged fees),
 * no ended contract still holds escrow, the others still hold theirs, and the log verifies.
 */
class MarketSettlementCrashIT {
    private static final int CONTRACTS = 40;
    private static final long BUYER_MONEY = 1_000_000;

    @TempDir
    Path dir;

    @Test
    void everyEndedContractIsSettledExactlyOnceAfterAKill() throws Exception {
        Path keys = SecuredServer.keysFile(dir);
        Path data = dir.resolve("data");
        Path log = dir.resolve("server.log");
        List<String> ids = new ArrayList<>();
        try (ServerProcess server = ServerProcess.start(data, log, "--api-keys", keys.toString())) {
            SecuredServer.Client api = new SecuredServer.Client(server.port);
            MarketFixture.Party alice = MarketFixture.party(api, "alice", 0);
            MarketFixture.Party bob = MarketFixture.party(api, "bob", BUYER_MONEY);
            long now = System.currentTimeMillis();
            Signed<Offer> offer = Signed.sign(new Offer("o1", alice.serviceId(), "alice", "sim-alice", now,
                    now + 3_600_000, 3, 100, ChargingStandard.PER_MB, ResourceType.DATA_BYTES, 50_000_000), "alice",
                    alice.key());
            assertThat(api.call("POST", "/v1/market/offers", SecuredServer.DEVICE, "{\"signedOffer\":\""
                    + MarketFixture.b64(offer.encode()) + "\"}").status()).isEqualTo(201);
            for (int i = 0; i < CONTRACTS; i++) {
                Contract c = new Contract("c" + i, offer.entry().hash(), "alice", "bob", BuyerType.PERSONAL, "bob",
                        ResourceType.DATA_BYTES, 5_000_000, offer.entry().periodStartMillis(),
                        offer.entry().periodEndMillis(), 3, ChargingStandard.PER_MB, 100, 500, Payment.MONEY,
                        System.currentTimeMillis());
                Signed<Contract> signed = Signed.sign(c, "bob", bob.key()).cosign("alice", alice.key());
                SecuredServer.Reply made = api.call("POST", "/v1/market/contracts", SecuredServer.DEVICE,
                        "{\"signedContract\":\"" + MarketFixture.b64(signed.encode()) + "\"}");
                assertThat(made.status()).as(made.raw()).isEqualTo(201);
                ids.add(c.contractId());
            }
            // the provider proposes to stop every contract early at 300; the buyer accepts them from 4 threads
            for (String id : ids) {
                assertThat(api.send(api.builder("/v1/market/contracts/" + id + "/early-termination")
                        .header("Authorization", "Bearer " + SecuredServer.DEVICE)
                        .header("Credence-Device-Token", alice.token()), "POST",
                        "{\"simId\":\"sim-alice\",\"feeMinor\":300}").status()).isEqualTo(200);
            }
            AtomicInteger next = new AtomicInteger();
            AtomicInteger accepted = new AtomicInteger();
            List<Thread> buyers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                buyers.add(Thread.ofVirtual().start(() -> {
                    for (int i = next.getAndIncrement(); i < CONTRACTS; i = next.getAndIncrement()) {
                        try {
                            SecuredServer.Reply r = api.send(api.builder("/v1/market/contracts/" + ids.get(i)
                                    + "/early-termination/accept").header("Authorization", "Bearer " + SecuredServer.DEVICE)
                                    .header("Credence-Device-Token", bob.token()), "POST", "{\"simId\":\"sim-bob\"}");
                            if (r.status() == 200) {
                                accepted.incrementAndGet();
                            }
                        } catch (RuntimeException connectionLost) {
                            return;
                        }
                    }
                }));
            }
            while (accepted.get() < CONTRACTS / 4) {
                Thread.sleep(2);
            }
            server.kill();
            for (Thread t : buyers) {
                t.join();
            }
        }
        try (ServerProcess again = ServerProcess.start(data, log, "--api-keys", keys.toString())) {
            SecuredServer.Client api = new SecuredServer.Client(again.port);
            long ended = 0;
            long paid = 0;
            for (String id : ids) {
                JsonNode c = api.call("GET", "/v1/market/contracts/" + id, SecuredServer.ADMIN, null).json();
                String status = c.path("status").asText();
                assertThat(status).as(id).isIn("ENDED", "EFFECTIVE");
                if (status.equals("ENDED")) {
                    ended++;
                    paid += c.path("feePaidMinor").asLong();
                }
            }
            assertThat(ended).as("some contracts ended before the kill").isGreaterThanOrEqualTo(CONTRACTS / 4);
            assertThat(paid).isEqualTo(ended * 300);
            JsonNode bob = api.call("GET", "/v1/accounts/bob", SecuredServer.ADMIN, null).json();
            JsonNode alice = api.call("GET", "/v1/accounts/alice", SecuredServer.ADMIN, null).json();
            assertThat(money(bob, "total")).as("the buyer paid each ended contract once").isEqualTo(BUYER_MONEY - paid);
            assertThat(money(alice, "total")).as("the provider was paid each once").isEqualTo(paid);
            assertThat(money(bob, "reserved")).as("escrow still held for the contracts that go on")
                    .isEqualTo((CONTRACTS - ended) * 500);
            JsonNode head = api.call("GET", "/v1/market/log", SecuredServer.ADMIN, null).json();
            again.stop();
            CommandLineRunner.Run verified = CommandLineRunner.run("ledger", "verify", "--log",
                    data.resolve("market").toString(), "--public-key", head.path("publicKey").asText(), "--tree-head",
                    head.path("size").asLong() + ":" + head.path("timestampMillis").asLong() + ":"
                            + head.path("rootHash").asText() + ":" + head.path("signature").asText());
            assertThat(verified.exitCode()).as(verified.out() + verified.err()).isZero();
        }
    }

    private static long money(JsonNode account, String field) {
        for (JsonNode b : account.path("balances")) {
            if (b.path("unit").asText().equals("MONEY")) {
                return b.path(field).asLong();
            }
        }
        return 0;
    }
}
