package io.credence.charging;

import io.credence.ledger.Ids;
import io.credence.ledger.Unit;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The engine's options at their limits: every bound is inclusive, one past it is refused (a
 * journaled Configure with a bad value must never reach the engine), and each wither changes
 * exactly its own options.
 */
class EngineConfigTest {
    private static final int MAX = EngineConfig.RETENTION_SECONDS_MAX;
    private final EngineConfig defaults = EngineConfig.defaults();

    @Test
    void aDefaultGrantNeedsAtLeastOneUnit() {
        assertThat(new EngineConfig.Quota(Unit.BYTES, 1).amount()).isEqualTo(1);
        assertThatThrownBy(() -> new EngineConfig.Quota(Unit.BYTES, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EngineConfig.Quota(null, 10)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void validityIsOneSecondToAWeekAndGraceZeroToAWeek() {
        assertThat(defaults.withValidity(1, 0).grantTtlMillis()).isEqualTo(1_000);
        assertThat(defaults.withValidity(MAX, MAX).grantTtlMillis()).as("both at a week")
                .isEqualTo(2L * MAX * 1000);
        assertThatThrownBy(() -> defaults.withValidity(0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withValidity(MAX + 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withValidity(10, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withValidity(10, MAX + 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aGrantsReservationHoldsForItsValidityPlusTheGrace() {
        assertThat(defaults.grantTtlMillis()).isEqualTo(630_000);
        assertThat(defaults.withValidity(5, 2).grantTtlMillis()).isEqualTo(7_000);
    }

    @Test
    void theSessionTableHoldsOneToFiftyMillionSessions() {
        assertThat(defaults.withSessionsMax(1).sessionsMax()).isEqualTo(1);
        assertThat(defaults.withSessionsMax(EngineConfig.SESSIONS_MAX_LIMIT).sessionsMax())
                .isEqualTo(EngineConfig.SESSIONS_MAX_LIMIT);
        assertThatThrownBy(() -> defaults.withSessionsMax(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withSessionsMax(EngineConfig.SESSIONS_MAX_LIMIT + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void bothRetentionsAreOneSecondToAWeek() {
        EngineConfig shortest = defaults.withRetention(1, 1);
        assertThat(shortest.closedRetentionSeconds()).isEqualTo(1);
        assertThat(shortest.silentRetentionSeconds()).isEqualTo(1);
        EngineConfig longest = defaults.withRetention(MAX, MAX);
        assertThat(longest.closedRetentionSeconds()).isEqualTo(MAX);
        assertThat(longest.silentRetentionSeconds()).isEqualTo(MAX);
        assertThatThrownBy(() -> defaults.withRetention(0, 60)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withRetention(MAX + 1, 60)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withRetention(60, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withRetention(60, MAX + 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theCounterpartyMustBeAWellFormedAccountId() {
        assertThat(defaults.withCounterparty("revenue").counterpartyAccount()).isEqualTo("revenue");
        assertThatThrownBy(() -> defaults.withCounterparty("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withCounterparty(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void eachWitherChangesOnlyItsOwnOptions() {
        Map<Long, EngineConfig.Quota> quotas = Map.of(10L, new EngineConfig.Quota(Unit.BYTES, 500));
        assertThat(defaults.withRatingGroupQuotas(quotas)).isEqualTo(new EngineConfig(quotas,
                defaults.serviceContextQuotas(), 600, 30, Ids.SYSTEM_ACCOUNT, 1_000_000, 180, 3600));
        assertThat(defaults.withValidity(60, 5)).isEqualTo(new EngineConfig(Map.of(), defaults.serviceContextQuotas(),
                60, 5, Ids.SYSTEM_ACCOUNT, 1_000_000, 180, 3600));
        assertThat(defaults.withSessionsMax(7)).isEqualTo(new EngineConfig(Map.of(), defaults.serviceContextQuotas(),
                600, 30, Ids.SYSTEM_ACCOUNT, 7, 180, 3600));
        assertThat(defaults.withRetention(11, 12)).isEqualTo(new EngineConfig(Map.of(), defaults.serviceContextQuotas(),
                600, 30, Ids.SYSTEM_ACCOUNT, 1_000_000, 11, 12));
        assertThat(defaults.withCounterparty("revenue")).isEqualTo(new EngineConfig(Map.of(),
                defaults.serviceContextQuotas(), 600, 30, "revenue", 1_000_000, 180, 3600));
    }

    @Test
    void theDefaultsGrantAMebibyteOfDataFiveMinutesOfVoiceAndOneSms() {
        assertThat(defaults.serviceContextQuotas()).isEqualTo(Map.of(
                EngineConfig.CONTEXT_PS, new EngineConfig.Quota(Unit.BYTES, 1L << 20),
                EngineConfig.CONTEXT_5G_DATA, new EngineConfig.Quota(Unit.BYTES, 1L << 20),
                EngineConfig.CONTEXT_IMS, new EngineConfig.Quota(Unit.SECONDS, 300),
                EngineConfig.CONTEXT_SMS, new EngineConfig.Quota(Unit.SERVICE_UNITS, 1)));
        assertThat(defaults.ratingGroupQuotas()).isEmpty();
    }
}
