package io.credence.charging;

import io.credence.charging.ChargingOutcome.Result;
import io.credence.charging.ChargingOutcome.ServiceOutcome;
import io.credence.charging.ChargingRequest.Attributes;
import io.credence.charging.ChargingRequest.Kind;
import io.credence.ledger.AccountKind;
import io.credence.ledger.Command;
import io.credence.ledger.IdentityType;
import io.credence.ledger.Ids;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Operation;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;
import io.credence.rating.Catalog;
import io.credence.rating.NetworkType;
import io.credence.rating.OutletPolicy;
import io.credence.rating.Rule;
import io.credence.rating.Tariff;
import io.credence.rating.TerminalType;
import io.credence.rating.TerminalTypes;
import io.credence.rating.TimeBand;
import io.credence.records.UsageRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the catalog says a grant costs: the rule the call's attributes pick (which end is served,
 * the network, the terminal type, roaming, the outlet), attributes a later request leaves out kept
 * from the grant before, the time band, and a reload that prices only units granted afterwards.
 */
class CatalogPricingTest {
    /** A Wednesday noon (outside the evening band) in the catalog's zone, UTC. */
    static final long NOON = Instant.parse("2027-01-13T12:00:00Z").toEpochMilli();
    static final long EVENING = Instant.parse("2027-01-13T20:00:00Z").toEpochMilli();
    static final long VOICE = 100;
    static final long VOICE_2 = 101;
    static final long DATA = 10;
    static final long VIDEO = 20;
    static final long PROMO = 30;
    static final long CONFERENCE = 110;
    /** An IMEI whose TAC the catalog knows as a set-top box. */
    static final String SET_TOP_IMEI = "3500001234567890";
    static final String PHONE_IMEI = "4900001234567890";

    /**
     * The test catalog, version {@code version}, voice at {@code voicePerMinute} a begun minute:
     * <ul>
     *   <li>voice (rg 100, 101; 120 s by default): 'voice default' at voice-std (4 a minute in the
     *       evening); VoLTE to VoLTE free; WiFi callers at voice-wifi (25 a minute); CS roamers at
     *       voice-wifi; set-top boxes on fixed access denied</li>
     *   <li>data (rg 10; 5000 bytes by default): 1 per begun 1000 bytes</li>
     *   <li>video (rg 20): no rule and no money tariff, paid from its own units only</li>
     *   <li>promo (rg 30): a rule at a tariff of price 0</li>
     *   <li>conference (rg 110): no rule; its money tariff voice-std prices it</li>
     *   <li>outlets: intl-trunk checks for more than 120 of the service's unit; local-trunk does not</li>
     * </ul>
     */
    static Catalog catalog(String version, long voicePerMinute) {
        Tariff voiceStd = new Tariff("voice-std", Unit.SECONDS, List.of(new Tariff.Step(Long.MAX_VALUE, 60,
                voicePerMinute)), Tariff.Rounding.UP, 0, Map.of("evening", List.of(new Tariff.Step(Long.MAX_VALUE, 60,
                4))));
        Tariff voiceWifi = new Tariff("voice-wifi", Unit.SECONDS, List.of(new Tariff.Step(Long.MAX_VALUE, 60, 25)),
                Tariff.Rounding.UP, 0, Map.of());
        Tariff data = new Tariff("data-std", Unit.BYTES, List.of(new Tariff.Step(Long.MAX_VALUE, 1000, 1)),
                Tariff.Rounding.UP, 0, Map.of());
        Tariff promo = new Tariff("promo", Unit.BYTES, List.of(new Tariff.Step(Long.MAX_VALUE, 1000, 0)),
                Tariff.Rounding.UP, 0, Map.of());
        List<Rule> rules = List.of(
                voiceRule("voice default", null, null, null, null, new Rule.Decision.Charge("voice-std")),
                voiceRule("volte to volte is free", Set.of(NetworkType.LTE), null, null, Set.of(NetworkType.LTE),
                        new Rule.Decision.Free()),
                voiceRule("wifi callers", Set.of(NetworkType.WIFI), null, null, null,
                        new Rule.Decision.Charge("voice-wifi")),
                voiceRule("cs roamers", Set.of(NetworkType.CS), null, true, null,
                        new Rule.Decision.Charge("voice-wifi")),
                voiceRule("no voice on set-top boxes", Set.of(NetworkType.FIXED), Set.of(TerminalType.SET_TOP_BOX),
                        null, null, new Rule.Decision.Deny("set-top boxes have no voice service")),
                new Rule("data default", "data", null, null, null, null, null, null, null,
                        new Rule.Decision.Charge("data-std")),
                new Rule("promo", "promo", null, null, null, null, null, null, null,
                        new Rule.Decision.Charge("promo")));
        return new Catalog(version, "EUR", ZoneOffset.UTC,
                Map.of("evening", new TimeBand("evening", EnumSet.allOf(DayOfWeek.class), LocalTime.of(19, 0),
                        LocalTime.of(7, 0))),
                Map.of("voice-std", voiceStd, "voice-wifi", voiceWifi, "data-std", data, "promo", promo),
                Map.of("voice", new Catalog.Service("voice", Unit.SECONDS, Set.of(VOICE, VOICE_2), 120, "voice-std"),
                        "data", new Catalog.Service("data", Unit.BYTES, Set.of(DATA), 5000, "data-std"),
                        "video", new Catalog.Service("video", Unit.BYTES, Set.of(VIDEO), 2000, null),
                        "promo", new Catalog.Service("promo", Unit.BYTES, Set.of(PROMO), 3000, null),
                        "conference", new Catalog.Service("conference", Unit.SECONDS, Set.of(CONFERENCE), 60,
                                "voice-std")),
                rules,
                Map.of("intl-trunk", new OutletPolicy.Check(120), "local-trunk", new OutletPolicy.NoCheck()),
                new TerminalTypes(List.of(new TerminalTypes.TacRange(35000000, 35099999, TerminalType.SET_TOP_BOX)),
                        List.of()));
    }

    private static Rule voiceRule(String name, Set<NetworkType> callingNetwork, Set<TerminalType> callingTerminal,
                                  Boolean callingRoaming, Set<NetworkType> calledNetwork, Rule.Decision decision) {
        return new Rule(name, "voice", callingNetwork, callingTerminal, callingRoaming, calledNetwork, null, null,
                null, decision);
    }

    /**
     * An engine with the test catalog installed through its reader (source "v1": 10 a minute;
     * "v2": 20 a minute), a clock, subscribers and Gy/Ro requests with attributes.
     */
    static final class Rig {
        final ChargingEngine engine;
        long now = NOON;
        private int commands;

        Rig() {
            this(LedgerLimits.DEFAULTS);
        }

        Rig(LedgerLimits limits) {
            engine = new ChargingEngine(limits, source -> {
                String version = new String(source, StandardCharsets.UTF_8);
                return new CatalogReader.Contents(catalog(version, version.equals("v2") ? 20 : 10), null);
            });
            install("v1");
        }

        void install(String version) {
            EngineOutcome.CatalogInstalled installed = (EngineOutcome.CatalogInstalled) engine.apply(
                    new EngineCommand.InstallCatalog(version.getBytes(StandardCharsets.UTF_8)), now);
            assertThat(installed.version()).isEqualTo(version);
        }

        void configure(EngineConfig config) {
            engine.apply(new EngineCommand.Configure(config), now);
        }

        void ledger(Operation op) {
            assertThat(engine.apply(new Command("setup-" + commands++, op), now).accepted()).isTrue();
        }

        /** An account bound to {@code msisdn} holding the given balances. */
        String subscriber(String msisdn, Map<Unit, Long> balances) {
            String account = "acct-" + msisdn;
            ledger(new Operation.CreateAccount(account, AccountKind.SUBSCRIBER, Map.of()));
            balances.forEach((unit, amount) -> ledger(new Operation.TopUp(Ids.SYSTEM_ACCOUNT, account, unit, amount,
                    null)));
            ledger(new Operation.BindIdentity(IdentityType.E164, msisdn, account));
            return account;
        }

        long available(String account, Unit unit) {
            return engine.ledger().available(account, unit, ServiceRef.ANY).orElseThrow();
        }

        ChargingResult charge(ChargingRequest request) {
            return ((EngineOutcome.Charged) engine.apply(new EngineCommand.Charge(request), now)).result();
        }
    }

    /** A request of an IMS (Ro) or PS (Gy) session; identities as pairs of type and value. */
    static final class Req {
        private final String session;
        private final Kind kind;
        private final long number;
        private final List<ChargingRequest.Identity> identities = new ArrayList<>();
        private final List<ChargingRequest.ServiceUsage> services = new ArrayList<>();
        private Attributes attributes;
        private String context = EngineConfig.CONTEXT_IMS;

        private Req(String session, Kind kind, long number) {
            this.session = session;
            this.kind = kind;
            this.number = number;
        }

        static Req of(String session, Kind kind, long number) {
            return new Req(session, kind, number);
        }

        Req msisdn(String msisdn) {
            identities.add(new ChargingRequest.Identity(IdentityType.E164, msisdn));
            return this;
        }

        Req imsi(String imsi) {
            identities.add(new ChargingRequest.Identity(IdentityType.IMSI, imsi));
            return this;
        }

        Req context(String serviceContext) {
            context = serviceContext;
            return this;
        }

        Req attributes(Attributes a) {
            attributes = a;
            return this;
        }

        /** Asks {@code requested} (null: nothing asked) and reports {@code used} (null: nothing) of {@code unit}. */
        Req service(long rg, Unit unit, Long requested, Long used) {
            services.add(new ChargingRequest.ServiceUsage(ServiceKey.of(rg, ServiceRef.NONE, null),
                    requested == null ? null : Map.of(unit, requested), used == null ? null : Map.of(unit, used),
                    null));
            return this;
        }

        Req service(ChargingRequest.ServiceUsage usage) {
            services.add(usage);
            return this;
        }

        ChargingRequest build() {
            return new ChargingRequest(session, kind, number, number, 0, false, ChargingRequest.EventAction.NONE,
                    identities, context, services, attributes,
                    new ChargingRequest.Origin("diameter", "scscf", "scscf", "operator.test", -1));
        }
    }

    static Attributes served(NetworkType network) {
        return new Attributes(network, null, null, null, false, null);
    }

    private final Rig rig = new Rig();

    private ServiceOutcome only(ChargingResult result) {
        assertThat(result.outcome().services()).hasSize(1);
        return result.outcome().services().get(0);
    }

    @Test
    void aCallerOnWifiPaysTheWifiRuleAndAnAnsweringNodeRatesTheOtherEndAsTheCaller() {
        String account = rig.subscriber("491700000101", Map.of(Unit.MONEY, 1_000L));
        ChargingResult originating = rig.charge(Req.of("mo", Kind.INITIAL, 0).msisdn("491700000101")
                .attributes(served(NetworkType.WIFI)).service(VOICE, Unit.SECONDS, 120L, null).build());
        assertThat(only(originating).granted()).isEqualTo(120);
        assertThat(rig.available(account, Unit.MONEY)).as("two minutes at 25").isEqualTo(950);
        ChargingResult moDone = rig.charge(Req.of("mo", Kind.TERMINATE, 1).service(VOICE, Unit.SECONDS, null, 61L)
                .build());
        assertThat(moDone.records()).singleElement().satisfies(r -> {
            assertThat(r.rule()).isEqualTo("wifi callers");
            assertThat(r.tariff()).isEqualTo("voice-wifi");
            assertThat(r.price()).isEqualTo(50);
            assertThat(r.attributes()).containsEntry("callingNetwork", "WIFI").doesNotContainKey("calledNetwork");
        });

        // the served user is called: its WiFi is the called end, the other (LTE) end is the caller
        ChargingResult terminating = rig.charge(Req.of("mt", Kind.INITIAL, 0).msisdn("491700000101")
                .attributes(new Attributes(NetworkType.WIFI, null, null, NetworkType.LTE, true, null))
                .service(VOICE, Unit.SECONDS, 120L, null).build());
        assertThat(only(terminating).granted()).isEqualTo(120);
        ChargingResult mtDone = rig.charge(Req.of("mt", Kind.TERMINATE, 1).service(VOICE, Unit.SECONDS, null, 61L)
                .build());
        assertThat(mtDone.records()).singleElement().satisfies(r -> {
            assertThat(r.rule()).isEqualTo("voice default");
            assertThat(r.price()).isEqualTo(20);
            assertThat(r.attributes()).containsEntry("callingNetwork", "LTE").containsEntry("calledNetwork", "WIFI");
        });
        assertThat(rig.available(account, Unit.MONEY)).isEqualTo(1_000 - 50 - 20);
    }

    @Test
    void theCalledPartyAnsweringOnLteMakesTheRestOfAVolteCallFreeWhileTheFirstGrantKeepsItsPrice() {
        String account = rig.subscriber("491700000102", Map.of(Unit.MONEY, 1_000L));
        rig.charge(Req.of("c", Kind.INITIAL, 0).msisdn("491700000102").attributes(served(NetworkType.LTE))
                .service(VOICE, Unit.SECONDS, 60L, null).build());
        assertThat(rig.available(account, Unit.MONEY)).isEqualTo(990);
        // the update names only the callee's network: the caller's LTE is kept from the first grant
        ChargingResult answered = rig.charge(Req.of("c", Kind.UPDATE, 1)
                .attributes(new Attributes(null, null, null, NetworkType.LTE, false, null))
                .service(VOICE, Unit.SECONDS, 60L, 40L).build());
        assertThat(only(answered).granted()).isEqualTo(60);
        assertThat(answered.records()).singleElement().satisfies(r -> {
            assertThat(r.decision()).isEqualTo(UsageRecord.CHARGED);
            assertThat(r.price()).isEqualTo(10);
            assertThat(r.attributes()).containsEntry("callingNetwork", "LTE").doesNotContainKey("calledNetwork");
        });
        ChargingResult done = rig.charge(Req.of("c", Kind.TERMINATE, 2).service(VOICE, Unit.SECONDS, null, 300L)
                .build());
        assertThat(done.records()).singleElement().satisfies(r -> {
            assertThat(r.decision()).isEqualTo(UsageRecord.FREE);
            assertThat(r.rule()).isEqualTo("volte to volte is free");
            assertThat(r.price()).isZero();
            assertThat(r.balances()).isEmpty();
            assertThat(r.attributes()).containsEntry("callingNetwork", "LTE").containsEntry("calledNetwork", "LTE");
        });
        assertThat(rig.available(account, Unit.MONEY)).as("only the first minute was paid").isEqualTo(990);
        assertThat(rig.engine.ledger().openReservationCount()).isZero();
    }

    @Test
    void aHandoverFromWifiToLtePricesOnlyTheUnitsGrantedAfterIt() {
        String account = rig.subscriber("491700000103", Map.of(Unit.MONEY, 1_000L));
        rig.charge(Req.of("h", Kind.INITIAL, 0).msisdn("491700000103").attributes(served(NetworkType.WIFI))
                .service(VOICE, Unit.SECONDS, 60L, null).build());
        ChargingResult handover = rig.charge(Req.of("h", Kind.UPDATE, 1).attributes(served(NetworkType.LTE))
                .service(VOICE, Unit.SECONDS, 60L, 60L).build());
        assertThat(handover.records()).singleElement().satisfies(r -> assertThat(r.price()).isEqualTo(25));
        ChargingResult done = rig.charge(Req.of("h", Kind.TERMINATE, 2).service(VOICE, Unit.SECONDS, null, 30L)
                .build());
        assertThat(done.records()).singleElement().satisfies(r -> {
            assertThat(r.rule()).isEqualTo("voice default");
            assertThat(r.price()).isEqualTo(10);
            assertThat(r.attributes()).containsEntry("callingNetwork", "LTE");
        });
        assertThat(rig.available(account, Unit.MONEY)).isEqualTo(1_000 - 25 - 10);
    }

    @Test
    void aSetTopBoxKeepsItsTerminalTypeAfterAHandoverToFixedAccessAndIsDeniedThere() {
        String account = rig.subscriber("491700000104", Map.of(Unit.MONEY, 1_000L));
        ChargingResult start = rig.charge(Req.of("stb", Kind.INITIAL, 0).msisdn("491700000104")
                .attributes(new Attributes(NetworkType.LTE, SET_TOP_IMEI, null, null, false, null))
                .service(VOICE, Unit.SECONDS, 60L, null).build());
        assertThat(only(start).result()).isEqualTo(Result.SUCCESS);
        ChargingResult onFixed = rig.charge(Req.of("stb", Kind.UPDATE, 1).attributes(served(NetworkType.FIXED))
                .service(VOICE, Unit.SECONDS, 60L, 60L).build());
        assertThat(only(onFixed).result()).isEqualTo(Result.END_USER_SERVICE_DENIED);
        assertThat(only(onFixed).problem()).isEqualTo("denied by rule 'no voice on set-top boxes': set-top boxes "
                + "have no voice service");
        assertThat(onFixed.records()).singleElement().satisfies(r -> {
            assertThat(r.price()).as("the minute used is still charged").isEqualTo(10);
            assertThat(r.attributes()).containsEntry("callingTerminal", "SET_TOP_BOX");
        });
        assertThat(rig.available(account, Unit.MONEY)).isEqualTo(990);
        assertThat(rig.engine.ledger().openReservationCount()).isZero();

        // a phone on fixed access is not a set-top box: the default rule charges it
        rig.subscriber("491700000114", Map.of(Unit.MONEY, 100L));
        ChargingResult phone = rig.charge(Req.of("phone", Kind.INITIAL, 0).msisdn("491700000114")
                .attributes(new Attributes(NetworkType.FIXED, PHONE_IMEI, null, null, false, null))
                .service(VOICE, Unit.SECONDS, 60L, null).build());
        assertThat(only(phone).granted()).isEqualTo(60);
    }

    private Boolean roamingRecorded(String session, String imsi, String visitedPlmn) {
        rig.charge(Req.of(session, Kind.INITIAL, 0).msisdn("491700000105").imsi(imsi)
                .attributes(new Attributes(NetworkType.LTE, null, visitedPlmn, null, false, null))
                .service(VOICE, Unit.SECONDS, 60L, null).build());
        UsageRecord r = rig.charge(Req.of(session, Kind.TERMINATE, 1).service(VOICE, Unit.SECONDS, null, 1L).build())
                .records().get(0);
        String roaming = r.attributes().get("callingRoaming");
        return roaming == null ? null : Boolean.valueOf(roaming);
    }

    @Test
    void roamingIsTheVisitedNetworksMccAndTwoMncDigitsAgainstTheImsis() {
        rig.subscriber("491700000105", Map.of(Unit.MONEY, 10_000L));
        assertThat(roamingRecorded("r1", "262011234567890", "26201")).isFalse();
        assertThat(roamingRecorded("r2", "262011234567890", "262019")).as("a third MNC digit is not compared")
                .isFalse();
        assertThat(roamingRecorded("r3", "262011234567890", "26202")).isTrue();
        assertThat(roamingRecorded("r4", "26201", "26201")).as("the shortest IMSI compared").isFalse();
        assertThat(roamingRecorded("r5", "2620", "26201")).as("too short an IMSI").isNull();
        assertThat(roamingRecorded("r6", "262011234567890", "2620")).as("too short a PLMN").isNull();
        assertThat(roamingRecorded("r7", "262011234567890", "2620A")).as("not digits").isNull();
        assertThat(roamingRecorded("r8", "262011234567890", null)).isNull();
    }

    @Test
    void aRoamerKeepsTheRoamingPriceWhenLaterRequestsNoLongerSayWhereItIs() {
        String account = rig.subscriber("491700000106", Map.of(Unit.MONEY, 1_000L));
        rig.charge(Req.of("roam", Kind.INITIAL, 0).msisdn("491700000106").imsi("262011234567890")
                .attributes(new Attributes(NetworkType.CS, null, "20801", null, false, null))
                .service(VOICE, Unit.SECONDS, 60L, null).build());
        assertThat(rig.available(account, Unit.MONEY)).isEqualTo(975);
        rig.charge(Req.of("roam", Kind.UPDATE, 1).service(VOICE, Unit.SECONDS, 60L, 60L).build());
        ChargingResult done = rig.charge(Req.of("roam", Kind.TERMINATE, 2).service(VOICE, Unit.SECONDS, null, 60L)
                .build());
        assertThat(done.records()).singleElement().satisfies(r -> {
            assertThat(r.rule()).isEqualTo("cs roamers");
            assertThat(r.price()).isEqualTo(25);
            assertThat(r.attributes()).containsEntry("callingNetwork", "CS").containsEntry("callingRoaming", "true");
        });
        assertThat(rig.available(account, Unit.MONEY)).isEqualTo(950);
    }

    @Test
    void theOutletOfTheFirstRequestIsKeptUntilARequestNamesAnother() {
        rig.subscriber("491700000107", Map.of(Unit.MONEY, 1_000L));
        rig.charge(Req.of("o", Kind.INITIAL, 0).msisdn("491700000107")
                .attributes(new Attributes(NetworkType.LTE, null, null, null, false, "intl-trunk"))
                .service(VOICE, Unit.SECONDS, 60L, null).build());
        ChargingResult kept = rig.charge(Req.of("o", Kind.UPDATE, 1).service(VOICE, Unit.SECONDS, 60L, 10L).build());
        assertThat(kept.records()).singleElement().satisfies(r -> assertThat(r.attributes())
                .containsEntry("outlet", "intl-trunk"));
        ChargingResult renamed = rig.charge(Req.of("o", Kind.UPDATE, 2)
                .attributes(new Attributes(null, null, null, null, false, "local-trunk"))
                .service(VOICE, Unit.SECONDS, 60L, 10L).build());
        assertThat(renamed.records()).singleElement().satisfies(r -> assertThat(r.attributes())
                .containsEntry("outlet", "intl-trunk"));
        ChargingResult done = rig.charge(Req.of("o", Kind.TERMINATE, 3).service(VOICE, Unit.SECONDS, null, 10L)
                .build());
        assertThat(done.records()).singleElement().satisfies(r -> assertThat(r.attributes())
                .containsEntry("outlet", "local-trunk"));
    }

    @Test
    void aGrantAtATariffWithBandPricesEndsWhereTheBandChanges() {
        rig.subscriber("491700000109", Map.of(Unit.MONEY, 1_000L));
        rig.subscriber("491700000110", Map.of(Unit.MONEY, 1_000L));
        // 4 min 30 s before the evening band: the voice grant (band prices) ends at 19:00, the data grant
        // (one price all day) keeps its validity
        rig.now = Instant.parse("2027-01-13T18:55:30Z").toEpochMilli();
        ChargingResult voice = rig.charge(Req.of("v", Kind.INITIAL, 0).msisdn("491700000109")
                .service(CONFERENCE, Unit.SECONDS, 60L, null).build());
        assertThat(voice.outcome().services().getFirst().validitySeconds()).isEqualTo(270);
        ChargingResult data = rig.charge(Req.of("d", Kind.INITIAL, 0).msisdn("491700000110")
                .service(DATA, Unit.BYTES, 1000L, null).build());
        assertThat(data.outcome().services().getFirst().validitySeconds()).isEqualTo(600);
        // the report at the boundary is priced in the day band, the grant after it in the evening band
        rig.now = Instant.parse("2027-01-13T19:00:00Z").toEpochMilli();
        ChargingResult atEvening = rig.charge(Req.of("v", Kind.UPDATE, 1)
                .service(CONFERENCE, Unit.SECONDS, 60L, 60L).build());
        assertThat(atEvening.records()).singleElement().satisfies(r -> assertThat(r.price()).isEqualTo(10));
        assertThat(atEvening.outcome().services().getFirst().validitySeconds()).as("12 h to 07:00").isEqualTo(600);
        ChargingResult done = rig.charge(Req.of("v", Kind.TERMINATE, 2).service(CONFERENCE, Unit.SECONDS, null, 60L)
                .build());
        assertThat(done.records()).singleElement().satisfies(r -> assertThat(r.price()).isEqualTo(4));
        // 20 minutes before: the boundary is past the validity anyway
        rig.now = Instant.parse("2027-01-13T18:40:00Z").toEpochMilli();
        ChargingResult early = rig.charge(Req.of("e", Kind.INITIAL, 0).msisdn("491700000109")
                .service(CONFERENCE, Unit.SECONDS, 60L, null).build());
        assertThat(early.outcome().services().getFirst().validitySeconds()).isEqualTo(600);
    }

    @Test
    void anUnratedServiceWithAMoneyTariffIsPricedInTheBandOfTheMomentItIsGranted() {
        String account = rig.subscriber("491700000108", Map.of(Unit.MONEY, 1_000L));
        rig.charge(Req.of("day", Kind.INITIAL, 0).msisdn("491700000108").service(CONFERENCE, Unit.SECONDS, 60L, null)
                .build());
        ChargingResult day = rig.charge(Req.of("day", Kind.TERMINATE, 1).service(CONFERENCE, Unit.SECONDS, null, 60L)
                .build());
        assertThat(day.records()).singleElement().satisfies(r -> {
            assertThat(r.rule()).isNull();
            assertThat(r.tariff()).isEqualTo("voice-std");
            assertThat(r.price()).isEqualTo(10);
            assertThat(r.attributes()).doesNotContainKey("band");
        });
        rig.now = EVENING;
        rig.charge(Req.of("eve", Kind.INITIAL, 0).msisdn("491700000108").service(CONFERENCE, Unit.SECONDS, 60L, null)
                .build());
        ChargingResult evening = rig.charge(Req.of("eve", Kind.TERMINATE, 1)
                .service(CONFERENCE, Unit.SECONDS, null, 60L).build());
        assertThat(evening.records()).singleElement().satisfies(r -> {
            assertThat(r.price()).isEqualTo(4);
            assertThat(r.attributes()).containsEntry("band", "evening").containsEntry("catalogVersion", "v1");
        });
        assertThat(rig.available(account, Unit.MONEY)).isEqualTo(1_000 - 10 - 4);
    }

    @Test
    void aReloadedCatalogPricesOnlyTheUnitsGrantedAfterIt() {
        String account = rig.subscriber("491700000109", Map.of(Unit.MONEY, 1_000L));
        rig.charge(Req.of("rl", Kind.INITIAL, 0).msisdn("491700000109").service(VOICE, Unit.SECONDS, 60L, null)
                .build());
        rig.install("v2");
        ChargingResult after = rig.charge(Req.of("rl", Kind.UPDATE, 1).service(VOICE, Unit.SECONDS, 60L, 60L).build());
        assertThat(after.records()).singleElement().satisfies(r -> {
            assertThat(r.price()).isEqualTo(10);
            assertThat(r.attributes()).containsEntry("catalogVersion", "v1");
        });
        ChargingResult done = rig.charge(Req.of("rl", Kind.TERMINATE, 2).service(VOICE, Unit.SECONDS, null, 60L)
                .build());
        assertThat(done.records()).singleElement().satisfies(r -> {
            assertThat(r.price()).isEqualTo(20);
            assertThat(r.attributes()).containsEntry("catalogVersion", "v2");
        });
        assertThat(rig.available(account, Unit.MONEY)).isEqualTo(970);
    }

    @Test
    void aBegunMinuteIsPaidOnceAcrossTheGrantsOfOneCall() {
        String account = rig.subscriber("491700000110", Map.of(Unit.MONEY, 1_000L));
        rig.charge(Req.of("m", Kind.INITIAL, 0).msisdn("491700000110").service(VOICE, Unit.SECONDS, 60L, null)
                .build());
        ChargingResult half = rig.charge(Req.of("m", Kind.UPDATE, 1).service(VOICE, Unit.SECONDS, 60L, 30L).build());
        assertThat(half.records()).singleElement().satisfies(r -> assertThat(r.price()).isEqualTo(10));
        ChargingResult rest = rig.charge(Req.of("m", Kind.TERMINATE, 2).service(VOICE, Unit.SECONDS, null, 30L)
                .build());
        assertThat(rest.records()).singleElement().satisfies(r -> {
            assertThat(r.rawUnits()).isEqualTo(30);
            assertThat(r.price()).as("the second half of the minute paid already").isZero();
        });
        assertThat(rig.available(account, Unit.MONEY)).isEqualTo(990);
    }
}
