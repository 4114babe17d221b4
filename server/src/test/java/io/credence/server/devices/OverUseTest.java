package io.credence.server.devices;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What integrators of devices and base stations met: usage past what was given is no longer
 * silent. A device report past its grant is charged, logged (at most a line per 10 s) and
 * counted; a share report past its limit says in its answer what was not settled, and is logged
 * and counted; and a supplier finds the usage records of what it shared under its own account.
 */
class OverUseTest {
    private static final long MB = 1_000_000;
    private static final String BS_SECRET = "bs-1-station-secret-01";

    @TempDir
    Path dir;
    DeviceWorld world;
    final List<String> warnings = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            warnings.add(record.getLoggerName() + ": " + record.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void start() throws Exception {
        world = DeviceWorld.start(dir, DeviceWorld.settings(Duration.ofMinutes(2)));
        Logger.getLogger("io.credence.devices.DeviceQuota").addHandler(capture);
        Logger.getLogger("io.credence.devices.DataShares").addHandler(capture);
    }

    @AfterEach
    void stop() throws Exception {
        Logger.getLogger("io.credence.devices.DeviceQuota").removeHandler(capture);
        Logger.getLogger("io.credence.devices.DataShares").removeHandler(capture);
        world.close();
    }

    @Test
    void aDeviceReportPastItsGrantIsChargedLoggedOnceAndCounted() throws Exception {
        world.subscriber("alice", 10 * MB, 0);
        world.sim("sim-alice", "alice", "alice-sim-secret-0123");
        String token = world.register("sim-alice", "phone-a", "alice-sim-secret-0123");
        assertThat(world.device("POST", "sim-alice", "/grants", token, "{\"bytes\":1000}").body().path("bytes").asLong())
                .isEqualTo(1000);
        assertThat(world.device("POST", "sim-alice", "/reports", token, "{\"seq\":1,\"bytes\":5000}").status())
                .isEqualTo(200);
        assertThat(world.total("alice", "BYTES")).as("charged all it used").isEqualTo(10 * MB - 5000);
        assertThat(world.device("POST", "sim-alice", "/grants", token, "{\"bytes\":1000}").status()).isEqualTo(200);
        assertThat(world.device("POST", "sim-alice", "/reports", token, "{\"seq\":2,\"bytes\":3000}").status())
                .isEqualTo(200);

        String metrics = metrics();
        assertThat(sample(metrics, "credence_device_reports_over_grant_total")).isEqualTo(2);
        assertThat(sample(metrics, "credence_device_report_bytes_over_grant_total")).isEqualTo(4000 + 2000);
        assertThat(metrics).contains("# TYPE credence_device_reports_over_grant_total counter");
        List<String> lines = warnings.stream().filter(w -> w.contains("past the grant")).toList();
        assertThat(lines).as("one line per 10 s, however many reports").hasSize(1);
        assertThat(lines.getFirst()).contains("SIM sim-alice").contains("report 1").contains("5000 bytes on a grant of 1000");
    }

    @Test
    void aShareReportPastItsLimitSaysWhatWasNotSettledAndTheSupplierFindsTheRecords() throws Exception {
        world.subscriber("alice", 10 * MB, 0);
        world.subscriber("bob", 0, 1000);
        world.sim("sim-alice", "alice", "alice-sim-secret-0123");
        world.sim("sim-bob", "bob", "bob-sim-secret-012345");
        String alice = world.register("sim-alice", "phone-a", "alice-sim-secret-0123");
        String bob = world.register("sim-bob", "phone-b", "bob-sim-secret-012345");
        world.baseStation("bs-1", BS_SECRET);
        DeviceWorld.Reply opened = world.station("POST", "/v1/shares", "bs-1", BS_SECRET, "{\"requestId\":\"r1\","
                + "\"borrower\":{\"simId\":\"sim-bob\",\"token\":\"" + bob + "\"},"
                + "\"supplier\":{\"simId\":\"sim-alice\",\"token\":\"" + alice + "\"},\"bytes\":" + MB + "}");
        assertThat(opened.status()).as(opened.body().toString()).isEqualTo(201);
        String id = opened.body().path("shareId").asText();

        DeviceWorld.Reply within = usage(id, 400_000, false);
        assertThat(within.body().path("overLimitBytes").asLong()).isZero();
        DeviceWorld.Reply past = usage(id, 1_500_000, false);
        assertThat(past.status()).isEqualTo(200);
        assertThat(past.body().path("usedBytes").asLong()).isEqualTo(MB);
        assertThat(past.body().path("overLimitBytes").asLong()).as("served but not settled").isEqualTo(500_000);
        assertThat(past.body().path("cutOff").asBoolean()).isTrue();
        assertThat(usage(id, 1_600_000, true).body().path("overLimitBytes").asLong()).isEqualTo(600_000);
        assertThat(world.total("alice", "BYTES")).as("only the limit is charged").isEqualTo(9 * MB);

        assertThat(sample(metrics(), "credence_share_reports_over_limit_total")).isEqualTo(2);
        assertThat(warnings.stream().filter(w -> w.contains("past it are not settled")).toList()).hasSize(1)
                .first().asString().contains("share " + id).contains("1500000 bytes on a limit of 1000000");

        // the records are about the borrower, and charge the supplier: both find them
        for (String account : List.of("bob", "alice")) {
            JsonNode records = world.admin("GET", "/v1/records?account=" + account, null).body().path("records");
            assertThat(records).as(account).hasSize(2);
            assertThat(records.get(0).path("sessionId").asText()).isEqualTo(id);
        }
        assertThat(world.admin("GET", "/v1/records?account=carol", null).body().path("records")).isEmpty();
    }

    private DeviceWorld.Reply usage(String shareId, long total, boolean last) {
        return world.station("POST", "/v1/shares/" + shareId + "/usage", "bs-1", BS_SECRET,
                "{\"totalBytes\":" + total + ",\"final\":" + last + "}");
    }

    private String metrics() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + world.server.httpPort() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private static long sample(String metrics, String name) {
        return metrics.lines().filter(l -> l.startsWith(name + " ")).mapToLong(l -> Long.parseLong(l.split(" ")[1]))
                .findFirst().orElseThrow(() -> new AssertionError(name + " not in /metrics"));
    }
}
