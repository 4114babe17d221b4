package io.credence.server;

import io.credence.charging.ShareTerms;
import io.credence.devices.DeviceQuotaConfig;

import java.time.Duration;

/**
 * Cloud-SIM devices and data shares.
 *
 * @param quota        how device grants are sized, charged and how long they live
 * @param shareHoldTtl how long a share's holds last without a report from its base station (a
 *                     share whose holds lapse ends EXPIRED at that moment)
 * @param sharesMax    data shares the engine keeps: open ones, and ended ones for a day to be read
 *                     (the eldest ended one goes first; when all are open a new share is refused, 503)
 */
public record DeviceSettings(DeviceQuotaConfig quota, Duration shareHoldTtl, int sharesMax) {
    public static final DeviceSettings DEFAULTS = new DeviceSettings(DeviceQuotaConfig.DEFAULTS, Duration.ofMinutes(2),
            200_000);

    public DeviceSettings {
        if (shareHoldTtl.isNegative() || shareHoldTtl.isZero()) {
            throw new IllegalArgumentException("shareHoldTtl must be positive");
        }
        if (sharesMax < 1 || sharesMax > ShareTerms.SHARES_MAX_LIMIT) {
            throw new IllegalArgumentException("sharesMax must be 1.." + ShareTerms.SHARES_MAX_LIMIT);
        }
    }
}
