package io.credence.server;

import io.credence.devices.DeviceQuotaConfig;

import java.time.Duration;

/**
 * Cloud-SIM devices and data shares.
 *
 * @param quota         how device grants are sized, charged and how long they live
 * @param shareHoldTtl  how long a share's holds last without a report from its base station
 * @param shareSweepEvery how often shares whose holds expired are marked expired
 */
public record DeviceSettings(DeviceQuotaConfig quota, Duration shareHoldTtl, Duration shareSweepEvery) {
    public static final DeviceSettings DEFAULTS = new DeviceSettings(DeviceQuotaConfig.DEFAULTS, Duration.ofMinutes(2),
            Duration.ofSeconds(1));

    public DeviceSettings {
        if (shareHoldTtl.isNegative() || shareHoldTtl.isZero() || shareSweepEvery.isNegative()) {
            throw new IllegalArgumentException("shareHoldTtl must be positive and shareSweepEvery not negative");
        }
    }
}
