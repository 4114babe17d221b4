package io.credence.charging;

import io.credence.ledger.Ids;
import io.credence.ledger.ServiceRef;

/**
 * How data shares are held (the server's configuration, carried in each command so a replay holds
 * as the live engine did): the service the supplier's bytes are charged as, who is paid for them,
 * how long the holds last without a report, how many shares the engine keeps and how long an ended
 * one stays to be read.
 */
public record ShareTerms(ServiceRef service, String systemAccountId, long holdTtlMillis, int sharesMax,
                         long endedRetentionMillis) {
    public static final int SHARES_MAX_LIMIT = 10_000_000;
    /** A day: long enough for the parties to read how a share ended. */
    public static final long ENDED_RETENTION_DEFAULT_MILLIS = 86_400_000L;

    public ShareTerms {
        if (service == null || holdTtlMillis <= 0 || sharesMax < 1 || sharesMax > SHARES_MAX_LIMIT
                || endedRetentionMillis < 0) {
            throw new IllegalArgumentException("need a service, holdTtlMillis > 0, sharesMax 1.." + SHARES_MAX_LIMIT
                    + " and endedRetentionMillis >= 0");
        }
        Ids.requireAccountId(systemAccountId, "systemAccountId");
    }
}
