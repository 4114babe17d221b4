package io.credence.charging;

import io.credence.charging.CatalogPricingTest.Req;
import io.credence.charging.CatalogPricingTest.Rig;
import io.credence.charging.ChargingOutcome.Result;
import io.credence.charging.ChargingOutcome.ServiceOutcome;
import io.credence.charging.ChargingRequest.Attributes;
import io.credence.charging.ChargingRequest.Kind;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;
import io.credence.rating.NetworkType;
import io.credence.records.UsageRecord;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.credence.charging.CatalogPricingTest.DATA;
import static io.credence.charging.CatalogPricingTest.PROMO;
import static io.credence.charging.CatalogPricingTest.VIDEO;
import static io.credence.charging.CatalogPricingTest.VOICE;
import static io.credence.charging.CatalogPricingTest.VOICE_2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

/**
 * One service's grant with a catalog in force: paid from the service's own units first, then money
 * at the tariff, cut to what the balance pays and marked final; free and zero-price grants; the
 * outlet check; several services in one request; and which unit and amount a request is granted.
 */
class ServiceChargingTest {
    /** Rating group the catalog does not rate. */
    private static final long UNRATED = 50;
    private static final String CUSTOM_CONTEXT = "custom@operator.test";
    private final Rig rig = new Rig();

    private static ServiceOutcome only(ChargingResult result) {
        assertThat(result.outcome().services()).hasSize(1);
        return result.outcome().services().get(0);
    }

    private ChargingResult voiceCall(String session, String msisdn, long seconds, Attributes attributes) {
        return rig.charge(Req.of(session, Kind.INITIAL, 0).msisdn(msisdn).attributes(attributes)
                .service(VOICE, Unit.SECONDS, seconds, null).build());
    }

    @Test
    void aGrantPaidFromMoneyIsCutToWhatTheMoneyPaysAndMarkedFinal() {
        String account = rig.subscriber("491700000201", Map.of(Unit.MONEY, 25L));
        ServiceOutcome grant = only(voiceCall("s", "491700000201", 300, null));
        assertThat(grant.result()).isEqualTo(Result.SUCCESS);
        assertThat(grant.unit()).isEqualTo(Unit.SECONDS);
        assertThat(grant.granted()).as("two begun minutes for 20 of 25").isEqualTo(120);
        assertThat(grant.finalUnits()).isTrue();
        assertThat(grant.validitySeconds()).isEqualTo(600);
        assertThat(grant.remainingMoney()).as("no outlet was checked").isEqualTo(-1);
        assertThat(rig.available(account, Unit.MONEY)).isEqualTo(5);
        ChargingResult done = rig.charge(Req.of("s", Kind.TERMINATE, 1).service(VOICE, Unit.SECONDS, null, 120L)
                .build());
        assertThat(done.records()).singleElement().satisfies(r -> {
            assertThat(r.price()).isEqualTo(20);
            assertThat(r.currency()).isEqualTo("EUR");
            assertThat(r.balances()).containsExactly(new UsageRecord.BalanceChange(account, Unit.MONEY, -20));
        });
        assertThat(rig.available(account, Unit.MONEY)).isEqualTo(5);
    }

    @Test
    void moneyForExactlyTheAskedUnitsGrantsThemAllAndNotFinal() {
        String account = rig.subscriber("491700000202", Map.of(Unit.MONEY, 50L));
        ServiceOutcome grant = only(voiceCall("s", "491700000202", 300, null));
        assertThat(grant.granted()).isEqualTo(300);
        assertThat(grant.finalUnits()).isFalse();
        assertThat(rig.available(account, Unit.MONEY)).isZero();
    }

    @Test
    void lessMoneyThanOneBlockGrantsNothingAndEndsTheSession() {
        String account = rig.subscriber("491700000203", Map.of(Unit.MONEY, 9L));
        ChargingResult refused = voiceCall("s", "491700000203", 60, null);
        assertThat(refused.outcome().result()).isEqualTo(Result.CREDIT_LIMIT_REACHED);
        assertThat(refused.outcome().sessionEnded()).isTrue();
        assertThat(only(refused).granted()).isZero();
        assertThat(rig.available(account, Unit.MONEY)).isEqualTo(9);
        assertThat(rig.engine.ledger().openReservationCount()).isZero();
    }

    @Test
    void theServicesOwnUnitsPayFirstAndMoneyTakesOverWithoutAFinalGrant() {
        String account = rig.subscriber("491700000204", Map.of(Unit.SECONDS, 90L, Unit.MONEY, 100L));
        ServiceOutcome first = only(voiceCall("s", "491700000204", 120, null));
        assertThat(first.granted()).isEqualTo(90);
        assertThat(first.finalUnits()).as("money pays the next grant: the call goes on").isFalse();
        assertThat(rig.available(account, Unit.SECONDS)).isZero();
        assertThat(rig.available(account, Unit.MONEY)).isEqualTo(100);

        ChargingResult second = rig.charge(Req.of("s", Kind.UPDATE, 1).service(VOICE, Unit.SECONDS, 120L, 90L)
                .build());
        assertThat(only(second).granted()).isEqualTo(120);
        assertThat(second.records()).singleElement().satisfies(r -> {
            assertThat(r.price()).isZero();
            assertThat(r.balances()).containsExactly(new UsageRecord.BalanceChange(account, Unit.SECONDS, -90));
        });
        // 90 s used already: 120 more reach into the fourth begun minute, two more minutes
        assertThat(rig.available(account, Unit.MONEY)).isEqualTo(80);
        ChargingResult done = rig.charge(Req.of("s", Kind.TERMINATE, 2).service(VOICE, Unit.SECONDS, null, 100L)
                .build());
        assertThat(done.records()).singleElement().satisfies(r -> assertThat(r.price()).isEqualTo(20));
        assertThat(rig.available(account, Unit.MONEY)).isEqualTo(80);
    }

    @Test
    void aServiceWithoutAMoneyTariffIsGrantedItsOwnUnitsOnlyAndTheLastOfThemFinal() {
        String account = rig.subscriber("491700000205", Map.of(Unit.BYTES, 1_500L, Unit.MONEY, 1_000L));
        ServiceOutcome cut = only(rig.charge(Req.of("a", Kind.INITIAL, 0).msisdn("491700000205")
                .service(VIDEO, Unit.BYTES, 2_000L, null).build()));
        assertThat(cut.granted()).isEqualTo(1_500);
        assertThat(cut.finalUnits()).isTrue();
        assertThat(rig.available(account, Unit.MONEY)).as("money never pays for it").isEqualTo(1_000);

        rig.subscriber("491700000215", Map.of(Unit.BYTES, 1_500L, Unit.MONEY, 1_000L));
        ServiceOutcome whole = only(rig.charge(Req.of("b", Kind.INITIAL, 0).msisdn("491700000215")
                .service(VIDEO, Unit.BYTES, 1_500L, null).build()));
        assertThat(whole.granted()).isEqualTo(1_500);
        assertThat(whole.finalUnits()).isFalse();
        ChargingResult spent = rig.charge(Req.of("b", Kind.UPDATE, 1).service(VIDEO, Unit.BYTES, 100L, 1_500L)
                .build());
        assertThat(only(spent).result()).isEqualTo(Result.CREDIT_LIMIT_REACHED);
        assertThat(spent.records()).singleElement().satisfies(r -> {
            assertThat(r.service()).isEqualTo("video");
            assertThat(r.decision()).isEqualTo(UsageRecord.CHARGED);
            assertThat(r.rule()).isNull();
            assertThat(r.tariff()).isNull();
            assertThat(r.rawUnits()).isEqualTo(1_500);
        });
    }

    @Test
    void aFreeCallIsGrantedWithoutAnyBalanceAndReservesNothing() {
        String account = rig.subscriber("491700000206", Map.of());
        ServiceOutcome grant = only(voiceCall("s", "491700000206", 300,
                new Attributes(NetworkType.LTE, null, null, NetworkType.LTE, false, null)));
        assertThat(grant.result()).isEqualTo(Result.SUCCESS);
        assertThat(grant.granted()).isEqualTo(300);
        assertThat(grant.finalUnits()).isFalse();
        assertThat(rig.engine.ledger().openReservationCount()).isZero();
        assertThat(rig.engine.session("s").orElseThrow().grants()).singleElement().satisfies(g -> {
            assertThat(g.reservationId()).isZero();
            assertThat(g.rated()).isTrue();
        });
        assertThat(rig.available(account, Unit.MONEY)).isZero();
    }

    @Test
    void aZeroPriceTariffGrantsTheDefaultWithoutMoneyAndChargesNothingForItsUse() {
        String account = rig.subscriber("491700000207", Map.of());
        ServiceOutcome grant = only(rig.charge(Req.of("p", Kind.INITIAL, 0).msisdn("491700000207")
                .service(new ChargingRequest.ServiceUsage(ServiceKey.of(PROMO, ServiceRef.NONE, null), Map.of(),
                        null, null)).build()));
        assertThat(grant.granted()).as("the catalog service's default grant").isEqualTo(3_000);
        assertThat(grant.unit()).isEqualTo(Unit.BYTES);
        assertThat(grant.finalUnits()).isFalse();
        ChargingResult done = rig.charge(Req.of("p", Kind.TERMINATE, 1).service(PROMO, Unit.BYTES, null, 3_500L)
                .build());
        assertThat(done.records()).singleElement().satisfies(r -> {
            assertThat(r.rule()).isEqualTo("promo");
            assertThat(r.price()).isZero();
            assertThat(r.balances()).isEmpty();
        });
        assertThat(done.unrecovered()).isEmpty();
        assertThat(rig.available(account, Unit.MONEY)).isZero();
    }

    private ServiceOutcome overIntlTrunk(String session, String msisdn, long rg, Unit unit) {
        return only(rig.charge(Req.of(session, Kind.INITIAL, 0).msisdn(msisdn)
                .attributes(new Attributes(NetworkType.LTE, null, null, null, false, "intl-trunk"))
                .service(rg, unit, 60L, null).build()));
    }

    @Test
    void anOutletLetsOutOnlyCallersWithMoreThanItsThresholdCountingWhatTheirMoneyBuys() {
        rig.subscriber("491700000208", Map.of(Unit.MONEY, 20L));
        ServiceOutcome poor = overIntlTrunk("s1", "491700000208", VOICE, Unit.SECONDS);
        assertThat(poor.result()).as("20 buys 120 s, not more than 120").isEqualTo(Result.END_USER_SERVICE_DENIED);
        assertThat(poor.problem()).isEqualTo("outlet intl-trunk routes callers with more than 120 SECONDS available; "
                + "acct-491700000208 has 120");

        rig.subscriber("491700000218", Map.of(Unit.MONEY, 30L));
        ServiceOutcome enough = overIntlTrunk("s2", "491700000218", VOICE, Unit.SECONDS);
        assertThat(enough.granted()).isEqualTo(60);
        assertThat(enough.remainingMoney()).isEqualTo(30);

        // 100 s of units alone are not enough; with the 60 s their 10 of money buys they are
        rig.subscriber("491700000228", Map.of(Unit.SECONDS, 100L, Unit.MONEY, 10L));
        ServiceOutcome mixed = overIntlTrunk("s3", "491700000228", VOICE, Unit.SECONDS);
        assertThat(mixed.result()).isEqualTo(Result.SUCCESS);
        assertThat(mixed.remainingMoney()).isEqualTo(10);

        rig.subscriber("491700000238", Map.of(Unit.SECONDS, 200L));
        ServiceOutcome unitsOnly = overIntlTrunk("s4", "491700000238", VOICE, Unit.SECONDS);
        assertThat(unitsOnly.granted()).isEqualTo(60);
        assertThat(unitsOnly.remainingMoney()).as("checked, with no money").isZero();
    }

    @Test
    void anOutletCountsOnlyTheUnitsOfAServiceMoneyCannotPayFor() {
        rig.subscriber("491700000209", Map.of(Unit.BYTES, 120L, Unit.MONEY, 1_000L));
        assertThat(overIntlTrunk("v1", "491700000209", VIDEO, Unit.BYTES).result())
                .isEqualTo(Result.END_USER_SERVICE_DENIED);
        rig.subscriber("491700000219", Map.of(Unit.BYTES, 121L));
        assertThat(overIntlTrunk("v2", "491700000219", VIDEO, Unit.BYTES).granted()).isEqualTo(60);
    }

    @Test
    void theOutletIsCheckedWhenTheCallIsSetUpNotAtEveryGrant() {
        String account = rig.subscriber("491700000210", Map.of(Unit.MONEY, 30L));
        assertThat(overIntlTrunk("s", "491700000210", VOICE, Unit.SECONDS).granted()).isEqualTo(60);
        assertThat(rig.available(account, Unit.MONEY)).isEqualTo(20);
        ServiceOutcome next = only(rig.charge(Req.of("s", Kind.UPDATE, 1).service(VOICE, Unit.SECONDS, 60L, 60L)
                .build()));
        assertThat(next.granted()).as("10 left buys 60 s, far under the threshold").isEqualTo(60);
        assertThat(next.remainingMoney()).isEqualTo(-1);
        assertThat(rig.available(account, Unit.MONEY)).isEqualTo(10);
    }

    @Test
    void eachServiceOfOneRequestIsRatedAndGrantedOnItsOwn() {
        String account = rig.subscriber("491700000211", Map.of(Unit.MONEY, 1_000L));
        ChargingResult start = rig.charge(Req.of("multi", Kind.INITIAL, 0).msisdn("491700000211")
                .service(VOICE, Unit.SECONDS, 60L, null).service(DATA, Unit.BYTES, 3_000L, null)
                .service(VIDEO, Unit.BYTES, 1_000L, null).service(UNRATED, Unit.BYTES, 1_000L, null).build());
        assertThat(start.outcome().result()).as("not every service failed alike").isEqualTo(Result.SUCCESS);
        assertThat(start.outcome().sessionEnded()).isFalse();
        assertThat(start.outcome().services()).extracting(ServiceOutcome::result).containsExactly(Result.SUCCESS,
                Result.SUCCESS, Result.CREDIT_LIMIT_REACHED, Result.RATING_FAILED);
        assertThat(start.outcome().services()).extracting(ServiceOutcome::granted).containsExactly(60L, 3_000L, 0L,
                0L);
        assertThat(rig.available(account, Unit.MONEY)).isEqualTo(1_000 - 10 - 3);
        ChargingResult done = rig.charge(Req.of("multi", Kind.TERMINATE, 1).service(VOICE, Unit.SECONDS, null, 30L)
                .service(DATA, Unit.BYTES, null, 2_500L).build());
        assertThat(done.records()).extracting(UsageRecord::service, UsageRecord::price)
                .containsExactly(tuple("voice", 10L), tuple("data", 3L));
        assertThat(rig.available(account, Unit.MONEY)).isEqualTo(987);
    }

    @Test
    void aRatingGroupsConfiguredDefaultWinsOverTheCatalogsAndMustBeInTheServicesUnit() {
        rig.subscriber("491700000212", Map.of(Unit.MONEY, 1_000L));
        rig.configure(EngineConfig.defaults().withRatingGroupQuotas(Map.of(VOICE, new EngineConfig.Quota(Unit.SECONDS,
                90), VOICE_2, new EngineConfig.Quota(Unit.BYTES, 1_000))));
        ChargingResult start = rig.charge(Req.of("q", Kind.INITIAL, 0).msisdn("491700000212")
                .service(new ChargingRequest.ServiceUsage(ServiceKey.of(VOICE, ServiceRef.NONE, null), Map.of(), null,
                        null))
                .service(new ChargingRequest.ServiceUsage(ServiceKey.of(VOICE_2, ServiceRef.NONE, null), Map.of(),
                        null, null)).build());
        assertThat(start.outcome().services().get(0).granted()).isEqualTo(90);
        assertThat(start.outcome().services().get(1).result()).isEqualTo(Result.RATING_FAILED);
        assertThat(start.outcome().services().get(1).problem()).isEqualTo("asked in BYTES; service voice is rated in "
                + "SECONDS");
    }

    @Test
    void withoutAnyDefaultGrantAnEmptyRequestFailsRatingButWhatItReportsIsCharged() {
        String account = rig.subscriber("491700000213", Map.of(Unit.BYTES, 10_000L));
        ChargingResult start = rig.charge(Req.of("n", Kind.INITIAL, 0).msisdn("491700000213").context(CUSTOM_CONTEXT)
                .service(new ChargingRequest.ServiceUsage(ServiceKey.of(UNRATED, ServiceRef.NONE, null), Map.of(),
                        Map.of(Unit.BYTES, 400L), null)).build());
        assertThat(start.outcome().result()).isEqualTo(Result.RATING_FAILED);
        assertThat(only(start).problem()).isEqualTo("no default grant or a unit the service is not rated in");
        assertThat(start.records()).singleElement().satisfies(r -> assertThat(r.rawUnits()).isEqualTo(400));
        assertThat(rig.available(account, Unit.BYTES)).isEqualTo(9_600);
    }

    @Test
    void withoutAnyDefaultGrantTheFirstUnitAskedIsGrantedAndZeroAskedGrantsNothing() {
        String account = rig.subscriber("491700000214", Map.of(Unit.BYTES, 10_000L));
        ServiceOutcome asked = only(rig.charge(Req.of("n1", Kind.INITIAL, 0).msisdn("491700000214")
                .context(CUSTOM_CONTEXT).service(UNRATED, Unit.BYTES, 700L, null).build()));
        assertThat(asked.unit()).isEqualTo(Unit.BYTES);
        assertThat(asked.granted()).isEqualTo(700);
        ChargingResult zero = rig.charge(Req.of("n2", Kind.INITIAL, 0).msisdn("491700000214").context(CUSTOM_CONTEXT)
                .service(UNRATED, Unit.BYTES, 0L, null).build());
        assertThat(zero.outcome().result()).isEqualTo(Result.SUCCESS);
        assertThat(only(zero).granted()).isZero();
        assertThat(only(zero).unit()).isNull();
        assertThat(rig.available(account, Unit.BYTES)).isEqualTo(9_300);
    }

    @Test
    void anUpdateAskingZeroSettlesTheGrantAndHoldsNothingMore() {
        String account = rig.subscriber("491700000216", Map.of(Unit.BYTES, 10_000L));
        rig.charge(Req.of("z", Kind.INITIAL, 0).msisdn("491700000216").context(EngineConfig.CONTEXT_PS)
                .service(UNRATED, Unit.BYTES, 2_000L, null).build());
        ChargingResult zero = rig.charge(Req.of("z", Kind.UPDATE, 1).service(UNRATED, Unit.BYTES, 0L, 1_200L).build());
        assertThat(only(zero).result()).isEqualTo(Result.SUCCESS);
        assertThat(only(zero).granted()).isZero();
        assertThat(rig.available(account, Unit.BYTES)).isEqualTo(8_800);
        assertThat(rig.engine.session("z").orElseThrow().grants()).isEmpty();
        assertThat(rig.engine.ledger().openReservationCount()).isZero();
    }

    @Test
    void anUpdateAskingInAnotherUnitFailsRatingAfterItsUsageIsSettledOnTheGrant() {
        String account = rig.subscriber("491700000217", Map.of(Unit.BYTES, 10_000L));
        rig.charge(Req.of("u", Kind.INITIAL, 0).msisdn("491700000217").context(EngineConfig.CONTEXT_PS)
                .service(UNRATED, Unit.BYTES, 2_000L, null).build());
        ChargingResult other = rig.charge(Req.of("u", Kind.UPDATE, 1)
                .service(new ChargingRequest.ServiceUsage(ServiceKey.of(UNRATED, ServiceRef.NONE, null),
                        Map.of(Unit.SECONDS, 60L), Map.of(Unit.BYTES, 1_500L), null)).build());
        assertThat(only(other).result()).isEqualTo(Result.RATING_FAILED);
        assertThat(other.records()).singleElement().satisfies(r -> assertThat(r.rawUnits()).isEqualTo(1_500));
        assertThat(rig.available(account, Unit.BYTES)).isEqualTo(8_500);
        assertThat(rig.engine.ledger().openReservationCount()).isZero();
    }

    @Test
    void anEmptyUpdateIsGrantedTheDefaultAgainOnlyInTheUnitTheGrantIsHeldIn() {
        String account = rig.subscriber("491700000220", Map.of(Unit.BYTES, 10_000_000L, Unit.SECONDS, 1_000L));
        rig.charge(Req.of("e", Kind.INITIAL, 0).msisdn("491700000220").context(EngineConfig.CONTEXT_PS)
                .service(UNRATED, Unit.BYTES, 2_000L, null).build());
        ChargingResult again = rig.charge(Req.of("e", Kind.UPDATE, 1).context(EngineConfig.CONTEXT_PS)
                .service(new ChargingRequest.ServiceUsage(ServiceKey.of(UNRATED, ServiceRef.NONE, null), Map.of(),
                        Map.of(Unit.BYTES, 2_000L), null)).build());
        assertThat(only(again).granted()).as("the PS context's 1 MiB").isEqualTo(1L << 20);

        // a grant held in seconds (no default when it was asked) is no longer the default's unit
        rig.charge(Req.of("sec", Kind.INITIAL, 0).msisdn("491700000220").context(CUSTOM_CONTEXT)
                .service(UNRATED, Unit.SECONDS, 60L, null).build());
        rig.configure(EngineConfig.defaults().withRatingGroupQuotas(Map.of(UNRATED, new EngineConfig.Quota(Unit.BYTES,
                500))));
        ChargingResult mismatch = rig.charge(Req.of("sec", Kind.UPDATE, 1).context(CUSTOM_CONTEXT)
                .service(new ChargingRequest.ServiceUsage(ServiceKey.of(UNRATED, ServiceRef.NONE, null), Map.of(),
                        Map.of(Unit.SECONDS, 30L), null)).build());
        assertThat(only(mismatch).result()).isEqualTo(Result.RATING_FAILED);
        assertThat(rig.available(account, Unit.SECONDS)).isEqualTo(970);
    }

    @Test
    void askingExactlyWhatIsLeftIsNotAFinalGrantAndOneMoreIs() {
        rig.subscriber("491700000221", Map.of(Unit.BYTES, 1_000L));
        ServiceOutcome exactly = only(rig.charge(Req.of("x", Kind.INITIAL, 0).msisdn("491700000221")
                .context(EngineConfig.CONTEXT_PS).service(UNRATED, Unit.BYTES, 1_000L, null).build()));
        assertThat(exactly.granted()).isEqualTo(1_000);
        assertThat(exactly.finalUnits()).isFalse();
        rig.subscriber("491700000222", Map.of(Unit.BYTES, 1_000L));
        ServiceOutcome more = only(rig.charge(Req.of("y", Kind.INITIAL, 0).msisdn("491700000222")
                .context(EngineConfig.CONTEXT_PS).service(UNRATED, Unit.BYTES, 1_001L, null).build()));
        assertThat(more.granted()).isEqualTo(1_000);
        assertThat(more.finalUnits()).isTrue();
    }

    @Test
    void aLedgerWithNoRoomForAnotherReservationAnswersTooBusyForThatServiceOnly() {
        Rig full = new Rig(new LedgerLimits(2_000_000, 32, 1, 24 * 3600_000L, 2_000_000, 15 * 60_000L, 200_000));
        String account = full.subscriber("491700000223", Map.of(Unit.BYTES, 10_000L, Unit.MONEY, 1_000L));
        ChargingResult units = full.charge(Req.of("b", Kind.INITIAL, 0).msisdn("491700000223")
                .context(EngineConfig.CONTEXT_PS).service(UNRATED, Unit.BYTES, 1_000L, null)
                .service(UNRATED + 1, Unit.BYTES, 1_000L, null).build());
        assertThat(units.outcome().services()).extracting(ServiceOutcome::result).containsExactly(Result.SUCCESS,
                Result.TOO_BUSY);
        full.charge(Req.of("b", Kind.TERMINATE, 1).build());
        ChargingResult money = full.charge(Req.of("m", Kind.INITIAL, 0).msisdn("491700000223")
                .service(VOICE, Unit.SECONDS, 60L, null).service(VOICE_2, Unit.SECONDS, 60L, null).build());
        assertThat(money.outcome().services()).extracting(ServiceOutcome::result).containsExactly(Result.SUCCESS,
                Result.TOO_BUSY);
        assertThat(full.available(account, Unit.MONEY)).isEqualTo(990);
    }
}
