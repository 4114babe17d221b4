package io.credence.charging;

import io.credence.charging.DataShare.Status;
import io.credence.charging.ShareAnswers.Refusal;
import io.credence.ledger.AccountKind;
import io.credence.ledger.AccountStatus;
import io.credence.ledger.ByteArrayDataInput;
import io.credence.ledger.ByteArrayDataOutput;
import io.credence.ledger.Command;
import io.credence.ledger.Ids;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Operation;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;
import io.credence.records.UsageRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Data shares in the engine: the share and its holds change in one command; totals are cumulative,
 * so nothing is settled twice; lapsed holds end a share; retries, limits and snapshots.
 */
class ShareDeskTest {
    private static final long T = 1_767_225_600_000L; // 2026-01-01T00:00Z, the start of a UTC day
    private static final long MB = 1_000_000;
    private static final ServiceRef DATA = ServiceRef.ratingGroup(10);
    private static final ShareTerms TERMS = new ShareTerms(DATA, Ids.SYSTEM_ACCOUNT, 60_000, 3, 3_600_000);
    private ChargingEngine engine;

    @BeforeEach
    void engine() {
        engine = new ChargingEngine(LedgerLimits.DEFAULTS, CatalogReader.NONE);
        for (String account : new String[] {"alice", "bob"}) {
            ledger(new Operation.CreateAccount(account, AccountKind.SUBSCRIBER, Map.of()));
            ledger(new Operation.TopUp(Ids.SYSTEM_ACCOUNT, account, Unit.BYTES, 10 * MB, null));
            ledger(new Operation.TopUp(Ids.SYSTEM_ACCOUNT, account, Unit.MONEY, 1_000, null));
        }
    }

    private void ledger(Operation operation) {
        assertThat(engine.apply(new Command("c" + System.nanoTime(), operation), T).accepted()).isTrue();
    }

    private ShareAnswers.Open open(String request, long bytes, long price, long maxPerDay, long at) {
        return open(request, "sim-alice", "alice", "sim-bob", "bob", bytes, price, maxPerDay, at);
    }

    private ShareAnswers.Open open(String request, String supplierSim, String supplierAccount, String borrowerSim,
                                   String borrowerAccount, long bytes, long price, long maxPerDay, long at) {
        return ((EngineOutcome.ShareOpened) engine.apply(new EngineCommand.OpenShare("id-" + request, "bs/" + request,
                "bs", supplierSim, supplierAccount, borrowerSim, borrowerAccount, bytes, true, maxPerDay, price,
                TERMS), at)).answer();
    }

    private EngineOutcome.ShareMetered meter(String id, long total, boolean last, long at) {
        return (EngineOutcome.ShareMetered) engine.apply(new EngineCommand.MeterShare(id, "bs", total, last, TERMS), at);
    }

    private long available(String account, Unit unit) {
        return engine.ledger().available(account, unit, unit == Unit.BYTES ? DATA : ServiceRef.ANY).orElseThrow();
    }

    @Test
    void reportsSettleWhatIsNewAndHoldTheRestAndTheFinalOneGivesItBack() {
        ShareAnswers.Opened opened = (ShareAnswers.Opened) open("r1", 3 * MB, 100, 0, T);
        assertThat(opened.again()).isFalse();
        assertThat(available("alice", Unit.BYTES)).as("the supplier's bytes held").isEqualTo(7 * MB);
        assertThat(available("bob", Unit.MONEY)).as("the whole fee held").isEqualTo(700);

        EngineOutcome.ShareMetered first = meter("id-r1", MB, false, T + 1_000);
        assertThat(first.records()).singleElement().satisfies(r -> {
            assertThat(r.rawUnits()).isEqualTo(MB);
            assertThat(r.price()).isEqualTo(100);
            assertThat(r.decision()).isEqualTo(UsageRecord.CHARGED);
        });
        EngineOutcome.ShareMetered again = meter("id-r1", MB, false, T + 2_000);
        assertThat(again.records()).as("the same total settles nothing twice").isEmpty();
        assertThat(((ShareAnswers.Metered) again.answer()).share().usedBytes()).isEqualTo(MB);

        EngineOutcome.ShareMetered last = meter("id-r1", 1_500_000, true, T + 3_000);
        DataShare settled = ((ShareAnswers.Metered) last.answer()).share();
        assertThat(settled.status()).isEqualTo(Status.SETTLED);
        assertThat(settled.feePaid()).isEqualTo(150);
        assertThat(available("alice", Unit.BYTES)).isEqualTo(10 * MB - 1_500_000);
        assertThat(available("alice", Unit.MONEY)).as("the supplier is paid").isEqualTo(1_150);
        assertThat(available("bob", Unit.MONEY)).isEqualTo(850);
        assertThat(engine.ledger().openReservationCount()).isZero();
        assertThat(meter("id-r1", 2 * MB, false, T + 4_000).answer()).as("a late report changes nothing")
                .isInstanceOf(ShareAnswers.Ended.class);
        engine.verifyInvariants();
    }

    @Test
    void aRetriedOpenGetsTheFirstShareAndTotalsNeverGoDown() {
        ShareAnswers.Opened first = (ShareAnswers.Opened) open("r2", MB, 0, 0, T);
        ShareAnswers.Opened again = (ShareAnswers.Opened) open("r2", MB, 0, 0, T + 5);
        assertThat(again.again()).isTrue();
        assertThat(again.share()).isEqualTo(first.share());
        assertThat(available("alice", Unit.BYTES)).as("held once").isEqualTo(9 * MB);
        meter("id-r2", 600_000, false, T + 10);
        assertThat(meter("id-r2", 500_000, false, T + 20).answer()).isInstanceOf(ShareAnswers.BadTotal.class);
        assertThat(((EngineOutcome.ShareMetered) engine.apply(new EngineCommand.MeterShare("id-r2", "another-bs",
                700_000, false, TERMS), T + 30)).answer()).isInstanceOf(ShareAnswers.NotYours.class);
        assertThat(meter("nope", 1, false, T + 40).answer()).isInstanceOf(ShareAnswers.UnknownShare.class);
    }

    @Test
    void withoutReportsTheHoldsLapseAndTheLastReportStands() {
        open("r3", 2 * MB, 10, 0, T);
        meter("id-r3", MB, false, T + 10_000); // holds renewed until T + 70 s
        engine.advanceTo(T + 69_999);
        assertThat(engine.share("id-r3").orElseThrow().status()).isEqualTo(Status.OPEN);
        engine.advanceTo(T + 70_000);
        DataShare expired = engine.share("id-r3").orElseThrow();
        assertThat(expired.status()).isEqualTo(Status.EXPIRED);
        assertThat(expired.usedBytes()).isEqualTo(MB);
        assertThat(available("alice", Unit.BYTES)).as("the rest went back").isEqualTo(9 * MB);
        assertThat(available("bob", Unit.MONEY)).isEqualTo(990);
        engine.advanceTo(T + 70_000 + 3_600_000);
        assertThat(engine.share("id-r3")).as("forgotten after its retention").isEmpty();
        assertThat(engine.shareByRequest("bs/r3")).isEmpty();
        engine.verifyInvariants();
    }

    @Test
    void aShareUsedUpIsCutOffAndSettlesWhenItsWindowCloses() {
        open("r4", MB, 0, 0, T);
        DataShare used = ((ShareAnswers.Metered) meter("id-r4", 2 * MB, false, T + 1).answer()).share();
        assertThat(used.cutOff()).isTrue();
        assertThat(used.endedBy()).isEqualTo("limit");
        assertThat(used.usedBytes()).as("only the limit is settled").isEqualTo(MB);
        assertThat(((ShareAnswers.Metered) meter("id-r4", 2 * MB, false, T + 2).answer()).overLimitBytes())
                .isEqualTo(MB);
        engine.advanceTo(T + 2 + 60_000);
        assertThat(engine.share("id-r4").orElseThrow().status()).isEqualTo(Status.SETTLED);
    }

    @Test
    void refusalsNameTheirReasonAndHoldNothing() {
        assertThat(open("r5", 11 * MB, 0, 0, T)).isEqualTo(new ShareAnswers.Refused(Refusal.SUPPLIER_SHORT,
                "the supplier has 10000000 bytes left, 11000000 asked"));
        assertThat(((ShareAnswers.Refused) open("r6", 5 * MB, 1_000, 0, T)).reason())
                .isEqualTo(Refusal.BORROWER_CANNOT_PAY);
        assertThat(open("r7", 3 * MB, 0, 5 * MB, T)).isInstanceOf(ShareAnswers.Opened.class);
        assertThat(((ShareAnswers.Refused) open("r8", 3 * MB, 0, 5 * MB, T + 1)).reason())
                .isEqualTo(Refusal.DAILY_LIMIT);
        assertThat(open("r9", 3 * MB, 0, 5 * MB, T + 86_400_000)).as("a new day").isInstanceOf(ShareAnswers.Opened.class);
        ledger(new Operation.UpdateAccount("bob", AccountStatus.SUSPENDED, null));
        assertThat(((ShareAnswers.Refused) open("r10", MB, 0, 0, T + 86_400_001)).reason())
                .isEqualTo(Refusal.BORROWER_USER);
        assertThat(engine.ledger().openReservationCount()).as("only r9 holds (r7's holds lapsed)").isEqualTo(1);
    }

    @Test
    void aFullTableForgetsEndedSharesFirstAndRefusesWhenAllAreOpen() {
        open("a", MB, 0, 0, T);
        meter("id-a", 0, true, T + 1);
        open("b", MB, 0, 0, T + 2);
        open("c", MB, 0, 0, T + 3);
        assertThat(open("d", MB, 0, 0, T + 4)).as("the ended share makes room").isInstanceOf(ShareAnswers.Opened.class);
        assertThat(engine.share("id-a")).isEmpty();
        assertThat(((ShareAnswers.Refused) open("e", MB, 0, 0, T + 5)).reason()).isEqualTo(Refusal.SHARES_FULL);
    }

    @Test
    void cancelCutsOffForAPartyOnly() {
        open("r11", MB, 0, 0, T);
        assertThat(engine.apply(new EngineCommand.CancelShare("id-r11", "sim-eve"), T + 1))
                .isEqualTo(new EngineOutcome.ShareCancelled(new ShareAnswers.NotAParty("id-r11")));
        ShareAnswers.CutOff cut = (ShareAnswers.CutOff) ((EngineOutcome.ShareCancelled) engine.apply(
                new EngineCommand.CancelShare("id-r11", "sim-bob"), T + 2)).answer();
        assertThat(cut.share().cutOff()).isTrue();
        assertThat(cut.share().endedBy()).isEqualTo("borrower");
    }

    @Test
    void sharesAreInTheSnapshotAndInTheJournalRecords() throws Exception {
        open("r12", 2 * MB, 50, 4 * MB, T);
        meter("id-r12", MB, false, T + 10);
        open("r13", MB, 0, 4 * MB, T + 20);
        meter("id-r13", 0, true, T + 30);
        engine.apply(new EngineCommand.CancelShare("id-r12", "sim-alice"), T + 40);
        byte[] bytes = snapshot(engine);
        ChargingEngine restored = EngineSnapshot.read(new ByteArrayDataInput(bytes, 0, bytes.length),
                LedgerLimits.DEFAULTS, CatalogReader.NONE);
        assertThat(snapshot(restored)).isEqualTo(bytes);
        assertThat(restored.share("id-r12")).isEqualTo(engine.share("id-r12"));
        assertThat(restored.shareByRequest("bs/r13")).isEqualTo(engine.shareByRequest("bs/r13"));
        assertThat(((ShareAnswers.Refused) ((EngineOutcome.ShareOpened) restored.apply(new EngineCommand.OpenShare(
                "id-r14", "bs/r14", "bs", "sim-alice", "alice", "sim-bob", "bob", 2 * MB + 1, true, 4 * MB, 0, TERMS),
                T + 50)).answer()).reason()).as("today's agreed bytes came back too").isEqualTo(Refusal.DAILY_LIMIT);
        for (EngineCommand c : new EngineCommand[] {
                new EngineCommand.OpenShare("i", "bs/i", "bs", "s", "alice", "b", "bob", 7, false, 9, 3, TERMS),
                new EngineCommand.MeterShare("i", "bs", 5, true, TERMS), new EngineCommand.CancelShare("i", "s")}) {
            byte[] encoded = EngineCodec.encode(c);
            assertThat(EngineCodec.read(encoded, 0, encoded.length)).isEqualTo(c);
        }
    }

    private static byte[] snapshot(ChargingEngine engine) throws Exception {
        ByteArrayDataOutput out = new ByteArrayDataOutput(1024);
        EngineSnapshot.write(engine, out);
        return java.util.Arrays.copyOf(out.array(), out.size());
    }

    // ---------------------------------------------------------------- opening at the exact edge of each limit

    private ShareAnswers.Open open(String request, String supplierSim, String supplierAccount, String borrowerSim,
                                   String borrowerAccount, long bytes, long price, long maxPerDay) {
        return open(request, supplierSim, supplierAccount, borrowerSim, borrowerAccount, bytes, price, maxPerDay, T);
    }

    private ShareAnswers.Open open(String request, long bytes, long price, long maxPerDay) {
        return open(request, bytes, price, maxPerDay, T);
    }

    @Test
    void theSameUserOnBothSidesIsRefused() {
        assertThat(open("r1", "sim-alice", "alice", "sim-alice", "bob", MB, 0, 0))
                .isEqualTo(new ShareAnswers.Refused(Refusal.SAME_TERMINAL, "borrower and supplier are the same user"));
        assertThat(open("r2", "sim-alice", "alice", "sim-other", "alice", MB, 0, 0))
                .isEqualTo(new ShareAnswers.Refused(Refusal.SAME_TERMINAL, "borrower and supplier are the same user"));
    }

    @Test
    void anInactiveSupplierIsRefused() {
        ledger(new Operation.UpdateAccount("alice", AccountStatus.SUSPENDED, null));
        ShareAnswers.Open answer = open("r1", MB, 0, 0);
        assertThat(answer).isInstanceOf(ShareAnswers.Refused.class);
        assertThat(((ShareAnswers.Refused) answer).reason()).isEqualTo(Refusal.SUPPLIER_USER);
        assertThat(((ShareAnswers.Refused) answer).detail()).startsWith("supplier's ");
    }

    @Test
    void theDailyMaximumMayBeReachedButNotPassed() {
        assertThat(open("r1", 3 * MB, 0, 4 * MB)).isInstanceOf(ShareAnswers.Opened.class);
        assertThat(open("r2", MB, 0, 4 * MB)).as("exactly the maximum").isInstanceOf(ShareAnswers.Opened.class);
        assertThat(open("r3", 1, 0, 4 * MB)).isEqualTo(new ShareAnswers.Refused(Refusal.DAILY_LIMIT,
                "the supplier lends at most 4000000 bytes a day; 4000000 are agreed today, 1 asked"));
    }

    @Test
    void theSupplierMayLendAllItHasButNoMore() {
        assertThat(open("r1", 10 * MB + 1, 0, 0)).isEqualTo(new ShareAnswers.Refused(Refusal.SUPPLIER_SHORT,
                "the supplier has 10000000 bytes left, 10000001 asked"));
        assertThat(open("r2", 10 * MB, 0, 0)).isInstanceOf(ShareAnswers.Opened.class);
        assertThat(engine.ledger().available("alice", Unit.BYTES, DATA).orElseThrow()).isZero();
    }

    @Test
    void theBorrowerMayPayAllItHasButNoMore() {
        assertThat(open("r1", 10 * MB, 101, 0)).isEqualTo(new ShareAnswers.Refused(Refusal.BORROWER_CANNOT_PAY,
                "the fee for 10000000 bytes is 1010; the borrower can pay 1000"));
        assertThat(open("r2", 10 * MB, 100, 0)).isInstanceOf(ShareAnswers.Opened.class);
        assertThat(engine.ledger().available("bob", Unit.MONEY, ServiceRef.ANY).orElseThrow()).isZero();
    }

    @Test
    void cancellingAnUnknownOrAlreadyCutOffShare() {
        assertThat(((EngineOutcome.ShareCancelled) engine.apply(new EngineCommand.CancelShare("nope", "sim-bob"), T))
                .answer()).isEqualTo(new ShareAnswers.UnknownShare("nope"));
        DataShare opened = ((ShareAnswers.Opened) open("r1", MB, 0, 0)).share();
        ShareAnswers.CutOff first = (ShareAnswers.CutOff) ((EngineOutcome.ShareCancelled) engine.apply(
                new EngineCommand.CancelShare(opened.id(), "sim-alice"), T + 1)).answer();
        assertThat(first.share().cutOff()).isTrue();
        ShareAnswers.Cancel again = ((EngineOutcome.ShareCancelled) engine.apply(
                new EngineCommand.CancelShare(opened.id(), "sim-bob"), T + 2)).answer();
        assertThat(again).isEqualTo(new ShareAnswers.CutOff(first.share()));
    }
}
