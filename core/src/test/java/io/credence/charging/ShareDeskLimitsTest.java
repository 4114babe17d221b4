package io.credence.charging;

import io.credence.charging.ShareAnswers.Refusal;
import io.credence.ledger.AccountKind;
import io.credence.ledger.AccountStatus;
import io.credence.ledger.Command;
import io.credence.ledger.Ids;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Operation;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Opening a share at the exact edge of each limit: the daily maximum, the supplier's bytes, the borrower's money. */
class ShareDeskLimitsTest {
    private static final long T = 1_767_225_600_000L;
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

    private ShareAnswers.Open open(String request, String supplierSim, String supplierAccount, String borrowerSim,
                                   String borrowerAccount, long bytes, long price, long maxPerDay) {
        return ((EngineOutcome.ShareOpened) engine.apply(new EngineCommand.OpenShare("id-" + request, "bs/" + request,
                "bs", supplierSim, supplierAccount, borrowerSim, borrowerAccount, bytes, true, maxPerDay, price,
                TERMS), T)).answer();
    }

    private ShareAnswers.Open open(String request, long bytes, long price, long maxPerDay) {
        return open(request, "sim-alice", "alice", "sim-bob", "bob", bytes, price, maxPerDay);
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
