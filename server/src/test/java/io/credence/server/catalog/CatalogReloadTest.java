package io.credence.server.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.credence.diameter.cc.CreditControlConfig;
import io.credence.diameter.peer.LocalIdentity;
import io.credence.diameter.transport.TransportConfig;
import io.credence.journal.JournalConfig;
import io.credence.ledger.LedgerLimits;
import io.credence.server.CredenceServer;
import io.credence.server.DiameterSettings;
import io.credence.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** A running server reloads its catalog on request; a bad file is refused and the old catalog stays. */
class CatalogReloadTest {
    @TempDir
    Path dir;

    private static HttpResponse<String> call(HttpClient http, String method, URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aGoodEditIsTakenABadOneIsRefusedNamingTheLine() throws Exception {
        Path file = dir.resolve("catalog.json");
        String text = Files.readString(CatalogFileTest.EXAMPLE);
        Files.writeString(file, text);
        LocalIdentity ocs = new LocalIdentity("ocs.reload.test", "credence.test", List.of(new byte[] {127, 0, 0, 1}), 0,
                "credence", 1);
        DiameterSettings diameter = new DiameterSettings(TransportConfig.defaults("127.0.0.1", 0), ocs, Set.of(),
                CreditControlConfig.defaults(), CatalogFile.read(file), file);
        ObjectMapper json = new ObjectMapper();
        HttpClient http = HttpClient.newHttpClient();
        try (CredenceServer server = CredenceServer.start(new ServerConfig(dir.resolve("data"), "127.0.0.1", 0, "EUR",
                16, 64, JournalConfig.DEFAULTS, LedgerLimits.DEFAULTS, diameter), fatal -> { throw new AssertionError(fatal); })) {
            URI base = URI.create("http://127.0.0.1:" + server.httpPort() + "/v1/");
            JsonNode before = json.readTree(call(http, "GET", base.resolve("catalog")).body());
            assertThat(before.path("version").asText()).isEqualTo("2026-11-24.1");
            assertThat(before.path("rules").asInt()).isEqualTo(7);

            Files.writeString(file, text.replace("\"zone\": \"Europe/Berlin\"", "\"zone\": \"Nowhere/Here\""));
            HttpResponse<String> refused = call(http, "POST", base.resolve("catalog/reload"));
            assertThat(refused.statusCode()).isEqualTo(422);
            JsonNode problem = json.readTree(refused.body());
            assertThat(problem.path("type").asText()).isEqualTo("urn:credence:problem:catalog-refused");
            assertThat(problem.path("detail").asText()).contains(file + ":4:").contains("not a time zone");
            assertThat(json.readTree(call(http, "GET", base.resolve("catalog")).body()).path("version").asText())
                    .isEqualTo("2026-11-24.1");

            Files.writeString(file, text.replace("2026-11-24.1", "2026-11-25.1"));
            HttpResponse<String> loaded = call(http, "POST", base.resolve("catalog/reload"));
            assertThat(loaded.statusCode()).isEqualTo(200);
            assertThat(json.readTree(loaded.body()).path("version").asText()).isEqualTo("2026-11-25.1");
            assertThat(json.readTree(call(http, "GET", base.resolve("catalog")).body()).path("version").asText())
                    .isEqualTo("2026-11-25.1");

            // the same through the command line: taken (exit 0), then refused (exit 1), catalog unchanged
            String url = "http://127.0.0.1:" + server.httpPort();
            assertThat(io.credence.server.Main.commandLine().execute("catalog", "reload", "--server", url)).isZero();
            Files.writeString(file, text.replace("\"charge\": \"sms\"", "\"charge\": \"smz\""));
            assertThat(io.credence.server.Main.commandLine().execute("catalog", "reload", "--server", url)).isEqualTo(1);
            assertThat(json.readTree(call(http, "GET", base.resolve("catalog")).body()).path("version").asText())
                    .isEqualTo("2026-11-25.1");
        }
    }

    @Test
    void anEditedFileIsTakenWithoutBeingAskedAndABrokenEditIsNot() throws Exception {
        Path file = dir.resolve("catalog.json");
        String text = Files.readString(CatalogFileTest.EXAMPLE);
        Files.writeString(file, text);
        // the engine the holder puts each good edit in force in: the same one the server runs
        io.credence.charging.ChargingEngine engine = new io.credence.charging.ChargingEngine(
                io.credence.ledger.LedgerLimits.DEFAULTS, CatalogFile.READER);
        try (CatalogHolder holder = new CatalogHolder(file, source -> ((io.credence.charging.EngineOutcome.CatalogInstalled)
                engine.apply(new io.credence.charging.EngineCommand.InstallCatalog(source), System.currentTimeMillis()))
                .refusal())) {
            holder.watch(java.time.Duration.ofMillis(50));
            Files.writeString(file, text.replace("2026-11-24.1", "2026-11-26.1"));
            awaitVersion(holder, "2026-11-26.1");
            // a broken edit is refused and the catalog in force stays, however often the file is looked at
            Files.writeString(file, text.replace("2026-11-24.1", "2026-11-27.1").replace("\"charge\": \"sms\"",
                    "\"charge\": \"smz\""));
            Thread.sleep(300);
            assertThat(holder.inForce().catalog().version()).isEqualTo("2026-11-26.1");
            // the next good edit is taken again
            Files.writeString(file, text.replace("2026-11-24.1", "2026-11-28.1"));
            awaitVersion(holder, "2026-11-28.1");
            synchronized (holder) { // the watcher's last install happened under the holder's lock
                assertThat(engine.catalogVersion()).contains("2026-11-28.1");
            }
        }
    }

    /** Polls until the watcher took the edit; fails after 10 s (not a timing assertion: a generous ceiling). */
    private static void awaitVersion(CatalogHolder holder, String version) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!holder.inForce().catalog().version().equals(version) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(holder.inForce().catalog().version()).isEqualTo(version);
    }
}
