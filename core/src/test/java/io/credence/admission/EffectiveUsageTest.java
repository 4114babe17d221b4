package io.credence.admission;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EffectiveUsageTest {

    @Test
    void idleTimeAndDroppedBytesAreNotBilled() {
        // 10 minutes on the clock, 40 s of it carrying traffic; 1 MB metered, 200 kB of it dropped
        EffectiveUsage usage = EffectiveUsage.of(1_000_000, 200_000, 40, 600);
        assertThat(usage.rawBytes()).isEqualTo(1_000_000);
        assertThat(usage.rawSeconds()).isEqualTo(600);
        assertThat(usage.effectiveBytes()).isEqualTo(800_000);
        assertThat(usage.effectiveSeconds()).isEqualTo(40);
        assertThat(usage.throughputBytesPerSecond()).isEqualTo(20_000);
    }

    @Test
    void throughputRoundsDownButTheEffectiveBytesAreExact() {
        EffectiveUsage usage = EffectiveUsage.of(1_000, 0, 3, 3);
        assertThat(usage.throughputBytesPerSecond()).isEqualTo(333);
        assertThat(usage.effectiveBytes()).isEqualTo(1_000);
        assertThat(EffectiveUsage.of(0, 0, 0, 100)).isEqualTo(new EffectiveUsage(0, 100, 0, 0, 0));
        assertThat(EffectiveUsage.of(500, 500, 0, 100).effectiveBytes()).isZero();
        assertThat(EffectiveUsage.of(Long.MAX_VALUE, 0, 1, 1).throughputBytesPerSecond()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void contradictoryFiguresAreRefusedNamingWhich() {
        assertThatThrownBy(() -> EffectiveUsage.of(10, 11, 1, 1)).hasMessageContaining("bytesDropped");
        assertThatThrownBy(() -> EffectiveUsage.of(10, 0, 2, 1)).hasMessageContaining("activeSeconds");
        assertThatThrownBy(() -> EffectiveUsage.of(10, 0, 0, 1)).hasMessageContaining("0 activeSeconds");
        assertThatThrownBy(() -> EffectiveUsage.of(-1, 0, 0, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
