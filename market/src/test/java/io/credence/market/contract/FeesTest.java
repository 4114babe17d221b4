package io.credence.market.contract;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FeesTest {

    private static Contract contract(ChargingStandard standard, ResourceType resource, long amount, long durationMillis,
                                     long price) {
        Fixtures.Draft draft = Fixtures.draft();
        draft.chargingStandard = standard;
        draft.resourceType = resource;
        draft.amount = amount;
        draft.periodStartMillis = Fixtures.T0;
        draft.periodEndMillis = Fixtures.T0 + durationMillis;
        draft.pricePerUnitMinor = price;
        return draft.build();
    }

    @Test
    void perMbCountsAStartedMegabyteWhole() {
        assertThat(Fees.expected(ChargingStandard.PER_MB, 2_500_000_000L, 1, 50)).isEqualTo(2500 * 50);
        assertThat(Fees.expected(ChargingStandard.PER_MB, 2_500_000_001L, 1, 50)).isEqualTo(2501 * 50);
        assertThat(Fees.expected(ChargingStandard.PER_MB, 1, 1, 50)).isEqualTo(50);
    }

    @Test
    void perMinuteCountsMinutesOfThePeriodAStartedMinuteWhole() {
        assertThat(Fees.expected(ChargingStandard.PER_MINUTE, 1, 60_000, 7)).isEqualTo(7);
        assertThat(Fees.expected(ChargingStandard.PER_MINUTE, 1, 90_000, 7)).isEqualTo(14);
        assertThat(Fees.expected(ChargingStandard.PER_MINUTE, 999, Fixtures.HOUR, 7)).isEqualTo(60 * 7);
    }

    @Test
    void flatIsThePrice() {
        assertThat(Fees.expected(ChargingStandard.FLAT, 123_456, Fixtures.HOUR, 900)).isEqualTo(900);
    }

    @Test
    void theLargestFeesFitWithoutOverflow() {
        long price = ContractLimits.PRICE_PER_UNIT_MINOR_MAX;
        assertThat(Fees.expected(ChargingStandard.PER_MB, ContractLimits.AMOUNT_MAX, 1, price))
                .isEqualTo(ContractLimits.FEE_MINOR_MAX);
        assertThat(Fees.expected(ChargingStandard.PER_MINUTE, 1, ContractLimits.PERIOD_MILLIS_MAX, price))
                .isEqualTo(366L * 24 * 60 * price);
    }

    @Test
    void completionIsTheContractFee() {
        Contract contract = contract(ChargingStandard.FLAT, ResourceType.BANDWIDTH_KBPS, 2_000, 3_000, 1_000);
        assertThat(Fees.completion(contract)).isEqualTo(1_000);
    }

    @Test
    void buyerEarlyIsProRataRoundedUpAndNeverAboveTheFee() {
        Contract contract = contract(ChargingStandard.FLAT, ResourceType.BANDWIDTH_KBPS, 2_000, 3_000, 1_000);

        assertThat(Fees.buyerEarly(contract, 0)).isZero();
        assertThat(Fees.buyerEarly(contract, 1)).isEqualTo(1); // 0.33 rounds up
        assertThat(Fees.buyerEarly(contract, 1_000)).isEqualTo(334); // 333.3 rounds up
        assertThat(Fees.buyerEarly(contract, 1_500)).isEqualTo(500); // exact, not rounded
        assertThat(Fees.buyerEarly(contract, 2_999)).isEqualTo(1_000); // 999.67 rounds up to the fee
        assertThat(Fees.buyerEarly(contract, 3_000)).isEqualTo(1_000);
        assertThat(Fees.buyerEarly(contract, Long.MAX_VALUE)).isEqualTo(1_000);
        assertThatThrownBy(() -> Fees.buyerEarly(contract, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void buyerEarlyAtTheLargestFeeAndPeriodIsExact() {
        Contract contract = contract(ChargingStandard.PER_MB, ResourceType.DATA_BYTES, ContractLimits.AMOUNT_MAX,
                ContractLimits.PERIOD_MILLIS_MAX, ContractLimits.PRICE_PER_UNIT_MINOR_MAX);
        long period = ContractLimits.PERIOD_MILLIS_MAX;

        assertThat(contract.feeMinor()).isEqualTo(ContractLimits.FEE_MINOR_MAX);
        assertThat(Fees.buyerEarly(contract, period - 1)).isEqualTo(reference(contract.feeMinor(), period - 1, period));
        assertThat(Fees.buyerEarly(contract, period / 2)).isEqualTo(ContractLimits.FEE_MINOR_MAX / 2);
    }

    /** Seeded, edge-biased amounts against a plain reference model, plus the invariants. */
    @Test
    void buyerEarlyMatchesTheReferenceModel() {
        SplittableRandom random = new SplittableRandom(20240501);
        for (int i = 0; i < 20_000; i++) {
            long fee = edgeBiased(random, ContractLimits.PRICE_PER_UNIT_MINOR_MAX);
            long duration = Math.max(1, edgeBiased(random, ContractLimits.PERIOD_MILLIS_MAX));
            long actual = edgeBiased(random, duration + 1);
            Contract contract = contract(ChargingStandard.FLAT, ResourceType.BANDWIDTH_KBPS, 1, duration, fee);

            long due = Fees.buyerEarly(contract, actual);

            assertThat(due).as("fee %d, %d of %d ms", fee, actual, duration)
                    .isEqualTo(reference(fee, Math.min(actual, duration), duration))
                    .isBetween(0L, fee);
            if (actual > 0 && actual < duration) {
                assertThat(Fees.buyerEarly(contract, actual - 1)).isLessThanOrEqualTo(due);
            }
        }
    }

    private static long edgeBiased(SplittableRandom random, long max) {
        return switch (random.nextInt(6)) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> max;
            case 3 -> Math.max(0, max - 1);
            default -> random.nextLong(max + 1);
        };
    }

    /** ceil(fee * actual / duration), written differently from the code under test. */
    private static long reference(long fee, long actual, long duration) {
        BigInteger product = BigInteger.valueOf(fee).multiply(BigInteger.valueOf(actual));
        return product.add(BigInteger.valueOf(duration - 1)).divide(BigInteger.valueOf(duration)).longValueExact();
    }

    @Test
    void providerEarlyAcceptsOnlyZeroToTheFee() {
        Contract contract = contract(ChargingStandard.FLAT, ResourceType.BANDWIDTH_KBPS, 2_000, 3_000, 1_000);

        assertThat(Fees.providerEarly(contract, 0)).isEqualTo(new Fees.Proposal.Acceptable(0));
        assertThat(Fees.providerEarly(contract, 1_000)).isEqualTo(new Fees.Proposal.Acceptable(1_000));
        assertThat(Fees.providerEarly(contract, -1))
                .isEqualTo(new Fees.Proposal.OutOfRange("proposed fee -1 is negative"));
        assertThat(Fees.providerEarly(contract, 1_001))
                .isEqualTo(new Fees.Proposal.OutOfRange("proposed fee 1001 is above the contract fee 1000"));
    }

    @Test
    void perMbOnABandwidthIsRefusedBecauseItHasNoMeaning() {
        assertThatThrownBy(() -> contract(ChargingStandard.PER_MB, ResourceType.BANDWIDTH_KBPS, 1, 1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("PER_MB charges a data volume, not BANDWIDTH_KBPS");
    }
}
