package io.credence.agent;

import io.credence.agent.Exchange.Answered;
import io.credence.agent.Exchange.NoAnswer;
import io.credence.agent.Exchange.Refused;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The protocol's answers decode as the brief draws them, and each HTTP status lands in one outcome. */
class ProtocolTest {
    private static JsonValue.JsonObject json(String text) throws JsonException {
        return (JsonValue.JsonObject) JsonReader.parse(text);
    }

    @Test
    void decodesEachAnswer() throws JsonException {
        assertThat(Registration.fromJson(json("""
                {"simId": "8944", "deviceId": "d1", "accountId": "alice", "token": "t0k3n",
                 "lastReportSeq": 41, "reportedBytes": 12345}""")))
                .isEqualTo(new Registration("8944", "d1", "alice", "t0k3n", 41, 12345));
        assertThat(PackageList.fromJson(json("""
                {"availableBytes": 5000, "packages": [
                  {"bucketId": 3, "unit": "BYTES", "amount": 10000, "available": 5000, "validUntil": "2030-01-31T00:00:00Z"},
                  {"bucketId": 4, "unit": "BYTES", "amount": 1, "available": 0, "validUntil": null}]}""")))
                .isEqualTo(new PackageList(5000, java.util.List.of(
                        new PackageList.DataPackage(3, "BYTES", 10000, 5000, Instant.parse("2030-01-31T00:00:00Z")),
                        new PackageList.DataPackage(4, "BYTES", 1, 0, null))));
        assertThat(Grant.fromJson(json("{\"grantId\": 9, \"bytes\": 800, \"expiresAt\": \"2030-01-01T00:05:00Z\"}")))
                .isEqualTo(new Grant(9, 800, Instant.parse("2030-01-01T00:05:00Z")));
        assertThat(ReportAnswer.fromJson(json("""
                {"seq": 42, "duplicate": true, "reportedBytes": 100, "returnedBytes": 0,
                 "grant": {"grantId": 9, "bytes": 700, "expiresAt": "2030-01-01T00:05:00Z"}}""")))
                .isEqualTo(new ReportAnswer(42, true, 100, 0, new Grant(9, 700, Instant.parse("2030-01-01T00:05:00Z"))));
        assertThat(ReportAnswer.fromJson(json("{\"seq\": 43, \"duplicate\": false, \"reportedBytes\": 100, \"grant\": null}")))
                .isEqualTo(new ReportAnswer(43, false, 100, 0, null));
    }

    @Test
    void refusesAnswersTheAgentCouldMisread() {
        assertThatThrownBy(() -> Grant.fromJson(json("{\"grantId\": 9, \"bytes\": -1, \"expiresAt\": \"2030-01-01T00:00:00Z\"}")))
                .hasMessage("field 'bytes': must not be negative, was -1");
        assertThatThrownBy(() -> Grant.fromJson(json("{\"grantId\": 9, \"bytes\": 1, \"expiresAt\": \"tomorrow\"}")))
                .hasMessage("field 'expiresAt': not an ISO-8601 instant: \"tomorrow\"");
        assertThatThrownBy(() -> PackageList.fromJson(json("{\"availableBytes\": 0, \"packages\": [{\"bucketId\": 1}]}")))
                .hasMessage("field 'packages[0].unit': missing");
        assertThatThrownBy(() -> ReportAnswer.fromJson(json("{\"seq\": 1, \"duplicate\": false, \"reportedBytes\": 0,"
                + " \"grant\": {\"grantId\": 1, \"bytes\": 1}}")))
                .hasMessage("field 'grant.expiresAt': missing");
        assertThatThrownBy(() -> Registration.fromJson(json("{\"simId\": \"s\", \"deviceId\": \"d\", \"accountId\": \"a\","
                + " \"token\": \"two words\", \"lastReportSeq\": 0, \"reportedBytes\": 0}")))
                .hasMessage("field 'token': must be 1..4096 visible ASCII chars");
    }

    @Test
    void eachStatusHasOneOutcome() {
        DeviceApi.Decoder<Grant> grant = Grant::fromJson;
        byte[] ok = "{\"grantId\": 1, \"bytes\": 5, \"expiresAt\": \"2030-01-01T00:00:00Z\"}".getBytes(StandardCharsets.UTF_8);
        Instant date = Instant.parse("2029-12-31T23:59:00Z");
        assertThat(DeviceApi.classify("grant", 200, ok, date, grant))
                .isEqualTo(new Answered<>(new Grant(1, 5, Instant.parse("2030-01-01T00:00:00Z")), date));
        for (int busy : new int[] {429, 502, 503, 504}) {
            assertThat(DeviceApi.classify("grant", busy, new byte[0], null, grant))
                    .isEqualTo(new NoAnswer<>("grant: server busy (HTTP " + busy + ")"));
        }
        assertThat(DeviceApi.classify("grant", 200, "{\"grantId\": 1".getBytes(StandardCharsets.UTF_8), null, grant))
                .isEqualTo(new NoAnswer<>("grant: malformed answer (HTTP 200): at offset 13 (line 1, column 14):"
                        + " expected ',' or '}' in an object, found end of input"));
        assertThat(DeviceApi.classify("grant", 200, "[]".getBytes(StandardCharsets.UTF_8), null, grant))
                .isEqualTo(new NoAnswer<>("grant: malformed answer (HTTP 200): expected a JSON object"));
        assertThat(DeviceApi.classify("grant", 302, new byte[0], null, grant))
                .isEqualTo(new NoAnswer<>("grant: unexpected HTTP 302"));

        byte[] exhausted = """
                {"type": "urn:credence:problem:quota-exhausted", "title": "Quota exhausted", "status": 403,
                 "detail": "nothing left for SIM 8944"}""".getBytes(StandardCharsets.UTF_8);
        Exchange<Grant> refused = DeviceApi.classify("grant", 403, exhausted, null, grant);
        assertThat(refused).isInstanceOf(Refused.class);
        Problem problem = ((Refused<Grant>) refused).problem();
        assertThat(problem.is(Problem.QUOTA_EXHAUSTED)).isTrue();
        assertThat(problem.describe()).isEqualTo("HTTP 403 quota-exhausted: nothing left for SIM 8944");

        Problem html = ((Refused<Grant>) DeviceApi.classify("grant", 500,
                "<html>oops</html>".getBytes(StandardCharsets.UTF_8), null, grant)).problem();
        assertThat(html).isEqualTo(new Problem(500, "about:blank", "HTTP 500", "the answer carried no problem document"));
    }
}
