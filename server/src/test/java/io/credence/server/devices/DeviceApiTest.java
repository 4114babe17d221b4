package io.credence.server.devices;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The device endpoints over the real HTTP API: binding, packages, grants and reports. */
class DeviceApiTest {
    private static final String SECRET = "alice-sim-secret-xyz";

    @TempDir
    Path dir;
    DeviceWorld world;

    @BeforeEach
    void start() throws Exception {
        world = DeviceWorld.start(dir, DeviceWorld.settings(Duration.ofMinutes(2)));
        world.subscriber("alice", 5_000_000, 0);
        world.sim("sim-1", "alice", SECRET);
    }

    @AfterEach
    void stop() throws Exception {
        world.close();
    }

    @Test
    void oneSimIsBoundToOneDeviceAndOnlyAnAdminMovesIt() {
        DeviceWorld.Reply wrong = world.call("POST", "/v1/devices/sim-1/register", DeviceWorld.DEVICE,
                "{\"deviceId\":\"phone-1\",\"simSecret\":\"not-the-secret-000\"}");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.problemType()).isEqualTo("sim-credentials");
        assertThat(world.call("POST", "/v1/devices/sim-9/register", DeviceWorld.DEVICE,
                "{\"deviceId\":\"phone-1\",\"simSecret\":\"" + SECRET + "\"}").problemType()).isEqualTo("sim-credentials");

        String token = world.register("sim-1", "phone-1", SECRET);
        DeviceWorld.Reply elsewhere = world.call("POST", "/v1/devices/sim-1/register", DeviceWorld.DEVICE,
                "{\"deviceId\":\"phone-2\",\"simSecret\":\"" + SECRET + "\"}");
        assertThat(elsewhere.status()).isEqualTo(409);
        assertThat(elsewhere.problemType()).isEqualTo("sim-bound-elsewhere");
        assertThat(world.device("GET", "sim-1", "", token, null).body().path("deviceId").asText()).isEqualTo("phone-1");

        assertThat(world.call("DELETE", "/v1/sims/sim-1/binding", DeviceWorld.DEVICE, null).status())
                .as("a device key cannot unbind").isEqualTo(403);
        assertThat(world.admin("DELETE", "/v1/sims/sim-1/binding", null).status()).isEqualTo(200);
        String second = world.register("sim-1", "phone-2", SECRET);
        assertThat(world.device("GET", "sim-1", "", token, null).problemType())
                .as("the first device's token stopped working").isEqualTo("device-token");
        assertThat(world.device("GET", "sim-1", "", second, null).status()).isEqualTo(200);
        assertThat(world.call("GET", "/v1/devices/sim-1", DeviceWorld.DEVICE, null).problemType())
                .as("no token").isEqualTo("device-token");
    }

    @Test
    void grantReportAndReturnMoveExactlyTheReportedBytesAndARepeatIsRecognised() {
        String token = world.register("sim-1", "phone-1", SECRET);
        DeviceWorld.Reply packages = world.device("GET", "sim-1", "/packages", token, null);
        assertThat(packages.body().path("availableBytes").asLong()).isEqualTo(5_000_000);
        assertThat(packages.body().path("packages")).hasSize(1);

        DeviceWorld.Reply grant = world.device("POST", "sim-1", "/grants", token, "{\"bytes\":2000000}");
        assertThat(grant.status()).isEqualTo(200);
        assertThat(grant.body().path("bytes").asLong()).isEqualTo(2_000_000);
        assertThat(world.device("POST", "sim-1", "/grants", token, "{}").body().path("grantId").asLong())
                .as("a retried grant request finds the open grant").isEqualTo(grant.body().path("grantId").asLong());
        assertThat(world.available("alice", "BYTES")).isEqualTo(3_000_000);

        DeviceWorld.Reply first = world.device("POST", "sim-1", "/reports", token, "{\"seq\":1,\"bytes\":300000}");
        assertThat(first.body().path("duplicate").asBoolean()).isFalse();
        assertThat(first.body().path("reportedBytes").asLong()).isEqualTo(300_000);
        assertThat(first.body().path("grant").path("bytes").asLong()).isEqualTo(1_700_000);
        DeviceWorld.Reply again = world.device("POST", "sim-1", "/reports", token, "{\"seq\":1,\"bytes\":300000}");
        assertThat(again.body().path("duplicate").asBoolean()).isTrue();
        assertThat(again.body().path("reportedBytes").asLong()).isEqualTo(300_000);

        DeviceWorld.Reply returned = world.device("POST", "sim-1", "/reports", token,
                "{\"seq\":2,\"bytes\":100000,\"final\":true}");
        assertThat(returned.body().path("returnedBytes").asLong()).isEqualTo(1_600_000);
        assertThat(returned.body().path("grant").isNull()).isTrue();
        assertThat(world.total("alice", "BYTES")).isEqualTo(4_600_000);
        assertThat(world.available("alice", "BYTES")).isEqualTo(4_600_000);

        // usage reported after the grant is gone (the device was offline past its lifetime) is charged directly
        DeviceWorld.Reply late = world.device("POST", "sim-1", "/reports", token, "{\"seq\":3,\"bytes\":50000}");
        assertThat(late.body().path("reportedBytes").asLong()).isEqualTo(450_000);
        assertThat(world.total("alice", "BYTES")).isEqualTo(4_550_000);
        assertThat(world.device("GET", "sim-1", "", token, null).body().path("lastReportSeq").asLong()).isEqualTo(3);
    }

    @Test
    void anExhaustedPackageIsSaidSoAndBadReportsNameTheirField() {
        world.subscriber("bob", 0, 0);
        world.sim("sim-2", "bob", "bob-sim-secret-xyzzy");
        String token = world.register("sim-2", "phone-2", "bob-sim-secret-xyzzy");
        DeviceWorld.Reply exhausted = world.device("POST", "sim-2", "/grants", token, "{}");
        assertThat(exhausted.status()).isEqualTo(403);
        assertThat(exhausted.problemType()).isEqualTo("quota-exhausted");

        DeviceWorld.Reply zero = world.device("POST", "sim-2", "/reports", token, "{\"seq\":0,\"bytes\":1}");
        assertThat(zero.status()).isEqualTo(400);
        assertThat(zero.body().path("field").asText()).isEqualTo("seq");
        assertThat(world.device("POST", "sim-2", "/reports", token, "{\"seq\":1,\"bytes\":-1}").body().path("field")
                .asText()).isEqualTo("bytes");
        assertThat(world.device("POST", "sim-2", "/reports", token, "{\"seq\":1,\"bytes\":1,\"extra\":1}").body()
                .path("field").asText()).isEqualTo("extra");
        assertThat(world.device("GET", "sim-2", "", token, null).body().path("lastReportSeq").asLong())
                .as("nothing was counted").isZero();
    }

    @Test
    void reportSequencesSurviveARestartSoAnOldReportStaysADuplicate() throws Exception {
        String token = world.register("sim-1", "phone-1", SECRET);
        world.device("POST", "sim-1", "/grants", token, "{}");
        assertThat(world.device("POST", "sim-1", "/reports", token, "{\"seq\":7,\"bytes\":1000}").status()).isEqualTo(200);
        world.close();
        world = DeviceWorld.start(dir, DeviceWorld.settings(Duration.ofMinutes(2)));
        assertThat(world.device("POST", "sim-1", "/reports", token, "{\"seq\":7,\"bytes\":1000}").body()
                .path("duplicate").asBoolean()).isTrue();
        DeviceWorld.Reply next = world.device("POST", "sim-1", "/reports", token, "{\"seq\":8,\"bytes\":500}");
        assertThat(next.body().path("reportedBytes").asLong()).isEqualTo(1500);
        assertThat(world.total("alice", "BYTES")).isEqualTo(5_000_000 - 1500);
    }

    @Test
    void anAgentBackFromOfflineSendsItsReportsInOneBatchEachAnsweredOnce() {
        String token = world.register("sim-1", "phone-1", SECRET);
        world.device("POST", "sim-1", "/grants", token, "{\"bytes\":1000000}");
        assertThat(world.device("POST", "sim-1", "/reports", token, "{\"seq\":1,\"bytes\":1000}").status())
                .isEqualTo(200);
        DeviceWorld.Reply batch = world.device("POST", "sim-1", "/reports", token, "{\"reports\":["
                + "{\"seq\":1,\"bytes\":1000},{\"seq\":2,\"bytes\":2000},{\"seq\":3,\"bytes\":3000,\"final\":true}]}");
        assertThat(batch.status()).as(batch.body().toString()).isEqualTo(200);
        assertThat(batch.body().path("reports")).hasSize(3);
        assertThat(batch.body().path("reports").get(0).path("duplicate").asBoolean()).as("seq 1 was counted").isTrue();
        assertThat(batch.body().path("reports").get(1).path("reportedBytes").asLong()).isEqualTo(3000);
        assertThat(batch.body().path("reports").get(2).path("reportedBytes").asLong()).isEqualTo(6000);
        assertThat(batch.body().path("reports").get(2).path("returnedBytes").asLong()).isEqualTo(994_000);
        assertThat(world.total("alice", "BYTES")).isEqualTo(5_000_000 - 6000);
        assertThat(world.available("alice", "BYTES")).as("the grant went back").isEqualTo(5_000_000 - 6000);

        DeviceWorld.Reply retried = world.device("POST", "sim-1", "/reports", token, "{\"reports\":["
                + "{\"seq\":2,\"bytes\":2000},{\"seq\":3,\"bytes\":3000,\"final\":true}]}");
        assertThat(retried.body().path("reports").findValuesAsText("duplicate")).containsOnly("true");
        assertThat(world.total("alice", "BYTES")).as("a retried batch charges nothing").isEqualTo(5_000_000 - 6000);

        DeviceWorld.Reply unordered = world.device("POST", "sim-1", "/reports", token,
                "{\"reports\":[{\"seq\":5,\"bytes\":1},{\"seq\":4,\"bytes\":1}]}");
        assertThat(unordered.status()).isEqualTo(400);
        assertThat(unordered.body().path("field").asText()).isEqualTo("reports[1].seq");
        DeviceWorld.Reply badItem = world.device("POST", "sim-1", "/reports", token,
                "{\"reports\":[{\"seq\":4,\"bytes\":-1}]}");
        assertThat(badItem.body().path("field").asText()).isEqualTo("reports[0].bytes");
        assertThat(world.device("POST", "sim-1", "/reports", token, "{\"reports\":[]}").body().path("field").asText())
                .isEqualTo("reports");
        assertThat(world.device("GET", "sim-1", "", token, null).body().path("lastReportSeq").asLong())
                .as("nothing of a refused batch was counted").isEqualTo(3);
    }
}
