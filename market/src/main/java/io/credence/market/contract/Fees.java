package io.credence.market.contract;

import java.math.BigInteger;

/**
 * What a relay contract costs, in money minor units, with exact integer arithmetic only.
 *
 * <ul>
 *   <li>{@link ChargingStandard#PER_MB}: {@code ceil(amount bytes / 10^6) * price} — a started
 *       megabyte (SI, 10^6 bytes) is paid whole, so a provider is never paid less than it
 *       delivers in whole units.</li>
 *   <li>{@link ChargingStandard#PER_MINUTE}: {@code ceil(period / 60 s) * price} — minutes of the
 *       contracted period, a started minute paid whole.</li>
 *   <li>{@link ChargingStandard#FLAT}: {@code price}.</li>
 * </ul>
 *
 * {@link ContractLimits} bounds amount, period and price so that none of these can overflow; the
 * exact multiplications below would crash, not wrap, if those bounds were ever loosened.
 */
public final class Fees {
    public static final long BYTES_PER_MB = 1_000_000L;
    public static final long MILLIS_PER_MINUTE = 60_000L;

    private Fees() {}

    /** The fee a contract must state, from its charging standard, amount, period and price. */
    public static long expected(Contract contract) {
        return expected(contract.chargingStandard(), contract.amount(), contract.durationMillis(),
                contract.pricePerUnitMinor());
    }

    /** The same rule before a contract exists, e.g. to estimate the fee for {@link PaymentCheck}. */
    public static long expected(ChargingStandard standard, long amount, long durationMillis, long pricePerUnitMinor) {
        Canonical.requireRange("amount", amount, 1, ContractLimits.AMOUNT_MAX);
        Canonical.requireRange("durationMillis", durationMillis, 1, ContractLimits.PERIOD_MILLIS_MAX);
        Canonical.requireRange("pricePerUnitMinor", pricePerUnitMinor, 0, ContractLimits.PRICE_PER_UNIT_MINOR_MAX);
        long fee = switch (standard) {
            case PER_MB -> Math.multiplyExact(Math.ceilDiv(amount, BYTES_PER_MB), pricePerUnitMinor);
            case PER_MINUTE -> Math.multiplyExact(Math.ceilDiv(durationMillis, MILLIS_PER_MINUTE), pricePerUnitMinor);
            case FLAT -> pricePerUnitMinor;
        };
        ContractLimits.check(fee >= 0 && fee <= ContractLimits.FEE_MINOR_MAX, "fee within FEE_MINOR_MAX");
        return fee;
    }

    /** The service ran its whole period: the contract fee. */
    public static long completion(Contract contract) {
        return contract.feeMinor();
    }

    /**
     * The buyer stopped early: the fee pro rata to {@code actualDurationMillis} over the
     * contracted period, rounded up to the minor unit (the provider held the resource for the
     * started unit), and never more than the fee however long the service really ran.
     */
    public static long buyerEarly(Contract contract, long actualDurationMillis) {
        Canonical.requireRange("actualDurationMillis", actualDurationMillis, 0, Long.MAX_VALUE);
        long fee = contract.feeMinor();
        long contracted = contract.durationMillis();
        if (actualDurationMillis >= contracted) {
            return fee;
        }
        // fee * actual needs up to ~95 bits; BigInteger keeps it exact.
        BigInteger numerator = BigInteger.valueOf(fee).multiply(BigInteger.valueOf(actualDurationMillis));
        BigInteger[] quotientAndRemainder = numerator.divideAndRemainder(BigInteger.valueOf(contracted));
        long due = quotientAndRemainder[0].longValueExact() + (quotientAndRemainder[1].signum() > 0 ? 1 : 0);
        ContractLimits.check(due >= 0 && due <= fee, "pro rata fee within 0..fee");
        return due;
    }

    /**
     * The provider stopped early and proposes a fee; the buyer accepts or rejects it elsewhere.
     * Here only the bounds: nothing negative, nothing above what the whole contract would cost.
     */
    public static Proposal providerEarly(Contract contract, long proposedFeeMinor) {
        if (proposedFeeMinor < 0) {
            return new Proposal.OutOfRange("proposed fee " + proposedFeeMinor + " is negative");
        }
        if (proposedFeeMinor > contract.feeMinor()) {
            return new Proposal.OutOfRange("proposed fee " + proposedFeeMinor + " is above the contract fee "
                    + contract.feeMinor());
        }
        return new Proposal.Acceptable(proposedFeeMinor);
    }

    /** A provider's early-stop fee proposal, within bounds or not. */
    public sealed interface Proposal {
        record Acceptable(long feeMinor) implements Proposal {}

        record OutOfRange(String reason) implements Proposal {}
    }
}
