package io.credence.devices;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShareRulesTest {
    @Test
    void rulesAreCheckedWhenMade() {
        assertThat(new ShareRules(null, null, 0).allows("anyone")).isTrue();
        assertThat(new ShareRules(1000L, Set.of("sim-a"), 5).allows("sim-b")).isFalse();
        assertThatThrownBy(() -> new ShareRules(0L, null, 0)).hasMessageContaining("maxBytesPerDay");
        assertThatThrownBy(() -> new ShareRules(null, Set.of("bad sim"), 0)).hasMessageContaining("allowedBorrowers");
        assertThatThrownBy(() -> new ShareRules(null, null, -1)).hasMessageContaining("priceMinorPerMb");
    }
}
