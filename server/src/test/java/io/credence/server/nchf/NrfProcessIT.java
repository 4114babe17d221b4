package io.credence.server.nchf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.credence.server.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code credence serve} as a CHF of a 5G core, as a real process: registered at the NRF from its
 * options, reached with the NRF's access token, not deregistered by SIGKILL (the NRF finds out by
 * the missing heartbeats), registered again under the same NF instance id when it comes back, and
 * deregistered by SIGTERM.
 */
class NrfProcessIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aServeProcessRegistersTakesTokensAndDeregistersOnlyOnACleanStop() throws Exception {
        ThreeGppSchemas schemas = ThreeGppSchemas.get();
        ECKey nrfKey = new ECKeyGenerator(Curve.P_256).keyID("nrf-key-1").generate();
        Path keys = dir.resolve("nrf-keys.json");
        Files.writeString(keys, new JWKSet(nrfKey).toPublicJWKSet().toString());
        try (TestNrf nrf = new TestNrf(schemas, 1).start()) {
            String[] options = {"--nrf-url", nrf.apiRoot(), "--nf-address", "127.0.0.1", "--nrf-token-keys",
                    keys.toString(), "--chf-plmn-range", "00101", "--chf-supi-range", "001010000000000-001010000099999"};
            String id;
            try (ServerProcess first = ServerProcess.start(dir.resolve("data"), dir.resolve("server.log"), options)) {
                id = Files.readString(dir.resolve("data/nf-instance-id")).strip();
                // printed after the line ServerProcess waits for: the drain thread brings it
                await("the start-up line naming the CHF", () -> {
                    synchronized (first.stdout) {
                        return first.stdout.stream().anyMatch(l -> l.contains("as CHF " + id
                                + ", registering at the NRF " + nrf.apiRoot()));
                    }
                });
                await("registered", () -> nrf.knows(id));

                // an SMF with the NRF's token gets past the door (an unknown subscriber is Nchf's own answer)
                SignedJWT token = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("nrf-key-1").build(),
                        new JWTClaimsSet.Builder().issuer("8a7e51cc-8ab4-4a32-9d6b-3c1d7f0b2e11")
                                .subject("4bd4a3d0-5d9a-4d7c-9b35-1b2c3d4e5f60").claim("aud", List.of(id))
                                .claim("scope", "nchf-convergedcharging")
                                .expirationTime(Date.from(Instant.now().plusSeconds(300))).build());
                token.sign(new ECDSASigner(nrfKey));
                assertThat(create(first.port, token.serialize())).isEqualTo(404);
                assertThat(create(first.port, null)).isEqualTo(401);

                first.kill();
            }
            int puts = nrf.calls("PUT").size();
            assertThat(nrf.calls("DELETE")).as("SIGKILL deregisters nothing").isEmpty();
            assertThat(nrf.knows(id)).isTrue();

            try (ServerProcess second = ServerProcess.start(dir.resolve("data"), dir.resolve("server.log"), options)) {
                await("registered again", () -> nrf.calls("PUT").size() > puts);
                assertThat(nrf.calls("PUT").getLast().path()).endsWith("/" + id);
                await("a heartbeat", () -> nrf.calls("PATCH").stream().anyMatch(c -> c.path().endsWith(id)));
                second.stop();
            }
            assertThat(nrf.calls("DELETE")).hasSize(1);
            assertThat(nrf.knows(id)).as("deregistered by SIGTERM").isFalse();
            assertThat(nrf.violations()).isEmpty();
        }
    }

    private static int create(int port, String token) throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/nchf-convergedcharging/v3/chargingdata")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("""
                            {"subscriberIdentifier": "imsi-001010000000001",
                             "nfConsumerIdentification": {"nodeFunctionality": "SMF"},
                             "invocationTimeStamp": "2026-12-07T10:00:00Z", "invocationSequenceNumber": 0,
                             "multipleUnitUsage": [{"ratingGroup": 10, "requestedUnit": {"totalVolume": 1000}}]}"""));
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            HttpResponse<String> answer = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 404 && answer.statusCode() != 401) {
                throw new AssertionError(answer.statusCode() + " " + answer.body());
            }
            return answer.statusCode();
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        io.credence.testkit.Await.until(what, java.time.Duration.ofSeconds(30), condition);
    }
}
