package io.credence.agent;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * One SIM's agent.
 *
 * @param server            the Credence server, e.g. {@code https://ocs.example:8443}
 * @param apiKey            an API key with role device
 * @param simId             the SIM's id: 1..32 letters, digits and - _ . as the server provisions
 *                          SIMs (it also goes into the request path unescaped)
 * @param simSecret         proves the SIM at registration
 * @param deviceId          this terminal (1..64 chars, the server's bound); a SIM is bound to one
 *                          device at a time
 * @param database          the SQLite file holding this SIM's usage and state (one file per SIM)
 * @param reportInterval    how often usage is reported (and a missing grant asked for again)
 * @param renewAtFraction   share of a grant's bytes, or of its validity, after which it is
 *                          returned and a new one asked for (0 &lt; f &lt;= 1)
 * @param grantBytes        the grant size asked for; the server may grant less
 * @param requestTimeout    the longest wait for one answer, connection included
 * @param unreportedRowsMax usage rows kept while waiting for acknowledgement; past it use() refuses,
 *                          so a device offline for weeks cannot fill its disk
 */
public record AgentConfig(URI server, String apiKey, String simId, String simSecret, String deviceId, Path database,
                          Duration reportInterval, double renewAtFraction, long grantBytes, Duration requestTimeout,
                          int unreportedRowsMax) {
    public static final Duration REPORT_INTERVAL_DEFAULT = Duration.ofSeconds(1);
    public static final double RENEW_AT_FRACTION_DEFAULT = 0.8;
    public static final long GRANT_BYTES_DEFAULT = 1_000_000;
    public static final Duration REQUEST_TIMEOUT_DEFAULT = Duration.ofSeconds(10);
    public static final int UNREPORTED_ROWS_MAX_DEFAULT = 1_000_000;
    static final int SIM_ID_CHARS_MAX = 32;
    static final int DEVICE_ID_CHARS_MAX = 64;
    static final int API_KEY_CHARS_MAX = 4096;
    static final int TEXT_CHARS_MAX = 256;

    public AgentConfig {
        Objects.requireNonNull(server, "server");
        if (!server.isAbsolute() || !("http".equals(server.getScheme()) || "https".equals(server.getScheme()))
                || server.getHost() == null || server.getRawQuery() != null || server.getRawFragment() != null) {
            throw new IllegalArgumentException("server must be an http(s) URL without query or fragment, was " + server);
        }
        if (!Registration.isHeaderSafe(apiKey, API_KEY_CHARS_MAX)) {
            throw new IllegalArgumentException("apiKey must be 1.." + API_KEY_CHARS_MAX + " visible ASCII chars");
        }
        if (!isValidSimId(simId)) {
            throw new IllegalArgumentException("simId must be 1.." + SIM_ID_CHARS_MAX
                    + " of A-Z a-z 0-9 - _ ., was " + simId);
        }
        requireText(simSecret, "simSecret", TEXT_CHARS_MAX);
        requireText(deviceId, "deviceId", DEVICE_ID_CHARS_MAX);
        Objects.requireNonNull(database, "database");
        requirePositive(reportInterval, "reportInterval");
        requirePositive(requestTimeout, "requestTimeout");
        if (!(renewAtFraction > 0 && renewAtFraction <= 1)) {
            throw new IllegalArgumentException("renewAtFraction must be > 0 and <= 1, was " + renewAtFraction);
        }
        if (grantBytes < 1) {
            throw new IllegalArgumentException("grantBytes must be >= 1, was " + grantBytes);
        }
        if (unreportedRowsMax < 1) {
            throw new IllegalArgumentException("unreportedRowsMax must be >= 1, was " + unreportedRowsMax);
        }
    }

    /** The defaults for everything but identity and place. */
    public AgentConfig(URI server, String apiKey, String simId, String simSecret, String deviceId, Path database) {
        this(server, apiKey, simId, simSecret, deviceId, database, REPORT_INTERVAL_DEFAULT, RENEW_AT_FRACTION_DEFAULT,
                GRANT_BYTES_DEFAULT, REQUEST_TIMEOUT_DEFAULT, UNREPORTED_ROWS_MAX_DEFAULT);
    }

    /** The fields the brief's callers name, with {@link #UNREPORTED_ROWS_MAX_DEFAULT}. */
    public AgentConfig(URI server, String apiKey, String simId, String simSecret, String deviceId, Path database,
                       Duration reportInterval, double renewAtFraction, long grantBytes, Duration requestTimeout) {
        this(server, apiKey, simId, simSecret, deviceId, database, reportInterval, renewAtFraction, grantBytes,
                requestTimeout, UNREPORTED_ROWS_MAX_DEFAULT);
    }

    static boolean isValidSimId(String simId) {
        if (simId == null || simId.isEmpty() || simId.length() > SIM_ID_CHARS_MAX) {
            return false;
        }
        for (int i = 0; i < simId.length(); i++) {
            char c = simId.charAt(i);
            boolean allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (!allowed) {
                return false;
            }
        }
        return !simId.equals(".") && !simId.equals(".."); // these would change the path, not name a SIM
    }

    private static void requireText(String value, String name, int charsMax) {
        if (value == null || value.isEmpty() || value.length() > charsMax) {
            throw new IllegalArgumentException(name + " must be 1.." + charsMax + " chars");
        }
    }

    private static void requirePositive(Duration value, String name) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0, was " + value);
        }
    }
}
