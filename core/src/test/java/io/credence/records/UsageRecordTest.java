package io.credence.records;

import io.credence.ledger.Unit;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A usage record is checked field by field, copied immutable, and names the field it refuses. */
class UsageRecordTest {

    static UsageRecord record(String id) {
        return new UsageRecord(id, 1_700_000_000_000L, "alice", "diameter", "pgw;1;42", "data", 10,
                Map.of("network", "5G", "roaming", "no"), "home-data", "data-eur", UsageRecord.CHARGED, Unit.BYTES,
                1_000_000, 1_000_000, 25, "EUR", List.of(new UsageRecord.BalanceChange("alice", Unit.MONEY, -25)),
                List.of(id));
    }

    @Test
    void acceptsAFullRecordAndNullOptionalFields() {
        UsageRecord full = record("r1");
        assertThat(full.attributes()).containsEntry("network", "5G");
        UsageRecord minimal = new UsageRecord("r2", 0, "bob", "http", null, "sms", UsageRecord.RATING_GROUP_NONE,
                null, null, null, UsageRecord.UNRATED, Unit.SERVICE_UNITS, 0, 0, 0, null, null, null);
        assertThat(minimal.attributes()).isEmpty();
        assertThat(minimal.balances()).isEmpty();
        assertThat(minimal.requestIds()).isEmpty();
    }

    @Test
    void copiesCollectionsSoTheCallerCannotChangeTheRecord() {
        Map<String, String> attributes = new HashMap<>(Map.of("b", "2", "a", "1"));
        List<String> requestIds = new ArrayList<>(List.of("r1"));
        UsageRecord r = new UsageRecord("r1", 0, "alice", "http", null, "data", 1, attributes, null, null,
                UsageRecord.FREE, Unit.BYTES, 5, 5, 0, null, null, requestIds);
        attributes.put("c", "3");
        requestIds.add("r2");
        assertThat(r.attributes()).containsOnlyKeys("a", "b");
        assertThat(r.attributes().keySet()).containsExactly("a", "b");
        assertThat(r.requestIds()).containsExactly("r1");
        assertThatThrownBy(() -> r.attributes().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> r.balances().add(null)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void refusesBadFieldsNamingThem() {
        UsageRecord ok = record("r1");
        assertRefused("recordId", () -> new UsageRecord(null, 0, "alice", "http", null, "data", 1, null, null, null,
                "FREE", Unit.BYTES, 0, 0, 0, null, null, null));
        assertRefused("recordId", () -> with(ok, "bad id", ok.atMillis(), ok.decision(), ok.rawUnits(), ok.price()));
        assertRefused("atMillis", () -> with(ok, "r1", -1, ok.decision(), ok.rawUnits(), ok.price()));
        assertRefused("decision", () -> with(ok, "r1", 0, "MAYBE", ok.rawUnits(), ok.price()));
        assertRefused("decision", () -> with(ok, "r1", 0, null, ok.rawUnits(), ok.price()));
        assertRefused("rawUnits", () -> with(ok, "r1", 0, "FREE", -1, 0));
        assertRefused("price", () -> with(ok, "r1", 0, "CHARGED", 1, -1));
        assertRefused("accountId", () -> new UsageRecord("r1", 0, "", "http", null, "data", 1, null, null, null,
                "FREE", Unit.BYTES, 0, 0, 0, null, null, null));
        assertRefused("origin", () -> new UsageRecord("r1", 0, "alice", null, null, "data", 1, null, null, null,
                "FREE", Unit.BYTES, 0, 0, 0, null, null, null));
        assertRefused("sessionId", () -> new UsageRecord("r1", 0, "alice", "http", "", "data", 1, null, null, null,
                "FREE", Unit.BYTES, 0, 0, 0, null, null, null));
        assertRefused("service", () -> new UsageRecord("r1", 0, "alice", "http", null, null, 1, null, null, null,
                "FREE", Unit.BYTES, 0, 0, 0, null, null, null));
        assertRefused("ratingGroup", () -> new UsageRecord("r1", 0, "alice", "http", null, "data", -2, null, null, null,
                "FREE", Unit.BYTES, 0, 0, 0, null, null, null));
        assertRefused("unit", () -> new UsageRecord("r1", 0, "alice", "http", null, "data", 1, null, null, null,
                "FREE", null, 0, 0, 0, null, null, null));
        assertRefused("effectiveUnits", () -> new UsageRecord("r1", 0, "alice", "http", null, "data", 1, null, null, null,
                "FREE", Unit.BYTES, 0, -1, 0, null, null, null));
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("network", null);
        assertRefused("attributes.network", () -> new UsageRecord("r1", 0, "alice", "http", null, "data", 1, nullValue,
                null, null, "FREE", Unit.BYTES, 0, 0, 0, null, null, null));
        List<UsageRecord.BalanceChange> withNull = new ArrayList<>();
        withNull.add(null);
        assertRefused("balances", () -> new UsageRecord("r1", 0, "alice", "http", null, "data", 1, null,
                null, null, "FREE", Unit.BYTES, 0, 0, 0, null, withNull, null));
        assertRefused("balances.accountId", () -> new UsageRecord.BalanceChange("", Unit.MONEY, 1));
        assertRefused("balances.unit", () -> new UsageRecord.BalanceChange("alice", null, 1));
        assertRefused("requestIds", () -> new UsageRecord("r1", 0, "alice", "http", null, "data", 1, null,
                null, null, "FREE", Unit.BYTES, 0, 0, 0, null, null, List.of("x".repeat(129))));
        assertRefused("rule", () -> new UsageRecord("r1", 0, "alice", "http", null, "data", 1, null,
                "r".repeat(UsageRecord.TEXT_LENGTH_MAX + 1), null, "FREE", Unit.BYTES, 0, 0, 0, null, null, null));
    }

    private static UsageRecord with(UsageRecord r, String id, long atMillis, String decision, long raw, long price) {
        return new UsageRecord(id, atMillis, r.accountId(), r.origin(), r.sessionId(), r.service(), r.ratingGroup(),
                r.attributes(), r.rule(), r.tariff(), decision, r.unit(), raw, r.effectiveUnits(), price, r.currency(),
                r.balances(), r.requestIds());
    }

    private static void assertRefused(String field, Runnable build) {
        assertThatThrownBy(build::run).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(field + " ");
    }
}
