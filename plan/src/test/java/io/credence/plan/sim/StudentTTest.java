package io.credence.plan.sim;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class StudentTTest {

    /** Table values of t(0.995, df) to the digits printed in standard tables, 4 decimals, and beyond. */
    @ParameterizedTest(name = "t(0.995, {0}) = {1}")
    @CsvSource({"1, 63.656741", "9, 3.249836", "29, 2.756386", "120, 2.617421"})
    void quantilesMatchTheTables(int degreesOfFreedom, double expected) {
        assertThat(StudentT.quantile(0.995, degreesOfFreedom)).isCloseTo(expected, within(1e-6 * Math.max(1, expected)));
    }

    @Test
    void quantilesMatchTheClosedFormsForOneAndTwoDegrees() {
        for (double p : new double[] {0.6, 0.9, 0.975, 0.995, 0.9999}) {
            // df = 1 is the Cauchy law; df = 2 has t = (2p - 1) / sqrt(2 p (1 - p)).
            double cauchy = Math.tan(Math.PI * (p - 0.5));
            assertThat(StudentT.quantile(p, 1)).isCloseTo(cauchy, within(1e-9 * cauchy));
            double two = (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
            assertThat(StudentT.quantile(p, 2)).isCloseTo(two, within(1e-9 * two));
        }
    }

    @Test
    void manyDegreesApproachTheNormalQuantileAndTheLawIsSymmetric() {
        assertThat(StudentT.quantile(0.995, 10_000_000)).isCloseTo(2.5758293035489, within(1e-6));
        assertThat(StudentT.quantile(0.005, 29)).isCloseTo(-StudentT.quantile(0.995, 29), within(1e-12));
        assertThat(StudentT.quantile(0.5, 7)).isZero();
        for (int df : new int[] {1, 3, 30, 500}) {
            for (double p : new double[] {0.55, 0.8, 0.99, 0.999999}) {
                assertThat(StudentT.cdf(StudentT.quantile(p, df), df)).isCloseTo(p, within(1e-12));
            }
        }
    }

    @Test
    void logGammaMatchesFactorialsAndTheHalfIntegerValue() {
        assertThat(StudentT.logGamma(1)).isCloseTo(0, within(1e-14));
        assertThat(StudentT.logGamma(10)).isCloseTo(Math.log(362_880), within(1e-12));
        assertThat(StudentT.logGamma(0.5)).isCloseTo(0.5 * Math.log(Math.PI), within(1e-14));
        assertThat(StudentT.logGamma(171)).isCloseTo(706.5730622457874, within(1e-10));
    }

    @Test
    void badArgumentsAreRefused() {
        assertThatThrownBy(() -> StudentT.quantile(1, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StudentT.quantile(0, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StudentT.quantile(0.9, 0)).hasMessageContaining("degrees of freedom");
    }
}
