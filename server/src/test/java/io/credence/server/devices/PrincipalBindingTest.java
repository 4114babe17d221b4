package io.credence.server.devices;

import io.credence.market.contract.BuyerType;
import io.credence.market.contract.ChargingStandard;
import io.credence.market.contract.Contract;
import io.credence.market.contract.Ed25519;
import io.credence.market.contract.Offer;
import io.credence.market.contract.Payment;
import io.credence.market.contract.ResourceType;
import io.credence.market.contract.Signed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import static io.credence.server.devices.DeviceWorld.ADMIN;
import static io.credence.server.devices.DeviceWorld.BASE_STATION_KEY;
import static io.credence.server.devices.DeviceWorld.OPERATOR_KEY;
import static io.credence.server.devices.DeviceWorld.STATION_KEYS;
import static io.credence.server.devices.DeviceWorld.UNBOUND_NF_KEY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A network-function key acts only for the principal its line in the keys file names: an
 * operator's key for that operator (registration, which answers its signing seed; its contracts;
 * its settlements), a base station's for that base station (data shares, relay allocation), a key
 * without one for neither. Before, any network-function key could register another operator and
 * take its seed, end its contracts and settle its batch, or act as another base station.
 */
class PrincipalBindingTest {
    private static final String HOME_SECRET = "home-station-secret-01";
    private static final String BS1_SECRET = "bs-1-station-secret-01";

    @TempDir
    Path dir;
    DeviceWorld world;
    Ed25519.KeyPair alice;
    String aliceService;

    @BeforeEach
    void start() throws Exception {
        world = DeviceWorld.start(dir, DeviceWorld.settings(Duration.ofMinutes(2)));
        world.subscriber("alice", 0, 0);
        world.subscriber("dave", 0, 0);
        world.sim("sim-alice", "alice", "alice-sim-secret-0123");
        world.sim("sim-dave", "dave", "dave-sim-secret-01234");
        String token = world.register("sim-alice", "phone-alice", "alice-sim-secret-0123");
        world.baseStation("bs-home", HOME_SECRET);
        world.baseStation("bs-1", BS1_SECRET);
        DeviceWorld.Reply provider = world.call("POST", "/v1/market/providers", DeviceWorld.DEVICE,
                "{\"simId\":\"sim-alice\",\"homeBaseStationId\":\"bs-home\"}", "Credence-Device-Token", token);
        assertThat(provider.status()).isEqualTo(201);
        alice = Ed25519.fromSeed(Base64.getDecoder().decode(provider.body().path("seed").asText()));
        aliceService = provider.body().path("serviceId").asText();
        for (String operator : List.of("telco", "telco2")) {
            assertThat(world.admin("POST", "/v1/accounts", "{\"accountId\":\"" + operator + "\",\"kind\":\"OPERATOR\"}")
                    .status()).isEqualTo(201);
            assertThat(world.admin("POST", "/v1/accounts/" + operator + "/topups",
                    "{\"unit\":\"MONEY\",\"amount\":100000}").status()).isEqualTo(201);
        }
    }

    @AfterEach
    void stop() throws Exception {
        world.close();
    }

    @Test
    void onlyTheOperatorsOwnKeyRegistersItActsOnItsContractsAndSettlesItsBatch() {
        // the reported attack: a base station's key registering telco2 and receiving its signing seed
        for (String key : List.of(BASE_STATION_KEY, UNBOUND_NF_KEY, OPERATOR_KEY)) {
            DeviceWorld.Reply taken = world.call("POST", "/v1/market/operators", key, "{\"accountId\":\"telco2\"}");
            wrongPrincipal(taken, "accountId");
            assertThat(taken.body().has("seed")).isFalse();
        }
        assertThat(world.admin("GET", "/v1/market/providers/telco2", null).status()).as("telco2 is not registered")
                .isEqualTo(404);
        assertThat(world.call("POST", "/v1/market/operators", BASE_STATION_KEY, "{\"accountId\":\"telco\"}")
                .problemType()).isEqualTo("wrong-principal");
        DeviceWorld.Reply registered = world.call("POST", "/v1/market/operators", OPERATOR_KEY, "{\"accountId\":\"telco\"}");
        assertThat(registered.status()).as(registered.body().toString()).isEqualTo(201);
        Ed25519.KeyPair telco = Ed25519.fromSeed(Base64.getDecoder().decode(registered.body().path("seed").asText()));

        long now = System.currentTimeMillis();
        Offer offer = new Offer("o-1", aliceService, "alice", "sim-alice", now, now + 60_000, 3, 100,
                ChargingStandard.PER_MB, ResourceType.DATA_BYTES, 50_000_000);
        assertThat(signed("/v1/market/offers", "signedOffer", Signed.sign(offer, "alice", alice).encode()).status())
                .isEqualTo(201);
        Contract contract = new Contract("op-1", offer.hash(), "alice", "telco", BuyerType.OPERATOR, "sim-dave",
                ResourceType.DATA_BYTES, 5_000_000, now, now + 60_000, 3, ChargingStandard.PER_MB, 100, 500,
                Payment.MONEY, now);
        assertThat(signed("/v1/market/contracts", "signedContract",
                Signed.sign(contract, "telco", telco).cosign("alice", alice).encode()).status()).isEqualTo(201);

        // the home base station allocates; another station's key is refused even with bs-home's secret
        DeviceWorld.Reply foreign = world.call("POST", "/v1/market/contracts/op-1/allocation", BASE_STATION_KEY,
                "{\"allocated\":false}", "Credence-Base-Station-Id", "bs-home", "Credence-Base-Station-Secret", HOME_SECRET);
        wrongPrincipal(foreign, "Credence-Base-Station-Id");
        wrongPrincipal(world.call("GET", "/v1/market/allocations/pending", UNBOUND_NF_KEY, null,
                "Credence-Base-Station-Id", "bs-home", "Credence-Base-Station-Secret", HOME_SECRET),
                "Credence-Base-Station-Id");
        assertThat(world.station("GET", "/v1/market/allocations/pending", "bs-home", HOME_SECRET, null).body()
                .path("allocations")).hasSize(1);
        assertThat(world.station("POST", "/v1/market/contracts/op-1/allocation", "bs-home", HOME_SECRET,
                "{\"allocated\":true}").body().path("allocation").asText()).isEqualTo("ALLOCATED");

        // ending telco's contract and settling telco's batch: telco's key only
        for (String key : List.of(BASE_STATION_KEY, UNBOUND_NF_KEY)) {
            wrongPrincipal(world.call("POST", "/v1/market/contracts/op-1/cancel", key, "{\"operatorId\":\"telco\"}"),
                    "operatorId");
            wrongPrincipal(world.call("POST", "/v1/market/operators/telco/settlements", key, "{}"), "operatorId");
        }
        wrongPrincipal(world.call("POST", "/v1/market/operators/telco2/settlements", OPERATOR_KEY, "{}"), "operatorId");
        assertThat(world.admin("GET", "/v1/market/contracts/op-1", null).body().path("status").asText())
                .isEqualTo("EFFECTIVE");
        DeviceWorld.Reply cancelled = world.call("POST", "/v1/market/contracts/op-1/cancel", OPERATOR_KEY,
                "{\"operatorId\":\"telco\"}");
        assertThat(cancelled.status()).as(cancelled.body().toString()).isEqualTo(200);
        DeviceWorld.Reply batch = world.call("POST", "/v1/market/operators/telco/settlements", OPERATOR_KEY, "{}");
        assertThat(batch.status()).as(batch.body().toString()).isEqualTo(200);
        assertThat(batch.body().path("settled")).hasSize(1);
        // admin keys keep full power
        assertThat(world.admin("POST", "/v1/market/operators/telco2/settlements", "{}").status()).isEqualTo(200);
    }

    @Test
    void aBaseStationsKeyOpensMetersAndReadsSharesForThatBaseStationOnly() {
        String open = "{\"requestId\":\"r1\",\"borrower\":{\"simId\":\"sim-dave\",\"token\":\"t\"},"
                + "\"supplier\":{\"simId\":\"sim-alice\",\"token\":\"t\"},\"bytes\":1000}";
        // bs-1's key with bs-home's correct id and secret, and a key bound to no base station
        for (String key : List.of(BASE_STATION_KEY, UNBOUND_NF_KEY, OPERATOR_KEY)) {
            for (String[] route : new String[][] {{"POST", "/v1/shares", open}, {"GET", "/v1/shares/abc", null},
                    {"POST", "/v1/shares/abc/usage", "{\"totalBytes\":1}"}}) {
                wrongPrincipal(world.call(route[0], route[1], key, route[2], "Credence-Base-Station-Id", "bs-home",
                        "Credence-Base-Station-Secret", HOME_SECRET), "Credence-Base-Station-Id");
            }
        }
        // its own key gets past the binding (to the share checks: the borrower's token is wrong)
        assertThat(world.station("POST", "/v1/shares", "bs-home", HOME_SECRET, open).body().path("reason").asText())
                .isEqualTo("borrower-identity");
        assertThat(world.call("POST", "/v1/shares", STATION_KEYS.get("bs-home"), open, "Credence-Base-Station-Id",
                "bs-1", "Credence-Base-Station-Secret", BS1_SECRET).problemType()).isEqualTo("wrong-principal");
        assertThat(world.call("POST", "/v1/shares", ADMIN, open, "Credence-Base-Station-Id", "bs-1",
                "Credence-Base-Station-Secret", BS1_SECRET).body().path("reason").asText()).isEqualTo("borrower-identity");
    }

    private DeviceWorld.Reply signed(String path, String field, byte[] signed) {
        return world.call("POST", path, DeviceWorld.DEVICE, "{\"" + field + "\":\""
                + Base64.getEncoder().encodeToString(signed) + "\"}");
    }

    private static void wrongPrincipal(DeviceWorld.Reply reply, String field) {
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(403);
        assertThat(reply.problemType()).as(reply.body().toString()).isEqualTo("wrong-principal");
        assertThat(reply.body().path("field").asText()).isEqualTo(field);
    }
}
