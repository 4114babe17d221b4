package io.credence.admission;

/**
 * Usage metered as effective service, next to the raw figures it was derived from, so a usage
 * record can carry both and a dispute can be answered from either.
 *
 * <p>By Little's law the amount served equals the rate of service times the time spent being
 * served: {@code Q = f x T}. Here {@code T} is the <em>active</em> time, the seconds in which the
 * network was carrying this subscriber's traffic, and {@code f} the throughput over those
 * seconds, counted from the bytes the network <em>delivered</em> (metered minus dropped). So:
 * <ul>
 *   <li>idle waiting is not billed: seconds with nothing to carry (a user reading a page, a
 *       queue behind other traffic) are in the wall-clock time but not in {@code T};</li>
 *   <li>dropped traffic is not billed: bytes the network metered and then discarded (congestion,
 *       retransmitted junk) are not in {@code f}, so they never reach {@code Q}.</li>
 * </ul>
 *
 * <p><b>Rounding.</b> All longs. {@code throughputBytesPerSecond = floor(delivered / active)}
 * is reported for the record. {@code Q} is evaluated as {@code delivered x active / active}
 * without first rounding {@code f}, so it is exact: {@code effectiveBytes} equals the delivered
 * bytes, and rounding never bills a byte that was not delivered nor drops one that was.
 *
 * @param rawBytes                 bytes the meter counted, dropped ones included
 * @param rawSeconds               wall-clock seconds the usage spanned
 * @param effectiveBytes           {@code Q = f x T}: bytes delivered during active time
 * @param effectiveSeconds         {@code T}: active seconds
 * @param throughputBytesPerSecond {@code f}, rounded down; 0 when nothing was active
 */
public record EffectiveUsage(long rawBytes, long rawSeconds, long effectiveBytes, long effectiveSeconds,
                             long throughputBytesPerSecond) {
    public EffectiveUsage {
        if (rawBytes < 0 || rawSeconds < 0 || effectiveBytes < 0 || effectiveSeconds < 0 || throughputBytesPerSecond < 0) {
            throw new IllegalArgumentException("usage figures are never negative");
        }
        if (effectiveBytes > rawBytes || effectiveSeconds > rawSeconds) {
            throw new IllegalArgumentException("effective usage never exceeds raw usage");
        }
    }

    /**
     * @param bytesMetered     all bytes the meter counted
     * @param bytesDropped     of those, bytes the network dropped
     * @param activeSeconds    seconds with traffic in flight, rounded up by the meter
     * @param wallClockSeconds seconds from start to end of the usage
     * @throws IllegalArgumentException when the figures contradict each other; names which
     */
    public static EffectiveUsage of(long bytesMetered, long bytesDropped, long activeSeconds, long wallClockSeconds) {
        if (bytesMetered < 0 || bytesDropped < 0 || activeSeconds < 0 || wallClockSeconds < 0) {
            throw new IllegalArgumentException("bytesMetered, bytesDropped, activeSeconds and wallClockSeconds are never negative");
        }
        if (bytesDropped > bytesMetered) {
            throw new IllegalArgumentException("bytesDropped " + bytesDropped + " exceeds bytesMetered " + bytesMetered);
        }
        if (activeSeconds > wallClockSeconds) {
            throw new IllegalArgumentException("activeSeconds " + activeSeconds + " exceeds wallClockSeconds " + wallClockSeconds);
        }
        long delivered = bytesMetered - bytesDropped;
        if (activeSeconds == 0) {
            if (delivered > 0) {
                // A meter rounds active time up, so delivered bytes with no active second is a meter fault.
                throw new IllegalArgumentException(delivered + " bytes delivered in 0 activeSeconds");
            }
            return new EffectiveUsage(bytesMetered, wallClockSeconds, 0, 0, 0);
        }
        long throughput = delivered / activeSeconds;
        // Q = f x T with f = delivered / T kept as a fraction: the T cancels, no rounding.
        long effective = delivered;
        AdmissionControl.check(throughput * activeSeconds <= effective && effective - throughput * activeSeconds < activeSeconds,
                "f x T with f rounded down is within one f-step of Q");
        return new EffectiveUsage(bytesMetered, wallClockSeconds, effective, activeSeconds, throughput);
    }
}
