package io.credence.diameter.cc;

import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Avps;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.codec.Dictionary;
import io.credence.diameter.transport.DiameterClient;
import io.credence.ledger.Unit;
import io.credence.rating.Catalog;
import io.credence.rating.NetworkType;
import io.credence.rating.RatingEngine;
import io.credence.rating.Rule;
import io.credence.rating.Tariff;
import io.credence.rating.TerminalType;
import io.credence.rating.TerminalTypes;
import io.credence.records.UsageRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static io.credence.diameter.cc.CcHarness.granted;
import static io.credence.diameter.cc.CcHarness.hasFinalUnitIndication;
import static io.credence.diameter.cc.CcHarness.msccResult;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * IMS calls over Ro on loopback, priced by the catalog: free and denied by terminal attributes
 * (including the called party's and the terminal type from the IMEI), paid from minutes first and
 * then money at the tariff, re-rated when the caller hands over mid-call, and a catalog reload
 * that prices only the units granted after it. Every settled usage leaves a usage record.
 */
class RatedChargingScenarioTest {
    private static final long V = Dictionary.VENDOR_3GPP;
    private static final String IMS = CreditControlConfig.CONTEXT_IMS;
    private static final String LTE = "3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=262011234ABCDEF0";
    private static final String WIFI = "IEEE-802.11; i-wlan-node-id=ffeeddccbbaa";
    private static final String PHONE_IMEI = "3500001234567801";
    private static final String SET_TOP_BOX_IMEI = "8600001234567801";

    @TempDir
    Path dir;
    CcHarness h;
    DiameterClient scscf;
    final AtomicReference<RatingEngine> engine = new AtomicReference<>(new RatingEngine(catalog("v1", 1)));
    final List<UsageRecord> records = Collections.synchronizedList(new ArrayList<>());

    /** Voice at {@code pricePerSecond}, with the attribute rules of the issue. */
    static Catalog catalog(String version, long pricePerSecond) {
        Tariff voice = new Tariff("voice", Unit.SECONDS, List.of(new Tariff.Step(Long.MAX_VALUE, 1, pricePerSecond)),
                Tariff.Rounding.UP, 0, Map.of());
        Tariff sms = new Tariff("sms", Unit.SERVICE_UNITS, List.of(new Tariff.Step(Long.MAX_VALUE, 1, 9)),
                Tariff.Rounding.UP, 0, Map.of());
        return new Catalog(version, "EUR", ZoneId.of("UTC"), Map.of(), Map.of("voice", voice, "sms", sms),
                Map.of("voice", new Catalog.Service("voice", Unit.SECONDS, Set.of(100L), 300, "voice"),
                        "sms", new Catalog.Service("sms", Unit.SERVICE_UNITS, Set.of(200L), 1, "sms")),
                List.of(new Rule("voice", "voice", null, null, null, null, null, null, null,
                                new Rule.Decision.Charge("voice")),
                        new Rule("sms", "sms", null, null, null, null, null, null, null, new Rule.Decision.Charge("sms")),
                        new Rule("VoLTE to VoLTE is free", "voice", Set.of(NetworkType.LTE), null, null,
                                Set.of(NetworkType.LTE), null, null, null, new Rule.Decision.Free()),
                        new Rule("Wi-Fi phones are free", "voice", Set.of(NetworkType.WIFI), Set.of(TerminalType.PHONE),
                                null, null, null, null, null, new Rule.Decision.Free()),
                        new Rule("set-top boxes have no voice", "voice", null, Set.of(TerminalType.SET_TOP_BOX), null,
                                null, null, null, null, new Rule.Decision.Deny("set-top boxes have no voice plan"))),
                Map.of("trunk-intl", new io.credence.rating.OutletPolicy.Check(500)), new TerminalTypes(List.of(new TerminalTypes.TacRange(35_000_000, 35_099_999, TerminalType.PHONE),
                        new TerminalTypes.TacRange(86_000_000, 86_099_999, TerminalType.SET_TOP_BOX)), List.of()));
    }

    @BeforeEach
    void start() throws Exception {
        h = new CcHarness(dir, CreditControlConfig.defaults(), engine::get, records::add);
        scscf = h.connect();
    }

    @AfterEach
    void stop() throws Exception {
        h.close();
    }

    /** User-Equipment-Info with the IMEISV, and IMS-Information with the caller's (and callee's) access network. */
    private static List<Avp> terminals(String imei, String... panis) {
        List<Avp> ims = new ArrayList<>();
        for (String pani : panis) {
            ims.add(Avps.octets(1263, V, true, pani.getBytes(StandardCharsets.UTF_8)));
        }
        return List.of(Avps.grouped(458, 0, false, List.of(Avps.integer32(459, 0, false, 0),
                        Avps.octets(460, 0, false, imei.getBytes(StandardCharsets.US_ASCII)))),
                Avps.grouped(873, V, true, List.of(Avps.grouped(876, V, true, ims))));
    }

    private DiameterMessage send(String sid, int type, long number, String msisdn, Long requested, Long used,
                                 List<Avp> attributes) throws Exception {
        CcrBuilder ccr = h.ccr(sid, type, number).serviceContext(IMS).msisdn(msisdn).mscc(100, Unit.SECONDS, requested, used);
        attributes.forEach(ccr::avp);
        return h.send(scscf, ccr);
    }

    private List<UsageRecord> recordsOf(String sid) {
        synchronized (records) {
            return records.stream().filter(r -> sid.equals(r.sessionId())).toList();
        }
    }

    @Test
    void aVoLteToVoLteCallIsFreeWithAZeroBalanceAndIsRecordedAtZeroPrice() throws Exception {
        String account = h.subscriber("491710000101", Unit.MONEY, 0);
        long transfers = h.lastTransferSeq();
        // the S-CSCF asks when the callee answered: its P-Access-Network-Info comes second
        DiameterMessage i = send("volte;1", Codes.INITIAL_REQUEST, 0, "491710000101", 60L, null,
                terminals(PHONE_IMEI, LTE, LTE));
        assertThat(msccResult(i, 100)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(granted(i, 100)).isEqualTo(60);
        DiameterMessage u = send("volte;1", Codes.UPDATE_REQUEST, 1, "491710000101", 60L, 60L, List.of());
        assertThat(msccResult(u, 100)).isEqualTo(Codes.DIAMETER_SUCCESS);
        DiameterMessage t = send("volte;1", Codes.TERMINATION_REQUEST, 2, "491710000101", null, 30L, List.of());
        assertThat(CcHarness.resultCode(t)).isEqualTo(Codes.DIAMETER_SUCCESS);

        assertThat(h.available(account, Unit.MONEY)).isZero();
        assertThat(h.lastTransferSeq()).isEqualTo(transfers);
        assertThat(h.openReservations()).isZero();
        assertThat(recordsOf("volte;1")).extracting(UsageRecord::decision, UsageRecord::rule, UsageRecord::rawUnits,
                UsageRecord::price).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("FREE", "VoLTE to VoLTE is free", 60L, 0L),
                        org.assertj.core.groups.Tuple.tuple("FREE", "VoLTE to VoLTE is free", 30L, 0L));
        assertThat(recordsOf("volte;1").get(0).attributes()).containsEntry("callingNetwork", "LTE")
                .containsEntry("calledNetwork", "LTE").containsEntry("callingTerminal", "PHONE");
    }

    @Test
    void aSetTopBoxWithAZeroBalanceIsDeniedByItsImei() throws Exception {
        String account = h.subscriber("491710000102", Unit.MONEY, 0);
        DiameterMessage i = send("stb;1", Codes.INITIAL_REQUEST, 0, "491710000102", 60L, null,
                terminals(SET_TOP_BOX_IMEI, "ADSL; dsl-location=0012", LTE));
        assertThat(msccResult(i, 100)).isEqualTo(Codes.DIAMETER_END_USER_SERVICE_DENIED);
        assertThat(h.openReservations()).isZero();
        assertThat(h.available(account, Unit.MONEY)).isZero();
        assertThat(recordsOf("stb;1")).isEmpty();
    }

    @Test
    void aCallerOnTheStandardTariffWithNoMoneyIsRefused() throws Exception {
        h.subscriber("491710000103", Unit.MONEY, 0);
        DiameterMessage i = send("poor;1", Codes.INITIAL_REQUEST, 0, "491710000103", 60L, null,
                terminals(PHONE_IMEI, LTE));
        assertThat(msccResult(i, 100)).isEqualTo(Codes.DIAMETER_CREDIT_LIMIT_REACHED);
        assertThat(h.openReservations()).isZero();
    }

    @Test
    void aHandoverFromWifiToLteReRatesOnlyTheUnitsAfterIt() throws Exception {
        String account = h.subscriber("491710000104", Unit.MONEY, 500);
        DiameterMessage i = send("handover;1", Codes.INITIAL_REQUEST, 0, "491710000104", 60L, null,
                terminals(PHONE_IMEI, WIFI));
        assertThat(msccResult(i, 100)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(h.available(account, Unit.MONEY)).isEqualTo(500); // free: nothing held
        // 40 s on Wi-Fi, then the caller moves to LTE (the callee's network is still unknown)
        DiameterMessage u = send("handover;1", Codes.UPDATE_REQUEST, 1, "491710000104", 60L, 40L,
                terminals(PHONE_IMEI, LTE));
        assertThat(msccResult(u, 100)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(granted(u, 100)).isEqualTo(60);
        assertThat(h.available(account, Unit.MONEY)).isEqualTo(440); // 60 s at 1 cent held
        DiameterMessage t = send("handover;1", Codes.TERMINATION_REQUEST, 2, "491710000104", null, 20L, List.of());
        assertThat(CcHarness.resultCode(t)).isEqualTo(Codes.DIAMETER_SUCCESS);

        assertThat(h.available(account, Unit.MONEY)).isEqualTo(480);
        assertThat(h.openReservations()).isZero();
        assertThat(recordsOf("handover;1")).extracting(UsageRecord::decision, UsageRecord::rule, UsageRecord::rawUnits,
                UsageRecord::price).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("FREE", "Wi-Fi phones are free", 40L, 0L),
                        org.assertj.core.groups.Tuple.tuple("CHARGED", "voice", 20L, 20L));
    }

    @Test
    void minutesInABucketAreUsedBeforeMoneyAtTheTariff() throws Exception {
        String account = h.subscriber("491710000105", Unit.MONEY, 1_000);
        h.bucket(account, Unit.SECONDS, 100, 100);
        DiameterMessage i = send("bucket;1", Codes.INITIAL_REQUEST, 0, "491710000105", 300L, null,
                terminals(PHONE_IMEI, LTE));
        assertThat(granted(i, 100)).isEqualTo(100);
        assertThat(hasFinalUnitIndication(i, 100)).isFalse(); // money follows: the call goes on
        DiameterMessage u = send("bucket;1", Codes.UPDATE_REQUEST, 1, "491710000105", 300L, 100L, List.of());
        assertThat(granted(u, 100)).isEqualTo(300);
        assertThat(h.available(account, Unit.MONEY)).isEqualTo(700);
        DiameterMessage t = send("bucket;1", Codes.TERMINATION_REQUEST, 2, "491710000105", null, 50L, List.of());
        assertThat(CcHarness.resultCode(t)).isEqualTo(Codes.DIAMETER_SUCCESS);

        assertThat(h.available(account, Unit.SECONDS)).isZero();
        assertThat(h.available(account, Unit.MONEY)).isEqualTo(950);
        assertThat(recordsOf("bucket;1")).extracting(UsageRecord::rawUnits, UsageRecord::price).containsExactly(
                org.assertj.core.groups.Tuple.tuple(100L, 0L), org.assertj.core.groups.Tuple.tuple(50L, 50L));
        assertThat(recordsOf("bucket;1").get(0).balances()).containsExactly(
                new UsageRecord.BalanceChange(account, Unit.SECONDS, -100));
        assertThat(recordsOf("bucket;1").get(1).balances()).containsExactly(
                new UsageRecord.BalanceChange(account, Unit.MONEY, -50));
    }

    @Test
    void whenMoneyRunsShortWhatItBuysIsGrantedAsTheFinalUnits() throws Exception {
        String account = h.subscriber("491710000106", Unit.MONEY, 100);
        DiameterMessage i = send("short;1", Codes.INITIAL_REQUEST, 0, "491710000106", 300L, null,
                terminals(PHONE_IMEI, LTE));
        assertThat(granted(i, 100)).isEqualTo(100);
        assertThat(hasFinalUnitIndication(i, 100)).isTrue();
        DiameterMessage u = send("short;1", Codes.UPDATE_REQUEST, 1, "491710000106", 300L, 100L, List.of());
        assertThat(msccResult(u, 100)).isEqualTo(Codes.DIAMETER_CREDIT_LIMIT_REACHED);
        assertThat(h.available(account, Unit.MONEY)).isZero();
        assertThat(h.openReservations()).isZero();
    }

    @Test
    void aCatalogReloadMidCallPricesOnlyTheUnitsGrantedAfterIt() throws Exception {
        String account = h.subscriber("491710000107", Unit.MONEY, 1_000);
        send("reload;1", Codes.INITIAL_REQUEST, 0, "491710000107", 60L, null, terminals(PHONE_IMEI, LTE));
        h.install(catalog("v2", 2));
        DiameterMessage u = send("reload;1", Codes.UPDATE_REQUEST, 1, "491710000107", 60L, 60L, List.of());
        assertThat(granted(u, 100)).isEqualTo(60);
        assertThat(h.available(account, Unit.MONEY)).isEqualTo(1_000 - 60 - 120); // 60 s used at v1, 60 s held at v2
        send("reload;1", Codes.TERMINATION_REQUEST, 2, "491710000107", null, 10L, List.of());

        assertThat(h.available(account, Unit.MONEY)).isEqualTo(1_000 - 60 - 20);
        assertThat(recordsOf("reload;1")).extracting(r -> r.attributes().get("catalogVersion"), UsageRecord::price)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("v1", 60L),
                        org.assertj.core.groups.Tuple.tuple("v2", 20L));
    }

    @Test
    void anSmsIsDebitedFromItsBundleThenAtTheTariffAndItsPriceCanBeAsked() throws Exception {
        String account = h.subscriber("491710000108", Unit.MONEY, 20);
        h.bucket(account, Unit.SERVICE_UNITS, 1, 200);
        long[] results = new long[4];
        for (int n = 0; n < 4; n++) {
            DiameterMessage debit = h.send(scscf, h.ccr("sms;" + n, Codes.EVENT_REQUEST, 0)
                    .serviceContext(CreditControlConfig.CONTEXT_SMS).msisdn("491710000108")
                    .requestedAction(Codes.DIRECT_DEBITING).mscc(200, Unit.SERVICE_UNITS, 1L, null));
            results[n] = msccResult(debit, 200);
        }
        // the bundle's SMS, then two at 9 cents, then 2 cents are not enough
        assertThat(results).containsExactly(Codes.DIAMETER_SUCCESS, Codes.DIAMETER_SUCCESS, Codes.DIAMETER_SUCCESS,
                Codes.DIAMETER_CREDIT_LIMIT_REACHED);
        assertThat(h.available(account, Unit.MONEY)).isEqualTo(2);
        assertThat(h.available(account, Unit.SERVICE_UNITS)).isZero();
        assertThat(records).extracting(UsageRecord::sessionId, UsageRecord::price).containsExactly(
                org.assertj.core.groups.Tuple.tuple("sms;0", 0L), org.assertj.core.groups.Tuple.tuple("sms;1", 9L),
                org.assertj.core.groups.Tuple.tuple("sms;2", 9L));

        DiameterMessage price = h.send(scscf, h.ccr("sms;price", Codes.EVENT_REQUEST, 0)
                .serviceContext(CreditControlConfig.CONTEXT_SMS).msisdn("491710000108")
                .requestedAction(Codes.PRICE_ENQUIRY).mscc(200, Unit.SERVICE_UNITS, 3L, null));
        Avp cost = price.find(Codes.COST_INFORMATION, 0).orElseThrow();
        Avp unitValue = cost.grouped().stream().filter(a -> a.code() == Codes.UNIT_VALUE).findFirst().orElseThrow();
        assertThat(unitValue.grouped().stream().filter(a -> a.code() == Codes.VALUE_DIGITS).findFirst().orElseThrow()
                .integer64()).isEqualTo(27);
    }

    @Test
    void aCheckedOutletCountsMinutesAndWhatMoneyBuysAndAnswersTheMoneyLeft() throws Exception {
        h.subscriber("491710000109", Unit.MONEY, 400);
        String rich = h.subscriber("491710000110", Unit.MONEY, 400);
        h.bucket(rich, Unit.SECONDS, 200, 100);
        List<Avp> international = List.of(Avps.grouped(873, V, true, List.of(Avps.grouped(876, V, true, List.of(
                Avps.octets(1263, V, true, LTE.getBytes(StandardCharsets.UTF_8)),
                Avps.grouped(851, V, true, List.of(Avps.utf8(853, V, true, "trunk-intl"))))))));
        // 400 cents buy 400 s: not more than the outlet's 500
        DiameterMessage poor = send("intl;1", Codes.INITIAL_REQUEST, 0, "491710000109", 60L, null, international);
        assertThat(msccResult(poor, 100)).isEqualTo(Codes.DIAMETER_END_USER_SERVICE_DENIED);
        assertThat(poor.find(Codes.REMAINING_BALANCE, V)).isEmpty();
        // 200 s of minutes and 400 s of money: routed, and told the money it has
        DiameterMessage routed = send("intl;2", Codes.INITIAL_REQUEST, 0, "491710000110", 60L, null, international);
        assertThat(msccResult(routed, 100)).isEqualTo(Codes.DIAMETER_SUCCESS);
        Avp unitValue = routed.find(Codes.REMAINING_BALANCE, V).orElseThrow().grouped().get(0);
        assertThat(unitValue.grouped().get(0).integer64()).isEqualTo(400);
    }

    @Test
    void aTerminatingNodeRatesItsServedUserAsTheCalledParty() throws Exception {
        // the callee's node asks: the served (charged) user is on a set-top box, which the deny rule
        // names as a *calling* terminal, so it does not apply; the caller on CS pays the standard tariff
        String account = h.subscriber("491710000111", Unit.MONEY, 100);
        List<Avp> terminating = List.of(Avps.grouped(458, 0, false, List.of(Avps.integer32(459, 0, false, 0),
                        Avps.octets(460, 0, false, SET_TOP_BOX_IMEI.getBytes(StandardCharsets.US_ASCII)))),
                Avps.grouped(873, V, true, List.of(Avps.grouped(876, V, true, List.of(Avps.integer32(829, V, true, 1),
                        Avps.octets(1263, V, true, "ADSL".getBytes(StandardCharsets.UTF_8)),
                        Avps.octets(1263, V, true, "3GPP-UTRAN-FDD".getBytes(StandardCharsets.UTF_8)))))));
        DiameterMessage i = send("mt;1", Codes.INITIAL_REQUEST, 0, "491710000111", 60L, null, terminating);
        assertThat(msccResult(i, 100)).isEqualTo(Codes.DIAMETER_SUCCESS);
        send("mt;1", Codes.TERMINATION_REQUEST, 1, "491710000111", null, 10L, List.of());
        assertThat(h.available(account, Unit.MONEY)).isEqualTo(90);
        assertThat(recordsOf("mt;1").get(0).attributes()).containsEntry("calledTerminal", "SET_TOP_BOX")
                .containsEntry("callingNetwork", "CS").containsEntry("calledNetwork", "FIXED");
    }

    @Test
    void aRatingGroupTheCatalogDoesNotKnowIsChargedInItsOwnUnitAndRecordedAsUnrated() throws Exception {
        String account = h.subscriber("491710000112", Unit.BYTES, 5_000);
        h.send(scscf, h.ccr("gy;1", Codes.INITIAL_REQUEST, 0).msisdn("491710000112").mscc(10, Unit.BYTES, 1_000L, null));
        h.send(scscf, h.ccr("gy;1", Codes.TERMINATION_REQUEST, 1).msisdn("491710000112").mscc(10, Unit.BYTES, null, 700L));
        assertThat(h.available(account, Unit.BYTES)).isEqualTo(4_300);
        assertThat(recordsOf("gy;1")).extracting(UsageRecord::service, UsageRecord::decision, UsageRecord::rawUnits)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("rg:10.n", "UNRATED", 700L));
    }
}
