package io.credence.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.credence.diameter.cc.CreditControlConfig;
import io.credence.diameter.peer.LocalIdentity;
import io.credence.diameter.transport.TransportConfig;
import io.credence.http.ApiKeys;
import io.credence.journal.JournalConfig;
import io.credence.ledger.LedgerLimits;
import io.credence.server.catalog.CatalogFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A server with API keys, the example catalog (so catalog and admission routes answer) and
 * Diameter on loopback, and a client that sends a key of a chosen role.
 */
final class SecuredServer {
    static final String ADMIN = "admin-key-0123456789abcdef0123456789";
    static final String NETWORK_FUNCTION = "nf-key-0123456789abcdef0123456789ab";
    static final String DEVICE = "device-key-0123456789abcdef012345678";
    static final String READ_ONLY = "ro-key-0123456789abcdef0123456789abc";
    static final Path EXAMPLE_CATALOG = Path.of(System.getProperty("basedir", ".")).resolve("../examples/catalog.json");
    static final LocalIdentity OCS = new LocalIdentity("ocs.sec.test", "credence.test",
            List.of(new byte[] {127, 0, 0, 1}), 0, "credence", 1);
    static final LocalIdentity PGW = new LocalIdentity("pgw.sec.test", "epc.test",
            List.of(new byte[] {127, 0, 0, 1}), 10415, "test-pgw", 1);

    record Reply(int status, HttpHeaders headers, String raw) {
        JsonNode json() {
            try {
                return Http.JSON.readTree(raw);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String problemType() {
            return raw.startsWith("{") ? json().path("type").asText("") : "";
        }
    }

    private SecuredServer() {}

    static Path keysFile(Path dir) throws IOException {
        Path file = dir.resolve("api-keys");
        Files.writeString(file, String.join("\n",
                "# name role sha256",
                "ops admin " + ApiKeys.digestHex(ADMIN),
                "smf-1 network-function " + ApiKeys.digestHex(NETWORK_FUNCTION).toUpperCase(),
                "", "sim-1 device " + ApiKeys.digestHex(DEVICE),
                "grafana read-only " + ApiKeys.digestHex(READ_ONLY)) + "\n");
        return file;
    }

    static CredenceServer start(Path dir) throws Exception {
        DiameterSettings diameter = new DiameterSettings(TransportConfig.defaults("127.0.0.1", 0), OCS,
                Set.of(PGW.originHost()), CreditControlConfig.defaults(), CatalogFile.readAll(EXAMPLE_CATALOG),
                EXAMPLE_CATALOG, Duration.ZERO);
        ServerConfig config = new ServerConfig(dir.resolve("data"), "127.0.0.1", 0, "EUR", 16, 64,
                JournalConfig.DEFAULTS, LedgerLimits.DEFAULTS, diameter)
                .withHttpAccess(new HttpAccess(ApiKeys.read(keysFile(dir)), null));
        return CredenceServer.start(config, fatal -> { throw new AssertionError(fatal); });
    }

    static final class Client {
        private final HttpClient http;
        private final URI base;

        Client(HttpClient http, String scheme, int port) {
            this.http = http;
            this.base = URI.create(scheme + "://127.0.0.1:" + port);
        }

        Client(int port) {
            this(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build(), "http", port);
        }

        /** @param key sent as a Bearer token, or null for none */
        Reply call(String method, String path, String key, String json) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20));
            if (key != null) {
                request.header("Authorization", "Bearer " + key);
            }
            return send(request, method, json);
        }

        Reply send(HttpRequest.Builder request, String method, String json) {
            if (json != null) {
                request.header("Content-Type", "application/json");
            }
            request.method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json));
            try {
                HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                return new Reply(r.statusCode(), r.headers(), r.body());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        HttpRequest.Builder builder(String path) {
            return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20));
        }
    }
}
