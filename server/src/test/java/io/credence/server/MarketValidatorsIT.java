package io.credence.server;

import io.credence.market.contract.BuyerType;
import io.credence.market.contract.ChargingStandard;
import io.credence.market.contract.Contract;
import io.credence.market.contract.Offer;
import io.credence.market.contract.Payment;
import io.credence.market.contract.ResourceType;
import io.credence.market.contract.Signed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Validators as separate processes: the server is configured with four validator keys and a
 * quorum of three; a contract waits (escrow not held) while fewer than three validators have
 * approved it, and becomes effective, its fee escrowed, once the third approves; an operator's
 * contract for its subscriber's terminal goes through the same validators.
 */
class MarketValidatorsIT {
    @TempDir
    Path dir;

    private static List<String> cli(String... args) {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-jar", ServerProcess.jar().toString()));
        command.addAll(List.of(args));
        return command;
    }

    private Process validator(int port, int n) throws IOException {
        ProcessBuilder b = new ProcessBuilder(cli("validator", "run", "--server", "http://127.0.0.1:" + port, "--id",
                "v" + n, "--key", dir.resolve("v" + n + ".key").toString(), "--interval-ms", "50"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("v" + n + ".out").toFile());
        b.environment().put(ApiClient.API_KEY_ENVIRONMENT, SecuredServer.NETWORK_FUNCTION);
        return b.start();
    }

    private String status(SecuredServer.Client api, String contractId) {
        return api.call("GET", "/v1/market/contracts/" + contractId, SecuredServer.ADMIN, null).json().path("status")
                .asText();
    }

    private String awaitStatus(SecuredServer.Client api, String contractId, String wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String status = status(api, contractId);
        while (!status.equals(wanted) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            status = status(api, contractId);
        }
        return status;
    }

    @Test
    void aContractBecomesEffectiveOnlyWhenThreeOfFourValidatorProcessesApprove() throws Exception {
        StringBuilder validators = new StringBuilder("# id public-key\n");
        for (int n = 1; n <= 4; n++) {
            Process keygen = new ProcessBuilder(cli("validator", "keygen", "--id", "v" + n, "--key",
                    dir.resolve("v" + n + ".key").toString())).redirectErrorStream(true).start();
            validators.append(new String(keygen.getInputStream().readAllBytes()).strip()).append('\n');
            assertThat(keygen.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(keygen.exitValue()).isZero();
        }
        Path file = dir.resolve("validators");
        Files.writeString(file, validators);
        List<Process> running = new ArrayList<>();
        try (ServerProcess server = ServerProcess.start(dir.resolve("data"), dir.resolve("server.log"), "--api-keys",
                SecuredServer.keysFile(dir).toString(), "--market-validators", file.toString(), "--market-quorum", "3")) {
            SecuredServer.Client api = new SecuredServer.Client(server.port);
            MarketFixture.Party alice = MarketFixture.party(api, "alice", 0);
            MarketFixture.Party bob = MarketFixture.party(api, "bob", 50_000);
            long now = System.currentTimeMillis();
            Signed<Offer> offer = Signed.sign(new Offer("o1", alice.serviceId(), "alice", "sim-alice", now,
                    now + 3_600_000, 3, 100, ChargingStandard.PER_MB, ResourceType.DATA_BYTES, 50_000_000), "alice",
                    alice.key());
            assertThat(api.call("POST", "/v1/market/offers", SecuredServer.DEVICE, "{\"signedOffer\":\""
                    + MarketFixture.b64(offer.encode()) + "\"}").status()).isEqualTo(201);
            Contract c = new Contract("c1", offer.entry().hash(), "alice", "bob", BuyerType.PERSONAL, "bob",
                    ResourceType.DATA_BYTES, 5_000_000, now, now + 3_600_000, 3, ChargingStandard.PER_MB, 100, 500,
                    Payment.MONEY, now);
            SecuredServer.Reply proposed = api.call("POST", "/v1/market/contracts", SecuredServer.DEVICE,
                    "{\"signedContract\":\"" + MarketFixture.b64(Signed.sign(c, "bob", bob.key())
                            .cosign("alice", alice.key()).encode()) + "\"}");
            assertThat(proposed.status()).as(proposed.raw()).isEqualTo(202);

            running.add(validator(server.port, 1));
            running.add(validator(server.port, 2));
            Thread.sleep(1_500);
            assertThat(status(api, "c1")).as("two approvals are no quorum").isEqualTo("VALIDATING");
            assertThat(api.call("GET", "/v1/accounts/bob", SecuredServer.ADMIN, null).json().path("balances").get(0)
                    .path("reserved").asLong()).as("nothing escrowed yet").isZero();

            running.add(validator(server.port, 3));
            assertThat(awaitStatus(api, "c1", "EFFECTIVE")).isEqualTo("EFFECTIVE");
            assertThat(api.call("GET", "/v1/market/contracts/c1", SecuredServer.ADMIN, null).json().path("validators"))
                    .hasSize(3);
            assertThat(api.call("GET", "/v1/accounts/bob", SecuredServer.ADMIN, null).json().path("balances").get(0)
                    .path("reserved").asLong()).as("the fee is escrowed").isEqualTo(500);
            // the operator flow through the same validator processes: telco buys for its subscriber's terminal
            assertThat(api.call("POST", "/v1/accounts", SecuredServer.ADMIN, "{\"requestId\":\"a-telco\","
                    + "\"accountId\":\"telco\",\"kind\":\"OPERATOR\"}").status()).isEqualTo(201);
            assertThat(api.call("POST", "/v1/accounts/telco/topups", SecuredServer.ADMIN, "{\"requestId\":\"t-telco\","
                    + "\"unit\":\"MONEY\",\"amount\":100000}").status()).isEqualTo(201);
            // an admin key registers it here (SecuredServer's network-function key is bound to no operator)
            SecuredServer.Reply operator = api.call("POST", "/v1/market/operators", SecuredServer.ADMIN,
                    "{\"accountId\":\"telco\"}");
            assertThat(operator.status()).as(operator.raw()).isEqualTo(201);
            io.credence.market.contract.Ed25519.KeyPair telco = io.credence.market.contract.Ed25519.fromSeed(
                    java.util.Base64.getDecoder().decode(operator.json().path("seed").asText()));
            Contract forSubscriber = new Contract("op-1", offer.entry().hash(), "alice", "telco", BuyerType.OPERATOR,
                    "sim-bob", ResourceType.DATA_BYTES, 5_000_000, now, now + 3_600_000, 3, ChargingStandard.PER_MB, 100,
                    500, Payment.MONEY, System.currentTimeMillis());
            assertThat(api.call("POST", "/v1/market/contracts", SecuredServer.DEVICE, "{\"signedContract\":\""
                    + MarketFixture.b64(Signed.sign(forSubscriber, "telco", telco).cosign("alice", alice.key()).encode())
                    + "\"}").status()).isEqualTo(202);
            assertThat(awaitStatus(api, "op-1", "EFFECTIVE")).isEqualTo("EFFECTIVE");

            // the fourth validator has nothing left to judge
            running.add(validator(server.port, 4));
            Thread.sleep(500);
            assertThat(api.call("GET", "/v1/market/validations/pending?validator=v4", SecuredServer.NETWORK_FUNCTION,
                    null).json().path("contracts")).isEmpty();
        } finally {
            for (Process p : running) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
