package io.credence.server.devices;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.credence.devices.DeviceQuotaConfig;
import io.credence.http.ApiKeys;
import io.credence.journal.JournalConfig;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.ServiceRef;
import io.credence.server.CredenceServer;
import io.credence.server.DeviceSettings;
import io.credence.server.HttpAccess;
import io.credence.server.ServerConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real server on loopback with API keys for an admin, a base station (network function) and
 * devices, and the provisioning steps the device and share tests share.
 */
final class DeviceWorld implements AutoCloseable {
    static final String ADMIN = "admin-key-0123456789abcdef0123456789";
    /** Bound to base station bs-1 ({@code base-station:bs-1} in the keys file). */
    static final String BASE_STATION_KEY = "bs-key-0123456789abcdef0123456789abc";
    /** Keys of the other base stations the tests provision, each bound to its own. */
    static final Map<String, String> STATION_KEYS = Map.of("bs-1", BASE_STATION_KEY,
            "bs-home", "bs-home-key-0123456789abcdef01234567", "bs-other", "bs-other-key-0123456789abcdef0123456");
    /** Bound to the market operator telco. */
    static final String OPERATOR_KEY = "telco-key-0123456789abcdef0123456789";
    /** A network function bound to no principal (an SMF charging over Nchf). */
    static final String UNBOUND_NF_KEY = "smf-key-0123456789abcdef0123456789ab";
    static final String DEVICE = "device-key-0123456789abcdef012345678";
    static final ObjectMapper JSON = new ObjectMapper();

    record Reply(int status, JsonNode body) {
        String problemType() {
            return body.path("type").asText("").replace("urn:credence:problem:", "");
        }
    }

    final CredenceServer server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final URI base;

    private DeviceWorld(CredenceServer server) {
        this.server = server;
        this.base = URI.create("http://127.0.0.1:" + server.httpPort());
    }

    static DeviceWorld start(Path dir, DeviceSettings devices) throws Exception {
        return start(dir, devices, io.credence.server.MarketSettings.IN_PROCESS);
    }

    static DeviceWorld start(Path dir, DeviceSettings devices, io.credence.server.MarketSettings market) throws Exception {
        Files.createDirectories(dir);
        Path keys = dir.resolve("api-keys");
        StringBuilder lines = new StringBuilder("ops admin " + ApiKeys.digestHex(ADMIN) + "\n"
                + "phones device " + ApiKeys.digestHex(DEVICE) + "\n"
                + "telco-oss network-function " + ApiKeys.digestHex(OPERATOR_KEY) + " operator:telco\n"
                + "smf network-function " + ApiKeys.digestHex(UNBOUND_NF_KEY) + "\n");
        STATION_KEYS.forEach((station, key) -> lines.append(station).append(" network-function ")
                .append(ApiKeys.digestHex(key)).append(" base-station:").append(station).append("\n"));
        Files.writeString(keys, lines);
        ServerConfig config = new ServerConfig(dir.resolve("data"), "127.0.0.1", 0, "EUR", 16, 64,
                JournalConfig.DEFAULTS, LedgerLimits.DEFAULTS, null)
                .withHttpAccess(new HttpAccess(ApiKeys.read(keys), null))
                .withDevices(devices)
                .withMarket(market);
        return new DeviceWorld(CredenceServer.start(config, fatal -> { throw new AssertionError(fatal); }));
    }

    static DeviceSettings settings(Duration shareHold) {
        return new DeviceSettings(new DeviceQuotaConfig("system", ServiceRef.ratingGroup(10), 1_000_000, 10_000_000,
                Duration.ofMinutes(30)), shareHold, 1_000);
    }

    Reply call(String method, String path, String key, String json, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20));
        request.header("Authorization", "Bearer " + key);
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        request.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        try {
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A GET whose answer is raw bytes (the market log file). */
    byte[] download(String path, String key) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + key).GET().build();
        try {
            HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            assertThat(r.statusCode()).isEqualTo(200);
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Reply admin(String method, String path, String json) {
        return call(method, path, ADMIN, json);
    }

    /** A subscriber with {@code bytes} of data (rating group 10) and {@code money} minor units. */
    void subscriber(String accountId, long bytes, long money) {
        assertThat(admin("POST", "/v1/accounts", "{\"requestId\":\"acc-" + accountId + "\",\"accountId\":\"" + accountId
                + "\",\"kind\":\"SUBSCRIBER\"}").status()).isEqualTo(201);
        if (bytes > 0) {
            assertThat(admin("POST", "/v1/accounts/" + accountId + "/buckets", "{\"requestId\":\"pack-" + accountId
                    + "\",\"unit\":\"BYTES\",\"amount\":" + bytes + ",\"validUntil\":\"2999-01-01T00:00:00Z\","
                    + "\"priority\":5,\"ratingGroups\":[10]}").status()).isEqualTo(201);
        }
        if (money > 0) {
            assertThat(admin("POST", "/v1/accounts/" + accountId + "/topups", "{\"requestId\":\"money-" + accountId
                    + "\",\"unit\":\"MONEY\",\"amount\":" + money + "}").status()).isEqualTo(201);
        }
    }

    void sim(String simId, String accountId, String secret) {
        Reply r = admin("POST", "/v1/sims", "{\"simId\":\"" + simId + "\",\"accountId\":\"" + accountId
                + "\",\"secret\":\"" + secret + "\"}");
        assertThat(r.status()).as(r.body().toString()).isEqualTo(201);
    }

    /** Registers the SIM from {@code deviceId}; returns the device token. */
    String register(String simId, String deviceId, String secret) {
        Reply r = call("POST", "/v1/devices/" + simId + "/register", DEVICE,
                "{\"deviceId\":\"" + deviceId + "\",\"simSecret\":\"" + secret + "\"}");
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return r.body().path("token").asText();
    }

    Reply device(String method, String simId, String tail, String token, String json) {
        return call(method, "/v1/devices/" + simId + tail, DEVICE, json, "Credence-Device-Token", token);
    }

    void baseStation(String id, String secret) {
        assertThat(admin("POST", "/v1/base-stations", "{\"baseStationId\":\"" + id + "\",\"secret\":\"" + secret + "\"}")
                .status()).isEqualTo(201);
    }

    /** A base station's call, with the key bound to it (bs-1's for a station without one of its own). */
    Reply station(String method, String path, String id, String secret, String json) {
        return call(method, path, STATION_KEYS.getOrDefault(id, BASE_STATION_KEY), json, "Credence-Base-Station-Id", id,
                "Credence-Base-Station-Secret", secret);
    }

    /** The account's total of {@code unit} (held amounts included), as the ledger shows it. */
    long total(String accountId, String unit) {
        return bucketSum(accountId, unit, "amount");
    }

    /** What a new reservation of {@code unit} could take from the account now. */
    long available(String accountId, String unit) {
        return bucketSum(accountId, unit, "available");
    }

    /** Over the main balance and every bucket of the unit. */
    private long bucketSum(String accountId, String unit, String field) {
        long sum = 0;
        for (JsonNode b : admin("GET", "/v1/accounts/" + accountId, null).body().path("buckets")) {
            if (b.path("unit").asText().equals(unit)) {
                sum += b.path(field).asLong();
            }
        }
        return sum;
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}
