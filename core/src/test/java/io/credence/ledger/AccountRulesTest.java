package io.credence.ledger;

import io.credence.ledger.Operation.Commit;
import io.credence.ledger.Operation.CreateAccount;
import io.credence.ledger.Operation.Release;
import io.credence.ledger.Operation.Reserve;
import io.credence.ledger.Operation.TopUp;
import io.credence.ledger.Operation.Transfer;
import io.credence.ledger.Operation.UpdateAccount;
import io.credence.ledger.Outcome.AccountUpdated;
import io.credence.ledger.Outcome.Committed;
import io.credence.ledger.Outcome.Reserved;
import io.credence.ledger.Outcome.ToppedUp;
import io.credence.ledger.Outcome.Transferred;
import io.credence.ledger.Rejection.AccountExists;
import io.credence.ledger.Rejection.AccountNotActive;
import io.credence.ledger.Rejection.InsufficientBalance;
import io.credence.ledger.Rejection.InvalidOperation;
import io.credence.ledger.Rejection.NotASystemAccount;
import io.credence.ledger.Rejection.UnknownAccount;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.credence.ledger.LedgerStory.ANY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AccountRulesTest {
    final LedgerStory story = new LedgerStory();

    @Test
    void aNewLedgerHasOnlyTheSystemAccountWhichHasUnlimitedCredit() {
        assertThat(story.ledger.accountCount()).isEqualTo(1);
        AccountView system = story.view(Ids.SYSTEM_ACCOUNT);
        assertThat(system.kind()).isEqualTo(AccountKind.SYSTEM);
        assertThat(system.status()).isEqualTo(AccountStatus.ACTIVE);
        assertThat(system.buckets()).isEmpty();
        for (Unit unit : Unit.values()) {
            assertThat(story.available(Ids.SYSTEM_ACCOUNT, unit, ANY)).isEqualTo(Long.MAX_VALUE);
        }
    }

    @Test
    void anAccountIdIsOpenedOnlyOnceAndTheSecondAttemptChangesNothing() {
        story.subscriber("alice");
        Object before = story.everything();

        assertThat(story.submit(new CreateAccount("alice", AccountKind.OPERATOR, Map.of(Unit.MONEY, 5L))))
                .isEqualTo(new AccountExists("alice"));
        assertThat(story.submit(new CreateAccount("system", AccountKind.SYSTEM, Map.of())))
                .isEqualTo(new AccountExists("system"));

        assertThat(story.everything()).isEqualTo(before);
        assertThat(story.view("alice").kind()).isEqualTo(AccountKind.SUBSCRIBER);
    }

    @Test
    void everyOperationNamesTheAccountThatDoesNotExist() {
        story.subscriber("alice").topUpMoney("alice", 100);
        Object before = story.everything();

        assertThat(story.submit(new TopUp("system", "ghost", Unit.MONEY, 1, null))).isEqualTo(new UnknownAccount("ghost"));
        assertThat(story.submit(new TopUp("ghost", "alice", Unit.MONEY, 1, null))).isEqualTo(new UnknownAccount("ghost"));
        assertThat(story.submit(new Transfer("ghost", "alice", Unit.MONEY, 1, ANY))).isEqualTo(new UnknownAccount("ghost"));
        assertThat(story.submit(new Transfer("alice", "ghost", Unit.MONEY, 1, ANY))).isEqualTo(new UnknownAccount("ghost"));
        assertThat(story.submit(new Reserve("ghost", "alice", Unit.MONEY, 1, ANY, 1000)))
                .isEqualTo(new UnknownAccount("ghost"));
        assertThat(story.submit(new Reserve("alice", "ghost", Unit.MONEY, 1, ANY, 1000)))
                .isEqualTo(new UnknownAccount("ghost"));
        assertThat(story.submit(new UpdateAccount("ghost", AccountStatus.SUSPENDED, null)))
                .isEqualTo(new UnknownAccount("ghost"));

        assertThat(story.everything()).isEqualTo(before);
        assertThat(story.ledger.account("ghost")).isEmpty();
        assertThat(story.ledger.available("ghost", Unit.MONEY, ANY)).isEmpty();
    }

    @Test
    void topUpsComeOnlyFromSystemAccounts() {
        story.subscriber("alice").subscriber("bob");
        story.topUpMoney("alice", 100);

        assertThat(story.submit(new TopUp("alice", "bob", Unit.MONEY, 10, null))).isEqualTo(new NotASystemAccount("alice"));
        assertThat(story.submit(new TopUp("system", "system", Unit.MONEY, 10, null)))
                .isInstanceOfSatisfying(InvalidOperation.class, r -> assertThat(r.field()).isEqualTo("accountId"));

        story.account("sys2", AccountKind.SYSTEM, Map.of());
        assertThat(story.submit(new TopUp("sys2", "bob", Unit.MONEY, 50, null))).isInstanceOf(ToppedUp.class);
        assertThat(story.money("bob").total()).isEqualTo(50);
        assertThat(story.money("sys2").total()).isEqualTo(-50);
        assertThat(story.money("system").total()).isEqualTo(-100);
    }

    @Test
    void aTopUpRecordsWhereTheValueCameFrom() {
        story.subscriber("alice");
        ToppedUp topUp = story.expect(ToppedUp.class, new TopUp("system", "alice", Unit.BYTES, 5_000, null));

        TransferRecord record = story.transfers("alice").getFirst();
        assertThat(record).isEqualTo(new TransferRecord(topUp.transferSeq(), TransferKind.TOP_UP, "system", "alice",
                Unit.BYTES, 5_000, 0, 0, topUp.bucketId(), LedgerStory.T0, "req-2"));
        assertThat(story.bucketView("alice", topUp.bucketId()).main()).isTrue();
    }

    @Test
    void aSuspendedAccountMayReceiveButNotSpendAndItsEarlierReservationsStillSettle() {
        story.subscriber("alice").subscriber("bob").operator("shop");
        story.topUpMoney("alice", 100);
        story.topUpMoney("bob", 100);
        Reserved before = story.reserve("alice", "shop", 30);

        story.status("alice", AccountStatus.SUSPENDED);

        AccountNotActive suspended = new AccountNotActive("alice", AccountStatus.SUSPENDED);
        assertThat(story.submit(new Reserve("alice", "shop", Unit.MONEY, 1, ANY, 1000))).isEqualTo(suspended);
        assertThat(story.submit(new Transfer("alice", "bob", Unit.MONEY, 1, ANY))).isEqualTo(suspended);
        assertThat(story.submit(new TopUp("system", "alice", Unit.MONEY, 5, null))).isInstanceOf(ToppedUp.class);
        assertThat(story.transfer("bob", "alice", 5)).isInstanceOf(Transferred.class);
        assertThat(story.submit(new Reserve("bob", "alice", Unit.MONEY, 1, ANY, 1000))).isInstanceOf(Reserved.class);
        assertThat(story.commit(before.reservationId(), 30)).isInstanceOf(Committed.class);
        assertThat(story.money("alice").total()).isEqualTo(100 + 5 + 5 - 30);

        story.status("alice", AccountStatus.ACTIVE);
        assertThat(story.transfer("alice", "bob", 1)).isInstanceOf(Transferred.class);
    }

    @Test
    void aClosedAccountTakesPartInNothingAndStaysClosed() {
        story.subscriber("alice").subscriber("bob");
        story.topUpMoney("alice", 100);
        story.topUpMoney("bob", 100);
        story.status("alice", AccountStatus.CLOSED);
        Object before = story.everything();

        AccountNotActive closed = new AccountNotActive("alice", AccountStatus.CLOSED);
        assertThat(story.submit(new TopUp("system", "alice", Unit.MONEY, 5, null))).isEqualTo(closed);
        assertThat(story.submit(new Transfer("bob", "alice", Unit.MONEY, 5, ANY))).isEqualTo(closed);
        assertThat(story.submit(new Transfer("alice", "bob", Unit.MONEY, 5, ANY))).isEqualTo(closed);
        assertThat(story.submit(new Reserve("bob", "alice", Unit.MONEY, 5, ANY, 1000))).isEqualTo(closed);
        assertThat(story.submit(new Reserve("alice", "bob", Unit.MONEY, 5, ANY, 1000))).isEqualTo(closed);
        assertThat(story.submit(new UpdateAccount("alice", AccountStatus.ACTIVE, null))).isEqualTo(closed);
        assertThat(story.submit(new UpdateAccount("alice", null, Map.of(Unit.MONEY, 10L)))).isEqualTo(closed);

        assertThat(story.everything()).isEqualTo(before);
    }

    @Test
    void theCreditLimitLetsTheMainBalanceGoNegativeAndNoFurther() {
        story.subscriberWithCredit("alice", 100).operator("shop");
        assertThat(story.availableMoney("alice")).isEqualTo(100);

        assertThat(story.transfer("alice", "shop", 100)).isInstanceOf(Transferred.class);
        assertThat(story.money("alice")).isEqualTo(new Balance(Unit.MONEY, -100, 0, 0, 100));
        assertThat(story.transfer("alice", "shop", 1)).isEqualTo(new InsufficientBalance("alice", Unit.MONEY, 1, 0));
    }

    @Test
    void creditLimitsArePerUnit() {
        story.account("alice", AccountKind.SUBSCRIBER, Map.of(Unit.BYTES, 1_000L)).operator("shop");

        assertThat(story.available("alice", Unit.BYTES, ANY)).isEqualTo(1_000);
        assertThat(story.available("alice", Unit.MONEY, ANY)).isZero();
        assertThat(story.view("alice").creditLimits()).isEqualTo(Map.of(Unit.BYTES, 1_000L));
        assertThat(story.balance("alice", Unit.BYTES)).isEqualTo(new Balance(Unit.BYTES, 0, 0, 1_000, 1_000));
    }

    @Test
    void aCreditLimitCannotBeLoweredBelowWhatIsAlreadyUsedIncludingHolds() {
        story.subscriberWithCredit("alice", 100).operator("shop");
        story.reserve("alice", "shop", 30);
        story.transfer("alice", "shop", 40);

        assertThat(story.submit(new UpdateAccount("alice", null, Map.of(Unit.MONEY, 69L))))
                .isInstanceOfSatisfying(InvalidOperation.class, r -> assertThat(r.field()).isEqualTo("creditLimits.MONEY"));
        assertThat(story.submit(new UpdateAccount("alice", AccountStatus.SUSPENDED, Map.of())))
                .isInstanceOf(InvalidOperation.class);
        assertThat(story.view("alice").status()).as("a rejected update changes nothing")
                .isEqualTo(AccountStatus.ACTIVE);

        assertThat(story.submit(new UpdateAccount("alice", null, Map.of(Unit.MONEY, 70L))))
                .isEqualTo(new Outcome.AccountUpdated("alice", AccountStatus.ACTIVE));
        assertThat(story.money("alice")).isEqualTo(new Balance(Unit.MONEY, -40, 30, 0, 70));
    }

    @Test
    void anUpdateKeepsWhatItDoesNotMention() {
        story.subscriberWithCredit("alice", 100);

        assertThat(story.submit(new UpdateAccount("alice", AccountStatus.SUSPENDED, null)))
                .isEqualTo(new AccountUpdated("alice", AccountStatus.SUSPENDED));
        assertThat(story.view("alice").creditLimits()).isEqualTo(Map.of(Unit.MONEY, 100L));

        assertThat(story.submit(new UpdateAccount("alice", null, Map.of(Unit.MONEY, 7L))))
                .isEqualTo(new AccountUpdated("alice", AccountStatus.SUSPENDED));
        assertThat(story.view("alice").creditLimits()).isEqualTo(Map.of(Unit.MONEY, 7L));
    }

    @Test
    void operationsCheckTheirOwnShapeBeforeTheyReachTheLedger() {
        assertThatThrownBy(() -> new TopUp("system", "alice", Unit.MONEY, 0, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Transfer("alice", "alice", Unit.MONEY, 1, ANY))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Transfer("alice", "bob", Unit.MONEY, -1, ANY))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Reserve("alice", "alice", Unit.MONEY, 1, ANY, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Reserve("alice", "bob", Unit.MONEY, 1, ANY, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Commit(1, -1, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Commit(0, 1, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Release(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CreateAccount("has space", AccountKind.SUBSCRIBER, Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CreateAccount("x".repeat(Ids.ACCOUNT_ID_LENGTH_MAX + 1), AccountKind.SUBSCRIBER,
                Map.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CreateAccount("alice", AccountKind.SUBSCRIBER, Map.of(Unit.MONEY, -1L)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Command("", new Release(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Command("r".repeat(Ids.REQUEST_ID_LENGTH_MAX + 1), new Release(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BucketSpec(10, 10, 0, ServiceFilter.ALL)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BucketSpec(0, 10, Integer.MIN_VALUE, ServiceFilter.ALL))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ServiceRef(ServiceRef.UNSIGNED32_MAX + 1, ServiceRef.NONE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new Command("r".repeat(Ids.REQUEST_ID_LENGTH_MAX), new Release(1)).requestId())
                .hasSize(Ids.REQUEST_ID_LENGTH_MAX);
    }
}
