package io.credence.server;

import io.credence.server.SecuredServer.Client;
import io.credence.server.SecuredServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.credence.server.SecuredServer.ADMIN;
import static io.credence.server.SecuredServer.DEVICE;
import static io.credence.server.SecuredServer.NETWORK_FUNCTION;
import static io.credence.server.SecuredServer.READ_ONLY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The HTTP port with API keys: nothing that changes state happens without a key (401) or with a
 * key whose role does not allow it (403), and the state after all those refusals is the state
 * before them; the right role gets through; operators' endpoints need no key.
 */
class ApiKeysAccessTest {
    record Call(String method, String path, String body) {}

    @TempDir
    Path dir;

    /** Every state-changing route of /v1, with bodies an admin would get accepted. */
    private static List<Call> mutating(long reservationId) {
        return List.of(
                new Call("POST", "/v1/accounts", "{\"accountId\":\"mallory\",\"kind\":\"SUBSCRIBER\"}"),
                new Call("PATCH", "/v1/accounts/alice", "{\"status\":\"SUSPENDED\"}"),
                new Call("POST", "/v1/accounts/alice/topups", "{\"unit\":\"MONEY\",\"amount\":5}"),
                new Call("POST", "/v1/accounts/alice/buckets", "{\"unit\":\"BYTES\",\"amount\":5}"),
                new Call("POST", "/v1/accounts/alice/identities", "{\"type\":\"E164\",\"value\":\"4917000002\"}"),
                new Call("DELETE", "/v1/identities/E164/4917000001", null),
                new Call("POST", "/v1/transfers", "{\"from\":\"alice\",\"to\":\"bob\",\"unit\":\"MONEY\",\"amount\":5}"),
                new Call("POST", "/v1/reservations", "{\"accountId\":\"alice\",\"unit\":\"MONEY\",\"amount\":5,\"ttlSeconds\":60}"),
                new Call("POST", "/v1/reservations/" + reservationId + "/commit", "{\"amount\":10}"),
                new Call("POST", "/v1/reservations/" + reservationId + "/release", "{}"),
                new Call("POST", "/v1/catalog/reload", null),
                new Call("POST", "/v1/admissions", "{\"admissionId\":\"adm-1\",\"layer\":\"service\",\"parameters\":"
                        + "{\"bandwidthKbps\":64},\"ttlSeconds\":60}"),
                new Call("DELETE", "/v1/admissions/adm-0", null),
                new Call("POST", "/v1/sessions/any-session/reauth", null),
                new Call("POST", "/v1/sessions/any-session/abort", null));
    }

    private static Map<String, String> state(Client client, long reservationId) {
        Map<String, String> state = new LinkedHashMap<>();
        for (String path : List.of("/v1/accounts/alice", "/v1/accounts/bob", "/v1/accounts/mallory",
                "/v1/reservations/" + reservationId, "/v1/identities/E164/4917000001", "/v1/identities/E164/4917000002",
                "/v1/admissions/pools", "/v1/catalog")) {
            Reply r = client.call("GET", path, ADMIN, null);
            state.put(path, r.status() + " " + r.raw().replaceAll("\"asOf\":\"[^\"]*\"", "")); // the clock moves
        }
        Reply ledger = client.call("GET", "/v1/ledger", ADMIN, null);
        ledger.json().properties().forEach(f -> {
            if (!f.getKey().equals("time")) {
                state.put("ledger." + f.getKey(), f.getValue().toString());
            }
        });
        return state;
    }

    @Test
    void nothingChangesWithoutAKeyOrWithTheWrongRoleAndTheAdminKeyWorks() throws Exception {
        try (CredenceServer server = SecuredServer.start(dir)) {
            Client client = new Client(server.httpPort());
            assertThat(client.call("POST", "/v1/accounts", ADMIN, "{\"accountId\":\"alice\",\"kind\":\"SUBSCRIBER\"}")
                    .status()).isEqualTo(201);
            assertThat(client.call("POST", "/v1/accounts", ADMIN, "{\"accountId\":\"bob\",\"kind\":\"SUBSCRIBER\"}")
                    .status()).isEqualTo(201);
            assertThat(client.call("POST", "/v1/accounts/alice/topups", ADMIN, "{\"unit\":\"MONEY\",\"amount\":1000}")
                    .status()).isEqualTo(201);
            assertThat(client.call("POST", "/v1/accounts/alice/identities", ADMIN,
                    "{\"type\":\"E164\",\"value\":\"4917000001\"}").status()).isEqualTo(201);
            Reply reserved = client.call("POST", "/v1/reservations", ADMIN,
                    "{\"accountId\":\"alice\",\"unit\":\"MONEY\",\"amount\":100,\"ttlSeconds\":600}");
            assertThat(reserved.status()).as(reserved.raw()).isEqualTo(201);
            long reservationId = reserved.json().path("reservationId").asLong();
            Map<String, String> before = state(client, reservationId);
            assertThat(before.get("/v1/accounts/alice")).startsWith("200 ");
            assertThat(before.get("ledger.openReservations")).isEqualTo("1");

            for (Call call : mutating(reservationId)) {
                Reply none = client.call(call.method(), call.path(), null, call.body());
                assertThat(none.status()).as(call + " without a key: " + none.raw()).isEqualTo(401);
                assertThat(none.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
                assertThat(none.problemType()).isEqualTo("urn:credence:problem:unauthorized");
                assertThat(none.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer");
                Reply unknown = client.call(call.method(), call.path(), "not-a-key-we-issued", call.body());
                assertThat(unknown.status()).as(call + " with an unknown key").isEqualTo(401);
                for (String key : List.of(READ_ONLY, NETWORK_FUNCTION, DEVICE)) {
                    Reply wrongRole = client.call(call.method(), call.path(), key, call.body());
                    assertThat(wrongRole.status()).as(call + " with " + key + ": " + wrongRole.raw()).isEqualTo(403);
                    assertThat(wrongRole.problemType()).isEqualTo("urn:credence:problem:forbidden");
                }
            }
            assertThat(state(client, reservationId)).isEqualTo(before);

            // the admin key changes things, in the X-API-Key header as well as a Bearer token
            Reply topUp = client.send(client.builder("/v1/accounts/alice/topups").header("X-API-Key", ADMIN), "POST",
                    "{\"unit\":\"MONEY\",\"amount\":5}");
            assertThat(topUp.status()).as(topUp.raw()).isEqualTo(201);
            assertThat(client.call("POST", "/v1/transfers", ADMIN,
                    "{\"from\":\"alice\",\"to\":\"bob\",\"unit\":\"MONEY\",\"amount\":5}").status()).isEqualTo(201);
            assertThat(client.call("POST", "/v1/reservations/" + reservationId + "/commit", ADMIN, "{\"amount\":10}")
                    .status()).isEqualTo(200);
            assertThat(client.call("DELETE", "/v1/identities/E164/4917000001", ADMIN, null).status()).isEqualTo(200);
            assertThat(client.call("PATCH", "/v1/accounts/bob", ADMIN, "{\"status\":\"SUSPENDED\"}").status())
                    .isEqualTo(200);
            assertThat(client.call("GET", "/v1/accounts/alice", ADMIN, null).json().path("balances").path(0)
                    .path("total").asLong()).isEqualTo(1000 + 5 - 5 - 10);

            // two different keys in one request are no key
            Reply twoKeys = client.send(client.builder("/v1/ledger").header("Authorization", "Bearer " + ADMIN)
                    .header("X-API-Key", READ_ONLY), "GET", null);
            assertThat(twoKeys.status()).isEqualTo(401);
        }
    }

    @Test
    void readersMayGetNetworkFunctionsReachNchfDevicesOnlyTheirPathsOperatorsNeedNoKey() throws Exception {
        try (CredenceServer server = SecuredServer.start(dir)) {
            Client client = new Client(server.httpPort());
            assertThat(client.call("POST", "/v1/accounts", ADMIN, "{\"accountId\":\"carol\",\"kind\":\"SUBSCRIBER\"}")
                    .status()).isEqualTo(201);
            for (String key : List.of(ADMIN, READ_ONLY, NETWORK_FUNCTION)) {
                assertThat(client.call("GET", "/v1/accounts/carol", key, null).status()).as(key).isEqualTo(200);
                assertThat(client.call("GET", "/v1/ledger", key, null).status()).as(key).isEqualTo(200);
                assertThat(client.call("GET", "/v1/catalog", key, null).status()).as(key).isEqualTo(200);
            }
            assertThat(client.call("GET", "/v1/accounts/carol", DEVICE, null).status()).isEqualTo(403);
            assertThat(client.call("GET", "/v1/accounts/carol", null, null).status()).isEqualTo(401);
            // a quote is a POST but changes nothing: whoever may read /v1 may ask for one (the console's
            // rating tester); a device may not
            assertThat(client.call("POST", "/v1/catalog/quote", READ_ONLY, "{\"service\":\"voice\"}").status())
                    .isEqualTo(200);
            assertThat(client.call("POST", "/v1/catalog/quote", DEVICE, "{\"service\":\"voice\"}").status())
                    .isEqualTo(403);

            // past the key check a device still needs its device token; an admin needs none (the SIM is unknown)
            assertThat(client.call("GET", "/v1/devices/sim-1", DEVICE, null).problemType())
                    .isEqualTo("urn:credence:problem:device-token");
            assertThat(client.call("GET", "/v1/devices/sim-1", ADMIN, null).problemType())
                    .isEqualTo("urn:credence:problem:unknown-sim");
            assertThat(client.call("GET", "/v1/%64evices/sim-1", DEVICE, null).problemType())
                    .isEqualTo("urn:credence:problem:device-token");
            assertThat(client.call("GET", "/v1/devices/sim-1", READ_ONLY, null).status()).isEqualTo(403);
            // base stations are network functions; devices and readers do not reach the share routes
            assertThat(client.call("GET", "/v1/shares/abc", NETWORK_FUNCTION, null).problemType())
                    .isEqualTo("urn:credence:problem:invalid-field");
            assertThat(client.call("GET", "/v1/shares/abc", DEVICE, null).status()).isEqualTo(403);
            assertThat(client.call("GET", "/v1/shares/abc", READ_ONLY, null).status()).isEqualTo(403);
            Reply nchf = client.call("POST", "/nchf-convergedcharging/v3/chargingdata", NETWORK_FUNCTION, "{}");
            assertThat(nchf.status()).isNotIn(401, 403);
            assertThat(client.call("POST", "/nchf-convergedcharging/v3/chargingdata", ADMIN, "{}").status())
                    .isNotIn(401, 403);
            for (String key : List.of(READ_ONLY, DEVICE)) {
                assertThat(client.call("POST", "/nchf-convergedcharging/v3/chargingdata", key, "{}").status()).as(key)
                        .isEqualTo(403);
            }
            assertThat(client.call("POST", "/nchf-convergedcharging/v3/chargingdata", null, "{}").status())
                    .isEqualTo(401);
            // an unknown path tells nothing to a caller without a key
            assertThat(client.call("GET", "/admin/secret", null, null).status()).isEqualTo(401);

            for (String path : List.of("/health", "/health/live", "/health/ready", "/metrics", "/openapi.json")) {
                assertThat(client.call("GET", path, null, null).status()).as(path).isEqualTo(200);
            }
        }
    }

    @Test
    void theHttpPortServesHttpsWithAKeyStore() throws Exception {
        Path store = dir.resolve("http.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "http", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
        assertThat(keytool.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(new String(keytool.getInputStream().readAllBytes())).isZero();

        ServerConfig config = ServerConfig.defaults(dir.resolve("data"));
        config = new ServerConfig(config.dataDir(), "127.0.0.1", 0, "EUR", 16, 64, config.journal(), config.limits(),
                null, new HttpAccess(io.credence.http.ApiKeys.read(SecuredServer.keysFile(dir)),
                new io.credence.http.HttpServer.Tls(store, "changeit")), null);
        try (CredenceServer server = CredenceServer.start(config, fatal -> { throw new AssertionError(fatal); })) {
            java.security.KeyStore trusted = java.security.KeyStore.getInstance("PKCS12");
            try (var in = java.nio.file.Files.newInputStream(store)) {
                trusted.load(in, "changeit".toCharArray());
            }
            javax.net.ssl.TrustManagerFactory trust = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
            tls.init(null, trust.getTrustManagers(), null);
            Client client = new Client(java.net.http.HttpClient.newBuilder().sslContext(tls).build(), "https",
                    server.httpPort());
            assertThat(client.call("GET", "/health/live", null, null).status()).isEqualTo(200);
            assertThat(client.call("GET", "/v1/ledger", READ_ONLY, null).status()).isEqualTo(200);
            assertThat(client.call("GET", "/v1/ledger", null, null).status()).isEqualTo(401);
            // a 5G network function asks for h2 by ALPN and gets it; the JDK's client is one such
            java.net.http.HttpClient h2Client = java.net.http.HttpClient.newBuilder().sslContext(tls)
                    .version(java.net.http.HttpClient.Version.HTTP_2).build();
            java.net.http.HttpResponse<String> overH2 = h2Client.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("https://127.0.0.1:" + server.httpPort() + "/v1/ledger"))
                    .header("X-API-Key", READ_ONLY).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(overH2.statusCode()).isEqualTo(200);
            assertThat(overH2.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
            // one that asks for HTTP/1.1 only still gets it
            java.net.http.HttpResponse<String> over11 = java.net.http.HttpClient.newBuilder().sslContext(tls)
                    .version(java.net.http.HttpClient.Version.HTTP_1_1).build().send(java.net.http.HttpRequest
                            .newBuilder(java.net.URI.create("https://127.0.0.1:" + server.httpPort() + "/health/live"))
                            .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(over11.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_1_1);
            Client plain = new Client(server.httpPort());
            assertThatThrownBy(() -> plain.call("GET", "/health/live", null, null)).isInstanceOf(java.io.UncheckedIOException.class);
        }
    }
}
