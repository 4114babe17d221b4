package io.credence.devices;

import java.util.List;
import java.util.Set;

/**
 * A supplier's standing rules for lending its data.
 *
 * @param maxBytesPerDay   the most it agrees to lend per UTC day over all shares; null for no limit
 * @param allowedBorrowers SIMs that may borrow; null for anyone
 * @param priceMinorPerMb  what a borrower pays per MB (10^6 bytes) used, in the currency's minor
 *                         unit; 0 makes the share a gift
 */
public record ShareRules(Long maxBytesPerDay, Set<String> allowedBorrowers, long priceMinorPerMb) {
    public static final int ALLOWED_BORROWERS_MAX = 256;
    public static final long PRICE_MINOR_PER_MB_MAX = 1_000_000_000L;
    /** Without rules a supplier gives, to anyone, without a daily limit. */
    public static final ShareRules GIFT_TO_ANYONE = new ShareRules(null, null, 0);

    public ShareRules {
        if (maxBytesPerDay != null && maxBytesPerDay <= 0) {
            throw new IllegalArgumentException("maxBytesPerDay must be > 0");
        }
        if (allowedBorrowers != null) {
            if (allowedBorrowers.size() > ALLOWED_BORROWERS_MAX) {
                throw new IllegalArgumentException("allowedBorrowers has more than " + ALLOWED_BORROWERS_MAX + " SIMs");
            }
            for (String sim : allowedBorrowers) {
                String problem = Names.problem(sim, Names.SIM_ID_LENGTH_MAX);
                if (problem != null) {
                    throw new IllegalArgumentException("allowedBorrowers: '" + sim + "' " + problem);
                }
            }
            allowedBorrowers = Set.copyOf(allowedBorrowers);
        }
        if (priceMinorPerMb < 0 || priceMinorPerMb > PRICE_MINOR_PER_MB_MAX) {
            throw new IllegalArgumentException("priceMinorPerMb must be 0.." + PRICE_MINOR_PER_MB_MAX);
        }
    }

    /** As the engine's directory keeps them. */
    io.credence.charging.DeviceDirectory.Rules forEngine() {
        return new io.credence.charging.DeviceDirectory.Rules(maxBytesPerDay == null ? 0 : maxBytesPerDay,
                allowedBorrowers == null ? null : List.copyOf(allowedBorrowers), priceMinorPerMb);
    }

    static ShareRules of(io.credence.charging.DeviceDirectory.Rules kept) {
        return new ShareRules(kept.maxBytesPerDay() == 0 ? null : kept.maxBytesPerDay(),
                kept.allowedBorrowers() == null ? null : Set.copyOf(kept.allowedBorrowers()), kept.priceMinorPerMb());
    }

    boolean allows(String borrowerSim) {
        return allowedBorrowers == null || allowedBorrowers.contains(borrowerSim);
    }
}
