package io.credence.journal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bounds are checked once, when the configuration is made. */
class JournalConfigTest {
    @Test
    void defaultsAreValidAndBounded() {
        JournalConfig d = JournalConfig.DEFAULTS;
        assertThat(d.batchMax()).isBetween(1, d.queueMax());
        assertThat(d.recordBytesMax()).isGreaterThanOrEqualTo(256);
        assertThat(d.fsync()).isTrue();
    }

    @Test
    void inconsistentBoundsAreRefused() {
        assertThatThrownBy(() -> new JournalConfig(0, 1, 4096, 0, 1, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new JournalConfig(4, 5, 4096, 0, 1, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new JournalConfig(4, 0, 4096, 0, 1, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new JournalConfig(4, 4, 255, 0, 1, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new JournalConfig(4, 4, 4096, -1, 1, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new JournalConfig(4, 4, 4096, 0, 0, true)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void withQueueMaxKeepsTheBatchWithinTheQueue() {
        JournalConfig small = JournalConfig.DEFAULTS.withQueueMax(8);
        assertThat(small.queueMax()).isEqualTo(8);
        assertThat(small.batchMax()).isEqualTo(8);
        assertThat(small.withSnapshotEveryRecords(3).snapshotEveryRecords()).isEqualTo(3);
        assertThat(small.withSnapshotEveryRecords(3).queueMax()).isEqualTo(8);
    }
}
