package io.credence.http;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.text.ParseException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Checks OAuth2 access tokens an NRF issued to a consumer (TS 33.501 section 13.4.1, TS 29.510
 * AccessTokenClaims): a JWS whose signature verifies with one of the NRF's public keys, whose
 * {@code aud} names this NF instance (or its NF type, CHF), whose {@code scope} holds the service
 * called, and which has not expired. The JOSE work (parsing, algorithms, signatures, time checks)
 * is Nimbus JOSE+JWT's; what is checked is ours.
 *
 * <p>The NRF's keys come from a JWK Set file (RFC 7517), or a PEM file of certificates or public
 * keys. It is read again when it changes (looked at once a second at most), so a key is rotated by
 * adding the new key to the file, then removing the old one once no token signed with it is still
 * valid; a file that no longer parses leaves the keys as they were, and says so in the log.
 */
public final class AccessTokens {
    private static final System.Logger LOG = System.getLogger(AccessTokens.class.getName());
    /** Asymmetric signatures only: a shared secret would let every holder mint tokens. */
    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
            JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256,
            JWSAlgorithm.ES384, JWSAlgorithm.ES512, JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);
    private static final Pattern COMPACT_JWT = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*");
    private static final int CLOCK_SKEW_SECONDS = 30;
    private static final long RECHECK_MILLIS = 1000;
    /** A token is a few hundred bytes; one this long is refused unread. */
    public static final int TOKEN_LENGTH_MAX = 8192;

    /** What a token gets. */
    public sealed interface Verdict {
        /** Let in: {@code consumer} is the token's subject (the consumer's NF instance id). */
        record Admitted(String consumer, Set<String> scopes) implements Verdict {}

        /**
         * Refused: {@code status} 401 ({@code invalid_token}) or 403 ({@code insufficient_scope}), as
         * RFC 6750 section 3.1 says; {@code description} says what is wrong.
         */
        record Refused(int status, String error, String description) implements Verdict {}
    }

    private final Path keysFile;
    private final Set<String> audiences;
    private final LongSupplier clock;
    private volatile JWKSet keys;
    private volatile FileTime keysModified;
    private volatile long keysCheckedAt;
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    /**
     * @param keysFile   the NRF's public keys, a JWK Set
     * @param instanceId this NF's instance id, the audience tokens must name
     * @param clock      milliseconds since the epoch
     * @throws IOException when the file cannot be read or holds no usable key
     */
    public AccessTokens(Path keysFile, String instanceId, LongSupplier clock) throws IOException {
        this.keysFile = keysFile;
        this.audiences = Set.of(instanceId, "CHF");
        this.clock = clock;
        this.keys = read(keysFile);
        this.keysModified = Files.getLastModifiedTime(keysFile);
        this.keysCheckedAt = clock.getAsLong();
        JWKSource<SecurityContext> current = (selector, context) -> selector.select(currentKeys());
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, current));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(audiences, null,
                Set.of("iss", "sub", "aud", "scope", "exp"), null) {
            @Override
            protected java.util.Date currentTime() {
                return new java.util.Date(AccessTokens.this.clock.getAsLong());
            }
        };
        claims.setMaxClockSkew(CLOCK_SKEW_SECONDS);
        processor.setJWTClaimsSetVerifier(claims);
    }

    /** Whether {@code credential} is shaped as a compact JWS/JWT rather than an API key. */
    public static boolean looksLikeToken(String credential) {
        return credential.length() <= TOKEN_LENGTH_MAX && COMPACT_JWT.matcher(credential).matches();
    }

    /** How many keys are in force; for {@code /health}. */
    public int keyCount() {
        return currentKeys().getKeys().size();
    }

    /** The verdict on {@code token} for a request to {@code service} (the first path segment). */
    public Verdict check(String token, String service) {
        if (token.length() > TOKEN_LENGTH_MAX) {
            return new Verdict.Refused(401, "invalid_token", "the token is longer than " + TOKEN_LENGTH_MAX + " bytes");
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException notJwt) {
            return new Verdict.Refused(401, "invalid_token", "not a JWT: " + notJwt.getMessage());
        } catch (BadJOSEException | com.nimbusds.jose.JOSEException refused) {
            return new Verdict.Refused(401, "invalid_token", describe(refused.getMessage()));
        }
        Object scope = claims.getClaim("scope");
        if (!(scope instanceof String scopeText)) {
            return new Verdict.Refused(401, "invalid_token", "the scope claim is not a string of service names");
        }
        Set<String> scopes = new HashSet<>(Arrays.asList(scopeText.strip().split(" +")));
        if (!scopes.contains(service)) {
            return new Verdict.Refused(403, "insufficient_scope", "the token's scope '" + scopeText
                    + "' does not include " + service);
        }
        return new Verdict.Admitted(claims.getSubject(), Set.copyOf(scopes));
    }

    private static JWKSet fromPem(String pem) throws java.security.GeneralSecurityException,
            com.nimbusds.jose.JOSEException {
        List<com.nimbusds.jose.jwk.JWK> keys = new java.util.ArrayList<>();
        java.util.regex.Matcher block = Pattern.compile(
                "-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----").matcher(pem);
        while (block.find()) {
            byte[] der = java.util.Base64.getMimeDecoder().decode(block.group(2));
            switch (block.group(1)) {
                case "CERTIFICATE" -> keys.add(com.nimbusds.jose.jwk.JWK.parse((java.security.cert.X509Certificate)
                        java.security.cert.CertificateFactory.getInstance("X.509")
                                .generateCertificate(new java.io.ByteArrayInputStream(der))));
                case "PUBLIC KEY" -> keys.add(publicKey(der));
                default -> { } // a private key or anything else is not a verification key
            }
        }
        if (keys.isEmpty()) {
            throw new java.security.GeneralSecurityException("no CERTIFICATE or PUBLIC KEY block");
        }
        return new JWKSet(keys);
    }

    private static com.nimbusds.jose.jwk.JWK publicKey(byte[] der) throws java.security.GeneralSecurityException {
        java.security.spec.X509EncodedKeySpec spec = new java.security.spec.X509EncodedKeySpec(der);
        for (String algorithm : List.of("RSA", "EC")) {
            java.security.PublicKey key;
            try {
                key = java.security.KeyFactory.getInstance(algorithm).generatePublic(spec);
            } catch (java.security.spec.InvalidKeySpecException notThisKind) {
                continue;
            }
            if (key instanceof java.security.interfaces.RSAPublicKey rsa) {
                return new com.nimbusds.jose.jwk.RSAKey.Builder(rsa).build();
            }
            if (key instanceof java.security.interfaces.ECPublicKey ec) {
                return new com.nimbusds.jose.jwk.ECKey.Builder(com.nimbusds.jose.jwk.Curve.forECParameterSpec(
                        ec.getParams()), ec).build();
            }
        }
        throw new java.security.GeneralSecurityException("a PUBLIC KEY that is neither RSA nor EC");
    }

    private static String describe(String message) {
        if (message == null) {
            return "the token was refused";
        }
        if (message.startsWith("Unsecured")) {
            return "unsigned tokens (alg none) are refused";
        }
        if (message.contains("no matching key") || message.contains("Another algorithm expected")) {
            return "no key of the NRF verifies it (unknown kid or algorithm)";
        }
        if (message.contains("Invalid signature")) {
            return "its signature does not verify with the NRF's key";
        }
        if (message.contains("Expired")) {
            return "it has expired";
        }
        if (message.contains("aud claim") || message.contains("audience")) {
            return "its audience (aud) names neither this CHF's NF instance id nor its NF type (CHF)";
        }
        if (message.contains("missing required claims")) {
            return "claims are missing: " + message.substring(message.indexOf("claims:") + "claims:".length()).strip()
                    + " (iss, sub, aud, scope and exp are required)";
        }
        return message.replace('"', '\'');
    }

    private JWKSet currentKeys() {
        long now = clock.getAsLong();
        if (now - keysCheckedAt >= RECHECK_MILLIS) {
            keysCheckedAt = now;
            try {
                FileTime modified = Files.getLastModifiedTime(keysFile);
                if (!modified.equals(keysModified)) {
                    keys = read(keysFile);
                    keysModified = modified;
                    LOG.log(System.Logger.Level.INFO, "NRF token keys read again from " + keysFile + ": "
                            + keys.getKeys().size() + " key(s)");
                }
            } catch (IOException unreadable) {
                LOG.log(System.Logger.Level.WARNING, "NRF token keys in " + keysFile + " not read again, the "
                        + keys.getKeys().size() + " earlier key(s) stay in force: " + unreadable.getMessage());
            }
        }
        return keys;
    }

    /**
     * The public keys in a JWK Set file, or in a PEM file of X.509 certificates or public keys (an
     * NRF such as free5GC's publishes its signing certificate as PEM); private parts, if any, are
     * dropped.
     */
    static JWKSet read(Path file) throws IOException {
        String text = Files.readString(file);
        JWKSet set;
        try {
            set = text.stripLeading().startsWith("-----BEGIN") ? fromPem(text) : JWKSet.parse(text);
        } catch (ParseException | java.security.GeneralSecurityException | com.nimbusds.jose.JOSEException bad) {
            throw new IOException(file + " is neither a JWK Set (RFC 7517) nor PEM certificates or public keys: "
                    + bad.getMessage());
        }
        List<com.nimbusds.jose.jwk.JWK> usable = set.getKeys().stream()
                .filter(k -> k.getKeyUse() == null || k.getKeyUse() == com.nimbusds.jose.jwk.KeyUse.SIGNATURE)
                .map(com.nimbusds.jose.jwk.JWK::toPublicJWK).filter(java.util.Objects::nonNull).toList();
        if (usable.isEmpty()) {
            throw new IOException(file + " holds no public signature key");
        }
        return new JWKSet(usable);
    }
}
