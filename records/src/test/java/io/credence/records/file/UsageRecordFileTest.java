package io.credence.records.file;

import io.credence.ledger.Unit;
import io.credence.records.UsageRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The line codec: stable field names, units by name, a round trip, and precise refusals. */
class UsageRecordFileTest {

    @Test
    void encodesOneCompactLineWithStableNamesAndDecodesItBack() {
        UsageRecord r = TestRecords.record("r1");
        byte[] line = UsageRecordFile.encodeLine(r);
        String text = new String(line, StandardCharsets.UTF_8);
        assertThat(text).endsWith("\n").doesNotContain(" ").hasLineCount(1);
        assertThat(text).isEqualTo("{\"recordId\":\"r1\",\"atMillis\":1000,\"accountId\":\"alice\",\"origin\":\"diameter\","
                + "\"sessionId\":\"s1\",\"service\":\"data\",\"ratingGroup\":10,\"attributes\":{\"network\":\"5G\"},"
                + "\"rule\":\"home\",\"tariff\":\"data-eur\",\"decision\":\"CHARGED\",\"unit\":\"BYTES\",\"rawUnits\":1000,"
                + "\"effectiveUnits\":900,\"price\":3,\"currency\":\"EUR\","
                + "\"balances\":[{\"accountId\":\"alice\",\"unit\":\"MONEY\",\"amount\":-3}],\"requestIds\":[\"r1\"]}\n");
        assertThat(UsageRecordFile.decode(line, line.length - 1)).isEqualTo(r);
    }

    @Test
    void roundTripsNullsAndTextThatNeedsEscaping() {
        UsageRecord r = new UsageRecord("r2", 0, "bob", "http", null, "voice \"intl\"\n", UsageRecord.RATING_GROUP_NONE,
                java.util.Map.of("called", "+33 1 ✓", "empty", ""), null, null, UsageRecord.UNRATED, Unit.SECONDS,
                60, 60, 0, null, null, null);
        byte[] line = UsageRecordFile.encodeLine(r);
        assertThat(line).containsOnlyOnce((byte) '\n');
        assertThat(UsageRecordFile.decode(line, line.length - 1)).isEqualTo(r);
        assertThat(UsageRecordFile.toJsonString(r)).contains("\"sessionId\":null");
    }

    @Test
    void ignoresUnknownFieldsSoNewerFilesStillRead() {
        String json = UsageRecordFile.toJsonString(TestRecords.record("r1"));
        UsageRecord r = UsageRecordFile.decode(json.replace("{\"recordId\"", "{\"addedLater\":[1,2],\"recordId\""));
        assertThat(r).isEqualTo(TestRecords.record("r1"));
    }

    @Test
    void refusesBadLinesNamingTheField() {
        String good = UsageRecordFile.toJsonString(TestRecords.record("r1"));
        assertRefused("not JSON", "{\"recordId\":");
        assertRefused("not a JSON object", "[1]");
        assertRefused("recordId is missing", good.replace("\"recordId\":\"r1\",", ""));
        assertRefused("atMillis must be an integer", good.replace("\"atMillis\":1000", "\"atMillis\":1.5"));
        assertRefused("atMillis must be an integer", good.replace("\"atMillis\":1000", "\"atMillis\":1e40"));
        assertRefused("unit is not a unit: LITRES", good.replace("\"BYTES\"", "\"LITRES\""));
        assertRefused("balances.amount is missing", good.replace(",\"amount\":-3", ""));
        assertRefused("decision must be one of", good.replace("CHARGED", "MAYBE"));
        assertRefused("price must be >= 0", good.replace("\"price\":3", "\"price\":-3"));
        assertRefused("attributes.network must be a string", good.replace("\"5G\"", "5"));
        assertRefused("not JSON", good.replace("\"price\":3", "\"price\":3,\"price\":4"));
    }

    @Test
    void namesFilesSoTheySortInWritingOrder() {
        String name = UsageRecordFile.fileName(Instant.parse("2026-11-24T22:36:19.123Z"), 42);
        assertThat(name).isEqualTo("usage-20261124-223619-123-000042.jsonl");
        assertThat(UsageRecordFile.sequence(Path.of(name))).isEqualTo(42);
        assertThat(UsageRecordFile.sequence(Path.of("usage-x.jsonl"))).isEqualTo(-1);
        assertThat(UsageRecordFile.sequence(Path.of("notes.txt"))).isEqualTo(-1);
    }

    private static void assertRefused(String reason, String line) {
        assertThatThrownBy(() -> UsageRecordFile.decode(line))
                .isInstanceOf(UsageRecordFile.Invalid.class).hasMessageContaining(reason);
    }
}
