package io.credence.server.nchf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.credence.http.ApiKeys;
import io.credence.journal.JournalConfig;
import io.credence.ledger.LedgerLimits;
import io.credence.server.ChfSettings;
import io.credence.server.HttpAccess;
import io.credence.server.ServerConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * OAuth2 access tokens on the Nchf API (TS 33.501 13.4.1, TS 29.510 AccessTokenClaims), issued by
 * this test as an NRF would issue them, signed with keys the server knows from a JWK Set file.
 * Every token's claims are first checked against the TS 29.510 AccessTokenClaims schema, so the
 * tokens accepted are shaped as a real NRF's. A refused request changes no balance.
 */
class AccessTokenTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCOPE = "nchf-convergedcharging";
    private static final String NRF = "8a7e51cc-8ab4-4a32-9d6b-3c1d7f0b2e11";
    private static final String SMF = "4bd4a3d0-5d9a-4d7c-9b35-1b2c3d4e5f60";
    private static final String NF_KEY = "nf-key-0123456789abcdef0123456789";

    private static RSAKey nrfKey;
    private static ECKey rotatedKey;

    @TempDir
    Path dir;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void keys() throws Exception {
        nrfKey = new RSAKeyGenerator(2048).keyID("nrf-2026-1").generate();
        rotatedKey = new ECKeyGenerator(Curve.P_256).keyID("nrf-2026-2").generate();
    }

    private Path keysFile(JWK... keys) throws Exception {
        Path file = dir.resolve("nrf-keys.json");
        Files.writeString(file, new JWKSet(List.of(keys)).toPublicJWKSet().toString());
        return file;
    }

    private NchfTestServer start(Path keys, boolean apiKeys) throws Exception {
        ServerConfig config = new ServerConfig(dir.resolve("data"), "127.0.0.1", 0, "EUR", 16, 64,
                JournalConfig.DEFAULTS, LedgerLimits.DEFAULTS, null)
                .withChf(ChfSettings.NONE.withTokenKeys(keys));
        if (apiKeys) {
            Path file = dir.resolve("api-keys");
            Files.writeString(file, "smf-1 network-function " + ApiKeys.digestHex(NF_KEY) + "\n");
            config = config.withHttpAccess(new HttpAccess(ApiKeys.read(file), null));
        }
        NchfTestServer nchf = NchfTestServer.startWith(dir, config);
        if (!apiKeys) {
            nchf.subscriber("alice", "262011234567890", "4917012345", 10_000_000);
        }
        return nchf;
    }

    /** The claims an NRF puts in a token for an SMF calling this CHF, checked against the TS 29.510 schema. */
    private static JWTClaimsSet.Builder claims(Object audience, String scope, Instant expiry) {
        return new JWTClaimsSet.Builder().issuer(NRF).subject(SMF).claim("aud", audience).claim("scope", scope)
                .expirationTime(Date.from(expiry));
    }

    private static String signed(JWTClaimsSet claims, JWK key, JWSAlgorithm algorithm) throws Exception {
        ThreeGppSchemas.get().assertValid(ThreeGppSchemas.ACCESS_TOKEN_CLAIMS, claimsJson(claims));
        JWSSigner signer = key instanceof RSAKey rsa ? new RSASSASigner(rsa) : new ECDSASigner((ECKey) key);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(key.getKeyID())
                .type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    /** The claims as JSON with {@code exp} as an integer, the form the schema describes. */
    private static String claimsJson(JWTClaimsSet claims) {
        return new com.nimbusds.jose.Payload(claims.toJSONObject()).toString();
    }

    private String valid(String instanceId) throws Exception {
        return signed(claims(List.of(instanceId), SCOPE, Instant.now().plusSeconds(600)).build(), nrfKey,
                JWSAlgorithm.RS256);
    }

    private record Answer(int status, String wwwAuthenticate, JsonNode body) {}

    private Answer create(NchfTestServer nchf, String credential) throws Exception {
        return call(nchf, "/nchf-convergedcharging/v3/chargingdata", credential, """
                {"subscriberIdentifier": "imsi-262011234567890",
                 "nfConsumerIdentification": {"nodeFunctionality": "SMF", "nFName": "%s"},
                 "invocationTimeStamp": "2026-12-07T10:00:00Z", "invocationSequenceNumber": 0,
                 "multipleUnitUsage": [{"ratingGroup": 10, "requestedUnit": {"totalVolume": 1000}}]}""".formatted(
                UUID.randomUUID()));
    }

    private Answer call(NchfTestServer nchf, String path, String credential, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + nchf.server().httpPort() + path)).timeout(Duration.ofSeconds(20));
        if (credential != null) {
            request.header("Authorization", "Bearer " + credential);
        }
        request = body == null ? request.GET() : request.header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.headers().firstValue("WWW-Authenticate").orElse(null),
                r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body()));
    }

    private static void refused(Answer answer, int status, String error, String detail) {
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(status);
        if (error.isEmpty()) {
            // no credential, or no token: RFC 6750 section 3.1 gives no error code then
            assertThat(answer.wwwAuthenticate()).isEqualTo("Bearer realm=\"credence\"");
        } else {
            assertThat(answer.wwwAuthenticate()).startsWith("Bearer realm=\"credence\"")
                    .contains("error=\"" + error + "\"").contains("error_description=\"");
        }
        assertThat(answer.body().path("detail").asText()).contains(detail);
    }

    @Test
    void aValidTokenChargesAndEveryFlawedOneIsRefusedChangingNothing() throws Exception {
        try (NchfTestServer nchf = start(keysFile(nrfKey), false)) {
            String id = nchf.server().nfInstanceId().toString();
            assertThat(create(nchf, valid(id)).status()).isEqualTo(201);
            // the audience may be the NF type instead of the instance (TS 29.510 Audience)
            assertThat(create(nchf, signed(claims("CHF", SCOPE, Instant.now().plusSeconds(60)).build(), nrfKey,
                    JWSAlgorithm.RS256)).status()).isEqualTo(201);
            long reserved = nchf.bytes("alice").path("reserved").asLong();
            assertThat(reserved).isEqualTo(2000);

            refused(create(nchf, null), 401, "", "access token");
            refused(create(nchf, signed(claims(List.of(id), SCOPE, Instant.now().minusSeconds(120)).build(), nrfKey,
                    JWSAlgorithm.RS256)), 401, "invalid_token", "expired");
            refused(create(nchf, valid(UUID.randomUUID().toString())), 401, "invalid_token", "audience");
            refused(create(nchf, signed(claims("SMF", SCOPE, Instant.now().plusSeconds(60)).build(), nrfKey,
                    JWSAlgorithm.RS256)), 401, "invalid_token", "audience");
            refused(create(nchf, signed(claims(List.of(id), "nsmf-pdusession", Instant.now().plusSeconds(60)).build(),
                    nrfKey, JWSAlgorithm.RS256)), 403, "insufficient_scope", "does not include " + SCOPE);
            // signed by someone else's key under the NRF's key id
            RSAKey impostor = new RSAKeyGenerator(2048).keyID(nrfKey.getKeyID()).generate();
            refused(create(nchf, signed(claims(List.of(id), SCOPE, Instant.now().plusSeconds(60)).build(), impostor,
                    JWSAlgorithm.RS256)), 401, "invalid_token", "signature");
            // unsigned: alg none
            String unsigned = new PlainJWT(claims(List.of(id), SCOPE, Instant.now().plusSeconds(60)).build()).serialize();
            refused(create(nchf, unsigned), 401, "invalid_token", "alg none");
            // a shared-secret signature: anyone holding the secret could mint tokens
            SignedJWT hmac = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256),
                    claims(List.of(id), SCOPE, Instant.now().plusSeconds(60)).build());
            hmac.sign(new MACSigner(new byte[32]));
            refused(create(nchf, hmac.serialize()), 401, "invalid_token", "no key of the NRF");
            // a token with a claim missing
            refused(create(nchf, signed(new JWTClaimsSet.Builder().issuer(NRF).claim("aud", List.of(id))
                    .claim("scope", SCOPE).expirationTime(Date.from(Instant.now().plusSeconds(60))).build(), nrfKey,
                    JWSAlgorithm.RS256, false)), 401, "invalid_token", "sub");

            assertThat(nchf.bytes("alice").path("reserved").asLong()).as("nothing refused reserved anything")
                    .isEqualTo(reserved);
            NchfTestServer.assumeConformanceChecked();
        }
    }

    /** As {@link #signed(JWTClaimsSet, JWK, JWSAlgorithm)}, for claims that are wrong on purpose (not schema-checked). */
    private static String signed(JWTClaimsSet claims, JWK key, JWSAlgorithm algorithm, boolean checked) throws Exception {
        if (checked) {
            return signed(claims, key, algorithm);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(key.getKeyID()).build(), claims);
        jwt.sign(new RSASSASigner((RSAKey) key));
        return jwt.serialize();
    }

    @Test
    void keysAreRotatedByEditingTheKeysFile() throws Exception {
        Path file = keysFile(nrfKey);
        try (NchfTestServer nchf = start(file, false)) {
            String id = nchf.server().nfInstanceId().toString();
            String old = valid(id);
            String rotated = signed(claims(List.of(id), SCOPE, Instant.now().plusSeconds(600)).build(), rotatedKey,
                    JWSAlgorithm.ES256);
            refused(create(nchf, rotated), 401, "invalid_token", "no key of the NRF");

            // the NRF publishes its new key beside the old one: both verify
            rewrite(file, nrfKey, rotatedKey);
            awaitStatus(nchf, rotated, 201);
            assertThat(create(nchf, old).status()).isEqualTo(201);

            // the old key is withdrawn: its tokens no longer verify, the new key's still do
            rewrite(file, rotatedKey);
            awaitStatus(nchf, old, 401);
            assertThat(create(nchf, rotated).status()).isEqualTo(201);

            // a keys file that no longer parses leaves the keys in force
            Files.writeString(file, "{not a jwk set");
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(10)));
            Thread.sleep(1200);
            assertThat(create(nchf, rotated).status()).isEqualTo(201);
        }
    }

    private static void rewrite(Path file, JWK... keys) throws Exception {
        FileTime before = Files.getLastModifiedTime(file);
        Files.writeString(file, new JWKSet(List.of(keys)).toPublicJWKSet().toString());
        // a coarse file system clock could leave the time as it was, and the change unseen
        Files.setLastModifiedTime(file, FileTime.fromMillis(Math.max(System.currentTimeMillis(), before.toMillis() + 1000)));
    }

    private void awaitStatus(NchfTestServer nchf, String token, int status) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        int last;
        while ((last = create(nchf, token).status()) != status) {
            assertThat(System.nanoTime()).as("answered %s, not %s, within 10 s", last, status).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    /**
     * An NRF that publishes its signing certificate as PEM (free5GC's nrf.pem) and signs RS512 tokens
     * without a key id; and a bare PEM public key (EC).
     */
    @Test
    void theNrfsKeysMayBePemCertificatesOrPublicKeys() throws Exception {
        Path store = dir.resolve("nrf.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "nrf", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=nrf.5gc.test",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit")
                .redirectErrorStream(true).start();
        assertThat(keytool.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(new String(keytool.getInputStream().readAllBytes())).isZero();
        java.security.KeyStore keys = java.security.KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(store)) {
            keys.load(in, "changeit".toCharArray());
        }
        java.security.cert.Certificate certificate = keys.getCertificate("nrf");
        java.security.PrivateKey signing = (java.security.PrivateKey) keys.getKey("nrf", "changeit".toCharArray());
        java.security.KeyPairGenerator p256 = java.security.KeyPairGenerator.getInstance("EC");
        p256.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        java.security.KeyPair ec = p256.generateKeyPair();
        java.util.Base64.Encoder base64 = java.util.Base64.getMimeEncoder(64, "\n".getBytes());
        Path pem = dir.resolve("nrf.pem");
        Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n" + base64.encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n-----BEGIN PUBLIC KEY-----\n"
                + base64.encodeToString(ec.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
        try (NchfTestServer nchf = start(pem, false)) {
            String id = nchf.server().nfInstanceId().toString();
            JWTClaimsSet claims = claims(List.of(id), SCOPE, Instant.now().plusSeconds(60)).build();
            ThreeGppSchemas.get().assertValid(ThreeGppSchemas.ACCESS_TOKEN_CLAIMS, claimsJson(claims));
            SignedJWT rs512 = new SignedJWT(new JWSHeader(JWSAlgorithm.RS512), claims); // no kid, as free5GC's NRF
            rs512.sign(new RSASSASigner(signing));
            assertThat(create(nchf, rs512.serialize()).status()).isEqualTo(201);
            SignedJWT es256 = new SignedJWT(new JWSHeader(JWSAlgorithm.ES256), claims);
            es256.sign(new ECDSASigner((java.security.interfaces.ECPrivateKey) ec.getPrivate()));
            assertThat(create(nchf, es256.serialize()).status()).isEqualTo(201);
            // a key id the PEM does not name: no key to try
            refused(create(nchf, valid(id)), 401, "invalid_token", "no key of the NRF");
        }
    }

    @Test
    void tokensAndApiKeysServeSideBySideAndATokenOpensOnlyTheServiceOfItsScope() throws Exception {
        try (NchfTestServer nchf = start(keysFile(nrfKey), true)) {
            String id = nchf.server().nfInstanceId().toString();
            String token = valid(id);
            // both reach Nchf (the subscriber is unknown here: 404 USER_UNKNOWN is an Nchf answer, past the door)
            assertThat(create(nchf, token).status()).isNotIn(401, 403);
            assertThat(create(nchf, NF_KEY).status()).isNotIn(401, 403);
            // a network function's API key may read /v1; a token for Nchf may not
            assertThat(call(nchf, "/v1/ledger", NF_KEY, null).status()).isEqualTo(200);
            refused(call(nchf, "/v1/ledger", token, null), 403, "insufficient_scope", "/v1/ledger");
            refused(call(nchf, "/v1/ledger", "not-a-key", null), 401, "", "valid API key");
        }
    }
}
