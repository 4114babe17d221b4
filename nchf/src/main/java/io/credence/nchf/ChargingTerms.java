package io.credence.nchf;

/**
 * How grants are handed to Nchf consumers beyond their amounts: what the consumer is asked to
 * report on (TS 32.291 6.1.6.2.x MultipleUnitInformation and Trigger), and what it is told to do
 * when this CHF cannot be reached.
 *
 * @param quotaThresholdPercent  a grant carries volumeQuotaThreshold / timeQuotaThreshold /
 *                               unitQuotaThreshold at this share of it, with the QUOTA_THRESHOLD
 *                               trigger: the consumer reports and gets its next grant while this
 *                               much is still left, instead of stalling at each boundary. 0: none;
 *                               a final grant carries none (there is no next one)
 * @param quotaHoldingSeconds    quotaHoldingTime with the QHT trigger: a rating group idle this long
 *                               gives its quota back. 0: none
 * @param volumeLimitBytes       the VOLUME_LIMIT trigger (DEFERRED_REPORT): a usage container is
 *                               closed after this many bytes. 0: none
 * @param timeLimitSeconds       the TIME_LIMIT trigger (DEFERRED_REPORT): a container is closed after
 *                               this long. 0: none
 * @param failureHandling        invocationResult.failureHandling of a create: TERMINATE, CONTINUE or
 *                               RETRY_AND_TERMINATE (what the consumer does when the CHF does not answer)
 * @param failoverSupported      sessionFailover of a create: whether another instance may take the
 *                               session over (true on a cluster, where every node holds every session)
 */
public record ChargingTerms(int quotaThresholdPercent, int quotaHoldingSeconds, long volumeLimitBytes,
                            long timeLimitSeconds, String failureHandling, boolean failoverSupported) {
    public static final ChargingTerms DEFAULTS = new ChargingTerms(20, 0, 0, 0, "RETRY_AND_TERMINATE", false);

    public ChargingTerms {
        if (quotaThresholdPercent < 0 || quotaThresholdPercent > 99) {
            throw new IllegalArgumentException("quota threshold must be 0..99 %, was " + quotaThresholdPercent);
        }
        if (quotaHoldingSeconds < 0 || volumeLimitBytes < 0 || timeLimitSeconds < 0 || timeLimitSeconds > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("quota holding time and limits must be >= 0");
        }
        if (!failureHandling.equals("TERMINATE") && !failureHandling.equals("CONTINUE")
                && !failureHandling.equals("RETRY_AND_TERMINATE")) {
            throw new IllegalArgumentException("failure handling must be TERMINATE, CONTINUE or RETRY_AND_TERMINATE, was "
                    + failureHandling);
        }
    }

    public ChargingTerms withFailoverSupported(boolean supported) {
        return new ChargingTerms(quotaThresholdPercent, quotaHoldingSeconds, volumeLimitBytes, timeLimitSeconds,
                failureHandling, supported);
    }
}
