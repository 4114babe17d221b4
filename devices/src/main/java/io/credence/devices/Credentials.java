package io.credence.devices;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Secrets are kept only as SHA-256 digests and compared in constant time, so neither the
 * engine's journal, snapshots and Raft log nor response timing gives a secret away.
 */
final class Credentials {
    static final int SECRET_LENGTH_MIN = 16;
    static final int SECRET_LENGTH_MAX = 256;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Credentials() {}

    static byte[] digest(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** A fresh device token: 32 random bytes, hex. */
    static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Why {@code secret} is not acceptable as a SIM or base-station secret, or null. */
    static String secretProblem(String secret) {
        if (secret == null) {
            return "must be given";
        }
        if (secret.length() < SECRET_LENGTH_MIN || secret.length() > SECRET_LENGTH_MAX) {
            return "must be " + SECRET_LENGTH_MIN + ".." + SECRET_LENGTH_MAX + " characters, was " + secret.length();
        }
        return null;
    }
}
