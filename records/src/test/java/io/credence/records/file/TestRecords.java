package io.credence.records.file;

import io.credence.ledger.Unit;
import io.credence.records.UsageRecord;

import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;

/** Records and a settable clock for the records tests. */
final class TestRecords {
    private TestRecords() {}

    static UsageRecord record(String id, long atMillis, String account, String session, String service) {
        return new UsageRecord(id, atMillis, account, "diameter", session, service, 10,
                Map.of("network", "5G"), "home", "data-eur", UsageRecord.CHARGED, Unit.BYTES, 1000, 900, 3, "EUR",
                List.of(new UsageRecord.BalanceChange(account, Unit.MONEY, -3)), List.of(id));
    }

    static UsageRecord record(String id) {
        return record(id, 1_000, "alice", "s1", "data");
    }

    /** A clock the test moves by hand, so rotation by age is tested without sleeping. */
    static final class Clock implements InstantSource {
        private volatile long millis;

        Clock(long millis) {
            this.millis = millis;
        }

        void advance(long byMillis) {
            millis += byMillis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }
}
