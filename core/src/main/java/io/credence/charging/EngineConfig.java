package io.credence.charging;

import io.credence.ledger.Ids;
import io.credence.ledger.Unit;

import java.util.Map;
import java.util.TreeMap;

/**
 * How the engine grants and how long it remembers, journaled like any command (a replay must
 * grant as the live engine did, even when the options changed since).
 *
 * @param ratingGroupQuotas      the grant for an empty request, per rating group
 * @param serviceContextQuotas   the grant for an empty request by service context, when the rating
 *                               group has none
 * @param validitySeconds        how long a grant is valid; the client must report by then
 * @param graceSeconds           how long past its validity a grant still holds (reports in flight)
 * @param counterpartyAccount    the account charged value is paid to (and refunds come from)
 * @param sessionsMax            sessions remembered at once (open, and closed ones kept for retries)
 * @param closedRetentionSeconds how long a finished session's last answer is kept for retries
 * @param silentRetentionSeconds how long a session that stopped reporting is kept after its grants
 *                               lapsed: a late report in that time is charged and the session goes on
 */
public record EngineConfig(Map<Long, Quota> ratingGroupQuotas, Map<String, Quota> serviceContextQuotas,
                           int validitySeconds, int graceSeconds, String counterpartyAccount, int sessionsMax,
                           int closedRetentionSeconds, int silentRetentionSeconds) {

    /** A default grant: this many of this unit. */
    public record Quota(Unit unit, long amount) {
        public Quota {
            if (unit == null || amount <= 0) {
                throw new IllegalArgumentException("a quota needs a unit and a positive amount");
            }
        }
    }

    public static final String CONTEXT_PS = "32251@3gpp.org";
    public static final String CONTEXT_IMS = "32260@3gpp.org";
    public static final String CONTEXT_SMS = "32274@3gpp.org";
    /** 5G data connectivity (TS 32.255), what an SMF's converged charging requests are. */
    public static final String CONTEXT_5G_DATA = "32255@3gpp.org";
    public static final int SESSIONS_MAX_LIMIT = 50_000_000;
    public static final int RETENTION_SECONDS_MAX = 7 * 24 * 3600;

    public EngineConfig {
        ratingGroupQuotas = Map.copyOf(new TreeMap<>(ratingGroupQuotas));
        serviceContextQuotas = Map.copyOf(new TreeMap<>(serviceContextQuotas));
        if (validitySeconds < 1 || validitySeconds > RETENTION_SECONDS_MAX || graceSeconds < 0
                || graceSeconds > RETENTION_SECONDS_MAX) {
            throw new IllegalArgumentException("validitySeconds must be 1.." + RETENTION_SECONDS_MAX
                    + " and graceSeconds 0.." + RETENTION_SECONDS_MAX);
        }
        String problem = Ids.storedAccountIdProblem(counterpartyAccount);
        if (problem != null) {
            throw new IllegalArgumentException("counterpartyAccount: " + problem);
        }
        if (sessionsMax < 1 || sessionsMax > SESSIONS_MAX_LIMIT) {
            throw new IllegalArgumentException("sessionsMax must be 1.." + SESSIONS_MAX_LIMIT);
        }
        for (int seconds : new int[] {closedRetentionSeconds, silentRetentionSeconds}) {
            if (seconds < 1 || seconds > RETENTION_SECONDS_MAX) {
                throw new IllegalArgumentException("retentions must be 1.." + RETENTION_SECONDS_MAX + " seconds");
            }
        }
    }

    /**
     * 1 MiB for data (4G and 5G), 5 minutes for IMS calls, one SMS; validity 10 minutes plus 30 s
     * grace; a million sessions; finished ones kept 3 minutes, silent ones an hour.
     */
    public static EngineConfig defaults() {
        return new EngineConfig(Map.of(),
                Map.of(CONTEXT_PS, new Quota(Unit.BYTES, 1L << 20), CONTEXT_5G_DATA, new Quota(Unit.BYTES, 1L << 20),
                        CONTEXT_IMS, new Quota(Unit.SECONDS, 300), CONTEXT_SMS, new Quota(Unit.SERVICE_UNITS, 1)),
                600, 30, Ids.SYSTEM_ACCOUNT, 1_000_000, 180, 3600);
    }

    /** How long a grant's reservation holds: its validity and the grace. */
    public long grantTtlMillis() {
        return (validitySeconds + (long) graceSeconds) * 1000;
    }

    public EngineConfig withRatingGroupQuotas(Map<Long, Quota> quotas) {
        return new EngineConfig(quotas, serviceContextQuotas, validitySeconds, graceSeconds, counterpartyAccount,
                sessionsMax, closedRetentionSeconds, silentRetentionSeconds);
    }

    public EngineConfig withValidity(int validity, int grace) {
        return new EngineConfig(ratingGroupQuotas, serviceContextQuotas, validity, grace, counterpartyAccount,
                sessionsMax, closedRetentionSeconds, silentRetentionSeconds);
    }

    public EngineConfig withSessionsMax(int max) {
        return new EngineConfig(ratingGroupQuotas, serviceContextQuotas, validitySeconds, graceSeconds,
                counterpartyAccount, max, closedRetentionSeconds, silentRetentionSeconds);
    }

    public EngineConfig withRetention(int closedSeconds, int silentSeconds) {
        return new EngineConfig(ratingGroupQuotas, serviceContextQuotas, validitySeconds, graceSeconds,
                counterpartyAccount, sessionsMax, closedSeconds, silentSeconds);
    }

    public EngineConfig withCounterparty(String account) {
        return new EngineConfig(ratingGroupQuotas, serviceContextQuotas, validitySeconds, graceSeconds, account,
                sessionsMax, closedRetentionSeconds, silentRetentionSeconds);
    }
}
