package io.credence.diameter.cc;

import io.credence.ledger.Ids;
import io.credence.ledger.Unit;

import java.util.Map;

/**
 * How the credit-control server grants: default quotas (for an empty Requested-Service-Unit),
 * lifetimes, where charged value goes, and its bounds.
 *
 * @param ratingGroupQuotas      per rating group: the unit it is rated in and the default grant
 * @param serviceContextQuotas   when a rating group has no entry: the default by Service-Context-Id
 *                               (e.g. 32251@3gpp.org PS data in bytes, 32260@3gpp.org IMS in seconds)
 * @param validityTimeSeconds    Validity-Time sent with every grant; the client must report by then
 * @param graceSeconds           how long past Validity-Time a reservation still holds (requests in flight)
 * @param counterpartyAccount    the account charged value is paid to (and refunds come from)
 * @param redirect               when set, the final grant says REDIRECT to this server instead of TERMINATE
 * @param sessionsMax            open sessions (and recently closed ones kept for retransmissions)
 * @param closedRetentionSeconds how long a finished session's last answer is kept for retransmissions
 *                               (a client that reuses a finished Session-Id within it is told the
 *                               session finished)
 */
public record CreditControlConfig(Map<Long, Quota> ratingGroupQuotas, Map<String, Quota> serviceContextQuotas,
                                  int validityTimeSeconds, int graceSeconds, String counterpartyAccount,
                                  Redirect redirect, int sessionsMax, int closedRetentionSeconds,
                                  int currencyNumeric, int currencyMinorDigits) {

    /** A default grant: this many of this unit. */
    public record Quota(Unit unit, long amount) {
        public Quota {
            if (unit == null || amount <= 0) {
                throw new IllegalArgumentException("a quota needs a unit and a positive amount");
            }
        }
    }

    /** Redirect-Server of a REDIRECT Final-Unit-Indication (RFC 4006 8.37: 0 IPv4, 1 IPv6, 2 URL, 3 SIP URI). */
    public record Redirect(int addressType, String address) {
        public Redirect {
            if (addressType < 0 || addressType > 3 || address == null || address.isBlank()) {
                throw new IllegalArgumentException("redirect needs an address type 0..3 and an address");
            }
        }
    }

    public static final String CONTEXT_PS = "32251@3gpp.org";
    public static final String CONTEXT_IMS = "32260@3gpp.org";
    public static final String CONTEXT_SMS = "32274@3gpp.org";
    /** 5G data connectivity (TS 32.255), what an SMF's converged charging requests are. */
    public static final String CONTEXT_5G_DATA = "32255@3gpp.org";

    public CreditControlConfig {
        ratingGroupQuotas = Map.copyOf(ratingGroupQuotas);
        serviceContextQuotas = Map.copyOf(serviceContextQuotas);
        if (validityTimeSeconds < 1 || graceSeconds < 0) {
            throw new IllegalArgumentException("validityTimeSeconds >= 1 and graceSeconds >= 0 required");
        }
        String problem = Ids.accountIdProblem(counterpartyAccount);
        if (problem != null) {
            throw new IllegalArgumentException("counterpartyAccount: " + problem);
        }
        if (sessionsMax < 1 || closedRetentionSeconds < 1) {
            throw new IllegalArgumentException("sessionsMax and closedRetentionSeconds must be >= 1");
        }
        if (currencyMinorDigits < 0 || currencyMinorDigits > 4) {
            throw new IllegalArgumentException("currencyMinorDigits must be 0..4");
        }
    }

    /** 1 MiB for data (4G and 5G), 5 minutes for IMS calls, one SMS; validity 10 minutes; EUR (978, 2 digits). */
    public static CreditControlConfig defaults() {
        return new CreditControlConfig(Map.of(),
                Map.of(CONTEXT_PS, new Quota(Unit.BYTES, 1L << 20), CONTEXT_5G_DATA, new Quota(Unit.BYTES, 1L << 20),
                        CONTEXT_IMS, new Quota(Unit.SECONDS, 300),
                        CONTEXT_SMS, new Quota(Unit.SERVICE_UNITS, 1)),
                600, 30, Ids.SYSTEM_ACCOUNT, null, 1_000_000, 180, 978, 2);
    }

    /**
     * What of this the engine charges with (journaled as its configuration): default grants,
     * validity and grace, the counterparty, and how many sessions it remembers for how long.
     * Sessions that went silent are kept {@link #SILENT_RETENTION_SECONDS} past their grants.
     */
    public io.credence.charging.EngineConfig engineConfig() {
        return new io.credence.charging.EngineConfig(quotas(ratingGroupQuotas), quotas(serviceContextQuotas),
                validityTimeSeconds, graceSeconds, counterpartyAccount, sessionsMax, closedRetentionSeconds,
                SILENT_RETENTION_SECONDS);
    }

    /** How long a silent session is kept after its grants lapsed: late usage in that time is charged to it. */
    public static final int SILENT_RETENTION_SECONDS = 3600;

    private static <K> Map<K, io.credence.charging.EngineConfig.Quota> quotas(Map<K, Quota> quotas) {
        Map<K, io.credence.charging.EngineConfig.Quota> converted = new java.util.HashMap<>();
        quotas.forEach((key, q) -> converted.put(key, new io.credence.charging.EngineConfig.Quota(q.unit(), q.amount())));
        return converted;
    }

    public CreditControlConfig withRatingGroupQuotas(Map<Long, Quota> quotas) {
        return new CreditControlConfig(quotas, serviceContextQuotas, validityTimeSeconds, graceSeconds,
                counterpartyAccount, redirect, sessionsMax, closedRetentionSeconds, currencyNumeric, currencyMinorDigits);
    }

    public CreditControlConfig withValidity(int validitySeconds, int grace) {
        return new CreditControlConfig(ratingGroupQuotas, serviceContextQuotas, validitySeconds, grace,
                counterpartyAccount, redirect, sessionsMax, closedRetentionSeconds, currencyNumeric, currencyMinorDigits);
    }

    public CreditControlConfig withRedirect(Redirect r) {
        return new CreditControlConfig(ratingGroupQuotas, serviceContextQuotas, validityTimeSeconds, graceSeconds,
                counterpartyAccount, r, sessionsMax, closedRetentionSeconds, currencyNumeric, currencyMinorDigits);
    }

    public CreditControlConfig withClosedRetentionSeconds(int seconds) {
        return new CreditControlConfig(ratingGroupQuotas, serviceContextQuotas, validityTimeSeconds, graceSeconds,
                counterpartyAccount, redirect, sessionsMax, seconds, currencyNumeric, currencyMinorDigits);
    }

    public CreditControlConfig withSessionsMax(int max) {
        return new CreditControlConfig(ratingGroupQuotas, serviceContextQuotas, validityTimeSeconds, graceSeconds,
                counterpartyAccount, redirect, max, closedRetentionSeconds, currencyNumeric, currencyMinorDigits);
    }
}
