package io.credence.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.credence.diameter.cc.CcrBuilder;
import io.credence.diameter.cc.CreditControlConfig;
import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Avps;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.codec.Dictionary;
import io.credence.diameter.peer.LocalIdentity;
import io.credence.diameter.transport.DiameterClient;
import io.credence.diameter.transport.TransportConfig;
import io.credence.journal.JournalConfig;
import io.credence.ledger.LedgerView;
import io.credence.ledger.Ledger;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Unit;
import io.credence.server.catalog.CatalogFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Layered admission over Diameter, with the example catalog's layers: an IMS call asking more
 * bandwidth than the service layer allows is refused naming the AVP and the parameter, a retry
 * with less is admitted and holds the pool until the call ends, and concurrent calls never take a
 * pool below zero or past its capacity.
 */
class QosAdmissionDiameterTest {
    private static final long V = Dictionary.VENDOR_3GPP;
    private static final Path EXAMPLE = Path.of(System.getProperty("basedir", ".")).resolve("../examples/catalog.json");
    private static final LocalIdentity OCS = new LocalIdentity("ocs.qos.test", "credence.test",
            List.of(new byte[] {127, 0, 0, 1}), 0, "credence", 1);
    private static final LocalIdentity SCSCF = new LocalIdentity("scscf.qos.test", "ims.test",
            List.of(new byte[] {127, 0, 0, 1}), 10415, "test-scscf", 1);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private CredenceServer start(Path catalog) throws Exception {
        DiameterSettings diameter = new DiameterSettings(TransportConfig.defaults("127.0.0.1", 0), OCS,
                Set.of(SCSCF.originHost()), CreditControlConfig.defaults(), CatalogFile.readAll(catalog), catalog,
                Duration.ZERO);
        return CredenceServer.start(new ServerConfig(dir.resolve("data"), "127.0.0.1", 0, "EUR", 16, 64,
                JournalConfig.DEFAULTS, LedgerLimits.DEFAULTS, diameter), fatal -> { throw new AssertionError(fatal); });
    }

    /** An IMS call's CCR with QoS-Information: QCI 1, the bandwidth down and up (bit/s). */
    private static CcrBuilder call(String sid, int type, long number, String msisdn, long bandwidthBps) {
        CcrBuilder ccr = CcrBuilder.request(sid, SCSCF.originHost(), SCSCF.originRealm(), OCS.originRealm(), type, number)
                .serviceContext(CreditControlConfig.CONTEXT_IMS).msisdn(msisdn);
        if (type == Codes.INITIAL_REQUEST) {
            ccr.mscc(100, Unit.SECONDS, 60L, null).avp(Avps.grouped(1016, V, true, List.of(
                    Avps.integer32(1028, V, true, 1), Avps.unsigned32(515, V, true, bandwidthBps),
                    Avps.unsigned32(516, V, true, bandwidthBps / 2))));
        } else {
            ccr.mscc(100, Unit.SECONDS, null, 20L);
        }
        return ccr;
    }

    private static JsonNode servicePools(CredenceServer server) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.httpPort() + "/v1/admissions/pools")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).path("layers").path("service").path("bandwidthKbps");
    }

    @Test
    void aCallAskingMoreBandwidthThanTheServiceLayerAllowsIsRefusedNamingTheParameter() throws Exception {
        try (CredenceServer server = start(EXAMPLE);
             DiameterClient scscf = DiameterClient.connect("127.0.0.1", server.diameterPort(), SCSCF,
                     DiameterClient.Options.defaults(), request -> null)) {
            Subscribers.create(server, "dora", "491730000001", Unit.MONEY, 10_000);
            // 80 Mbit/s for a voice call: the service layer takes 8..2000 kbit/s
            DiameterMessage refused = scscf.send(call("qos;1", Codes.INITIAL_REQUEST, 0, "491730000001", 80_000_000)
                    .build(1)).get(10, TimeUnit.SECONDS);
            assertThat(refused.find(Codes.RESULT_CODE, 0).orElseThrow().unsigned32())
                    .isEqualTo(Codes.DIAMETER_INVALID_AVP_VALUE);
            assertThat(refused.find(Codes.ERROR_MESSAGE, 0).orElseThrow().utf8()).contains("service layer")
                    .contains("bandwidthKbps").contains("8..2000").contains("80000");
            Avp failed = refused.find(Codes.FAILED_AVP, 0).orElseThrow().grouped().get(0);
            assertThat(failed.code()).isEqualTo(515); // Max-Requested-Bandwidth-DL, the larger one
            assertThat(failed.unsigned32()).isEqualTo(80_000_000);
            assertThat(Subscribers.await(server.ledger().query(LedgerView::openReservationCount))).isZero();
            assertThat(servicePools(server).path("used").asLong()).isZero();

            // the node retries with a voice codec's bandwidth: admitted, and the pool holds it until the end
            DiameterMessage admitted = scscf.send(call("qos;2", Codes.INITIAL_REQUEST, 0, "491730000001", 64_000)
                    .build(2)).get(10, TimeUnit.SECONDS);
            assertThat(admitted.find(Codes.RESULT_CODE, 0).orElseThrow().unsigned32()).isEqualTo(Codes.DIAMETER_SUCCESS);
            assertThat(servicePools(server).path("used").asLong()).isEqualTo(64);
            DiameterMessage ended = scscf.send(call("qos;2", Codes.TERMINATION_REQUEST, 1, "491730000001", 0)
                    .build(3)).get(10, TimeUnit.SECONDS);
            assertThat(ended.find(Codes.RESULT_CODE, 0).orElseThrow().unsigned32()).isEqualTo(Codes.DIAMETER_SUCCESS);
            assertThat(servicePools(server).path("used").asLong()).isZero();
        }
    }

    @Test
    void concurrentCallsNeverOverCommitTheServicePool() throws Exception {
        // room for 15 calls of 64 kbit/s in a 1,000 kbit/s pool
        Path catalog = dir.resolve("small-pool.json");
        String example = Files.readString(EXAMPLE);
        String small = example.replace("\"pools\": { \"bandwidthKbps\": 1000000 }", "\"pools\": { \"bandwidthKbps\": 1000 }");
        assertThat(small).isNotEqualTo(example);
        Files.writeString(catalog, small);
        int calls = 60;
        try (CredenceServer server = start(catalog);
             DiameterClient scscf = DiameterClient.connect("127.0.0.1", server.diameterPort(), SCSCF,
                     DiameterClient.Options.defaults(), request -> null);
             ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int n = 0; n < calls; n++) {
                Subscribers.create(server, "caller-" + n, "49173100" + String.format("%04d", n), Unit.MONEY, 10_000);
            }
            AtomicInteger endToEnd = new AtomicInteger(10);
            AtomicInteger admitted = new AtomicInteger();
            AtomicInteger full = new AtomicInteger();
            AtomicBoolean watching = new AtomicBoolean(true);
            List<Long> seen = java.util.Collections.synchronizedList(new ArrayList<>());
            Future<?> watcher = callers.submit(() -> {
                while (watching.get()) {
                    seen.add(servicePools(server).path("used").asLong());
                }
                return null;
            });
            List<Future<?>> running = new ArrayList<>();
            for (int n = 0; n < calls; n++) {
                String sid = "qos;load;" + n;
                String msisdn = "49173100" + String.format("%04d", n);
                running.add(callers.submit(() -> {
                    DiameterMessage i = scscf.send(call(sid, Codes.INITIAL_REQUEST, 0, msisdn, 64_000)
                            .build(endToEnd.getAndIncrement())).get(30, TimeUnit.SECONDS);
                    long code = i.find(Codes.RESULT_CODE, 0).orElseThrow().unsigned32();
                    if (code == Codes.DIAMETER_SUCCESS) {
                        admitted.incrementAndGet();
                        Thread.sleep(20); // the call goes on a little, holding its bandwidth
                        scscf.send(call(sid, Codes.TERMINATION_REQUEST, 1, msisdn, 0).build(endToEnd.getAndIncrement()))
                                .get(30, TimeUnit.SECONDS);
                    } else {
                        assertThat(code).isEqualTo(Codes.DIAMETER_END_USER_SERVICE_DENIED);
                        assertThat(i.find(Codes.ERROR_MESSAGE, 0).orElseThrow().utf8()).contains("bandwidthKbps pool");
                        full.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get(60, TimeUnit.SECONDS);
            }
            watching.set(false);
            watcher.get(10, TimeUnit.SECONDS);

            assertThat(admitted.get() + full.get()).isEqualTo(calls);
            assertThat(admitted.get()).isGreaterThanOrEqualTo(15);
            assertThat(seen).isNotEmpty().allMatch(used -> used >= 0 && used <= 1000);
            assertThat(seen.stream().mapToLong(Long::longValue).max().orElseThrow()).isLessThanOrEqualTo(15 * 64);
            assertThat(servicePools(server).path("used").asLong()).isZero();
            assertThat(Subscribers.await(server.ledger().query(LedgerView::openReservationCount))).isZero();
        }
    }
}
