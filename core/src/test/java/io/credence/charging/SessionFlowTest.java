package io.credence.charging;

import io.credence.admission.AdmissionPolicy;
import io.credence.admission.Layer;
import io.credence.admission.Pool;
import io.credence.admission.QosParameter;
import io.credence.charging.CatalogPricingTest.Req;
import io.credence.charging.CatalogPricingTest.Rig;
import io.credence.charging.ChargingOutcome.Result;
import io.credence.charging.ChargingRequest.Kind;
import io.credence.ledger.AccountStatus;
import io.credence.ledger.IdentityType;
import io.credence.ledger.Operation;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;
import io.credence.records.UsageRecord;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

/**
 * What each kind of request does to a session: who the subscriber is, which held grant a report
 * settles (by rating group, service id and UPF), requests out of order or after the end, a session
 * gone silent past its validity, and layered admission held, renewed and returned with the grants.
 */
class SessionFlowTest {
    /** Rating groups the test catalog does not rate: records name them by number (rg:60.n, rg:60.5). */
    private static final long RG = 60;
    private static final long OTHER_RG = 70;
    private static final String MSISDN = "491700000301";
    private final Rig rig = new Rig();

    private static ChargingRequest.ServiceUsage bytes(long rg, long serviceId, String upf, Long requested, Long used) {
        return new ChargingRequest.ServiceUsage(ServiceKey.of(rg, serviceId, upf),
                requested == null ? null : Map.of(Unit.BYTES, requested), used == null ? null : Map.of(Unit.BYTES, used),
                null);
    }

    private static Req gy(String session, Kind kind, long number) {
        return Req.of(session, kind, number).context(EngineConfig.CONTEXT_PS);
    }

    private String account(long bytes) {
        return rig.subscriber(MSISDN, bytes == 0 ? Map.of() : Map.of(Unit.BYTES, bytes));
    }

    // ------------------------------------------------------------------ who the subscriber is

    @Test
    void aStartNamingNobodyIsRefusedForItsMissingIdentitiesAndOneNamingStrangersNamesThem() {
        ChargingOutcome nobody = rig.charge(gy("a", Kind.INITIAL, 0).service(RG, Unit.BYTES, 100L, null).build())
                .outcome();
        assertThat(nobody.result()).isEqualTo(Result.USER_UNKNOWN);
        assertThat(nobody.failedField()).isEqualTo(ChargingOutcome.Field.IDENTITIES);
        assertThat(nobody.message()).isEqualTo("no account for (no identity given)");
        assertThat(nobody.sessionEnded()).isTrue();
        ChargingOutcome strangers = rig.charge(gy("b", Kind.INITIAL, 0).msisdn("49999").imsi("262010000000001")
                .service(RG, Unit.BYTES, 100L, null).build()).outcome();
        assertThat(strangers.result()).isEqualTo(Result.USER_UNKNOWN);
        assertThat(strangers.failedField()).isNull();
        assertThat(strangers.message()).isEqualTo("no account for E164 49999, IMSI 262010000000001");
    }

    @Test
    void aSuspendedSubscriberIsDeniedAStartAndADebitButMayBeRefunded() {
        String account = account(1_000);
        rig.ledger(new Operation.UpdateAccount(account, AccountStatus.SUSPENDED, null));
        ChargingResult start = rig.charge(gy("s", Kind.INITIAL, 0).msisdn(MSISDN).service(RG, Unit.BYTES, 100L, null)
                .build());
        assertThat(start.outcome().result()).isEqualTo(Result.END_USER_SERVICE_DENIED);
        assertThat(start.outcome().message()).isEqualTo("account " + account + " is SUSPENDED");
        assertThat(start.outcome().sessionEnded()).isTrue();
        assertThat(rig.engine.ledger().openReservationCount()).isZero();

        ChargingOutcome debit = rig.charge(event("d", ChargingRequest.EventAction.DIRECT_DEBITING, 100L, null))
                .outcome();
        assertThat(debit.result()).isEqualTo(Result.END_USER_SERVICE_DENIED);
        ChargingOutcome refund = rig.charge(event("r", ChargingRequest.EventAction.REFUND_ACCOUNT, null, 300L))
                .outcome();
        assertThat(refund.result()).isEqualTo(Result.SUCCESS);
        assertThat(rig.available(account, Unit.BYTES)).isEqualTo(1_300);
    }

    private static ChargingRequest event(String session, ChargingRequest.EventAction action, Long requested,
                                         Long used) {
        return new ChargingRequest(session, Kind.EVENT, 0, 0, 0, false, action,
                List.of(new ChargingRequest.Identity(IdentityType.E164, MSISDN)), EngineConfig.CONTEXT_PS,
                List.of(bytes(RG, ServiceRef.NONE, null, requested, used)), null, null);
    }

    // ------------------------------------------------------------------ which grant a report settles

    @Test
    void aReportNamingOnlyTheRatingGroupSettlesTheGrantHeldForItsFirstService() {
        String account = account(10_000);
        rig.charge(gy("g", Kind.INITIAL, 0).msisdn(MSISDN).service(bytes(OTHER_RG, ServiceRef.NONE, null, 1_000L, null))
                .service(bytes(RG, 5, null, 1_000L, null)).service(bytes(RG, 6, null, 1_000L, null)).build());
        assertThat(rig.available(account, Unit.BYTES)).isEqualTo(7_000);
        ChargingResult u = rig.charge(gy("g", Kind.UPDATE, 1).service(bytes(RG, ServiceRef.NONE, null, 1_000L, 400L))
                .build());
        assertThat(u.outcome().services()).singleElement().satisfies(s -> assertThat(s.granted()).isEqualTo(1_000));
        assertThat(u.records()).singleElement().satisfies(r -> assertThat(r.rawUnits()).isEqualTo(400));
        // service 5's grant was settled (400 of 1000) and the new grant is held under what was asked
        assertThat(rig.available(account, Unit.BYTES)).isEqualTo(10_000 - 1_000 - 1_000 - 400 - 1_000);
        assertThat(rig.engine.session("g").orElseThrow().grants())
                .extracting(ChargingEngine.GrantView::key, ChargingEngine.GrantView::amount)
                .containsExactly(tuple(ServiceKey.of(OTHER_RG, ServiceRef.NONE, null), 1_000L),
                        tuple(ServiceKey.of(RG, 6, null), 1_000L), tuple(ServiceKey.of(RG, ServiceRef.NONE, null),
                                1_000L));
    }

    @Test
    void aReportNamingAnotherServiceIdOrUpfIsANewServiceNotTheHeldGrant() {
        String account = account(10_000);
        rig.charge(gy("g", Kind.INITIAL, 0).msisdn(MSISDN).service(bytes(RG, 5, "upf-a", 1_000L, null)).build());
        ChargingResult u = rig.charge(gy("g", Kind.UPDATE, 1).service(bytes(RG, 7, "upf-a", 500L, 100L))
                .service(bytes(RG, ServiceRef.NONE, "upf-b", 500L, 200L)).build());
        assertThat(u.records()).extracting(UsageRecord::service, UsageRecord::rawUnits)
                .containsExactly(tuple("rg:60.7", 100L), tuple("rg:60.n", 200L));
        assertThat(rig.engine.session("g").orElseThrow().grants()).extracting(ChargingEngine.GrantView::key)
                .containsExactly(ServiceKey.of(RG, 5, "upf-a"), ServiceKey.of(RG, 7, "upf-a"),
                        ServiceKey.of(RG, ServiceRef.NONE, "upf-b"));
        assertThat(rig.available(account, Unit.BYTES)).isEqualTo(10_000 - 1_000 - 100 - 500 - 200 - 500);
    }

    @Test
    void aTerminationSettlesEachHeldGrantOnTheReportOfItsServiceAndChargesTheRestWithoutAGrant() {
        String account = account(10_000);
        rig.charge(gy("t", Kind.INITIAL, 0).msisdn(MSISDN).service(bytes(RG, 5, null, 1_000L, null))
                .service(bytes(RG, 6, null, 1_000L, null)).service(bytes(OTHER_RG, ServiceRef.NONE, null, 1_000L, null))
                .build());
        ChargingResult t = rig.charge(gy("t", Kind.TERMINATE, 1).service(bytes(RG, 6, null, null, 200L))
                .service(bytes(RG, ServiceRef.NONE, null, null, 300L)).service(bytes(RG, 7, null, null, 50L)).build());
        assertThat(t.outcome().result()).isEqualTo(Result.SUCCESS);
        assertThat(t.outcome().sessionEnded()).isTrue();
        assertThat(t.records()).extracting(UsageRecord::service, UsageRecord::rawUnits)
                .containsExactly(tuple("rg:60.5", 300L), tuple("rg:60.6", 200L), tuple("rg:60.7", 50L));
        assertThat(rig.available(account, Unit.BYTES)).isEqualTo(10_000 - 550);
        assertThat(rig.engine.ledger().openReservationCount()).isZero();
    }

    @Test
    void aUpfIdIsAtMost128Characters() {
        account(10_000);
        String longest = "u".repeat(ServiceKey.UPF_ID_LENGTH_MAX);
        ChargingResult start = rig.charge(gy("upf", Kind.INITIAL, 0).msisdn(MSISDN)
                .service(bytes(RG, ServiceRef.NONE, longest, 1_000L, null)).build());
        assertThat(start.outcome().services()).singleElement().satisfies(s -> {
            assertThat(s.key().upfId()).isEqualTo(longest);
            assertThat(s.granted()).isEqualTo(1_000);
        });
        assertThatThrownBy(() -> ServiceKey.of(RG, ServiceRef.NONE, longest + "u"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ServiceKey.of(RG, ServiceRef.NONE, "")).isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------ out of order, after the end

    @Test
    void anOlderRequestArrivingLateIsRefusedAndChargesNothingWhileTheSessionGoesOn() {
        String account = account(10_000);
        rig.charge(gy("o", Kind.INITIAL, 0).msisdn(MSISDN).service(RG, Unit.BYTES, 1_000L, null).build());
        rig.charge(gy("o", Kind.UPDATE, 2).service(RG, Unit.BYTES, 1_000L, 1_000L).build());
        ChargingResult late = rig.charge(gy("o", Kind.UPDATE, 1).service(RG, Unit.BYTES, 1_000L, 700L).build());
        assertThat(late.outcome().result()).isEqualTo(Result.INVALID_VALUE);
        assertThat(late.outcome().failedField()).isEqualTo(ChargingOutcome.Field.REQUEST_NUMBER);
        assertThat(late.records()).isEmpty();
        assertThat(rig.available(account, Unit.BYTES)).isEqualTo(8_000);
        ChargingResult again = rig.charge(gy("o", Kind.INITIAL, 3).msisdn(MSISDN).service(RG, Unit.BYTES, 1_000L, null)
                .build());
        assertThat(again.outcome().result()).isEqualTo(Result.INVALID_VALUE);
        assertThat(again.outcome().failedField()).isEqualTo(ChargingOutcome.Field.REQUEST_KIND);
        ChargingResult end = rig.charge(gy("o", Kind.TERMINATE, 4).service(RG, Unit.BYTES, null, 600L).build());
        assertThat(end.outcome().result()).isEqualTo(Result.SUCCESS);
        assertThat(rig.available(account, Unit.BYTES)).isEqualTo(10_000 - 1_000 - 600);
    }

    @Test
    void anUpdateAfterTheTerminationIsAnUnknownSessionWhoseUsageTheSessionsSubscriberPays() {
        String account = account(10_000);
        rig.charge(gy("f", Kind.INITIAL, 0).msisdn(MSISDN).service(RG, Unit.BYTES, 1_000L, null).build());
        rig.charge(gy("f", Kind.TERMINATE, 1).service(RG, Unit.BYTES, null, 1_000L).build());
        ChargingResult after = rig.charge(gy("f", Kind.UPDATE, 2).service(RG, Unit.BYTES, 500L, 400L).build());
        assertThat(after.outcome().result()).isEqualTo(Result.UNKNOWN_SESSION);
        assertThat(after.outcome().message()).isEqualTo("session f has finished");
        assertThat(after.outcome().sessionEnded()).isTrue();
        assertThat(after.records()).singleElement().satisfies(r -> assertThat(r.accountId()).isEqualTo(account));
        assertThat(rig.available(account, Unit.BYTES)).isEqualTo(10_000 - 1_000 - 400);
        assertThat(rig.engine.ledger().openReservationCount()).as("nothing is granted after the end").isZero();
    }

    @Test
    void aStrayRequestThatReportsNoUsageIsNotPinnedOnTheSubscriberItNames() {
        String account = account(10_000);
        ChargingResult nothing = rig.charge(gy("x1", Kind.UPDATE, 1).msisdn(MSISDN)
                .service(RG, Unit.BYTES, 500L, null).build());
        assertThat(nothing.outcome().result()).isEqualTo(Result.UNKNOWN_SESSION);
        assertThat(nothing.outcome().message()).isEqualTo("session x1 is not known (never opened, or forgotten)");
        assertThat(rig.engine.session("x1").orElseThrow().accountId()).isNull();
        rig.charge(gy("x2", Kind.UPDATE, 1).msisdn(MSISDN).service(RG, Unit.BYTES, 500L, 0L).build());
        assertThat(rig.engine.session("x2").orElseThrow().accountId()).isNull();
        ChargingResult used = rig.charge(gy("x3", Kind.UPDATE, 1).msisdn(MSISDN).service(RG, Unit.BYTES, 500L, 1L)
                .build());
        assertThat(used.records()).singleElement().satisfies(r -> assertThat(r.rawUnits()).isEqualTo(1));
        assertThat(rig.engine.session("x3").orElseThrow().accountId()).isEqualTo(account);
        assertThat(rig.available(account, Unit.BYTES)).isEqualTo(9_999);
    }

    @Test
    void usageOfAStrayRequestNamingNobodyIsUnrecoveredUnitByUnitLeavingOutZeroes() {
        ChargingResult anonymous = rig.charge(gy("anon", Kind.TERMINATE, 4)
                .service(new ChargingRequest.ServiceUsage(ServiceKey.of(RG, ServiceRef.NONE, null), null,
                        Map.of(Unit.BYTES, 0L, Unit.SECONDS, 30L), null)).build());
        assertThat(anonymous.outcome().result()).isEqualTo(Result.UNKNOWN_SESSION);
        assertThat(anonymous.unrecovered()).containsExactly(new ChargingResult.Unrecovered(null, Unit.SECONDS, 30,
                "reported for an unknown session that names no known subscriber"));
        assertThat(anonymous.records()).isEmpty();
    }

    // ------------------------------------------------------------------ a session gone silent

    @Test
    void aSilentSessionIsChargedInFullUntilItsRetentionEndsAndThenForgotten() {
        rig.configure(EngineConfig.defaults().withValidity(10, 0).withRetention(180, 60));
        String account = account(10_000);
        long start = rig.now;
        rig.charge(gy("kept", Kind.INITIAL, 0).msisdn(MSISDN).service(RG, Unit.BYTES, 1_000L, null).build());
        rig.charge(gy("lost", Kind.INITIAL, 0).msisdn(MSISDN).service(RG, Unit.BYTES, 1_000L, null).build());
        rig.now = start + 10_000; // both grants lapse at their validity: the reserved bytes come back
        rig.engine.advanceTo(rig.now);
        assertThat(rig.available(account, Unit.BYTES)).isEqualTo(10_000);
        assertThat(rig.engine.ledger().openReservationCount()).isZero();

        // the last moment of the silent retention (validity + 60 s): the session goes on
        rig.now = start + 69_999;
        ChargingResult late = rig.charge(gy("kept", Kind.UPDATE, 1).service(RG, Unit.BYTES, 1_000L, 800L).build());
        assertThat(late.outcome().result()).isEqualTo(Result.SUCCESS);
        assertThat(late.outcome().services()).singleElement().satisfies(s -> assertThat(s.granted()).isEqualTo(1_000));
        assertThat(rig.available(account, Unit.BYTES)).isEqualTo(10_000 - 800 - 1_000);

        rig.now = start + 70_000;
        ChargingResult forgotten = rig.charge(gy("lost", Kind.UPDATE, 1).msisdn(MSISDN)
                .service(RG, Unit.BYTES, 1_000L, 300L).build());
        assertThat(forgotten.outcome().result()).isEqualTo(Result.UNKNOWN_SESSION);
        assertThat(forgotten.outcome().message()).isEqualTo("session lost is not known (never opened, or forgotten)");
        assertThat(rig.available(account, Unit.BYTES)).as("still charged to whom the request names")
                .isEqualTo(10_000 - 800 - 1_000 - 300);
        ChargingResult retry = rig.charge(gy("lost", Kind.UPDATE, 1).msisdn(MSISDN)
                .service(RG, Unit.BYTES, 1_000L, 300L).build());
        assertThat(retry.outcome()).isEqualTo(forgotten.outcome());
        assertThat(retry.records()).isEmpty();
        assertThat(rig.available(account, Unit.BYTES)).isEqualTo(10_000 - 800 - 1_000 - 300);
    }

    // ------------------------------------------------------------------ layered admission

    private static final long POOL = 10_000;

    private void admissionPolicy() {
        rig.engine.apply(new EngineCommand.SetAdmissionPolicy(new AdmissionPolicy(Map.of(
                Layer.BEARER, new AdmissionPolicy.LayerPolicy(Map.of(QosParameter.DATA_VOLUME_BYTES,
                        new AdmissionPolicy.Range(1, 1_000_000, null)), Map.of(Pool.DATA_VOLUME, POOL)),
                Layer.SERVICE, AdmissionPolicy.LayerPolicy.closed(),
                Layer.APPLICATION, AdmissionPolicy.LayerPolicy.closed()), 100, 3600)), rig.now);
    }

    private static ChargingRequest.ServiceUsage withQos(long rg, Long requested, Long used) {
        return new ChargingRequest.ServiceUsage(ServiceKey.of(rg, ServiceRef.NONE, null),
                requested == null ? null : Map.of(Unit.BYTES, requested), used == null ? null : Map.of(Unit.BYTES, used),
                new ChargingRequest.Qos(-1, -1));
    }

    private long poolUsed() {
        return rig.engine.admissionReport().orElseThrow().layers().get(Layer.BEARER).get(Pool.DATA_VOLUME).used();
    }

    private Result startWithQos(String session, long bytes) {
        return rig.charge(gy(session, Kind.INITIAL, 0).msisdn(MSISDN).service(withQos(RG, bytes, null)).build())
                .outcome().services().get(0).result();
    }

    @Test
    void anAdmittedGrantHoldsItsPoolShareThroughItsUpdatesUntilTheSessionEnds() {
        admissionPolicy();
        account(100_000);
        assertThat(startWithQos("a", 6_000)).isEqualTo(Result.SUCCESS);
        assertThat(poolUsed()).isEqualTo(6_000);
        rig.charge(gy("a", Kind.UPDATE, 1).service(withQos(RG, 6_000L, 6_000L)).build());
        assertThat(poolUsed()).isEqualTo(6_000);
        assertThat(startWithQos("b", 6_000)).as("the pool has 4000 left").isEqualTo(Result.END_USER_SERVICE_DENIED);
        rig.charge(gy("a", Kind.TERMINATE, 2).service(withQos(RG, null, 1_000L)).build());
        assertThat(poolUsed()).isZero();
        assertThat(rig.engine.admissionReport().orElseThrow().admissions()).isZero();
        assertThat(startWithQos("c", 6_000)).isEqualTo(Result.SUCCESS);
    }

    @Test
    void anUpdateRenewsTheAdmissionWithItsGrant() {
        rig.configure(EngineConfig.defaults().withValidity(60, 0));
        admissionPolicy();
        account(100_000);
        long start = rig.now;
        startWithQos("a", 6_000);
        rig.now = start + 50_000;
        rig.charge(gy("a", Kind.UPDATE, 1).service(withQos(RG, 6_000L, 1_000L)).build());
        rig.now = start + 100_000; // past the first grant's validity, within the renewed one's
        assertThat(startWithQos("b", 6_000)).isEqualTo(Result.END_USER_SERVICE_DENIED);
        rig.now = start + 110_000;
        assertThat(startWithQos("c", 6_000)).as("the renewed admission lapsed with its grant").isEqualTo(Result.SUCCESS);
    }

    @Test
    void aServiceTheBalanceCannotGrantGivesItsPoolShareBack() {
        admissionPolicy();
        account(0);
        assertThat(startWithQos("a", 6_000)).isEqualTo(Result.CREDIT_LIMIT_REACHED);
        assertThat(poolUsed()).isZero();
        assertThat(rig.engine.admissionReport().orElseThrow().admissions()).isZero();
    }

    @Test
    void aServiceRefusedAdmissionMidSessionStillHasItsReportedUsageCharged() {
        admissionPolicy();
        String account = account(100_000);
        startWithQos("a", 6_000);
        ChargingResult u = rig.charge(gy("a", Kind.UPDATE, 1).service(withQos(OTHER_RG, 5_000L, 700L)).build());
        assertThat(u.outcome().services()).singleElement().satisfies(s -> {
            assertThat(s.result()).isEqualTo(Result.END_USER_SERVICE_DENIED);
            assertThat(s.granted()).isZero();
        });
        assertThat(u.records()).singleElement().satisfies(r -> assertThat(r.rawUnits()).isEqualTo(700));
        assertThat(rig.available(account, Unit.BYTES)).isEqualTo(100_000 - 6_000 - 700);
        assertThat(poolUsed()).isEqualTo(6_000);
    }
}
