package io.credence.server.nchf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.credence.nchf.nrf.ChfProfile;
import io.credence.server.ChfSettings;
import io.credence.server.CredenceServer;
import io.credence.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CHF at an NRF (TS 29.510 NFManagement), against {@link TestNrf}, which accepts only
 * schema-valid requests: registered with its profile, heartbeats at the interval the NRF imposes,
 * registered again after the NRF restarts, deregistered on a clean stop, under the same NF
 * instance id after its own restart, and registered once an NRF that was down at start comes up.
 */
class NrfRegistrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private ServerConfig config(TestNrf nrf) {
        ChfSettings chf = ChfSettings.NONE.withNrf(URI.create(nrf.apiRoot()), "127.0.0.1").withRanges(
                List.of(ChfProfile.Range.parse("001010000000000-001010999999999", 5, 15)),
                List.of(ChfProfile.Range.parse("pattern:^msisdn-4930[0-9]+$", 5, 15)),
                List.of(ChfProfile.Range.parse("00101", 5, 6)));
        return ServerConfig.defaults(dir.resolve("data")).withHttpPort(0).withChf(chf);
    }

    private static CredenceServer start(ServerConfig config) throws Exception {
        return CredenceServer.start(config, fatal -> {
            throw new AssertionError(fatal);
        });
    }

    @Test
    void registersBeatsAtTheNrfsIntervalRegistersAgainAfterItRestartsAndDeregistersOnStop() throws Exception {
        ThreeGppSchemas schemas = ThreeGppSchemas.get();
        try (TestNrf nrf = new TestNrf(schemas, 1).start()) {
            CredenceServer server = start(config(nrf));
            String id = server.nfInstanceId().toString();
            try {
                await("registered", () -> nrf.knows(id));
                TestNrf.Call put = nrf.calls("PUT").getFirst();
                assertThat(put.path()).isEqualTo("/nnrf-nfm/v1/nf-instances/" + id);
                JsonNode profile = JSON.readTree(put.body());
                assertThat(profile.path("nfType").asText()).isEqualTo("CHF");
                assertThat(profile.path("ipv4Addresses").get(0).asText()).isEqualTo("127.0.0.1");
                JsonNode service = profile.path("nfServiceList").path("nchf-convergedcharging");
                assertThat(service.path("serviceName").asText()).isEqualTo("nchf-convergedcharging");
                assertThat(service.path("versions").get(0).path("apiVersionInUri").asText()).isEqualTo("v3");
                assertThat(service.path("ipEndPoints").get(0).path("port").asInt()).isEqualTo(server.httpPort());
                assertThat(profile.path("chfInfo").path("supiRangeList").get(0).path("start").asText())
                        .isEqualTo("001010000000000");
                assertThat(profile.path("chfInfo").path("plmnRangeList").get(0).path("end").asText()).isEqualTo("00101");
                assertThat(profile.path("heartBeatTimer").asInt()).as("proposed").isEqualTo(30);

                // the NRF said 1 s: heartbeats come each second, not every 30
                await("two heartbeats", () -> nrf.calls("PATCH").size() >= 2);
                List<TestNrf.Call> beats = nrf.calls("PATCH");
                assertThat(beats.get(1).atMillis() - beats.get(0).atMillis()).isBetween(500L, 2500L);
                assertThat(nrf.calls()).as("HTTP/2 with prior knowledge (TS 29.500)").extracting(TestNrf.Call::version)
                        .containsOnly("HTTP/2.0");
                JsonNode health = health(server);
                assertThat(health.path("chf").path("nfInstanceId").asText()).isEqualTo(id);
                assertThat(health.path("chf").path("nrf").path("state").asText()).isEqualTo("REGISTERED");
                assertThat(health.path("chf").path("nrf").path("heartbeatSeconds").asInt()).isEqualTo(1);

                // the NRF restarts and forgets: the next heartbeat gets 404 and the CHF registers again
                nrf.stop();
                nrf.start();
                assertThat(nrf.knows(id)).isFalse();
                await("registered again", () -> nrf.knows(id));
                assertThat(nrf.calls("PUT")).hasSizeGreaterThanOrEqualTo(2);
            } finally {
                server.close();
            }
            assertThat(nrf.calls().getLast().method()).as("the last request").isEqualTo("DELETE");
            assertThat(nrf.knows(id)).as("deregistered").isFalse();

            // the same data directory is the same NF instance
            try (CredenceServer again = start(config(nrf))) {
                assertThat(again.nfInstanceId().toString()).isEqualTo(id);
                await("registered after the restart", () -> nrf.knows(id));
            }
            assertThat(nrf.violations()).as("requests the NRF found invalid by TS 29.510").isEmpty();
        }
    }

    @Test
    void anNrfDownAtStartIsRegisteredAtOnceItAnswersAndChargingDoesNotWait() throws Exception {
        ThreeGppSchemas schemas = ThreeGppSchemas.get();
        try (TestNrf nrf = new TestNrf(schemas, 5).start()) {
            nrf.stop();
            UUID given = UUID.fromString("5b0c3f3e-2a4e-4d0a-9d1e-1f6f3b9b7c11");
            ServerConfig config = config(nrf);
            config = config.withChf(new ChfSettings(given, config.chf().nrf(), "127.0.0.1", List.of(), List.of(),
                    List.of(), 30, null));
            try (CredenceServer server = start(config)) {
                assertThat(server.nfInstanceId()).isEqualTo(given);
                // serving meanwhile
                assertThat(health(server).path("status").asText()).isEqualTo("UP");
                await("a failed attempt", () -> health(server).path("chf").path("nrf").path("failures").asLong() > 0);
                assertThat(health(server).path("chf").path("nrf").path("state").asText()).isEqualTo("REGISTERING");
                nrf.start();
                await("registered once the NRF answers", () -> nrf.knows(given.toString()));
                JsonNode profile = JSON.readTree(nrf.calls("PUT").getLast().body());
                assertThat(profile.has("chfInfo")).as("no ranges given, none said").isFalse();
            }
            assertThat(nrf.violations()).isEmpty();
        }
    }

    private static JsonNode health(CredenceServer server) {
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + server.httpPort() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(r.body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        io.credence.testkit.Await.until(what, java.time.Duration.ofSeconds(20), condition);
    }
}
