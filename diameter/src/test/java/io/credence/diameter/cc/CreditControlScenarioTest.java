package io.credence.diameter.cc;

import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Avps;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.transport.DiameterClient;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.credence.diameter.cc.CcHarness.amountOf;
import static io.credence.diameter.cc.CcHarness.granted;
import static io.credence.diameter.cc.CcHarness.hasFinalUnitIndication;
import static io.credence.diameter.cc.CcHarness.msccResult;
import static io.credence.diameter.cc.CcHarness.resultCode;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Credit control end to end over loopback: a gateway client, the Diameter server, the credit
 * control application and a durable ledger on disk.
 */
class CreditControlScenarioTest {
    private static final String IMS = CreditControlConfig.CONTEXT_IMS;
    @TempDir
    Path dir;
    private CcHarness h;

    private CcHarness start(CreditControlConfig config) throws Exception {
        h = new CcHarness(dir, config);
        return h;
    }

    private CcHarness start() throws Exception {
        return start(CreditControlConfig.defaults());
    }

    @AfterEach
    void stop() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    @Test
    void aCallRunsOutOfCreditMidWayFinalUnitsThenCreditLimitReached() throws Exception {
        start();
        String account = h.subscriber("491700000001", Unit.SECONDS, 100);
        DiameterClient pgw = h.connect();
        String sid = "scscf.test;call;1";
        DiameterMessage i = h.send(pgw, h.ccr(sid, Codes.INITIAL_REQUEST, 0).serviceContext(IMS).msisdn("491700000001")
                .mscc(100, Unit.SECONDS, 60L, null));
        assertThat(resultCode(i)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(granted(i, 100)).isEqualTo(60);
        assertThat(hasFinalUnitIndication(i, 100)).isFalse();
        assertThat(h.available(account, Unit.SECONDS)).isEqualTo(40);

        DiameterMessage u1 = h.send(pgw, h.ccr(sid, Codes.UPDATE_REQUEST, 1).serviceContext(IMS)
                .mscc(100, Unit.SECONDS, 60L, 60L));
        assertThat(msccResult(u1, 100)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(granted(u1, 100)).isEqualTo(40);
        List<Avp> fui = CcHarness.member(CcHarness.mscc(u1, 100), Codes.FINAL_UNIT_INDICATION).grouped();
        assertThat(CcHarness.member(fui, Codes.FINAL_UNIT_ACTION).integer32()).isEqualTo(Codes.FUA_TERMINATE);

        DiameterMessage u2 = h.send(pgw, h.ccr(sid, Codes.UPDATE_REQUEST, 2).serviceContext(IMS)
                .mscc(100, Unit.SECONDS, 60L, 40L));
        assertThat(msccResult(u2, 100)).isEqualTo(Codes.DIAMETER_CREDIT_LIMIT_REACHED);
        assertThat(resultCode(u2)).isEqualTo(Codes.DIAMETER_CREDIT_LIMIT_REACHED);
        assertThat(granted(u2, 100)).isEqualTo(-1);

        DiameterMessage t = h.send(pgw, h.ccr(sid, Codes.TERMINATION_REQUEST, 3).serviceContext(IMS));
        assertThat(resultCode(t)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(h.available(account, Unit.SECONDS)).isZero();
        assertThat(h.openReservations()).isZero();
        h.query(l -> {
            l.verifyInvariants();
            return null;
        });
    }

    @Test
    void redirectIsSentInsteadOfTerminateWhenConfigured() throws Exception {
        start(CreditControlConfig.defaults().withRedirect(new CreditControlConfig.Redirect(2, "http://topup.example/")));
        h.subscriber("491700000002", Unit.BYTES, 1_000);
        DiameterClient pgw = h.connect();
        DiameterMessage i = h.send(pgw, h.ccr("pgw;r;1", Codes.INITIAL_REQUEST, 0).msisdn("491700000002")
                .mscc(10, Unit.BYTES, 5_000L, null));
        assertThat(granted(i, 10)).isEqualTo(1_000);
        List<Avp> fui = CcHarness.member(CcHarness.mscc(i, 10), Codes.FINAL_UNIT_INDICATION).grouped();
        assertThat(CcHarness.member(fui, Codes.FINAL_UNIT_ACTION).integer32()).isEqualTo(Codes.FUA_REDIRECT);
        Avp server = CcHarness.member(fui, Codes.REDIRECT_SERVER);
        assertThat(CcHarness.member(server.grouped(), Codes.REDIRECT_SERVER_ADDRESS).utf8())
                .isEqualTo("http://topup.example/");
    }

    @Test
    void concurrentSessionsSharingOneBalanceNeverSpendItTwice() throws Exception {
        start();
        long balance = 10_000_000;
        String account = h.subscriber("491700000003", Unit.BYTES, balance);
        DiameterClient pgw = h.connect();
        int sessions = 16;
        ExecutorService pool = Executors.newFixedThreadPool(sessions);
        Map<String, Long> usedBySession = new ConcurrentHashMap<>();
        List<Future<?>> running = new ArrayList<>();
        for (int s = 0; s < sessions; s++) {
            String sid = "pgw;shared;" + s;
            running.add(pool.submit(() -> {
                long used = 0;
                DiameterMessage answer = h.send(pgw, h.ccr(sid, Codes.INITIAL_REQUEST, 0).msisdn("491700000003")
                        .mscc(10, Unit.BYTES, 400_000L, null));
                long grant = resultCode(answer) == Codes.DIAMETER_SUCCESS ? granted(answer, 10) : 0;
                for (int n = 1; n <= 5 && grant > 0; n++) {
                    long use = grant; // uses all it was granted
                    used += use;
                    answer = h.send(pgw, h.ccr(sid, Codes.UPDATE_REQUEST, n).mscc(10, Unit.BYTES, 400_000L, use));
                    grant = msccResult(answer, 10) == Codes.DIAMETER_SUCCESS ? Math.max(granted(answer, 10), 0) : 0;
                    if (n == 5 && grant > 0) {
                        used += grant / 2;
                        h.send(pgw, h.ccr(sid, Codes.TERMINATION_REQUEST, 6).mscc(10, Unit.BYTES, null, grant / 2));
                        grant = -1;
                    }
                }
                if (grant == 0) {
                    h.send(pgw, h.ccr(sid, Codes.TERMINATION_REQUEST, 7));
                }
                usedBySession.put(sid, used);
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        long totalUsed = usedBySession.values().stream().mapToLong(Long::longValue).sum();
        assertThat(totalUsed).isLessThanOrEqualTo(balance);
        assertThat(h.available(account, Unit.BYTES)).isEqualTo(balance - totalUsed);
        assertThat(h.openReservations()).isZero();
        h.query(l -> {
            l.verifyInvariants();
            return null;
        });
    }

    @Test
    void aDataSessionWithTwoRatingGroupsIsAnsweredPerRatingGroup() throws Exception {
        start();
        String account = h.subscriber("491700000004", Unit.BYTES, 1_000_000);
        h.bucket(account, Unit.BYTES, 50_000_000, 10); // a video pack usable by rating group 10 only
        DiameterClient pgw = h.connect();
        String sid = "pgw;two;1";
        DiameterMessage i = h.send(pgw, h.ccr(sid, Codes.INITIAL_REQUEST, 0).msisdn("491700000004")
                .mscc(10, Unit.BYTES, 5_000_000L, null).mscc(20, Unit.BYTES, 5_000_000L, null));
        assertThat(resultCode(i)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(granted(i, 10)).isEqualTo(5_000_000);
        assertThat(hasFinalUnitIndication(i, 10)).isFalse();
        assertThat(granted(i, 20)).isEqualTo(1_000_000);
        assertThat(hasFinalUnitIndication(i, 20)).isTrue();

        DiameterMessage u = h.send(pgw, h.ccr(sid, Codes.UPDATE_REQUEST, 1)
                .mscc(10, Unit.BYTES, 5_000_000L, 4_000_000L).mscc(20, Unit.BYTES, 5_000_000L, 1_000_000L));
        assertThat(msccResult(u, 10)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(granted(u, 10)).isEqualTo(5_000_000);
        assertThat(msccResult(u, 20)).isEqualTo(Codes.DIAMETER_CREDIT_LIMIT_REACHED);
        assertThat(resultCode(u)).isEqualTo(Codes.DIAMETER_SUCCESS);

        DiameterMessage t = h.send(pgw, h.ccr(sid, Codes.TERMINATION_REQUEST, 2).mscc(10, Unit.BYTES, null, 1_500_000L));
        assertThat(resultCode(t)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(h.available(account, Unit.BYTES, ServiceRef.ratingGroup(10))).isEqualTo(50_000_000 - 5_500_000);
        assertThat(h.available(account, Unit.BYTES, ServiceRef.ratingGroup(20))).isZero();
    }

    @Test
    void aRetransmittedUpdateGetsTheFirstAnswerAndChargesOnce() throws Exception {
        start();
        String account = h.subscriber("491700000005", Unit.BYTES, 10_000);
        DiameterClient pgw = h.connect();
        String sid = "pgw;retx;1";
        h.send(pgw, h.ccr(sid, Codes.INITIAL_REQUEST, 0).msisdn("491700000005").mscc(10, Unit.BYTES, 3_000L, null));
        DiameterMessage first = h.send(pgw, h.ccr(sid, Codes.UPDATE_REQUEST, 1).mscc(10, Unit.BYTES, 3_000L, 2_000L));
        long afterFirst = h.available(account, Unit.BYTES);
        DiameterMessage again = h.send(pgw, h.ccr(sid, Codes.UPDATE_REQUEST, 1).mscc(10, Unit.BYTES, 3_000L, 2_000L)
                .retransmitted());
        assertThat(again.avps()).isEqualTo(first.avps());
        assertThat(h.available(account, Unit.BYTES)).isEqualTo(afterFirst).isEqualTo(10_000 - 2_000 - 3_000);
        // an older number that is not the last one is refused and changes nothing
        DiameterMessage stale = h.send(pgw, h.ccr(sid, Codes.UPDATE_REQUEST, 0).mscc(10, Unit.BYTES, 3_000L, 2_000L));
        assertThat(resultCode(stale)).isEqualTo(Codes.DIAMETER_INVALID_AVP_VALUE);
        assertThat(h.available(account, Unit.BYTES)).isEqualTo(afterFirst);
    }

    @Test
    void afterARestartARetransmissionGetsTheFirstAnswerAndTheSessionGoesOnFromTheLedger() throws Exception {
        start();
        String account = h.subscriber("491700000013", Unit.BYTES, 100_000);
        DiameterClient pgw = h.connect();
        String sid = "pgw;restart;1";
        h.send(pgw, h.ccr(sid, Codes.INITIAL_REQUEST, 0).msisdn("491700000013").mscc(10, Unit.BYTES, 10_000L, null)
                .mscc(20, Unit.BYTES, 5_000L, null));
        DiameterMessage first = h.send(pgw, h.ccr(sid, Codes.UPDATE_REQUEST, 1)
                .mscc(10, Unit.BYTES, 10_000L, 7_000L).mscc(20, Unit.BYTES, 5_000L, 1_000L));
        long afterFirst = h.available(account, Unit.BYTES);
        assertThat(afterFirst).isEqualTo(100_000 - 8_000 - 15_000);

        // the server goes away with its session memory; the ledger keeps the tagged grants
        h.close();
        h = new CcHarness(dir, CreditControlConfig.defaults());
        DiameterClient again = h.connect();
        DiameterMessage retransmitted = h.send(again, h.ccr(sid, Codes.UPDATE_REQUEST, 1)
                .mscc(10, Unit.BYTES, 10_000L, 7_000L).mscc(20, Unit.BYTES, 5_000L, 1_000L).retransmitted());
        assertThat(retransmitted.avps()).isEqualTo(first.avps());
        assertThat(h.available(account, Unit.BYTES)).isEqualTo(afterFirst);

        DiameterMessage next = h.send(again, h.ccr(sid, Codes.UPDATE_REQUEST, 2)
                .mscc(10, Unit.BYTES, 10_000L, 10_000L).mscc(20, Unit.BYTES, 5_000L, 2_000L));
        assertThat(msccResult(next, 10)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(granted(next, 10)).isEqualTo(10_000);
        DiameterMessage t = h.send(again, h.ccr(sid, Codes.TERMINATION_REQUEST, 3)
                .mscc(10, Unit.BYTES, null, 4_000L).mscc(20, Unit.BYTES, null, 0L));
        assertThat(resultCode(t)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(h.available(account, Unit.BYTES)).isEqualTo(100_000 - 7_000 - 1_000 - 10_000 - 2_000 - 4_000);
        assertThat(h.openReservations()).isZero();
        // a session nobody holds grants for stays unknown
        DiameterMessage unknown = h.send(again, h.ccr("pgw;restart;2", Codes.UPDATE_REQUEST, 1)
                .mscc(10, Unit.BYTES, 10_000L, 7_000L));
        assertThat(resultCode(unknown)).isEqualTo(Codes.DIAMETER_UNKNOWN_SESSION_ID);
    }

    @Test
    void aTerminateSentBeforeTheInitialAnswerWasReadIsServedInOrder() throws Exception {
        start();
        String account = h.subscriber("491700000006", Unit.BYTES, 200_000); // every grant held at once
        DiameterClient pgw = h.connect();
        // many sessions at once: the CCR-T overtook its CCR-I in about one session out of five (5002)
        int sessions = 50;
        List<CompletableFuture<DiameterMessage>> answers = new ArrayList<>();
        for (int n = 0; n < sessions; n++) {
            String sid = "pgw;fast;" + n;
            answers.add(pgw.send(h.ccr(sid, Codes.INITIAL_REQUEST, 0).msisdn("491700000006")
                    .mscc(10, Unit.BYTES, 3_000L, null).build(2 * n + 1)));
            answers.add(pgw.send(h.ccr(sid, Codes.TERMINATION_REQUEST, 1)
                    .mscc(10, Unit.BYTES, null, 1_000L).build(2 * n + 2)));
        }
        for (CompletableFuture<DiameterMessage> answer : answers) {
            assertThat(resultCode(answer.get(10, TimeUnit.SECONDS))).isEqualTo(Codes.DIAMETER_SUCCESS);
        }
        assertThat(h.available(account, Unit.BYTES)).isEqualTo(200_000 - sessions * 1_000);
        assertThat(h.openReservations()).isZero();
    }

    @Test
    void aSessionWhosePeerDisappearsGivesItsReservationBackAfterExpiry() throws Exception {
        start(CreditControlConfig.defaults().withValidity(1, 0));
        String account = h.subscriber("491700000007", Unit.BYTES, 10_000);
        DiameterClient pgw = h.connect();
        DiameterMessage i = h.send(pgw, h.ccr("pgw;gone;1", Codes.INITIAL_REQUEST, 0).msisdn("491700000007")
                .mscc(10, Unit.BYTES, 8_000L, null));
        assertThat(granted(i, 10)).isEqualTo(8_000);
        assertThat(CcHarness.member(CcHarness.mscc(i, 10), Codes.VALIDITY_TIME).unsigned32()).isEqualTo(1);
        pgw.closeFuture();
        pgw.sendRaw(new byte[0]);
        pgw.close();
        assertThat(h.available(account, Unit.BYTES)).isEqualTo(2_000);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (h.available(account, Unit.BYTES) != 10_000 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(h.available(account, Unit.BYTES)).isEqualTo(10_000);
        // a late update of the silent session finds nothing to charge against, and no double credit
        DiameterClient back = h.connect();
        DiameterMessage late = h.send(back, h.ccr("pgw;gone;1", Codes.UPDATE_REQUEST, 1)
                .mscc(10, Unit.BYTES, 1_000L, 500L));
        assertThat(resultCode(late)).isIn(Codes.DIAMETER_SUCCESS, Codes.DIAMETER_UNKNOWN_SESSION_ID);
        assertThat(h.available(account, Unit.BYTES)).isLessThanOrEqualTo(10_000);
    }

    @Test
    void anEmptyRequestedServiceUnitGetsTheDefaultQuota() throws Exception {
        start(CreditControlConfig.defaults().withRatingGroupQuotas(Map.of(10L,
                new CreditControlConfig.Quota(Unit.BYTES, 2_000_000))));
        h.subscriber("491700000008", Unit.BYTES, 100_000_000);
        DiameterClient pgw = h.connect();
        DiameterMessage i = h.send(pgw, h.ccr("pgw;default;1", Codes.INITIAL_REQUEST, 0).msisdn("491700000008")
                .mscc(10, Unit.BYTES, 0L, null).mscc(11, Unit.BYTES, 0L, null));
        assertThat(granted(i, 10)).isEqualTo(2_000_000);
        assertThat(granted(i, 11)).isEqualTo(1L << 20); // the PS service-context default
        DiameterMessage timeForData = h.send(pgw, h.ccr("pgw;default;2", Codes.INITIAL_REQUEST, 0)
                .msisdn("491700000008").mscc(10, Unit.SECONDS, 60L, null));
        assertThat(msccResult(timeForData, 10)).isEqualTo(Codes.DIAMETER_RATING_FAILED);
    }

    @Test
    void singleServiceSessionsUseTopLevelUnits() throws Exception {
        start();
        String account = h.subscriber("491700000009", Unit.SECONDS, 500);
        DiameterClient pgw = h.connect();
        DiameterMessage i = h.send(pgw, h.ccr("ims;single;1", Codes.INITIAL_REQUEST, 0).serviceContext(IMS)
                .msisdn("491700000009").single(Unit.SECONDS, 120L, null));
        assertThat(resultCode(i)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(amountOf(i.find(Codes.GRANTED_SERVICE_UNIT, 0).orElseThrow())).isEqualTo(120);
        DiameterMessage t = h.send(pgw, h.ccr("ims;single;1", Codes.TERMINATION_REQUEST, 1).serviceContext(IMS)
                .single(Unit.SECONDS, null, 75L));
        assertThat(resultCode(t)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(h.available(account, Unit.SECONDS)).isEqualTo(425);
    }

    @Test
    void eventsDebitRefundCheckBalanceAndEnquirePrice() throws Exception {
        start();
        String account = h.subscriber("491700000010", Unit.SERVICE_UNITS, 3);
        h.apply(new io.credence.ledger.Operation.TopUp("system", account, Unit.MONEY, 500, null));
        DiameterClient pgw = h.connect();
        String sms = CreditControlConfig.CONTEXT_SMS;
        DiameterMessage debit = h.send(pgw, h.ccr("sms;1", Codes.EVENT_REQUEST, 0).serviceContext(sms)
                .msisdn("491700000010").requestedAction(Codes.DIRECT_DEBITING).single(Unit.SERVICE_UNITS, 2L, null));
        assertThat(resultCode(debit)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(h.available(account, Unit.SERVICE_UNITS)).isEqualTo(1);
        DiameterMessage tooMuch = h.send(pgw, h.ccr("sms;2", Codes.EVENT_REQUEST, 0).serviceContext(sms)
                .msisdn("491700000010").requestedAction(Codes.DIRECT_DEBITING).single(Unit.SERVICE_UNITS, 2L, null));
        assertThat(resultCode(tooMuch)).isEqualTo(Codes.DIAMETER_CREDIT_LIMIT_REACHED);
        assertThat(h.available(account, Unit.SERVICE_UNITS)).isEqualTo(1);
        DiameterMessage refund = h.send(pgw, h.ccr("sms;3", Codes.EVENT_REQUEST, 0).serviceContext(sms)
                .msisdn("491700000010").requestedAction(Codes.REFUND_ACCOUNT).single(Unit.SERVICE_UNITS, 2L, null));
        assertThat(resultCode(refund)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(h.available(account, Unit.SERVICE_UNITS)).isEqualTo(3);
        DiameterMessage check = h.send(pgw, h.ccr("sms;4", Codes.EVENT_REQUEST, 0).serviceContext(sms)
                .msisdn("491700000010").requestedAction(Codes.CHECK_BALANCE).single(Unit.SERVICE_UNITS, 5L, null));
        assertThat(check.find(Codes.CHECK_BALANCE_RESULT, 0).orElseThrow().integer32()).isEqualTo(1); // NO_CREDIT
        DiameterMessage price = h.send(pgw, h.ccr("sms;5", Codes.EVENT_REQUEST, 0).serviceContext(sms)
                .msisdn("491700000010").requestedAction(Codes.PRICE_ENQUIRY).single(Unit.MONEY, 250L, null));
        assertThat(resultCode(price)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(price.find(Codes.COST_INFORMATION, 0)).isPresent();
        DiameterMessage unrated = h.send(pgw, h.ccr("sms;6", Codes.EVENT_REQUEST, 0).serviceContext(sms)
                .msisdn("491700000010").requestedAction(Codes.PRICE_ENQUIRY).single(Unit.SERVICE_UNITS, 1L, null));
        assertThat(resultCode(unrated)).isEqualTo(Codes.DIAMETER_RATING_FAILED);
        // a retransmitted event is answered again without a second debit
        DiameterMessage again = h.send(pgw, h.ccr("sms;1", Codes.EVENT_REQUEST, 0).serviceContext(sms)
                .msisdn("491700000010").requestedAction(Codes.DIRECT_DEBITING).single(Unit.SERVICE_UNITS, 2L, null)
                .retransmitted());
        assertThat(again.avps()).isEqualTo(debit.avps());
        assertThat(h.available(account, Unit.SERVICE_UNITS)).isEqualTo(3);
        assertThat(h.available(account, Unit.MONEY)).isEqualTo(500);
    }

    @Test
    void badRequestsGetPreciseErrorsAndChangeNothing() throws Exception {
        start();
        String account = h.subscriber("491700000011", Unit.BYTES, 10_000);
        DiameterClient pgw = h.connect();
        long transfersBefore = h.lastTransferSeq();

        DiameterMessage unknownUser = h.send(pgw, h.ccr("pgw;bad;1", Codes.INITIAL_REQUEST, 0).msisdn("999")
                .mscc(10, Unit.BYTES, 100L, null));
        assertThat(resultCode(unknownUser)).isEqualTo(Codes.DIAMETER_USER_UNKNOWN);

        DiameterMessage noSubscription = h.send(pgw, h.ccr("pgw;bad;2", Codes.INITIAL_REQUEST, 0)
                .mscc(10, Unit.BYTES, 100L, null));
        assertThat(resultCode(noSubscription)).isEqualTo(Codes.DIAMETER_MISSING_AVP);
        assertThat(failedAvpCode(noSubscription)).isEqualTo(Codes.SUBSCRIPTION_ID);

        DiameterMessage badType = h.send(pgw, h.ccr("pgw;bad;3", 9, 0).msisdn("491700000011"));
        assertThat(resultCode(badType)).isEqualTo(Codes.DIAMETER_INVALID_AVP_VALUE);
        assertThat(failedAvpCode(badType)).isEqualTo(Codes.CC_REQUEST_TYPE);

        DiameterMessage unknownSession = h.send(pgw, h.ccr("pgw;never;1", Codes.UPDATE_REQUEST, 1)
                .mscc(10, Unit.BYTES, 100L, 50L));
        assertThat(resultCode(unknownSession)).isEqualTo(Codes.DIAMETER_UNKNOWN_SESSION_ID);

        DiameterMessage unsupported = h.send(pgw, h.ccr("pgw;bad;4", Codes.INITIAL_REQUEST, 0).msisdn("491700000011")
                .avp(Avps.unsigned32(9999, 0, true, 1)));
        assertThat(resultCode(unsupported)).isEqualTo(Codes.DIAMETER_AVP_UNSUPPORTED);
        assertThat(failedAvpCode(unsupported)).isEqualTo(9999);

        DiameterMessage wrongShape = h.send(pgw, h.ccr("pgw;bad;5", Codes.INITIAL_REQUEST, 0).msisdn("491700000011")
                .avp(new Avp(Codes.RATING_GROUP, Avp.FLAG_MANDATORY, 0, new byte[3])));
        assertThat(resultCode(wrongShape)).isEqualTo(Codes.DIAMETER_INVALID_AVP_VALUE);
        assertThat(failedAvpCode(wrongShape)).isEqualTo(Codes.RATING_GROUP);

        assertThat(h.available(account, Unit.BYTES)).isEqualTo(10_000);
        assertThat(h.lastTransferSeq()).isEqualTo(transfersBefore);
        assertThat(h.openReservations()).isZero();
    }

    @Test
    void aDebitOrRefundOfZeroUnitsMovesNothingAndIsNoInternalError() throws Exception {
        start();
        String account = h.subscriber("491700000013", Unit.SERVICE_UNITS, 3);
        DiameterClient pgw = h.connect();
        String sms = CreditControlConfig.CONTEXT_SMS;
        long transfersBefore = h.lastTransferSeq();
        Avp zero = Avps.long64(Codes.CC_SERVICE_SPECIFIC_UNITS, 0, true, 0);
        // both once failed inside the server (a null grant, a ledger amount of 0) and were answered 5012
        DiameterMessage debit = h.send(pgw, h.ccr("sms;zero;1", Codes.EVENT_REQUEST, 0).serviceContext(sms)
                .msisdn("491700000013").requestedAction(Codes.DIRECT_DEBITING)
                .avp(Avps.grouped(Codes.REQUESTED_SERVICE_UNIT, 0, true, List.of(zero))));
        assertThat(resultCode(debit)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(debit.find(Codes.GRANTED_SERVICE_UNIT, 0)).isEmpty();
        DiameterMessage refund = h.send(pgw, h.ccr("sms;zero;2", Codes.EVENT_REQUEST, 0).serviceContext(sms)
                .msisdn("491700000013").requestedAction(Codes.REFUND_ACCOUNT)
                .avp(Avps.grouped(Codes.USED_SERVICE_UNIT, 0, true, List.of(zero))));
        assertThat(resultCode(refund)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(h.available(account, Unit.SERVICE_UNITS)).isEqualTo(3);
        assertThat(h.lastTransferSeq()).isEqualTo(transfersBefore);
    }

    @Test
    void moreServicesThanTheBoundAreRefusedBeforeTheLedgerIsAsked() throws Exception {
        start();
        String account = h.subscriber("491700000014", Unit.BYTES, 1L << 30);
        DiameterClient pgw = h.connect();
        CcrBuilder tooMany = h.ccr("pgw;many;1", Codes.INITIAL_REQUEST, 0).msisdn("491700000014");
        for (int ratingGroup = 1; ratingGroup <= CcRequest.SERVICES_PER_REQUEST_MAX + 1; ratingGroup++) {
            tooMany.mscc(ratingGroup, Unit.BYTES, 1_000L, null);
        }
        DiameterMessage answer = h.send(pgw, tooMany);
        assertThat(resultCode(answer)).isEqualTo(Codes.DIAMETER_AVP_OCCURS_TOO_MANY_TIMES);
        Avp failed = answer.find(Codes.FAILED_AVP, 0).orElseThrow().grouped().get(0);
        assertThat(CcHarness.member(failed.grouped(), Codes.RATING_GROUP).unsigned32())
                .isEqualTo(CcRequest.SERVICES_PER_REQUEST_MAX + 1);
        assertThat(h.openReservations()).isZero();
        assertThat(h.available(account, Unit.BYTES)).isEqualTo(1L << 30);
    }

    @Test
    void reAuthAndAbortReachTheClientAndTheirAnswersAreReported() throws Exception {
        start();
        h.subscriber("491700000012", Unit.BYTES, 10_000);
        List<DiameterMessage> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        DiameterClient pgw = h.connect(request -> {
            received.add(request);
            long result = request.commandCode() == Codes.RE_AUTH ? Codes.DIAMETER_LIMITED_SUCCESS : Codes.DIAMETER_SUCCESS;
            return request.answer(List.of(request.find(Codes.SESSION_ID, 0).orElseThrow(),
                    Avps.unsigned32(Codes.RESULT_CODE, 0, true, result),
                    Avps.utf8(Codes.ORIGIN_HOST, 0, true, CcHarness.PGW.originHost()),
                    Avps.utf8(Codes.ORIGIN_REALM, 0, true, CcHarness.PGW.originRealm())));
        });
        String sid = "pgw;rar;1";
        h.send(pgw, h.ccr(sid, Codes.INITIAL_REQUEST, 0).msisdn("491700000012").mscc(10, Unit.BYTES, 100L, null));
        assertThat(h.cc.reAuthorize(sid).get(5, TimeUnit.SECONDS)).isEqualTo(Codes.DIAMETER_LIMITED_SUCCESS);
        assertThat(h.cc.abort(sid).get(5, TimeUnit.SECONDS)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(received).extracting(DiameterMessage::commandCode).containsExactly(Codes.RE_AUTH, Codes.ABORT_SESSION);
        assertThat(received.get(0).find(Codes.SESSION_ID, 0).orElseThrow().utf8()).isEqualTo(sid);
        assertThat(received.get(0).find(Codes.DESTINATION_HOST, 0).orElseThrow().utf8())
                .isEqualTo(CcHarness.PGW.originHost());
        assertThat(h.sessions(10)).extracting(io.credence.charging.ChargingEngine.SessionView::sessionId).containsExactly(sid);
    }

    @Test
    void aFullLedgerQueueAnswersTooBusyAndChangesNothingUntilTheRetry() throws Exception {
        h = new CcHarness(dir, CreditControlConfig.defaults(), io.credence.journal.JournalConfig.DEFAULTS.withQueueMax(2));
        String account = h.subscriber("491700000014", Unit.BYTES, 1_000_000);
        DiameterClient pgw = h.connect();
        int sessions = 300;
        List<CompletableFuture<DiameterMessage>> answers = new ArrayList<>();
        List<DiameterMessage> requests = new ArrayList<>();
        for (int s = 0; s < sessions; s++) {
            DiameterMessage request = h.ccr("pgw;busy;" + s, Codes.INITIAL_REQUEST, 0).msisdn("491700000014")
                    .mscc(10, Unit.BYTES, 1_000L, null).build(s + 1);
            requests.add(request);
            answers.add(pgw.send(request));
        }
        List<Integer> busy = new ArrayList<>();
        long granted = 0;
        for (int s = 0; s < sessions; s++) {
            DiameterMessage answer = answers.get(s).get(10, TimeUnit.SECONDS);
            if (resultCode(answer) == Codes.DIAMETER_TOO_BUSY) {
                assertThat(answer.isError()).isTrue();
                busy.add(s);
            } else {
                assertThat(resultCode(answer)).isEqualTo(Codes.DIAMETER_SUCCESS);
                granted += granted(answer, 10);
            }
        }
        assertThat(busy).as("a queue of 2 cannot take 300 sessions at once").isNotEmpty();
        assertThat(h.openReservations()).isEqualTo(sessions - busy.size());
        assertThat(h.available(account, Unit.BYTES)).isEqualTo(1_000_000 - granted);
        for (int s : busy) { // the gateway retries what was busy, one at a time
            DiameterMessage retry = requests.get(s);
            DiameterMessage answer = pgw.send(new DiameterMessage(retry.flags() | DiameterMessage.FLAG_RETRANSMITTED,
                    retry.commandCode(), retry.applicationId(), 0, retry.endToEnd(), retry.avps())).get(10, TimeUnit.SECONDS);
            assertThat(resultCode(answer)).isEqualTo(Codes.DIAMETER_SUCCESS);
        }
        assertThat(h.openReservations()).isEqualTo(sessions);
        assertThat(h.available(account, Unit.BYTES)).isEqualTo(1_000_000 - sessions * 1_000L);
    }

    @Test
    void behindARelayReAuthIsAddressedToTheClientAndSentOverThePeerItCameFrom() throws Exception {
        start();
        h.subscriber("491700000015", Unit.BYTES, 10_000);
        List<DiameterMessage> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        // the connected peer relays for a gateway of another realm: its CCR keeps the gateway's Origin-Host
        DiameterClient relay = h.connect(request -> {
            received.add(request);
            return request.answer(List.of(request.find(Codes.SESSION_ID, 0).orElseThrow(),
                    Avps.unsigned32(Codes.RESULT_CODE, 0, true, Codes.DIAMETER_SUCCESS),
                    Avps.utf8(Codes.ORIGIN_HOST, 0, true, "pgw.behind.test"),
                    Avps.utf8(Codes.ORIGIN_REALM, 0, true, "behind.test")));
        });
        String sid = "pgw.behind.test;rar;1";
        DiameterMessage i = h.send(relay, CcrBuilder.request(sid, "pgw.behind.test", "behind.test",
                CcHarness.OCS.originRealm(), Codes.INITIAL_REQUEST, 0).msisdn("491700000015")
                .mscc(10, Unit.BYTES, 100L, null).avp(Avps.utf8(Codes.ROUTE_RECORD, 0, true, CcHarness.PGW.originHost())));
        assertThat(resultCode(i)).isEqualTo(Codes.DIAMETER_SUCCESS);

        assertThat(h.cc.reAuthorize(sid).get(5, TimeUnit.SECONDS)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(h.cc.abort(sid).get(5, TimeUnit.SECONDS)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(received).hasSize(2).allSatisfy(request -> {
            assertThat(request.find(Codes.DESTINATION_HOST, 0).orElseThrow().utf8()).isEqualTo("pgw.behind.test");
            assertThat(request.find(Codes.DESTINATION_REALM, 0).orElseThrow().utf8()).isEqualTo("behind.test");
        });
        assertThat(h.session(sid).orElseThrow().origin().peerHost()).isEqualTo(CcHarness.PGW.originHost());
    }

    @Test
    void everyAnswerCarriesTheRequestsProxyInfoInItsOrder() throws Exception {
        start();
        h.subscriber("491700000016", Unit.BYTES, 10_000);
        DiameterClient pgw = h.connect();
        Avp first = proxyInfo("proxy1.test", "state-1");
        Avp second = proxyInfo("proxy2.test", "state-2");

        DiameterMessage granted = h.send(pgw, h.ccr("pgw;proxy;1", Codes.INITIAL_REQUEST, 0).msisdn("491700000016")
                .mscc(10, Unit.BYTES, 100L, null).avp(first).avp(second));
        DiameterMessage unknownUser = h.send(pgw, h.ccr("pgw;proxy;2", Codes.INITIAL_REQUEST, 0).msisdn("491709999999")
                .avp(first).avp(second));
        DiameterMessage missing = h.send(pgw, h.ccr("pgw;proxy;3", Codes.INITIAL_REQUEST, 0).avp(first).avp(second));
        DiameterMessage retransmitted = h.send(pgw, h.ccr("pgw;proxy;1", Codes.INITIAL_REQUEST, 0)
                .msisdn("491700000016").mscc(10, Unit.BYTES, 100L, null).retransmitted().avp(second));
        DiameterMessage notCreditControl = pgw.send(new DiameterMessage(
                DiameterMessage.FLAG_REQUEST | DiameterMessage.FLAG_PROXIABLE, 275, Codes.APP_CREDIT_CONTROL, 0, 99,
                List.of(Avps.utf8(Codes.SESSION_ID, 0, true, "pgw;proxy;4"), first, second))).get(5, TimeUnit.SECONDS);

        assertThat(resultCode(granted)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(resultCode(unknownUser)).isEqualTo(Codes.DIAMETER_USER_UNKNOWN);
        assertThat(resultCode(missing)).isEqualTo(Codes.DIAMETER_MISSING_AVP);
        assertThat(resultCode(notCreditControl)).isEqualTo(Codes.DIAMETER_COMMAND_UNSUPPORTED);
        assertThat(notCreditControl.isError()).isTrue();
        for (DiameterMessage answer : List.of(granted, unknownUser, missing, notCreditControl)) {
            assertThat(answer.findAll(Codes.PROXY_INFO, 0)).containsExactly(first, second);
        }
        assertThat(retransmitted.findAll(Codes.PROXY_INFO, 0)).containsExactly(second);
        assertThat(granted.flags() & DiameterMessage.FLAG_PROXIABLE).isNotZero();
    }

    static Avp proxyInfo(String host, String state) {
        return Avps.grouped(Codes.PROXY_INFO, 0, true, List.of(Avps.utf8(Codes.PROXY_HOST, 0, true, host),
                Avps.octets(Codes.PROXY_STATE, 0, true, state.getBytes(java.nio.charset.StandardCharsets.US_ASCII))));
    }

    private static long failedAvpCode(DiameterMessage answer) {
        return answer.find(Codes.FAILED_AVP, 0).orElseThrow().grouped().get(0).code();
    }
}
