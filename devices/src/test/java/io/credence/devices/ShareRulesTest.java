package io.credence.devices;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShareRulesTest {
    @Test
    void theFeeIsPerMegabyteRoundedUpAndNeverFallsAsUsageGrows() {
        assertThat(ShareRules.fee(0, 100)).isZero();
        assertThat(ShareRules.fee(1, 100)).isEqualTo(1);
        assertThat(ShareRules.fee(1_000_000, 100)).isEqualTo(100);
        assertThat(ShareRules.fee(1_000_001, 100)).isEqualTo(101);
        assertThat(ShareRules.fee(5_000_000, 0)).as("a gift").isZero();
        assertThat(ShareRules.fee(Long.MAX_VALUE / 2, 1)).isEqualTo((Long.MAX_VALUE / 2 + 999_999) / 1_000_000);
        long previous = 0;
        for (long bytes = 0; bytes < 3_000_000; bytes += 12_345) {
            long fee = ShareRules.fee(bytes, 7);
            assertThat(fee).isGreaterThanOrEqualTo(previous);
            previous = fee;
        }
    }

    @Test
    void rulesAreCheckedWhenMade() {
        assertThat(new ShareRules(null, null, 0).allows("anyone")).isTrue();
        assertThat(new ShareRules(1000L, Set.of("sim-a"), 5).allows("sim-b")).isFalse();
        assertThatThrownBy(() -> new ShareRules(0L, null, 0)).hasMessageContaining("maxBytesPerDay");
        assertThatThrownBy(() -> new ShareRules(null, Set.of("bad sim"), 0)).hasMessageContaining("allowedBorrowers");
        assertThatThrownBy(() -> new ShareRules(null, null, -1)).hasMessageContaining("priceMinorPerMb");
    }
}
