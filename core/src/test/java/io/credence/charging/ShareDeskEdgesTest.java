package io.credence.charging;

import io.credence.charging.DataShare.Status;
import io.credence.charging.ShareAnswers.Refusal;
import io.credence.ledger.AccountKind;
import io.credence.ledger.AccountStatus;
import io.credence.ledger.Command;
import io.credence.ledger.Ids;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Operation;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.TransferRecord;
import io.credence.ledger.Unit;
import io.credence.records.UsageRecord;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Data shares at their edges: who may borrow, the share table's limit, what each report moves
 * between the two users (and what its usage record says), holds that cannot be renewed or taken,
 * and shares lapsing at their deadline, live and after a snapshot.
 */
class ShareDeskEdgesTest {
    private static final long T = 1_767_225_600_000L; // 2026-01-01T00:00Z
    private static final long MB = 1_000_000;
    private static final ServiceRef DATA = ServiceRef.ratingGroup(10);
    private static final ShareTerms TERMS = new ShareTerms(DATA, Ids.SYSTEM_ACCOUNT, 60_000, 3, 3_600_000);
    private ChargingEngine engine = engine(LedgerLimits.DEFAULTS);
    private int commands;

    private ChargingEngine engine(LedgerLimits limits) {
        engine = new ChargingEngine(limits, CatalogReader.NONE);
        for (String account : new String[] {"alice", "bob"}) {
            ledger(new Operation.CreateAccount(account, AccountKind.SUBSCRIBER, Map.of()));
            ledger(new Operation.TopUp(Ids.SYSTEM_ACCOUNT, account, Unit.BYTES, 10 * MB, null));
            ledger(new Operation.TopUp(Ids.SYSTEM_ACCOUNT, account, Unit.MONEY, 1_000, null));
        }
        return engine;
    }

    private void ledger(Operation operation) {
        assertThat(engine.apply(new Command("c" + commands++, operation), T).accepted()).isTrue();
    }

    private ShareAnswers.Open open(String request, long bytes, long price, long at) {
        return open(request, "bob", true, bytes, price, at);
    }

    private ShareAnswers.Open open(String request, String borrower, boolean allowed, long bytes, long price, long at) {
        return ((EngineOutcome.ShareOpened) engine.apply(new EngineCommand.OpenShare("id-" + request, "bs/" + request,
                "bs", "sim-alice", "alice", "sim-bob", borrower, bytes, allowed, 0, price, TERMS), at)).answer();
    }

    private EngineOutcome.ShareMetered meter(String id, long total, boolean last, long at) {
        return (EngineOutcome.ShareMetered) engine.apply(new EngineCommand.MeterShare(id, "bs", total, last, TERMS), at);
    }

    private long available(String account, Unit unit) {
        return engine.ledger().available(account, unit, unit == Unit.BYTES ? DATA : ServiceRef.ANY).orElseThrow();
    }

    @Test
    void aBorrowerTheSupplierDoesNotLendToOrWithoutAnAccountIsRefused() {
        assertThat(open("r1", "bob", false, MB, 0, T)).isEqualTo(new ShareAnswers.Refused(
                Refusal.BORROWER_NOT_ALLOWED, "the supplier does not lend to 'sim-bob'"));
        assertThat(open("r2", "nobody", true, MB, 0, T)).isEqualTo(new ShareAnswers.Refused(
                Refusal.BORROWER_USER, "borrower's account 'nobody' does not exist"));
        assertThat(engine.ledger().openReservationCount()).isZero();
        assertThat(engine.shareByRequest("bs/r1")).isEmpty();
    }

    @Test
    void anEndedShareIsKeptToBeReadWhileTheTableHasRoom() {
        open("a", MB, 0, T);
        meter("id-a", 0, true, T + 1);
        assertThat(open("b", MB, 0, T + 2)).isInstanceOf(ShareAnswers.Opened.class);
        assertThat(engine.share("id-a")).as("two of three places taken: nothing to forget")
                .hasValueSatisfying(s -> assertThat(s.status()).isEqualTo(Status.SETTLED));
        assertThat(engine.shareByRequest("bs/a")).isPresent();
    }

    @Test
    void anInterimReportPaysTheSupplierAndHoldsTheRestOfTheFee() {
        open("r1", 2 * MB, 100, T); // 200 for all of it
        EngineOutcome.ShareMetered first = meter("id-r1", 500_000, false, T + 1_000);
        UsageRecord record = first.records().getFirst();
        assertThat(record.decision()).isEqualTo(UsageRecord.CHARGED);
        assertThat(record.price()).isEqualTo(50);
        assertThat(record.balances()).containsExactly(
                new UsageRecord.BalanceChange("alice", Unit.BYTES, -500_000),
                new UsageRecord.BalanceChange("bob", Unit.MONEY, -50),
                new UsageRecord.BalanceChange("alice", Unit.MONEY, 50));
        assertThat(available("alice", Unit.MONEY)).isEqualTo(1_050);
        assertThat(available("bob", Unit.MONEY)).as("50 paid, 150 held for the rest").isEqualTo(800);
        assertThat(available("alice", Unit.BYTES)).as("500 kB used, 1.5 MB held").isEqualTo(8 * MB);
        assertThat(engine.ledger().openReservationTagged(ShareDesk.feeTag("id-r1")).orElseThrow().amount())
                .isEqualTo(150);
        engine.verifyInvariants();
    }

    @Test
    void aFreeShareRecordsOnlyTheSuppliersBytes() {
        open("r1", MB, 0, T);
        UsageRecord record = meter("id-r1", 300_000, false, T + 1_000).records().getFirst();
        assertThat(record.decision()).isEqualTo(UsageRecord.FREE);
        assertThat(record.price()).isZero();
        assertThat(record.balances()).containsExactly(new UsageRecord.BalanceChange("alice", Unit.BYTES, -300_000));
    }

    @Test
    void aFeeRoundedUpToItsWholeIsNotHeldAgain() {
        open("r1", MB, 1, T); // 1 minor unit for the whole MB, and for its first byte already
        EngineOutcome.ShareMetered first = meter("id-r1", 1, false, T + 1_000);
        assertThat(first.records().getFirst().price()).isEqualTo(1);
        assertThat(available("bob", Unit.MONEY)).isEqualTo(999);
        assertThat(engine.ledger().openReservationTagged(ShareDesk.feeTag("id-r1"))).as("nothing left to pay")
                .isEmpty();
        assertThat(engine.ledger().openReservationCount()).as("only the bytes").isEqualTo(1);
        DataShare settled = ((ShareAnswers.Metered) meter("id-r1", MB, true, T + 2_000).answer()).share();
        assertThat(settled.feePaid()).isEqualTo(1);
        assertThat(available("bob", Unit.MONEY)).isEqualTo(999);
    }

    @Test
    void theFinalReportsTransferNamesTheFinalReport() {
        open("r1", 2 * MB, 0, T);
        meter("id-r1", 500_000, false, T + 1_000);
        meter("id-r1", 1_500_000, true, T + 2_000);
        List<TransferRecord> transfers = engine.ledger().transfers("alice", Long.MAX_VALUE, 10).orElseThrow();
        assertThat(transfers).filteredOn(t -> t.requestId() != null && t.requestId().startsWith("share.id-r1.m"))
                .extracting(TransferRecord::requestId, TransferRecord::amount)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("share.id-r1.m1500000.final", 1_000_000L),
                        org.assertj.core.groups.Tuple.tuple("share.id-r1.m500000", 500_000L));
    }

    @Test
    void aSupplierSuspendedMidShareGetsNoNewHoldAndTheShareEndsAtTheNextReport() {
        open("r1", 2 * MB, 10, T);
        meter("id-r1", MB, false, T + 1_000);
        ledger(new Operation.UpdateAccount("alice", AccountStatus.SUSPENDED, null));
        EngineOutcome.ShareMetered second = meter("id-r1", 1_500_000, false, T + 2_000);
        DataShare share = ((ShareAnswers.Metered) second.answer()).share();
        assertThat(share.status()).isEqualTo(Status.OPEN);
        assertThat(share.usedBytes()).isEqualTo(1_500_000);
        assertThat(share.deadlineMillis()).as("not renewed: its lifetime from this report").isEqualTo(T + 62_000);
        assertThat(engine.ledger().openReservationTagged(ShareDesk.bytesTag("id-r1"))).isEmpty();
        engine.verifyInvariants(); // an open share without a hold is not a broken one

        EngineOutcome.ShareMetered third = meter("id-r1", 1_600_000, false, T + 3_000);
        assertThat(third.records()).isEmpty();
        DataShare ended = ((ShareAnswers.Ended) third.answer()).share();
        assertThat(ended.status()).isEqualTo(Status.EXPIRED);
        assertThat(ended.usedBytes()).as("what the last report settled stands").isEqualTo(1_500_000);
        assertThat(ended.feePaid()).isEqualTo(15);
        assertThat(available("bob", Unit.MONEY)).as("the rest of the fee went back").isEqualTo(985);
        assertThat(engine.ledger().openReservationCount()).isZero();
        engine.verifyInvariants();
    }

    @Test
    void holdsTheLedgerCannotTakeRefuseTheShareAndLeaveNothingHeld() {
        engine(new LedgerLimits(1_000, 32, 1, 24 * 3600_000L, 1_000, 15 * 60_000L, 1_000));
        ShareAnswers.Refused fee = (ShareAnswers.Refused) open("r1", MB, 100, T);
        assertThat(fee.reason()).isEqualTo(Refusal.BORROWER_CANNOT_PAY);
        assertThat(fee.detail()).startsWith("the fee for 1000000 bytes is 100: ");
        assertThat(engine.ledger().openReservationCount()).as("the supplier's bytes released again").isZero();
        assertThat(available("alice", Unit.BYTES)).isEqualTo(10 * MB);
        assertThat(open("r2", MB, 0, T)).isInstanceOf(ShareAnswers.Opened.class); // takes the one reservation
        ShareAnswers.Refused bytes = (ShareAnswers.Refused) open("r3", MB, 0, T);
        assertThat(bytes.reason()).isEqualTo(Refusal.SUPPLIER_SHORT);
        assertThat(engine.shareByRequest("bs/r3")).isEmpty();
        assertThat(engine.ledger().openReservationCount()).isEqualTo(1);
    }

    @Test
    void sharesLapsedAtTheirDeadlineFreeTheirPlacesInTheTable() {
        for (String r : new String[] {"a", "b", "c"}) {
            assertThat(open(r, MB, 0, T)).isInstanceOf(ShareAnswers.Opened.class);
        }
        assertThat(((ShareAnswers.Refused) open("d", MB, 0, T + 1)).reason()).isEqualTo(Refusal.SHARES_FULL);
        engine.advanceTo(T + 59_999);
        assertThat(engine.share("id-a").orElseThrow().status()).isEqualTo(Status.OPEN);
        engine.advanceTo(T + 60_000);
        assertThat(engine.share("id-a").orElseThrow().status()).isEqualTo(Status.EXPIRED);
        for (String r : new String[] {"e", "f", "g"}) {
            assertThat(open(r, MB, 0, T + 60_001)).as(r).isInstanceOf(ShareAnswers.Opened.class);
        }
        assertThat(engine.share("id-a")).as("forgotten to make room").isEmpty();
        assertThat(((ShareAnswers.Refused) open("h", MB, 0, T + 60_002)).reason()).isEqualTo(Refusal.SHARES_FULL);
    }

    @Test
    void aRestoredTableCountsOnlyItsOpenSharesAgainstTheLimit() throws Exception {
        open("a", MB, 0, T);
        open("b", MB, 0, T);
        open("c", MB, 0, T);
        meter("id-c", 100, true, T + 1);
        engine = EngineSnapshotTest.read(EngineSnapshotTest.snapshot(engine));
        assertThat(open("d", MB, 0, T + 2)).as("the ended share makes room").isInstanceOf(ShareAnswers.Opened.class);
        assertThat(engine.share("id-c")).isEmpty();
        assertThat(((ShareAnswers.Refused) open("e", MB, 0, T + 3)).reason()).isEqualTo(Refusal.SHARES_FULL);
        engine.verifyInvariants();
    }
}
