package io.credence.devices;

import io.credence.ledger.ServiceRef;

import java.time.Duration;

/**
 * How device quota is granted.
 *
 * @param systemAccountId  where charged bytes go (the network that carried them)
 * @param service          the service device data is charged as (its rating group picks the buckets)
 * @param grantBytesDefault a grant when the agent asks for none
 * @param grantBytesMax    the most one grant holds, whatever the agent asks
 * @param grantTtl         how long a grant is held without a report; each report renews it
 */
public record DeviceQuotaConfig(String systemAccountId, ServiceRef service, long grantBytesDefault, long grantBytesMax,
                                Duration grantTtl) {
    /** Rating group 10 is the data service of the example catalog. */
    public static final DeviceQuotaConfig DEFAULTS = new DeviceQuotaConfig(io.credence.ledger.Ids.SYSTEM_ACCOUNT, ServiceRef.ratingGroup(10),
            1_000_000, 100_000_000, Duration.ofMinutes(30));

    public DeviceQuotaConfig {
        if (grantBytesDefault <= 0 || grantBytesMax < grantBytesDefault) {
            throw new IllegalArgumentException("need 0 < grantBytesDefault <= grantBytesMax");
        }
        if (grantTtl.isNegative() || grantTtl.isZero()) {
            throw new IllegalArgumentException("grantTtl must be positive");
        }
    }

    public DeviceQuotaConfig withSystemAccount(String accountId) {
        return new DeviceQuotaConfig(accountId, service, grantBytesDefault, grantBytesMax, grantTtl);
    }
}
