package io.credence.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/** Points from a real {@link Metrics}, sampled at explicit times: rates, percentiles, the bounded ring, gauges. */
class MetricsHistoryTest {
    private static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    private static final long MS = 1_000_000; // nanoseconds

    private final Metrics metrics = new Metrics();
    private final MetricsHistory history = new MetricsHistory(metrics, Duration.ofSeconds(5), 720);

    @Test
    void firstSampleOnlyTakesTheBaseline() {
        metrics.diameterAnswer("credit-control", 2001, MS);
        history.sample(T0);
        assertThat(points()).isEmpty();

        history.sample(T0 + 5000);
        assertThat(points()).hasSize(1);
        // the answer before the baseline is not in the first interval
        assertThat(answers(points().get(0))).containsExactly(entry("diameter 2001", 0.0));
    }

    @Test
    void diameterAnswersPerSecondByResultCodeSummedOverCommands() {
        metrics.diameterAnswer("credit-control", 2001, MS); // before the baseline: not counted
        history.sample(T0);
        for (int i = 0; i < 40; i++) {
            metrics.diameterAnswer("credit-control", 2001, MS);
        }
        for (int i = 0; i < 10; i++) {
            metrics.diameterAnswer("other", 2001, MS);
        }
        for (int i = 0; i < 5; i++) {
            metrics.diameterAnswer("credit-control", 4012, MS);
        }
        metrics.diameterAnswer("credit-control", -1, MS); // no Result-Code
        history.sample(T0 + 5000);
        for (int i = 0; i < 20; i++) {
            metrics.diameterAnswer("credit-control", 5030, MS);
        }
        history.sample(T0 + 15_000); // a late sample: rates over the 10 s that actually passed

        List<Map<String, Object>> points = points();
        assertThat(answers(points.get(0))).containsExactly(entry("diameter 2001", 10.0),
                entry("diameter 4012", 1.0), entry("diameter none", 0.2));
        // a code without answers in the interval reads 0.0 rather than disappearing
        assertThat(answers(points.get(1))).containsExactly(entry("diameter 2001", 0.0),
                entry("diameter 4012", 0.0), entry("diameter 5030", 2.0), entry("diameter none", 0.0));
    }

    @Test
    void httpRequestsPerSecondByStatusClass() {
        history.sample(T0);
        for (int i = 0; i < 10; i++) {
            metrics.httpRequest("/v1/accounts", "POST", 201, MS);
        }
        for (int i = 0; i < 5; i++) {
            metrics.httpRequest("/v1/accounts/{accountId}", "GET", 200, MS);
        }
        metrics.httpRequest("/v1/accounts/{accountId}", "GET", 404, MS);
        metrics.httpRequest("/v1/accounts", "POST", 401, MS);
        metrics.httpRequest("/v1/accounts", "POST", 503, MS);
        history.sample(T0 + 5000);

        assertThat(answers(points().get(0))).containsExactly(entry("http 2xx", 3.0), entry("http 4xx", 0.4),
                entry("http 5xx", 0.2));
    }

    @Test
    void latencyPercentilesComeFromTheIntervalsBucketsOnly() {
        for (int i = 0; i < 1000; i++) {
            metrics.diameterAnswer("credit-control", 2001, 8_000 * MS); // 8 s, before the baseline
        }
        history.sample(T0);
        for (int i = 0; i < 80; i++) {
            metrics.diameterAnswer("credit-control", 2001, 300_000); // 0.3 ms: bucket le 0.5 ms
        }
        for (int i = 0; i < 15; i++) {
            metrics.diameterAnswer("credit-control", 2001, 4 * MS); // bucket le 5 ms
        }
        for (int i = 0; i < 5; i++) {
            metrics.diameterAnswer("credit-control", 2001, 200 * MS); // bucket le 250 ms
        }
        metrics.httpRequest("/v1/accounts", "GET", 200, 2 * MS); // 2 ms: bucket le 2.5 ms
        history.sample(T0 + 5000);

        Map<String, Object> latency = map(points().get(0).get("latencyMs"));
        assertThat(map(latency.get("diameter"))).containsExactly(entry("p50", 0.5), entry("p90", 5.0),
                entry("p99", 250.0), entry("count", 100L));
        assertThat(map(latency.get("http"))).containsExactly(entry("p50", 2.5), entry("p90", 2.5),
                entry("p99", 2.5), entry("count", 1L));
    }

    @Test
    void anObservationOnABoundCountsInThatBucketAndBeyondTheLastReadsTheLastBound() {
        history.sample(T0);
        for (int i = 0; i < 98; i++) {
            metrics.diameterAnswer("credit-control", 2001, 10 * MS); // exactly 10 ms: le 10 ms
        }
        metrics.diameterAnswer("credit-control", 2001, 20_000 * MS); // 20 s: +Inf
        metrics.diameterAnswer("credit-control", 2001, 20_000 * MS);
        history.sample(T0 + 5000);

        Map<String, Object> diameter = map(map(points().get(0).get("latencyMs")).get("diameter"));
        assertThat(diameter).containsExactly(entry("p50", 10.0), entry("p90", 10.0), entry("p99", 10_000.0),
                entry("count", 100L));
    }

    @Test
    void aPercentilesRankRoundsUp() {
        history.sample(T0);
        metrics.diameterAnswer("credit-control", 2001, 300_000); // le 0.5 ms
        metrics.diameterAnswer("credit-control", 2001, 4 * MS); // le 5 ms
        metrics.diameterAnswer("credit-control", 2001, 4 * MS);
        history.sample(T0 + 5000);

        // of three, the median is the 2nd (1.5 rounded up), not the 1st
        assertThat(map(map(points().get(0).get("latencyMs")).get("diameter"))).containsExactly(entry("p50", 5.0),
                entry("p90", 5.0), entry("p99", 5.0), entry("count", 3L));
    }

    @Test
    void journalForceTimes() {
        metrics.journalForce(900 * MS); // before the baseline
        history.sample(T0);
        for (int i = 0; i < 98; i++) {
            metrics.journalForce(700_000); // 0.7 ms: le 1 ms
        }
        metrics.journalForce(30 * MS); // le 50 ms
        metrics.journalForce(30 * MS);
        history.sample(T0 + 5000);

        // the 99th of 100 is the first of the slow two
        assertThat(map(points().get(0).get("journalForceMs"))).containsExactly(entry("p50", 1.0),
                entry("p99", 50.0), entry("count", 100L));
        metrics.journalForce(30 * MS);
        history.sample(T0 + 10_000);
        assertThat(map(points().get(1).get("journalForceMs"))).containsExactly(entry("p50", 50.0),
                entry("p99", 50.0), entry("count", 1L));
    }

    @Test
    void anIntervalWithoutTrafficHasNullPercentilesAndZeroCounts() {
        metrics.diameterAnswer("credit-control", 2001, MS);
        metrics.httpRequest("/v1/accounts", "GET", 200, MS);
        metrics.journalForce(MS);
        history.sample(T0);
        history.sample(T0 + 5000);

        Map<String, Object> point = points().get(0);
        Map<String, Object> latency = map(point.get("latencyMs"));
        assertThat(latency).containsOnlyKeys("http", "diameter");
        for (String name : List.of("http", "diameter")) {
            assertThat(map(latency.get(name))).containsExactly(entry("p50", null), entry("p90", null),
                    entry("p99", null), entry("count", 0L));
        }
        assertThat(map(point.get("journalForceMs"))).containsExactly(entry("p50", null), entry("p99", null),
                entry("count", 0L));
        assertThat(answers(point)).containsExactly(entry("diameter 2001", 0.0), entry("http 2xx", 0.0));
    }

    @Test
    void theRingKeepsOnlyTheLastPointsOldestFirst() {
        MetricsHistory small = new MetricsHistory(metrics, Duration.ofSeconds(5), 3);
        for (int i = 0; i <= 6; i++) { // a baseline and six points
            for (int j = 0; j < i; j++) {
                metrics.diameterAnswer("credit-control", 2001, MS); // i answers in the interval ending at i
            }
            small.sample(T0 + i * 5000L);
        }

        List<Map<String, Object>> kept = points(small.view());
        assertThat(kept).extracting(p -> p.get("at")).containsExactly(at(T0 + 20_000), at(T0 + 25_000),
                at(T0 + 30_000));
        assertThat(kept).extracting(p -> answers(p).get("diameter 2001")).containsExactly(0.8, 1.0, 1.2);
        assertThat(points(small.view(2))).extracting(p -> p.get("at")).containsExactly(at(T0 + 25_000),
                at(T0 + 30_000));
        assertThat(points(small.view(0))).isEmpty();
    }

    @Test
    void gaugesAreReadAtTheSampleAndOneThatThrowsIsLeftOut() {
        AtomicLong depth = new AtomicLong(7);
        AtomicLong sessions = new AtomicLong(3);
        AtomicLong failing = new AtomicLong();
        metrics.gauge(MetricsHistory.QUEUE_DEPTH_GAUGE, "queue", () -> {
            if (failing.get() != 0) {
                throw new IllegalStateException("ledger busy");
            }
            return depth.get();
        });
        metrics.gauge(MetricsHistory.SESSIONS_GAUGE, "sessions", sessions::get);
        history.sample(T0);
        depth.set(12);
        history.sample(T0 + 5000);
        failing.set(1);
        sessions.set(4);
        history.sample(T0 + 10_000);

        List<Map<String, Object>> points = points();
        assertThat(points.get(0)).containsEntry("queueDepth", 12L).containsEntry("sessions", 3L);
        assertThat(points.get(1)).doesNotContainKey("queueDepth").containsEntry("sessions", 4L);
    }

    @Test
    void gaugesNotRegisteredAreLeftOut() {
        metrics.gauge("credence_something_else", "not ours", () -> 5);
        history.sample(T0);
        history.sample(T0 + 5000);
        assertThat(points().get(0)).containsOnlyKeys("at", "answersPerSecond", "latencyMs", "journalForceMs");
    }

    @Test
    void aClockThatSteppedBackStartsOver() {
        history.sample(T0);
        history.sample(T0 + 5000);
        history.sample(T0 + 10_000);
        assertThat(points()).hasSize(2);

        history.sample(T0 + 10_000); // not after the previous sample: no rate, and earlier points would sort after
        assertThat(points()).isEmpty();
        metrics.diameterAnswer("credit-control", 2001, MS);
        history.sample(T0 + 12_000);
        assertThat(points()).singleElement().satisfies(p -> {
            assertThat(p.get("at")).isEqualTo(at(T0 + 12_000));
            assertThat(answers(p)).containsExactly(entry("diameter 2001", 0.5));
        });
    }

    @Test
    void writesThisJson() throws Exception {
        metrics.gauge(MetricsHistory.QUEUE_DEPTH_GAUGE, "queue", () -> 2);
        metrics.gauge(MetricsHistory.SESSIONS_GAUGE, "sessions", () -> 9);
        history.sample(T0);
        for (int i = 0; i < 50; i++) {
            metrics.diameterAnswer("credit-control", 2001, 300_000);
        }
        metrics.httpRequest("/v1/accounts", "POST", 201, 2 * MS);
        metrics.journalForce(700_000);
        history.sample(T0 + 5000);

        assertThat(new ObjectMapper().writeValueAsString(history.view(60))).isEqualTo("{\"intervalSeconds\":5,"
                + "\"points\":[{\"at\":\"2026-01-01T00:00:05Z\","
                + "\"answersPerSecond\":{\"diameter 2001\":10.0,\"http 2xx\":0.2},"
                + "\"latencyMs\":{\"http\":{\"p50\":2.5,\"p90\":2.5,\"p99\":2.5,\"count\":1},"
                + "\"diameter\":{\"p50\":0.5,\"p90\":0.5,\"p99\":0.5,\"count\":50}},"
                + "\"journalForceMs\":{\"p50\":1.0,\"p99\":1.0,\"count\":1},"
                + "\"queueDepth\":2,\"sessions\":9}]}");
        assertThat(new MetricsHistory(metrics, Duration.ofMillis(2500), 1).view()).containsEntry("intervalSeconds", 2.5);
    }

    @Test
    void samplingLeavesTheScrapeAsItWas() {
        metrics.httpRequest("/v1/accounts", "GET", 200, MS);
        String before = metrics.scrape();
        history.sample(T0);
        history.sample(T0 + 5000);
        // no latency histogram for "diameter" appears just because the history looked for one
        assertThat(metrics.scrape()).isEqualTo(before).doesNotContain("interface=\"diameter\"");
    }

    @Test
    void startSamplesOnADaemonThreadThatCloseStops() throws Exception {
        Thread sampler;
        try (MetricsHistory started = MetricsHistory.start(metrics, Duration.ofHours(1), 10)) {
            // the executor starts its thread when the task is scheduled, so it exists already
            sampler = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("metrics-history")).findFirst().orElseThrow();
            assertThat(sampler.isDaemon()).isTrue();
            assertThat(started.view()).containsEntry("intervalSeconds", 3600L);
        }
        sampler.join(10_000);
        assertThat(sampler.isAlive()).isFalse();
    }

    private List<Map<String, Object>> points() {
        return points(history.view(Integer.MAX_VALUE));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> points(Map<String, Object> view) {
        return (List<Map<String, Object>>) view.get("points");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    private static Map<String, Object> answers(Map<String, Object> point) {
        return map(point.get("answersPerSecond"));
    }

    private static String at(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }
}
