package io.credence.market.contract;

import java.math.BigInteger;

/**
 * Whether a personal buyer can pay, asked before it agrees to a contract. Passes when any of:
 *
 * <ol>
 *   <li>{@link #BALANCE_THRESHOLD}: the balance is at least the operator's threshold (enough for
 *       any ordinary contract, whatever this one costs);</li>
 *   <li>{@link #ESTIMATED_FEE}: the balance covers the estimated fee;</li>
 *   <li>{@link #RELAXED_FEE}: the buyer's credit score is at least {@link Policy#relaxFromScore}
 *       and the balance is short of the estimated fee by at most
 *       {@link Policy#shortfallPercentMax} percent of it (trusted buyers may top up later).</li>
 * </ol>
 *
 * A refusal names the last check that failed — the fee check, plain or relaxed — and its detail
 * gives every number involved, so the buyer knows how much is missing.
 */
public final class PaymentCheck {
    public static final String BALANCE_THRESHOLD = "balance threshold";
    public static final String ESTIMATED_FEE = "estimated fee";
    public static final String RELAXED_FEE = "estimated fee relaxed by credit score";
    public static final int CREDIT_SCORE_MAX = 1000;

    private PaymentCheck() {}

    /**
     * @param relaxFromScore      lowest credit score (0..1000) that relaxes the fee check
     * @param shortfallPercentMax how far short of the estimated fee such a buyer may be, 0..100
     */
    public record Policy(int relaxFromScore, int shortfallPercentMax) {
        public Policy {
            Canonical.requireRange("relaxFromScore", relaxFromScore, 0, CREDIT_SCORE_MAX);
            Canonical.requireRange("shortfallPercentMax", shortfallPercentMax, 0, 100);
        }
    }

    public sealed interface Result {}

    /** @param passedCheck the first check that passed */
    public record Able(String passedCheck) implements Result {}

    public record Unable(String failedCheck, String detail) implements Result {}

    /**
     * @param creditScore 0..1000, or null when the buyer has none (then there is no relaxation)
     */
    public static Result check(long balanceMinor, long thresholdMinor, long estimatedFeeMinor, Integer creditScore,
                               Policy policy) {
        Canonical.requireRange("thresholdMinor", thresholdMinor, 0, Long.MAX_VALUE);
        Canonical.requireRange("estimatedFeeMinor", estimatedFeeMinor, 0, ContractLimits.FEE_MINOR_MAX);
        if (creditScore != null) {
            Canonical.requireRange("creditScore", creditScore, 0, CREDIT_SCORE_MAX);
        }
        if (balanceMinor >= thresholdMinor) {
            return new Able(BALANCE_THRESHOLD);
        }
        if (balanceMinor >= estimatedFeeMinor) {
            return new Able(ESTIMATED_FEE);
        }
        String shortOf = "balance " + balanceMinor + " is below the threshold " + thresholdMinor
                + " and the estimated fee " + estimatedFeeMinor;
        if (creditScore == null) {
            return new Unable(ESTIMATED_FEE, shortOf + "; no credit score, so no relaxation");
        }
        if (creditScore < policy.relaxFromScore()) {
            return new Unable(ESTIMATED_FEE, shortOf + "; credit score " + creditScore + " is below "
                    + policy.relaxFromScore() + ", so no relaxation");
        }
        long relaxedMinor = relaxed(estimatedFeeMinor, policy.shortfallPercentMax());
        if (balanceMinor >= relaxedMinor) {
            return new Able(RELAXED_FEE);
        }
        return new Unable(RELAXED_FEE, shortOf + ", and below " + relaxedMinor + ", the most that credit score "
                + creditScore + " lets it be short by " + policy.shortfallPercentMax() + "%");
    }

    /**
     * The least balance that is at most {@code percent} percent short of {@code feeMinor}:
     * {@code ceil(fee * (100 - percent) / 100)}; rounded up so the shortfall never exceeds the
     * percentage. BigInteger because fee * 100 may not fit a long.
     */
    static long relaxed(long feeMinor, int percent) {
        BigInteger[] quotientAndRemainder = BigInteger.valueOf(feeMinor).multiply(BigInteger.valueOf(100L - percent))
                .divideAndRemainder(BigInteger.valueOf(100));
        long relaxed = quotientAndRemainder[0].longValueExact() + (quotientAndRemainder[1].signum() > 0 ? 1 : 0);
        ContractLimits.check(relaxed >= 0 && relaxed <= feeMinor, "relaxed fee within 0..fee");
        return relaxed;
    }
}
