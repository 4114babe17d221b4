package io.credence.charging;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Short, stable digests of client-chosen strings (a Session-Id can be long and hold any
 * character) for ledger request ids and tags: 64-bit FNV-1a, base64url. The core has no
 * MessageDigest; these keys only separate one session's ids from another's within the ledger, and
 * FNV's 64 bits make a collision among live sessions negligible.
 */
final class Digests {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private Digests() {}

    static long fnv1a(String text) {
        long hash = FNV_OFFSET;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xFF;
            hash *= FNV_PRIME;
        }
        return hash;
    }

    /** {@code length} base64url characters (at most 11) of the text's 64-bit digest. */
    static String shortKey(String text, int length) {
        long hash = fnv1a(text);
        byte[] bytes = new byte[8];
        for (int i = 0; i < 8; i++) {
            bytes[i] = (byte) (hash >>> (56 - 8 * i));
        }
        String key = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        return key.substring(0, Math.min(length, key.length()));
    }
}
