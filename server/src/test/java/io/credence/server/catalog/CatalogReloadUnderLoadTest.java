package io.credence.server.catalog;

import io.credence.diameter.cc.CcrBuilder;
import io.credence.diameter.cc.CreditControlConfig;
import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.peer.LocalIdentity;
import io.credence.diameter.transport.DiameterClient;
import io.credence.diameter.transport.TransportConfig;
import io.credence.journal.JournalConfig;
import io.credence.ledger.LedgerView;
import io.credence.ledger.Ledger;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;
import io.credence.records.UsageRecord;
import io.credence.records.file.RecordReader;
import io.credence.server.CredenceServer;
import io.credence.server.Subscribers;
import io.credence.server.DiameterSettings;
import io.credence.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Calls keep going while the catalog is reloaded with doubled prices: every request is answered
 * 2001, no session is lost, and every unit is charged at the price of the catalog in force when it
 * was granted — which the usage records show and the balances confirm.
 */
class CatalogReloadUnderLoadTest {
    private static final LocalIdentity OCS = new LocalIdentity("ocs.load.test", "credence.test",
            List.of(new byte[] {127, 0, 0, 1}), 0, "credence", 1);
    private static final LocalIdentity SCSCF = new LocalIdentity("scscf.load.test", "ims.test",
            List.of(new byte[] {127, 0, 0, 1}), 10415, "test-scscf", 1);
    private static final int SESSIONS = 40;
    private static final int UPDATES = 6;
    private static final long START_MONEY = 100_000;

    @TempDir
    Path dir;

    private static String catalog(String version, int pricePerSecond) {
        return """
                {"version": "%s", "currency": "EUR", "zone": "UTC",
                 "tariffs": {"voice": {"unit": "SECONDS", "steps": [{"block": 1, "price": %d}]}},
                 "services": {"voice": {"unit": "SECONDS", "ratingGroups": [100], "defaultQuota": 60,
                                        "moneyTariff": "voice"}},
                 "rules": [{"name": "voice", "service": "voice", "when": {}, "then": {"charge": "voice"}}]}
                """.formatted(version, pricePerSecond);
    }

    @Test
    void aReloadUnderLoadLosesNoSessionAndPricesOnlyUnitsGrantedAfterIt() throws Exception {
        Path file = dir.resolve("catalog.json");
        Files.writeString(file, catalog("v1", 1));
        DiameterSettings diameter = new DiameterSettings(TransportConfig.defaults("127.0.0.1", 0), OCS,
                Set.of(SCSCF.originHost()), CreditControlConfig.defaults(), CatalogFile.read(file), file);
        Path data = dir.resolve("data");
        List<Long> results = new ArrayList<>();
        ConcurrentLinkedQueue<Long> answered = new ConcurrentLinkedQueue<>();
        AtomicInteger requests = new AtomicInteger();
        try (CredenceServer server = CredenceServer.start(new ServerConfig(data, "127.0.0.1", 0, "EUR", 16, 64,
                JournalConfig.DEFAULTS, LedgerLimits.DEFAULTS, diameter), fatal -> { throw new AssertionError(fatal); });
             DiameterClient scscf = DiameterClient.connect("127.0.0.1", server.diameterPort(), SCSCF,
                     DiameterClient.Options.defaults(), request -> null);
             ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int n = 0; n < SESSIONS; n++) {
                Subscribers.create(server, "caller-" + n, "4915100000" + n, Unit.MONEY, START_MONEY);
            }
            AtomicInteger endToEnd = new AtomicInteger(1);
            CountDownLatch halfway = new CountDownLatch(SESSIONS / 2);
            CountDownLatch reloaded = new CountDownLatch(1);
            Function<CcrBuilder, Long> send = ccr -> {
                try {
                    DiameterMessage answer = scscf.send(ccr.build(endToEnd.getAndIncrement())).get(30, TimeUnit.SECONDS);
                    requests.incrementAndGet();
                    long code = answer.find(Codes.RESULT_CODE, 0).map(Avp::unsigned32).orElse(0L);
                    answered.add(code);
                    return code;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            List<Future<?>> calls = new ArrayList<>();
            for (int n = 0; n < SESSIONS; n++) {
                String sid = "scscf.load.test;call;" + n;
                String msisdn = "4915100000" + n;
                boolean waits = n % 2 == 0;
                calls.add(callers.submit(() -> {
                    send.apply(ccr(sid, Codes.INITIAL_REQUEST, 0).msisdn(msisdn).mscc(100, Unit.SECONDS, 60L, null));
                    for (int u = 1; u <= UPDATES; u++) {
                        send.apply(ccr(sid, Codes.UPDATE_REQUEST, u).msisdn(msisdn).mscc(100, Unit.SECONDS, 60L, 60L));
                        if (waits && u == UPDATES / 2) {
                            // half the calls hold here, mid-call, until the reload is done; the others run on
                            halfway.countDown();
                            reloaded.await();
                        }
                        Thread.sleep(5);
                    }
                    send.apply(ccr(sid, Codes.TERMINATION_REQUEST, UPDATES + 1).msisdn(msisdn)
                            .mscc(100, Unit.SECONDS, null, 30L));
                    return null;
                }));
            }
            // reload once half the calls are mid-way, through the operator's API
            assertThat(halfway.await(60, TimeUnit.SECONDS)).isTrue();
            Files.writeString(file, catalog("v2", 2));
            HttpResponse<String> reload = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.httpPort() + "/v1/catalog/reload"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
            reloaded.countDown();
            for (Future<?> call : calls) {
                call.get(60, TimeUnit.SECONDS);
            }
            results.addAll(answered);

            assertThat(results).hasSize(SESSIONS * (UPDATES + 2)).allMatch(code -> code == Codes.DIAMETER_SUCCESS);
            assertThat(Subscribers.await(server.ledger().query(LedgerView::openReservationCount))).isZero();

            List<UsageRecord> records;
            try (var stream = RecordReader.of(data.resolve("records"), skipped -> {
                throw new AssertionError("unreadable record: " + skipped);
            }).query(RecordReader.Filter.ALL)) {
                records = stream.toList();
            }
            assertThat(records).hasSize(SESSIONS * (UPDATES + 1));
            for (UsageRecord r : records) {
                long pricePerSecond = r.attributes().get("catalogVersion").equals("v1") ? 1 : 2;
                assertThat(r.price()).as(r.toString()).isEqualTo(r.rawUnits() * pricePerSecond);
            }
            assertThat(records).extracting(r -> r.attributes().get("catalogVersion")).contains("v1", "v2");
            Map<String, Long> spentByAccount = records.stream().collect(Collectors.groupingBy(UsageRecord::accountId,
                    Collectors.summingLong(UsageRecord::price)));
            for (var e : spentByAccount.entrySet()) {
                long money = Subscribers.await(server.ledger().query(l -> l.available(e.getKey(), Unit.MONEY, ServiceRef.ANY)
                        .orElseThrow()));
                assertThat(START_MONEY - money).as(e.getKey()).isEqualTo(e.getValue());
            }
        }
    }

    private static CcrBuilder ccr(String sid, int type, long number) {
        return CcrBuilder.request(sid, SCSCF.originHost(), SCSCF.originRealm(), OCS.originRealm(), type, number)
                .serviceContext(CreditControlConfig.CONTEXT_IMS);
    }
}
