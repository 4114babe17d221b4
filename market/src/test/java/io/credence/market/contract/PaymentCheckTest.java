package io.credence.market.contract;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PaymentCheckTest {
    /** A score of 700 or more may be up to 20 % short of the estimated fee. */
    private static final PaymentCheck.Policy POLICY = new PaymentCheck.Policy(700, 20);

    @Test
    void aBalanceAtTheThresholdIsAbleWhateverTheFee() {
        assertThat(PaymentCheck.check(5_000, 5_000, 1_000_000, null, POLICY))
                .isEqualTo(new PaymentCheck.Able(PaymentCheck.BALANCE_THRESHOLD));
    }

    @Test
    void belowTheThresholdButCoveringTheFeeIsAble() {
        assertThat(PaymentCheck.check(1_000, 5_000, 1_000, null, POLICY))
                .isEqualTo(new PaymentCheck.Able(PaymentCheck.ESTIMATED_FEE));
    }

    @Test
    void withoutACreditScoreTheFeeCheckIsNotRelaxed() {
        assertThat(PaymentCheck.check(999, 5_000, 1_000, null, POLICY)).isEqualTo(new PaymentCheck.Unable(
                PaymentCheck.ESTIMATED_FEE,
                "balance 999 is below the threshold 5000 and the estimated fee 1000; no credit score, so no relaxation"));
    }

    @Test
    void aScoreBelowThePolicyDoesNotRelax() {
        assertThat(PaymentCheck.check(900, 5_000, 1_000, 699, POLICY)).isEqualTo(new PaymentCheck.Unable(
                PaymentCheck.ESTIMATED_FEE,
                "balance 900 is below the threshold 5000 and the estimated fee 1000; credit score 699 is below 700,"
                        + " so no relaxation"));
    }

    @Test
    void aGoodScoreMayBeUpTo20PercentShort() {
        assertThat(PaymentCheck.check(800, 5_000, 1_000, 700, POLICY))
                .isEqualTo(new PaymentCheck.Able(PaymentCheck.RELAXED_FEE));
        assertThat(PaymentCheck.check(799, 5_000, 1_000, 1_000, POLICY)).isEqualTo(new PaymentCheck.Unable(
                PaymentCheck.RELAXED_FEE,
                "balance 799 is below the threshold 5000 and the estimated fee 1000, and below 800, the most that"
                        + " credit score 1000 lets it be short by 20%"));
    }

    @Test
    void theRelaxedFeeRoundsUpSoTheShortfallNeverExceedsThePercentage() {
        // 20 % short of 999 is 799.2: 799 would be more than 20 % short.
        assertThat(PaymentCheck.check(799, 5_000, 999, 800, POLICY)).isInstanceOf(PaymentCheck.Unable.class);
        assertThat(PaymentCheck.check(800, 5_000, 999, 800, POLICY)).isInstanceOf(PaymentCheck.Able.class);
        assertThat(PaymentCheck.relaxed(ContractLimits.FEE_MINOR_MAX, 20)).isEqualTo(ContractLimits.FEE_MINOR_MAX / 5 * 4);
        assertThat(PaymentCheck.relaxed(1_000, 0)).isEqualTo(1_000);
        assertThat(PaymentCheck.relaxed(1_000, 100)).isZero();
    }

    @Test
    void aNegativeBalanceCanStillFailEveryCheck() {
        assertThat(PaymentCheck.check(-1, 0, 0, null, POLICY)).isInstanceOf(PaymentCheck.Unable.class);
    }

    @Test
    void outOfRangeInputsAreProgrammerErrors() {
        assertThatThrownBy(() -> PaymentCheck.check(0, 0, 0, 1_001, POLICY))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("creditScore must be 0..1000, was 1001");
        assertThatThrownBy(() -> PaymentCheck.check(0, -1, 0, null, POLICY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PaymentCheck.Policy(700, 101)).isInstanceOf(IllegalArgumentException.class);
    }
}
