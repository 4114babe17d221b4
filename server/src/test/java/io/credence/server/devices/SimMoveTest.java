package io.credence.server.devices;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A SIM changes account only by its own audited route, which keeps its report numbering across
 * accounts: creating an existing SIM is 409 (the identical request again: the same 201), and a
 * report charged before a move is never charged again after it, nor is a report in either
 * direction of a move back. The admin routes take request ids like every mutating route.
 */
class SimMoveTest {
    private static final String SECRET = "alice-sim-secret-0123";
    private static final long MB = 1_000_000;

    @TempDir
    Path dir;
    DeviceWorld world;
    String token;

    @BeforeEach
    void start() throws Exception {
        world = DeviceWorld.start(dir, DeviceWorld.settings(Duration.ofMinutes(2)));
        world.subscriber("alice", 10 * MB, 0);
        world.subscriber("bob", 10 * MB, 0);
        world.sim("sim-alice", "alice", SECRET);
        token = world.register("sim-alice", "phone-a", SECRET);
        assertThat(world.device("POST", "sim-alice", "/grants", token, "{\"bytes\":2000000}").status()).isEqualTo(200);
        for (int seq = 1; seq <= 50; seq++) {
            report(seq, 1000, false);
        }
    }

    @AfterEach
    void stop() throws Exception {
        world.close();
    }

    @Test
    void creatingAnExistingSimIsRefusedAndMovesNothingTheSameSimAgainIsARetry() {
        String toBob = "{\"simId\":\"sim-alice\",\"accountId\":\"bob\",\"secret\":\"" + SECRET + "\"}";
        DeviceWorld.Reply refused = world.admin("POST", "/v1/sims", toBob);
        assertThat(refused.status()).as(refused.body().toString()).isEqualTo(409);
        assertThat(refused.problemType()).isEqualTo("sim-exists");
        assertThat(refused.body().path("field").asText()).isEqualTo("simId");
        assertThat(refused.body().path("detail").asText()).contains("on account 'alice'").contains("/move");
        DeviceWorld.Reply otherSecret = world.admin("POST", "/v1/sims", "{\"simId\":\"sim-alice\",\"accountId\":\"alice\","
                + "\"secret\":\"another-secret-0123456\"}");
        assertThat(otherSecret.problemType()).isEqualTo("sim-exists");
        assertThat(otherSecret.body().path("detail").asText()).contains("with another secret");

        DeviceWorld.Reply again = world.admin("POST", "/v1/sims", "{\"simId\":\"sim-alice\",\"accountId\":\"alice\","
                + "\"secret\":\"" + SECRET + "\"}");
        assertThat(again.status()).as("the identical SIM again: a retry").isEqualTo(201);
        assertThat(again.body().path("accountId").asText()).isEqualTo("alice");

        JsonNode view = world.admin("GET", "/v1/devices/sim-alice", null).body();
        assertThat(view.path("accountId").asText()).isEqualTo("alice");
        assertThat(view.path("deviceId").asText()).as("the binding stays").isEqualTo("phone-a");
        assertThat(view.path("lastReportSeq").asLong()).isEqualTo(50);
        long bob = world.total("bob", "BYTES");
        assertThat(report(50, 1000, false).path("duplicate").asBoolean()).isTrue();
        assertThat(world.total("bob", "BYTES")).isEqualTo(bob);
        assertThat(world.total("alice", "BYTES")).isEqualTo(10 * MB - 50 * 1000);
    }

    @Test
    void aMovedSimKeepsItsSequenceSoNoReportIsChargedTwiceEitherWay() {
        assertThat(world.available("alice", "BYTES")).as("the grant holds 2 MB less what was used")
                .isEqualTo(10 * MB - 2 * MB);
        assertThat(world.call("POST", "/v1/sims/sim-alice/move", DeviceWorld.DEVICE, "{\"accountId\":\"bob\"}").status())
                .as("admins only").isEqualTo(403);
        assertThat(world.call("POST", "/v1/sims/sim-alice/move", DeviceWorld.BASE_STATION_KEY, "{\"accountId\":\"bob\"}")
                .status()).isEqualTo(403);
        DeviceWorld.Reply nobody = world.admin("POST", "/v1/sims/sim-alice/move", "{\"accountId\":\"nobody\"}");
        assertThat(nobody.status()).isEqualTo(404);
        assertThat(nobody.body().path("field").asText()).isEqualTo("accountId");
        assertThat(world.admin("POST", "/v1/sims/sim-9/move", "{\"accountId\":\"bob\"}").problemType())
                .isEqualTo("unknown-sim");

        DeviceWorld.Reply moved = world.admin("POST", "/v1/sims/sim-alice/move",
                "{\"requestId\":\"move-1\",\"accountId\":\"bob\"}");
        assertThat(moved.status()).as(moved.body().toString()).isEqualTo(200);
        assertThat(moved.body().path("moved").asBoolean()).isTrue();
        assertThat(moved.body().path("fromAccountId").asText()).isEqualTo("alice");
        assertThat(moved.body().path("lastReportSeq").asLong()).isEqualTo(50);
        assertThat(moved.body().path("reportedBytes").asLong()).isEqualTo(50 * 1000);
        assertThat(world.available("alice", "BYTES")).as("alice's grant was released").isEqualTo(10 * MB - 50 * 1000);
        assertThat(world.admin("POST", "/v1/sims/sim-alice/move", "{\"requestId\":\"move-1\",\"accountId\":\"bob\"}")
                .body()).as("a retry gets the first answer").isEqualTo(moved.body());
        assertThat(world.admin("POST", "/v1/sims/sim-alice/move", "{\"requestId\":\"move-1\",\"accountId\":\"alice\"}")
                .problemType()).isEqualTo("duplicate-request-id");

        // the device keeps its token; report 50, charged to alice, is a duplicate on bob for ever
        JsonNode duplicate = report(50, 1000, false);
        assertThat(duplicate.path("duplicate").asBoolean()).isTrue();
        assertThat(world.total("bob", "BYTES")).isEqualTo(10 * MB);
        assertThat(world.total("alice", "BYTES")).isEqualTo(10 * MB - 50 * 1000);
        assertThat(report(51, 7000, false).path("duplicate").asBoolean()).isFalse();
        assertThat(world.total("bob", "BYTES")).as("new usage is bob's").isEqualTo(10 * MB - 7000);
        assertThat(world.total("alice", "BYTES")).isEqualTo(10 * MB - 50 * 1000);

        JsonNode view = world.admin("GET", "/v1/devices/sim-alice", null).body();
        assertThat(view.path("accountId").asText()).isEqualTo("bob");
        assertThat(view.path("lastReportSeq").asLong()).isEqualTo(51);
        assertThat(view.path("reportedBytes").asLong()).as("the SIM's running total carried over").isEqualTo(57_000);
        assertThat(view.path("moves")).hasSize(1);
        assertThat(view.path("moves").get(0).path("byKey").asText()).isEqualTo("ops");
        assertThat(view.path("moves").get(0).path("requestId").asText()).isEqualTo("move-1");
        assertThat(world.device("GET", "sim-alice", "", token, null).body().has("moves"))
                .as("the audit trail is for admins").isFalse();

        // and back: report 51, charged to bob, is a duplicate on alice
        assertThat(world.admin("POST", "/v1/sims/sim-alice/move", "{\"accountId\":\"alice\"}").body()
                .path("lastReportSeq").asLong()).isEqualTo(51);
        assertThat(report(51, 7000, false).path("duplicate").asBoolean()).isTrue();
        assertThat(report(52, 3000, true).path("duplicate").asBoolean()).isFalse();
        assertThat(world.total("alice", "BYTES")).isEqualTo(10 * MB - 50 * 1000 - 3000);
        assertThat(world.total("bob", "BYTES")).isEqualTo(10 * MB - 7000);
        assertThat(world.admin("POST", "/v1/sims/sim-alice/move", "{\"accountId\":\"alice\"}").body()
                .path("moved").asBoolean()).as("already there").isFalse();
    }

    @Test
    void provisioningTakesARequestIdAndARetryGetsTheFirstAnswerRefusalsIncluded() {
        String carol = "{\"requestId\":\"p-1\",\"simId\":\"sim-carol\",\"accountId\":\"carol\","
                + "\"secret\":\"carol-sim-secret-0123\"}";
        DeviceWorld.Reply unknown = world.admin("POST", "/v1/sims", carol);
        assertThat(unknown.status()).as(unknown.body().toString()).isEqualTo(404);
        assertThat(unknown.body().path("field").asText()).isEqualTo("accountId");
        world.subscriber("carol", MB, 0);
        assertThat(world.admin("POST", "/v1/sims", carol).body()).as("the first answer, a refusal")
                .isEqualTo(unknown.body());
        DeviceWorld.Reply created = world.admin("POST", "/v1/sims", carol.replace("p-1", "p-2"));
        assertThat(created.status()).isEqualTo(201);
        assertThat(world.admin("POST", "/v1/sims", carol.replace("p-1", "p-2").replace("sim-carol", "sim-carol-2"))
                .problemType()).as("the same id for other content").isEqualTo("duplicate-request-id");
        DeviceWorld.Reply byHeader = world.call("POST", "/v1/sims", DeviceWorld.ADMIN, "{\"simId\":\"sim-c3\","
                + "\"accountId\":\"carol\",\"secret\":\"carol-sim-secret-0123\"}", "Idempotency-Key", "p-3");
        assertThat(byHeader.status()).isEqualTo(201);
        assertThat(world.call("POST", "/v1/sims", DeviceWorld.ADMIN, "{\"simId\":\"sim-c4\",\"accountId\":\"carol\","
                + "\"secret\":\"carol-sim-secret-0123\"}", "Idempotency-Key", "p-3").problemType())
                .isEqualTo("duplicate-request-id");
        assertThat(world.admin("POST", "/v1/base-stations", "{\"requestId\":\"b-1\",\"baseStationId\":\"bs-9\","
                + "\"secret\":\"bs-9-secret-0123456789\"}").status()).isEqualTo(201);
        assertThat(world.admin("DELETE", "/v1/sims/sim-alice/binding", "{\"requestId\":\"u-1\"}").status()).isEqualTo(200);
        assertThat(world.admin("POST", "/v1/sims", "{\"requestId\":\"bad id\",\"simId\":\"x\",\"accountId\":\"carol\","
                + "\"secret\":\"carol-sim-secret-0123\"}").body().path("field").asText()).isEqualTo("requestId");
    }

    private JsonNode report(long seq, long bytes, boolean last) {
        DeviceWorld.Reply r = world.device("POST", "sim-alice", "/reports", token, "{\"seq\":" + seq + ",\"bytes\":" + bytes
                + ",\"final\":" + last + "}");
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return r.body();
    }
}
