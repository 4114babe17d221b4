package io.credence.http;

import java.util.Arrays;
import java.util.Optional;

/** What an API key may do; {@link AccessPolicy} says which paths each role reaches. */
public enum Role {
    /** Everything under {@code /v1}: provisioning, money, catalog, sessions. */
    ADMIN("admin"),
    /**
     * A charging client (SMF, PGW, CSCF): {@code /nchf-convergedcharging/**} and reading {@code /v1};
     * a base station or a market operator when its key is bound to one ({@link ApiKeys.Principal}).
     */
    NETWORK_FUNCTION("network-function"),
    /** A terminal's quota agent: {@code /v1/devices/**} only. */
    DEVICE("device"),
    /** Dashboards and support staff: GET under {@code /v1}. */
    READ_ONLY("read-only");

    private final String fileName;

    Role(String fileName) {
        this.fileName = fileName;
    }

    /** The role as written in the keys file. */
    public String fileName() {
        return fileName;
    }

    public static Optional<Role> ofFileName(String name) {
        return Arrays.stream(values()).filter(r -> r.fileName.equals(name)).findFirst();
    }
}
