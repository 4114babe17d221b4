package io.credence.server;

import io.credence.diameter.cc.CcrBuilder;
import io.credence.diameter.cc.CreditControlConfig;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.transport.DiameterClient;
import io.credence.http.Readiness;
import io.credence.ledger.Unit;
import io.credence.server.SecuredServer.Client;
import io.credence.server.SecuredServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.credence.server.SecuredServer.ADMIN;
import static io.credence.server.SecuredServer.OCS;
import static io.credence.server.SecuredServer.PGW;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code /metrics} after real HTTP and Diameter traffic, and {@code /health/ready} when the disk goes away. */
class MetricsAndHealthTest {
    @TempDir
    Path dir;

    /** The value of one sample, or -1 when the series is absent. */
    private static double sample(String exposition, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(exposition);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    private static String scrape(Client client) {
        Reply r = client.call("GET", "/metrics", null, null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
        return r.raw();
    }

    private static CcrBuilder ccr(String sid, int type, long number) {
        CcrBuilder ccr = CcrBuilder.request(sid, PGW.originHost(), PGW.originRealm(), OCS.originRealm(), type, number)
                .serviceContext(CreditControlConfig.CONTEXT_IMS).msisdn("491730000042");
        return type == Codes.INITIAL_REQUEST ? ccr.mscc(100, Unit.SECONDS, 60L, null) : ccr.mscc(100, Unit.SECONDS, null, 20L);
    }

    @Test
    void countsGrowWithTrafficLabelledByTemplateAndDiameterSeriesAppear() throws Exception {
        try (CredenceServer server = SecuredServer.start(dir)) {
            Client client = new Client(server.httpPort());
            String before = scrape(client);
            String created = "credence_http_requests_total{route=\"/v1/accounts\",method=\"POST\",status=\"201\"}";
            String shown = "credence_http_requests_total{route=\"/v1/accounts/{accountId}\",method=\"GET\",status=\"200\"}";
            String refused = "credence_http_requests_total{route=\"/v1/accounts\",method=\"POST\",status=\"401\"}";
            assertThat(sample(before, created)).isEqualTo(-1);
            assertThat(before).contains("# TYPE credence_http_requests_total counter")
                    .contains("credence_catalog_info{version=\"2026-11-24.1\"} 1")
                    .contains("credence_charging_sessions_active 0");

            for (int n = 0; n < 3; n++) {
                assertThat(client.call("POST", "/v1/accounts", ADMIN, "{\"accountId\":\"user-" + n
                        + "\",\"kind\":\"SUBSCRIBER\"}").status()).isEqualTo(201);
                assertThat(client.call("GET", "/v1/accounts/user-" + n, ADMIN, null).status()).isEqualTo(200);
            }
            assertThat(client.call("POST", "/v1/accounts", null, "{}").status()).isEqualTo(401);
            // a request is counted once its answer is written, which the client may see a moment earlier
            String after = scrape(client);
            for (int wait = 0; wait < 100 && (sample(after, refused) < 1 || sample(after, created) < 3
                    || sample(after, shown) < 3); wait++) {
                Thread.sleep(20);
                after = scrape(client);
            }
            assertThat(sample(after, created)).isEqualTo(3);
            assertThat(sample(after, shown)).isEqualTo(3);
            assertThat(sample(after, refused)).isEqualTo(1);
            assertThat(after).doesNotContain("user-1"); // labels are templates, never raw paths
            double httpCount = sample(after, "credence_request_duration_seconds_count{interface=\"http\"}");
            assertThat(httpCount).isGreaterThanOrEqualTo(8); // 7 above and the first scrape
            assertThat(sample(after, "credence_request_duration_seconds_bucket{interface=\"http\",le=\"+Inf\"}"))
                    .isEqualTo(httpCount);
            assertThat(sample(after, "credence_request_duration_seconds_sum{interface=\"http\"}")).isPositive();
            assertThat(sample(after, "credence_journal_fsync_duration_seconds_count")).isGreaterThanOrEqualTo(3);
            assertThat(sample(after, "credence_ledger_queue_depth")).isGreaterThanOrEqualTo(0);
            assertThat(sample(after, "credence_ledger_open_reservations")).isZero();
            assertThat(sample(after, "credence_devices_sims")).isZero();
            assertThat(after).doesNotContain("interface=\"diameter\"");

            Subscribers.create(server, "dora", "491730000042", Unit.MONEY, 10_000);
            try (DiameterClient pgw = DiameterClient.connect("127.0.0.1", server.diameterPort(), PGW,
                    DiameterClient.Options.defaults(), request -> null)) {
                DiameterMessage initial = pgw.send(ccr("metrics;1", Codes.INITIAL_REQUEST, 0).build(1))
                        .get(10, TimeUnit.SECONDS);
                assertThat(initial.find(Codes.RESULT_CODE, 0).orElseThrow().unsigned32()).isEqualTo(Codes.DIAMETER_SUCCESS);
                String open = scrape(client);
                assertThat(sample(open, "credence_diameter_answers_total{command=\"credit-control\",result_code=\"2001\"}"))
                        .isEqualTo(1);
                assertThat(sample(open, "credence_request_duration_seconds_count{interface=\"diameter\"}")).isEqualTo(1);
                assertThat(sample(open, "credence_charging_sessions_active")).isEqualTo(1);
                assertThat(sample(open, "credence_ledger_open_reservations")).isGreaterThanOrEqualTo(1);

                pgw.send(ccr("metrics;1", Codes.TERMINATION_REQUEST, 1).build(2)).get(10, TimeUnit.SECONDS);
                String ended = scrape(client);
                assertThat(sample(ended, "credence_diameter_answers_total{command=\"credit-control\",result_code=\"2001\"}"))
                        .isEqualTo(2);
                assertThat(sample(ended, "credence_charging_sessions_active")).isZero();
                assertThat(sample(ended, "credence_ledger_open_reservations")).isZero();
            }
        }
    }

    @Test
    void notReadyWhileTheDataDirectoryCannotBeWrittenAndReadyAgainAfter() throws Exception {
        try (CredenceServer server = SecuredServer.start(dir)) {
            Client client = new Client(server.httpPort());
            Reply ready = client.call("GET", "/health/ready", null, null);
            assertThat(ready.status()).as(ready.raw()).isEqualTo(200);
            assertThat(ready.json().path("status").asText()).isEqualTo("READY");
            assertThat(ready.json().path("journalWriter").asText()).isEqualTo("running");

            // the directory vanishes from under the server (an unmounted volume); the open journal stays open
            Path data = dir.resolve("data");
            Path away = dir.resolve("data-away");
            Files.move(data, away);
            try {
                Reply notReady = client.call("GET", "/health/ready", null, null);
                assertThat(notReady.status()).isEqualTo(503);
                assertThat(notReady.json().path("status").asText()).isEqualTo("NOT_READY");
                assertThat(notReady.json().path("dataDirectory").asText()).startsWith("not writable");
                Reply health = client.call("GET", "/health", null, null);
                assertThat(health.status()).isEqualTo(200);
                assertThat(health.json().path("status").asText()).isEqualTo("UP");
                assertThat(health.json().path("ready").asBoolean()).isFalse();
                assertThat(health.json().has("queueDepth")).isTrue();
                assertThat(client.call("GET", "/health/live", null, null).status()).isEqualTo(200);
            } finally {
                Files.move(away, data);
            }
            assertThat(client.call("GET", "/health/ready", null, null).status()).isEqualTo(200);
        }
    }

    @Test
    void theDiskThresholdIsOnePercentAtMostOneHundredMebibytes() {
        long mib = 1024 * 1024;
        long tib = 1024 * 1024 * mib;
        assertThat(Readiness.diskFreeBytesMin(tib)).isEqualTo(100 * mib);
        assertThat(Readiness.diskFreeEnough(100 * mib, tib)).isTrue();
        assertThat(Readiness.diskFreeEnough(100 * mib - 1, tib)).isFalse();
        assertThat(Readiness.diskFreeBytesMin(1000 * mib)).isEqualTo(10 * mib);
        assertThat(Readiness.diskFreeEnough(10 * mib, 1000 * mib)).isTrue();
        assertThat(Readiness.diskFreeEnough(10 * mib - 1, 1000 * mib)).isFalse();
        assertThat(Readiness.diskFreeEnough(0, 0)).isFalse();
    }
}
