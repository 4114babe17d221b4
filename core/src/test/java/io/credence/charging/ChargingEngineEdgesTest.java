package io.credence.charging;

import io.credence.admission.AdmissionControl;
import io.credence.admission.AdmissionPolicy;
import io.credence.admission.Layer;
import io.credence.admission.Pool;
import io.credence.admission.QosParameter;
import io.credence.admission.QosRequest;
import io.credence.charging.ChargingOutcome.Result;
import io.credence.charging.ChargingRequest.Kind;
import io.credence.charging.EventChargingTest.Rated;
import io.credence.ledger.AccountKind;
import io.credence.ledger.ByteArrayDataInput;
import io.credence.ledger.ByteArrayDataOutput;
import io.credence.ledger.Command;
import io.credence.ledger.CommandCodec;
import io.credence.ledger.IdentityType;
import io.credence.ledger.Ids;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Operation;
import io.credence.ledger.Outcome;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The engine at its edges: requests it numbers itself and their retries, a full session table,
 * stray and late requests, sessions forgotten with time, a snapshot's sessions, a refused catalog,
 * admission policies and the views the HTTP API reads.
 */
class ChargingEngineEdgesTest {
    private static final long T0 = 1_800_000_000_000L;
    private static final ChargingRequest.Origin SMF = new ChargingRequest.Origin("nchf", "smf", "smf", "5gc.test", -1);
    private ChargingEngine engine = new ChargingEngine(LedgerLimits.DEFAULTS, CatalogReader.NONE);
    private int commands;

    private void ledger(Operation op, long at) {
        assertThat(engine.apply(new Command("setup-" + commands++, op), at).accepted()).isTrue();
    }

    private String subscriber(String msisdn, long bytes) {
        String account = "acct-" + msisdn;
        ledger(new Operation.CreateAccount(account, AccountKind.SUBSCRIBER, Map.of()), T0);
        if (bytes > 0) {
            ledger(new Operation.TopUp(Ids.SYSTEM_ACCOUNT, account, Unit.BYTES, bytes, null), T0);
        }
        ledger(new Operation.BindIdentity(IdentityType.E164, msisdn, account), T0);
        return account;
    }

    private long bytes(String account) {
        return engine.ledger().available(account, Unit.BYTES, ServiceRef.ANY).orElseThrow();
    }

    private ChargingResult charge(EngineCommand.Charge command, long at) {
        return ((EngineOutcome.Charged) engine.apply(command, at)).result();
    }

    private ChargingResult gy(String session, Kind kind, long number, String msisdn, long at,
                              ChargingRequest.ServiceUsage... services) {
        return charge(TestRequests.gy(session, kind, number, msisdn, services), at);
    }

    /** An Nchf request: numbered by the engine; the consumer's own number, the digest and the flag as given. */
    private ChargingResult nchf(String session, Kind kind, long clientNumber, long digest, boolean retransmission,
                                String msisdn, long at, ChargingRequest.ServiceUsage... services) {
        List<ChargingRequest.Identity> identities = msisdn == null ? List.of()
                : List.of(new ChargingRequest.Identity(IdentityType.E164, msisdn));
        return charge(new EngineCommand.Charge(new ChargingRequest(session, kind, ChargingRequest.NUMBER_NEXT,
                clientNumber, digest, retransmission, ChargingRequest.EventAction.NONE, identities,
                EngineConfig.CONTEXT_5G_DATA, List.of(services), null, SMF)), at);
    }

    private static ChargingRequest.ServiceUsage data(Long requested, Long used) {
        return TestRequests.data(10, requested, used);
    }

    private ChargingEngine.SessionView view(String session) {
        return engine.session(session).orElseThrow();
    }

    // ---------------------------------------------------------------- numbering and retries

    @Test
    void requestsTheEngineNumbersFollowOneAnotherAndAreCounted() {
        String account = subscriber("491700000101", 10_000);
        nchf("n1", Kind.INITIAL, 0, 0, false, "491700000101", T0, data(1_000L, null));
        nchf("n1", Kind.UPDATE, 0, 0, false, null, T0 + 1, data(1_000L, 400L));
        nchf("n1", Kind.UPDATE, 0, 0, false, null, T0 + 2, data(1_000L, 300L));
        assertThat(view("n1").lastNumber()).isEqualTo(2);
        assertThat(view("n1").requests()).isEqualTo(3);
        assertThat(view("n1").touchedAtMillis()).isEqualTo(T0 + 2);
        assertThat(bytes(account)).isEqualTo(10_000 - 400 - 300 - 1_000);
    }

    @Test
    void aFlaggedRetransmissionWithTheLastClientNumberIsAnsweredAgainWithoutCharging() {
        String account = subscriber("491700000102", 10_000);
        nchf("n2", Kind.INITIAL, 0, 0, false, "491700000102", T0, data(1_000L, null));
        // free5GC numbers every request 0: unflagged, the same number is a new request
        ChargingResult second = nchf("n2", Kind.UPDATE, 0, 0, false, null, T0 + 1, data(1_000L, 500L));
        assertThat(second.records()).singleElement().satisfies(r -> assertThat(r.rawUnits()).isEqualTo(500));
        ChargingResult retry = nchf("n2", Kind.UPDATE, 0, 0, true, null, T0 + 2, data(1_000L, 500L));
        assertThat(retry.outcome()).isEqualTo(second.outcome());
        assertThat(retry.records()).isEmpty();
        assertThat(bytes(account)).isEqualTo(10_000 - 500 - 1_000);
        assertThat(view("n2").requests()).isEqualTo(2);

        ChargingResult other = nchf("n2", Kind.UPDATE, 1, 0, true, null, T0 + 3, data(1_000L, 200L));
        assertThat(other.records()).as("flagged, but another request").singleElement()
                .satisfies(r -> assertThat(r.rawUnits()).isEqualTo(200));
        assertThat(bytes(account)).isEqualTo(10_000 - 500 - 200 - 1_000);
    }

    @Test
    void aClientWithoutItsOwnNumbersIsNeverTakenToRetry() {
        String account = subscriber("491700000103", 10_000);
        nchf("n3", Kind.INITIAL, -1, 0, false, "491700000103", T0, data(1_000L, null));
        nchf("n3", Kind.UPDATE, -1, 0, true, null, T0 + 1, data(1_000L, 100L));
        ChargingResult flagged = nchf("n3", Kind.UPDATE, -1, 0, true, null, T0 + 2, data(1_000L, 100L));
        assertThat(flagged.records()).singleElement().satisfies(r -> assertThat(r.rawUnits()).isEqualTo(100));
        assertThat(bytes(account)).isEqualTo(10_000 - 200 - 1_000);
        assertThat(view("n3").lastNumber()).isEqualTo(2);
    }

    @Test
    void aRequestWithTheLastDigestIsARetryAndAnotherDigestANewRequest() {
        String account = subscriber("491700000104", 10_000);
        nchf("n4", Kind.INITIAL, 0, 11, false, "491700000104", T0, data(1_000L, null));
        ChargingResult update = nchf("n4", Kind.UPDATE, 0, 22, false, null, T0 + 1, data(1_000L, 600L));
        ChargingResult same = nchf("n4", Kind.UPDATE, 0, 22, false, null, T0 + 2, data(1_000L, 600L));
        assertThat(same.outcome()).isEqualTo(update.outcome());
        assertThat(same.records()).isEmpty();
        nchf("n4", Kind.UPDATE, 0, 33, false, null, T0 + 3, data(1_000L, 600L));
        assertThat(bytes(account)).isEqualTo(10_000 - 1_200 - 1_000);
    }

    // ---------------------------------------------------------------- the session table

    @Test
    void aFullSessionTableRefusesNewSessionsAndStrayRequestsButServesItsOwn() {
        engine.apply(new EngineCommand.Configure(EngineConfig.defaults().withSessionsMax(1)), T0);
        String account = subscriber("491700000105", 10_000);
        assertThat(gy("t1", Kind.INITIAL, 0, "491700000105", T0, data(1_000L, null)).outcome().result())
                .isEqualTo(Result.SUCCESS);

        ChargingOutcome second = gy("t2", Kind.INITIAL, 0, "491700000105", T0, data(1_000L, null)).outcome();
        assertThat(second.result()).isEqualTo(Result.TOO_BUSY);
        assertThat(second.message()).isEqualTo("session table full (1)");
        ChargingResult stray = gy("t3", Kind.UPDATE, 4, "491700000105", T0, data(null, 300L));
        assertThat(stray.outcome().result()).isEqualTo(Result.TOO_BUSY);
        assertThat(stray.records()).as("refused before anything is charged").isEmpty();
        assertThat(engine.sessionCount()).isEqualTo(1);
        assertThat(bytes(account)).isEqualTo(9_000);

        assertThat(gy("t1", Kind.TERMINATE, 1, null, T0 + 1, data(null, 1_000L)).outcome().result())
                .isEqualTo(Result.SUCCESS);
        ChargingResult late = gy("t1", Kind.UPDATE, 2, null, T0 + 2, data(null, 100L));
        assertThat(late.outcome().result()).as("its own session, finished: not a new one")
                .isEqualTo(Result.UNKNOWN_SESSION);
        assertThat(bytes(account)).as("what a late report says is charged all the same").isEqualTo(8_900);
    }

    @Test
    void aSessionAStrayUpdateNamedFirstOpensWhenItsInitialRequestComes() {
        String account = subscriber("491700000106", 10_000);
        assertThat(gy("s1", Kind.UPDATE, 1, "491700000106", T0, data(null, 200L)).outcome().result())
                .isEqualTo(Result.UNKNOWN_SESSION);
        ChargingResult initial = gy("s1", Kind.INITIAL, 0, "491700000106", T0 + 1, data(1_000L, null));
        assertThat(initial.outcome().result()).isEqualTo(Result.SUCCESS);
        assertThat(view("s1").open()).isTrue();
        assertThat(view("s1").requests()).as("the session begins now").isEqualTo(1);
        assertThat(engine.openSessionCount()).isEqualTo(1);
        assertThat(bytes(account)).isEqualTo(10_000 - 200 - 1_000);
        engine.verifyInvariants();
    }

    @Test
    void eachStrayRequestIsChargedToTheSubscriberItNames() {
        String first = subscriber("491700000107", 10_000);
        String second = subscriber("491700000108", 10_000);
        gy("x", Kind.UPDATE, 1, "491700000107", T0, data(null, 100L));
        ChargingResult other = gy("x", Kind.UPDATE, 2, "491700000108", T0 + 1, data(null, 200L));
        assertThat(other.records()).singleElement().satisfies(r -> assertThat(r.accountId()).isEqualTo(second));
        assertThat(bytes(first)).isEqualTo(9_900);
        assertThat(bytes(second)).isEqualTo(9_800);
    }

    @Test
    void aLateReportOfAFinishedSessionIsChargedToItsSubscriberWithoutNamingThem() {
        String account = subscriber("491700000109", 10_000);
        gy("f", Kind.INITIAL, 0, "491700000109", T0, data(1_000L, null));
        gy("f", Kind.TERMINATE, 1, null, T0 + 1, data(null, 1_000L));
        ChargingResult late = gy("f", Kind.UPDATE, 2, null, T0 + 2, data(null, 300L));
        assertThat(late.outcome().result()).isEqualTo(Result.UNKNOWN_SESSION);
        assertThat(late.unrecovered()).isEmpty();
        assertThat(late.records()).singleElement().satisfies(r -> assertThat(r.accountId()).isEqualTo(account));
        assertThat(bytes(account)).isEqualTo(10_000 - 1_000 - 300);
    }

    @Test
    void aTerminationEndsARefusedSessionForGood() {
        gy("r", Kind.INITIAL, 0, "999", T0, data(100L, null));
        assertThat(view("r").state()).isEqualTo("REFUSED");
        assertThat(gy("r", Kind.TERMINATE, 1, "999", T0 + 1).outcome().result()).isEqualTo(Result.SUCCESS);
        assertThat(view("r").state()).isEqualTo("FINISHED");
        assertThat(gy("r", Kind.TERMINATE, 2, "999", T0 + 2).outcome().result()).as("a second termination")
                .isEqualTo(Result.UNKNOWN_SESSION);
    }

    // ---------------------------------------------------------------- time

    @Test
    void aSilentSessionIsForgottenWithItsSubscribersIndexButNotTheOtherSessions() {
        engine.apply(new EngineCommand.Configure(EngineConfig.defaults().withValidity(10, 0).withRetention(60, 60)), T0);
        String account = subscriber("491700000110", 10_000);
        gy("a", Kind.INITIAL, 0, "491700000110", T0, data(1_000L, null));
        gy("b", Kind.INITIAL, 0, "491700000110", T0 + 30_000, data(1_000L, null));
        // a is kept until T0 + 10 s of grant + 60 s of silence; b until 30 s later
        engine.advanceTo(T0 + 69_999);
        assertThat(engine.sessionsOf(account)).extracting(ChargingEngine.SessionView::sessionId)
                .containsExactlyInAnyOrder("a", "b");
        engine.advanceTo(T0 + 70_000);
        assertThat(engine.session("a")).isEmpty();
        assertThat(engine.sessionsOf(account)).extracting(ChargingEngine.SessionView::sessionId).containsExactly("b");
        engine.advanceTo(T0 + 100_000);
        assertThat(engine.sessionsOf(account)).isEmpty();
        assertThat(engine.openSessionCount()).isZero();
        assertThat(bytes(account)).as("the lapsed grants went back").isEqualTo(10_000);
        assertThat(engine.nowMillis()).isEqualTo(T0 + 100_000);
    }

    // ---------------------------------------------------------------- snapshots

    @Test
    void aSnapshotsOpenSessionsAreFoundByTheirSubscriberAgain() throws Exception {
        String account = subscriber("491700000111", 10_000);
        gy("o1", Kind.INITIAL, 0, "491700000111", T0, data(1_000L, null));
        gy("o2", Kind.INITIAL, 0, "491700000111", T0, data(1_000L, null));
        gy("o2", Kind.TERMINATE, 1, null, T0 + 1, data(null, 10L));
        gy("anon", Kind.UPDATE, 1, null, T0 + 1, data(null, 10L));
        ByteArrayDataOutput out = new ByteArrayDataOutput(1024);
        EngineSnapshot.write(engine, out);
        ChargingEngine restored = EngineSnapshot.read(new ByteArrayDataInput(out.array(), 0, out.size()),
                LedgerLimits.DEFAULTS, CatalogReader.NONE);
        assertThat(restored.sessionsOf(account)).extracting(ChargingEngine.SessionView::sessionId)
                .containsExactly("o1");
        assertThat(restored.sessionCount()).isEqualTo(3);
        assertThat(restored.openSessionCount()).isEqualTo(1);
        restored.verifyInvariants();
    }

    // ---------------------------------------------------------------- catalog and admission

    @Test
    void aRefusedCatalogLeavesTheOneInForce() {
        EngineOutcome none = engine.apply(new EngineCommand.InstallCatalog("{}".getBytes(StandardCharsets.UTF_8)), T0);
        assertThat(none).isEqualTo(new EngineOutcome.CatalogInstalled(null,
                "catalog: this engine has no catalog reader"));
        assertThat(engine.catalogVersion()).isEmpty();

        engine = Rated.engine();
        assertThat(engine.catalogVersion()).contains(Rated.VERSION);
        EngineOutcome.CatalogInstalled bad = (EngineOutcome.CatalogInstalled) engine.apply(
                new EngineCommand.InstallCatalog("rated-2".getBytes(StandardCharsets.UTF_8)), Rated.T0);
        assertThat(bad.version()).isEqualTo(Rated.VERSION);
        assertThat(bad.refusal()).contains("not a catalog file");
        assertThat(engine.catalogVersion()).contains(Rated.VERSION);
    }

    @Test
    void aGrantTheCatalogRatedIsShownAsRated() {
        engine = Rated.engine();
        Rated.subscriber(engine, "491700000112", Unit.BYTES, 10_000);
        ChargingRequest request = new ChargingRequest("v", Kind.INITIAL, 0, 0, 0, false,
                ChargingRequest.EventAction.NONE, List.of(new ChargingRequest.Identity(IdentityType.E164,
                "491700000112")), EngineConfig.CONTEXT_PS, List.of(TestRequests.data(Rated.RG_DATA, 1_000L, null),
                TestRequests.data(10, 1_000L, null)), null, null);
        engine.apply(new EngineCommand.Charge(request), Rated.T0);
        assertThat(view("v").grants()).extracting(g -> g.key().ratingGroup(), ChargingEngine.GrantView::rated)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Rated.RG_DATA, true),
                        org.assertj.core.groups.Tuple.tuple(10L, false));
    }

    private static AdmissionPolicy policy() {
        return new AdmissionPolicy(Map.of(
                Layer.BEARER, AdmissionPolicy.LayerPolicy.closed(),
                Layer.SERVICE, new AdmissionPolicy.LayerPolicy(Map.of(QosParameter.DATA_VOLUME_BYTES,
                        new AdmissionPolicy.Range(1, 10_000_000, null)), Map.of(Pool.DATA_VOLUME, 10_000_000L)),
                Layer.APPLICATION, AdmissionPolicy.LayerPolicy.closed()), 2, 3600);
    }

    @Test
    void anAdmissionPolicyPutInForceDropsTheBillingsOfAdmissionsThatEnded() {
        AdmissionPolicy policy = policy();
        EngineOutcome set = engine.apply(new EngineCommand.SetAdmissionPolicy(policy), T0);
        assertThat(set).isEqualTo(new EngineOutcome.AdmissionPolicySet(policy, new AdmissionControl.Reconciled(0, 0)));
        assertThat(engine.admissionPolicy()).contains(policy);
        subscriber("491700000113", 100_000);
        engine.apply(new EngineCommand.Admit("adm", new QosRequest(Layer.SERVICE, Map.of(QosParameter.DATA_VOLUME_BYTES,
                1_000L)), 10_000, "acct-491700000113", Ids.SYSTEM_ACCOUNT), T0);
        assertThat(engine.admissionBillings()).containsOnlyKeys("adm");
        // the admission's ttl passed; nothing swept it yet. The policy (the same, set again) does
        engine.apply(new EngineCommand.SetAdmissionPolicy(policy), T0 + 20_000);
        assertThat(engine.admissionBillings()).isEmpty();
    }

    // ---------------------------------------------------------------- views and the journal's fingerprints

    @Test
    void openSessionsAreListedByIdUpToTheLimit() {
        subscriber("491700000114", 10_000);
        for (String id : new String[] {"s3", "s1", "s2"}) {
            gy(id, Kind.INITIAL, 0, "491700000114", T0, data(100L, null));
        }
        assertThat(engine.sessions(2)).extracting(ChargingEngine.SessionView::sessionId).containsExactly("s1", "s2");
        assertThat(engine.sessions(10)).extracting(ChargingEngine.SessionView::sessionId)
                .containsExactly("s1", "s2", "s3");
    }

    @Test
    void aShareIsFoundByTheRequestThatOpenedIt() {
        ShareTerms terms = new ShareTerms(ServiceRef.ratingGroup(10), Ids.SYSTEM_ACCOUNT, 60_000, 3, 3_600_000);
        for (String account : new String[] {"alice", "bob"}) {
            ledger(new Operation.CreateAccount(account, AccountKind.SUBSCRIBER, Map.of()), T0);
            ledger(new Operation.TopUp(Ids.SYSTEM_ACCOUNT, account, Unit.BYTES, 10_000_000, null), T0);
            ledger(new Operation.TopUp(Ids.SYSTEM_ACCOUNT, account, Unit.MONEY, 1_000, null), T0);
        }
        engine.apply(new EngineCommand.OpenShare("share-1", "bs/req-1", "bs", "sim-a", "alice", "sim-b", "bob",
                1_000_000, true, 0, 10, terms), T0);
        assertThat(engine.shareByRequest("bs/req-1")).map(DataShare::id).contains("share-1");
        assertThat(engine.shareByRequest("bs/req-2")).isEmpty();
    }

    @Test
    void aLedgerCommandTheJournalDigestedIsTheRetryOfTheSameCommandAppliedWithout() {
        subscriber("491700000115", 0);
        Command topUp = new Command("top-up-1", new Operation.TopUp(Ids.SYSTEM_ACCOUNT, "acct-491700000115", Unit.BYTES,
                500, null));
        Outcome first = ((EngineOutcome.LedgerOutcome) engine.apply(new EngineCommand.LedgerCommand(topUp), T0, 0))
                .outcome();
        long digest = new CommandCodec.Fingerprinter().of(topUp.operation());
        Outcome replayed = ((EngineOutcome.LedgerOutcome) engine.apply(new EngineCommand.LedgerCommand(topUp), T0 + 1,
                digest)).outcome();
        assertThat(replayed).isEqualTo(first);
        assertThat(bytes("acct-491700000115")).isEqualTo(500);
    }

    @Test
    void aChargeForgetsTheOldestClosedReservationsBeyondTheLedgersBound() {
        // the ledger remembers at most 3 closed reservations (as many as request ids)
        engine = smallMemory();
        subscriber("491700000116", 10_000);
        gy("m", Kind.INITIAL, 0, "491700000116", T0, TestRequests.data(1, 100L, null), TestRequests.data(2, 100L, null),
                TestRequests.data(3, 100L, null), TestRequests.data(4, 100L, null));
        long[] holds = view("m").grants().stream().mapToLong(ChargingEngine.GrantView::reservationId).toArray();
        assertThat(holds).hasSize(4);
        gy("m", Kind.TERMINATE, 1, null, T0 + 1, TestRequests.data(1, null, 50L), TestRequests.data(2, null, 50L),
                TestRequests.data(3, null, 50L), TestRequests.data(4, null, 50L));
        assertThat(engine.ledger().reservation(holds[0])).as("the first closed, forgotten first").isEmpty();
        assertThat(Arrays.stream(holds).skip(1).mapToObj(id -> engine.ledger().reservation(id).isPresent()))
                .containsOnly(true);
    }

    @Test
    void theInvariantCheckFindsAnEndedSessionLeftAsAnObject() {
        subscriber("491700000117", 10_000);
        gy("ok", Kind.INITIAL, 0, "491700000117", T0, data(100L, null));
        engine.verifyInvariants();
        Session stuck = new Session("stuck", "k", ChargingRequest.Origin.NONE);
        stuck.state = Session.State.FINISHED;
        engine.sessions.add(stuck); // what a bug in settling would leave behind
        assertThatThrownBy(engine::verifyInvariants).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("session stuck is FINISHED");
    }

    @Test
    void theInvariantCheckFindsAShareWhoseHoldDisagreesWithWhatItSettled() {
        ShareTerms terms = new ShareTerms(ServiceRef.ratingGroup(10), Ids.SYSTEM_ACCOUNT, 60_000, 3, 3_600_000);
        ledger(new Operation.CreateAccount("alice", AccountKind.SUBSCRIBER, Map.of()), T0);
        ledger(new Operation.TopUp(Ids.SYSTEM_ACCOUNT, "alice", Unit.BYTES, 10_000_000, null), T0);
        ledger(new Operation.CreateAccount("bob", AccountKind.SUBSCRIBER, Map.of()), T0);
        engine.apply(new EngineCommand.OpenShare("share-1", "bs/1", "bs", "sim-a", "alice", "sim-b", "bob", 1_000_000,
                true, 0, 0, terms), T0);
        engine.verifyInvariants();
        DataShare share = engine.share("share-1").orElseThrow();
        // what a bug in metering would leave: usage counted that the hold was not reduced by
        engine.shareDesk.shares.put("share-1", share.settled(DataShare.Status.OPEN, 1, 0, share.deadlineMillis()));
        assertThatThrownBy(engine::verifyInvariants).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("share share-1 holds 1000000 bytes, 999999 are not settled");
    }

    /** An engine whose ledger remembers at most 3 request ids and 3 closed reservations. */
    private static ChargingEngine smallMemory() {
        return new ChargingEngine(new LedgerLimits(1_000, 32, 1_000, 24 * 3600_000L, 3, 15 * 60_000L, 1_000),
                CatalogReader.NONE);
    }

    @Test
    void endingAnAdmissionForgetsTheOldestClosedReservationsBeyondTheLedgersBound() {
        engine = smallMemory();
        engine.apply(new EngineCommand.SetAdmissionPolicy(new AdmissionPolicy(policy().layers(), 10, 3600)), T0);
        ledger(new Operation.CreateAccount("alice", AccountKind.SUBSCRIBER, Map.of()), T0);
        ledger(new Operation.TopUp(Ids.SYSTEM_ACCOUNT, "alice", Unit.BYTES, 100_000, null), T0);
        long[] holds = new long[4];
        for (int i = 0; i < 4; i++) {
            AdmissionAnswers.Answered admitted = (AdmissionAnswers.Answered) ((EngineOutcome.Admitting) engine.apply(
                    new EngineCommand.Admit("a" + i, new QosRequest(Layer.SERVICE, Map.of(
                            QosParameter.DATA_VOLUME_BYTES, 1_000L)), 60_000, "alice", Ids.SYSTEM_ACCOUNT), T0))
                    .answer();
            holds[i] = admitted.billing().reservationId();
        }
        for (int i = 0; i < 4; i++) {
            engine.apply(new EngineCommand.EndAdmission("a" + i, null, null), T0 + 1 + i); // released
        }
        assertThat(engine.ledger().reservation(holds[0])).as("the first closed, forgotten first").isEmpty();
        assertThat(engine.ledger().reservation(holds[1])).isPresent();
        assertThat(engine.ledger().reservation(holds[3])).isPresent();
    }

    @Test
    void settlingAShareForgetsTheOldestClosedReservationsBeyondTheLedgersBound() {
        engine = smallMemory();
        ShareTerms terms = new ShareTerms(ServiceRef.ratingGroup(10), Ids.SYSTEM_ACCOUNT, 60_000, 10, 3_600_000);
        ledger(new Operation.CreateAccount("alice", AccountKind.SUBSCRIBER, Map.of()), T0);
        ledger(new Operation.TopUp(Ids.SYSTEM_ACCOUNT, "alice", Unit.BYTES, 10_000_000, null), T0);
        ledger(new Operation.CreateAccount("bob", AccountKind.SUBSCRIBER, Map.of()), T0);
        long[] holds = new long[4];
        for (int i = 0; i < 4; i++) {
            engine.apply(new EngineCommand.OpenShare("share-" + i, "bs/" + i, "bs", "sim-a", "alice", "sim-b", "bob",
                    1_000_000, true, 0, 0, terms), T0);
            holds[i] = engine.ledger().openReservationTagged(ShareDesk.bytesTag("share-" + i)).orElseThrow()
                    .reservationId();
        }
        for (int i = 0; i < 4; i++) {
            engine.apply(new EngineCommand.MeterShare("share-" + i, "bs", 500_000, true, terms), T0 + 1 + i);
        }
        assertThat(engine.ledger().reservation(holds[0])).as("the first closed, forgotten first").isEmpty();
        assertThat(engine.ledger().reservation(holds[1])).isPresent();
        assertThat(engine.ledger().reservation(holds[3])).isPresent();
    }
}
