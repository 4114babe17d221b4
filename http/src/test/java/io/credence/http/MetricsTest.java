package io.credence.http;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The exposition format: headers, cumulative buckets, escaped labels, bounded series. */
class MetricsTest {
    @Test
    void writesPrometheusTextFormat() {
        Metrics metrics = new Metrics();
        metrics.httpRequest("/v1/accounts", "POST", 201, 2_000_000); // 2 ms
        metrics.httpRequest("/v1/accounts", "POST", 201, 20_000_000_000L); // 20 s: only +Inf
        metrics.diameterAnswer("credit-control", 4012, 300_000);
        metrics.gauge("credence_test_gauge", "a test", () -> 7);
        metrics.gauge("credence_test_info", "a label", "version", () -> Map.of("v\"1\\", 1L));
        metrics.gauge("credence_failing", "skipped when it throws", () -> { throw new IllegalStateException("busy"); });
        String text = metrics.scrape();
        assertThat(text).contains("# TYPE credence_http_requests_total counter\n")
                .contains("credence_http_requests_total{route=\"/v1/accounts\",method=\"POST\",status=\"201\"} 2\n")
                .contains("credence_diameter_answers_total{command=\"credit-control\",result_code=\"4012\"} 1\n")
                .contains("credence_request_duration_seconds_bucket{interface=\"http\",le=\"0.001\"} 0\n")
                .contains("credence_request_duration_seconds_bucket{interface=\"http\",le=\"0.0025\"} 1\n")
                .contains("credence_request_duration_seconds_bucket{interface=\"http\",le=\"10.0\"} 1\n")
                .contains("credence_request_duration_seconds_bucket{interface=\"http\",le=\"+Inf\"} 2\n")
                .contains("credence_request_duration_seconds_count{interface=\"http\"} 2\n")
                .contains("credence_request_duration_seconds_sum{interface=\"http\"} 20.002\n")
                .contains("credence_request_duration_seconds_count{interface=\"diameter\"} 1\n")
                .contains("credence_journal_fsync_duration_seconds_count 0\n")
                .contains("# TYPE credence_test_gauge gauge\ncredence_test_gauge 7\n")
                .contains("credence_test_info{version=\"v\\\"1\\\\\"} 1\n")
                .doesNotContain("credence_failing");
        assertThat(text).endsWith("\n");
    }

    @Test
    void labelSetsPastTheBoundAreCountedAsOther() {
        Metrics metrics = new Metrics();
        for (int i = 0; i < Metrics.SERIES_MAX + 10; i++) {
            metrics.httpRequest("/r" + i, "GET", 200, 1);
        }
        String text = metrics.scrape();
        assertThat(text.lines().filter(l -> l.startsWith("credence_http_requests_total{")).count())
                .isEqualTo(Metrics.SERIES_MAX + 1);
        assertThat(text).contains("credence_http_requests_total{route=\"other\",method=\"other\",status=\"other\"} 10\n");
    }

    @Test
    void routesAreTemplatesFromTheDocument() {
        RouteTemplates routes = RouteTemplates.documented();
        assertThat(routes.match("/v1/accounts/alice/topups")).isEqualTo("/v1/accounts/{accountId}/topups");
        assertThat(routes.match("/v1/admissions/pools", "GET")).isEqualTo("/v1/admissions/pools");
        assertThat(routes.match("/v1/admissions/pools", "DELETE")).isEqualTo("/v1/admissions/{admissionId}");
        assertThat(routes.match("/v1/identities/E164/4917%2F1")).isEqualTo("/v1/identities/{type}/{value}");
        assertThat(routes.match("/v1/accounts//topups")).isEqualTo(RouteTemplates.UNMATCHED);
        assertThat(routes.match("/wp-admin/login.php")).isEqualTo(RouteTemplates.UNMATCHED);
    }
}
