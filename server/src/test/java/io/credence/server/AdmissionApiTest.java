package io.credence.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.credence.admission.AdmissionPolicy;
import io.credence.admission.AdmissionPolicy.LayerPolicy;
import io.credence.admission.AdmissionPolicy.Range;
import io.credence.admission.AdmissionPolicy.Threshold;
import io.credence.admission.Layer;
import io.credence.admission.Pool;
import io.credence.admission.QosParameter;
import io.credence.journal.JournalConfig;
import io.credence.ledger.LedgerLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** Layered admission over real loopback HTTP: the routes' answers, and a burst against a small pool. */
class AdmissionApiTest {
    private static final int CLIENTS = 400;

    @TempDir
    Path dir;

    private CredenceServer server;
    private Http http;
    private final AtomicReference<AdmissionPolicy> policy = new AtomicReference<>();

    static AdmissionPolicy policy(long bearerBandwidth, long serviceVolume, int admissionsMax) {
        return new AdmissionPolicy(Map.of(
                Layer.BEARER, new LayerPolicy(Map.of(
                        QosParameter.BANDWIDTH_KBPS, new Range(64, 100_000, new Threshold(20_000, 80)),
                        QosParameter.LATENCY_CLASS, new Range(2, 9, null)), Map.of(Pool.BANDWIDTH, bearerBandwidth)),
                Layer.SERVICE, new LayerPolicy(Map.of(
                        QosParameter.DATA_VOLUME_BYTES, new Range(1, 10_000_000, null)), Map.of(Pool.DATA_VOLUME, serviceVolume)),
                Layer.APPLICATION, LayerPolicy.closed()), admissionsMax, 3600);
    }

    private void start(AdmissionPolicy initial) throws Exception {
        policy.set(initial);
        // Connections above the burst's clients: the client keeps each one open, and a capped
        // server leaves connections past the cap waiting for one to close.
        ServerConfig config = new ServerConfig(dir.resolve("data"), "127.0.0.1", 0, "EUR", 16, CLIENTS + 64,
                JournalConfig.DEFAULTS, LedgerLimits.DEFAULTS, null);
        // A long period: the tests run reconcile themselves, so nothing depends on timing.
        server = CredenceServer.start(config, fatal -> { throw new AssertionError("journal failure", fatal); },
                policy::get, Duration.ofHours(1));
        http = new Http(server.httpPort());
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static String bearer(String id, long kbps, long latencyClass) {
        return """
                {"admissionId": "%s", "layer": "bearer", "ttlSeconds": 600,
                 "parameters": {"bandwidthKbps": %d, "latencyClass": %d}}""".formatted(id, kbps, latencyClass);
    }

    @Test
    void anOperatorAdmitsRejectsAndReleasesOverHttp() throws Exception {
        start(policy(100_000, 10_000_000, 3));

        Http.Reply admitted = http.post("v1/admissions", bearer("pdu-1", 10_000, 3));
        assertThat(admitted.status()).isEqualTo(201);
        assertThat(admitted.body().path("layer").asText()).isEqualTo("bearer");
        assertThat(admitted.body().at("/charging/draws/bandwidthKbps").asLong()).isEqualTo(10_000);
        assertThat(admitted.body().at("/charging/classes/latencyClass").asLong()).isEqualTo(3);
        assertThat(admitted.body().at("/charging/reservationBytes").asLong()).isEqualTo(10_000L * 1000 / 8 * 600);
        assertThat(admitted.body().at("/pools/bandwidthKbps/free").asLong()).isEqualTo(90_000);
        assertThat(http.post("v1/admissions", bearer("pdu-1", 10_000, 3)).raw()).isEqualTo(admitted.raw());

        Http.Reply outOfRange = http.post("v1/admissions", bearer("pdu-2", 10_000, 1));
        assertThat(outOfRange.status()).isEqualTo(422);
        assertThat(outOfRange.contentType()).startsWith("application/problem+json");
        assertThat(outOfRange.body().path("field").asText()).isEqualTo("parameters.latencyClass");
        assertThat(outOfRange.body().path("layer").asText()).isEqualTo("bearer");
        assertThat(outOfRange.body().path("detail").asText()).contains("2..9");

        assertThat(http.post("v1/admissions", bearer("pdu-1", 20_000, 3)).body().path("type").asText())
                .endsWith("admission-id-taken");
        Http.Reply volume = http.post("v1/admissions", """
                {"admissionId": "vod-1", "layer": "service", "ttlSeconds": 60, "parameters": {"dataVolumeBytes": 9000000}}""");
        assertThat(volume.status()).isEqualTo(201);
        Http.Reply full = http.post("v1/admissions", """
                {"admissionId": "vod-2", "layer": "service", "ttlSeconds": 60, "parameters": {"dataVolumeBytes": 2000000}}""");
        assertThat(full.status()).isEqualTo(409);
        assertThat(full.body().path("pool").asText()).isEqualTo("dataVolumeBytes");
        assertThat(full.body().path("free").asLong()).isEqualTo(1_000_000);
        assertThat(http.post("v1/admissions", bearer("pdu-3", 100, 9)).status()).isEqualTo(201);
        Http.Reply busy = http.post("v1/admissions", bearer("pdu-4", 100, 9));
        assertThat(busy.status()).isEqualTo(503);
        assertThat(busy.body().path("type").asText()).endsWith("busy");

        Http.Reply typo = http.post("v1/admissions", """
                {"admissionId": "x", "layer": "bearer", "ttlSeconds": 60, "parameters": {"bandwitdhKbps": 1}}""");
        assertThat(typo.status()).isEqualTo(400);
        assertThat(typo.body().path("field").asText()).isEqualTo("parameters.bandwitdhKbps");
        assertThat(http.post("v1/admissions", bearer("x", 100, 9).replace("600", "3601")).body().path("field").asText())
                .isEqualTo("ttlSeconds");

        Http.Reply released = http.delete("v1/admissions/pdu-1");
        assertThat(released.status()).isEqualTo(200);
        assertThat(released.body().at("/released/draws/bandwidthKbps").asLong()).isEqualTo(10_000);
        assertThat(http.delete("v1/admissions/pdu-1").status()).isEqualTo(404);
        JsonNode pools = http.get("v1/admissions/pools").body();
        assertThat(pools.path("admissions").asInt()).isEqualTo(2);
        assertThat(pools.at("/layers/bearer/bandwidthKbps/used").asLong()).isEqualTo(100);
        assertThat(pools.at("/layers/service/dataVolumeBytes/used").asLong()).isEqualTo(9_000_000);
    }

    @Test
    void aReloadedPolicyAppliesAtTheNextReconcile() throws Exception {
        start(policy(100_000, 10_000_000, 100));
        assertThat(http.post("v1/admissions", bearer("a", 60_000, 5)).status()).isEqualTo(201);
        policy.set(policy(50_000, 10_000_000, 100));
        assertThat(http.get("v1/admissions/pools").body().at("/layers/bearer/bandwidthKbps/capacity").asLong())
                .isEqualTo(100_000);
        assertThat(server.admissions().reconcileNow()).hasValueSatisfying(r -> assertThat(r.poolsCorrected()).isZero());
        JsonNode bearer = http.get("v1/admissions/pools").body().at("/layers/bearer/bandwidthKbps");
        assertThat(bearer.path("capacity").asLong()).isEqualTo(50_000);
        assertThat(bearer.path("used").asLong()).isEqualTo(60_000);
        assertThat(bearer.path("free").asLong()).isZero();
        assertThat(http.post("v1/admissions", bearer("b", 64, 5)).status()).isEqualTo(409);
    }

    @Test
    void withoutAPolicyTheRoutesAreNotFound() throws Exception {
        start(null);
        Http.Reply none = http.post("v1/admissions", bearer("a", 100, 5));
        assertThat(none.status()).isEqualTo(404);
        assertThat(none.body().path("type").asText()).endsWith("admission-not-configured");
        assertThat(http.get("v1/admissions/pools").status()).isEqualTo(404);
    }

    /**
     * Many clients at once, on virtual threads over loopback, against a pool that fits a fraction
     * of them, with releases and reconciles running alongside: what was admitted never adds up to
     * more than the capacity, and no pool level seen is negative or over capacity.
     */
    @Test
    void aBurstOfConcurrentAdmissionsNeverOverCommitsThePool() throws Exception {
        long capacity = 100_000;
        start(policy(capacity, 10_000_000, 10_000));
        int clients = CLIENTS;
        Map<String, Long> held = new ConcurrentHashMap<>();
        List<String> problems = new ArrayList<>();
        AtomicBoolean burst = new AtomicBoolean(true);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> watcher = threads.submit(() -> {
                while (burst.get()) {
                    JsonNode level = http.get("v1/admissions/pools").body().at("/layers/bearer/bandwidthKbps");
                    long used = level.path("used").asLong();
                    if (used < 0 || used > capacity || level.path("free").asLong() < 0) {
                        synchronized (problems) {
                            problems.add(level.toString());
                        }
                    }
                    server.admissions().reconcileNow().ifPresent(r -> {
                        if (r.poolsCorrected() != 0) {
                            synchronized (problems) {
                                problems.add("drift " + r);
                            }
                        }
                    });
                }
            });
            List<Future<?>> calls = new ArrayList<>();
            try {
            for (int i = 0; i < clients; i++) {
                String id = "burst-" + i;
                long kbps = 64 + new Random(i).nextInt(3_000);
                boolean releaseAfter = i % 4 == 0;
                calls.add(threads.submit(() -> {
                    Http.Reply reply = http.post("v1/admissions", bearer(id, kbps, 5));
                    switch (reply.status()) {
                        case 201 -> {
                            if (releaseAfter) {
                                assertThat(http.delete("v1/admissions/" + id).status()).isEqualTo(200);
                            } else {
                                held.put(id, kbps);
                            }
                        }
                        case 409 -> assertThat(reply.body().path("pool").asText()).isEqualTo("bandwidthKbps");
                        // above 80% full only up to 20000 kbit/s is admitted; none of these is that big
                        default -> throw new AssertionError(reply.raw());
                    }
                    return null;
                }));
            }
            for (Future<?> call : calls) {
                call.get();
            }
            } finally {
                // else a failed call would leave the watcher looping and close() waiting for it
                burst.set(false);
            }
            watcher.get();
        }
        assertThat(problems).isEmpty();
        long admitted = held.values().stream().mapToLong(Long::longValue).sum();
        assertThat(admitted).isLessThanOrEqualTo(capacity).isPositive();
        // the pool was the limit: some were refused, and what is held is exactly what was admitted
        assertThat(held.size()).isLessThan(clients * 3 / 4);
        JsonNode level = http.get("v1/admissions/pools").body().at("/layers/bearer/bandwidthKbps");
        assertThat(level.path("used").asLong()).isEqualTo(admitted);
        assertThat(level.path("free").asLong()).isEqualTo(capacity - admitted);
    }
}
