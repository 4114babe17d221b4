package io.credence.records.postgres;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The sink's settings: bounds are refused by name, and a password in the URL never reaches a log line. */
class RecordsDbConfigTest {
    final Path dir = Path.of("records");

    @Test
    void refusesWhatCannotWork() {
        assertThatThrownBy(() -> RecordsDbConfig.defaults("jdbc:mysql://db/x", null, null, dir))
                .hasMessageContaining("url must start with jdbc:postgresql:");
        RecordsDbConfig ok = RecordsDbConfig.defaults("jdbc:postgresql://db/x", null, null, dir);
        assertThatThrownBy(() -> ok.withBatch(0, Duration.ofSeconds(1))).hasMessageContaining("batchSizeMax must be 1..10000");
        assertThatThrownBy(() -> ok.withBatch(RecordsDbConfig.BATCH_SIZE_MAX + 1, Duration.ofSeconds(1)))
                .hasMessageContaining("batchSizeMax");
        assertThatThrownBy(() -> ok.withBatch(10, Duration.ZERO)).hasMessageContaining("batchDelayMax must be > 0");
        assertThatThrownBy(() -> ok.withTiming(Duration.ofMillis(10), Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessageContaining("retryMax (PT1S) must be >= retryMin (PT2S)");
    }

    @Test
    void theTargetLeavesOutTheQueryWhereAPasswordMayBe() {
        RecordsDbConfig c = RecordsDbConfig.defaults("jdbc:postgresql://db:5432/cdr?user=u&password=secret", null, "pw", dir);
        assertThat(c.target()).isEqualTo("jdbc:postgresql://db:5432/cdr");
        assertThat(c.toString()).doesNotContain("secret").doesNotContain("pw,");
        assertThatThrownBy(() -> RecordsDbConfig.defaults("mysql://x?password=secret", null, null, dir))
                .hasMessageNotContaining("secret");
    }
}
