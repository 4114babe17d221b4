package io.credence.ledger;

import io.credence.ledger.Operation.CreateAccount;
import io.credence.ledger.Operation.Reserve;
import io.credence.ledger.Operation.TopUp;
import io.credence.ledger.Operation.Transfer;
import io.credence.ledger.Outcome.Committed;
import io.credence.ledger.Outcome.Reserved;
import io.credence.ledger.Outcome.ToppedUp;
import io.credence.ledger.Outcome.Transferred;
import io.credence.ledger.Rejection.InsufficientBalance;
import io.credence.ledger.Rejection.LimitExceeded;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.credence.ledger.LedgerStory.ANY;
import static io.credence.ledger.LedgerStory.T0;
import static org.assertj.core.api.Assertions.assertThat;

/** Every table and every balance has a bound; passing it is a LimitExceeded answer that changes nothing. */
class LimitsTest {
    static final long MAX = Long.MAX_VALUE;

    @Test
    void accountsMaxCountsTheSystemAccount() {
        LedgerStory story = new LedgerStory(LedgerStory.limits(3, 32, 10, 60_000, 100, 60_000, 100));
        story.subscriber("alice").subscriber("bob");
        Object before = story.everything();

        assertThat(story.submit(new CreateAccount("carol", AccountKind.SUBSCRIBER, Map.of())))
                .isEqualTo(new LimitExceeded("accountsMax", 3));

        assertThat(story.everything()).isEqualTo(before);
        assertThat(story.ledger.accountCount()).isEqualTo(3);
    }

    @Test
    void bucketsPerAccountMaxKeepsRoomForOneMainBalancePerUnit() {
        LedgerStory story = new LedgerStory(LedgerStory.limits(10, Unit.count() + 2, 10, 60_000, 100, 60_000, 100));
        story.subscriber("alice");
        story.bucket("alice", 10, 1, T0 + 1_000);
        story.bucket("alice", 10, 1, BucketSpec.FOREVER);
        Object before = story.everything();

        assertThat(story.submit(new TopUp("system", "alice", Unit.BYTES, 10, BucketSpec.unlimited(1, ServiceFilter.ALL))))
                .isEqualTo(new LimitExceeded("bucketsPerAccountMax", Unit.count() + 2));
        assertThat(story.everything()).isEqualTo(before);

        for (Unit unit : Unit.values()) {
            story.topUp("alice", unit, 1);
        }
        assertThat(story.view("alice").buckets()).hasSize(Unit.count() + 2);

        story.at(T0 + 1_000);
        assertThat(story.submit(new TopUp("system", "alice", Unit.BYTES, 10, BucketSpec.unlimited(1, ServiceFilter.ALL))))
                .as("room again once a bucket ended").isInstanceOf(ToppedUp.class);
    }

    @Test
    void reservationsMaxCountsOpenReservationsInTheWholeLedger() {
        LedgerStory story = new LedgerStory(LedgerStory.limits(10, 32, 2, 60_000, 100, 60_000, 100));
        story.subscriber("alice").subscriber("bob").operator("shop");
        story.topUpMoney("alice", 100);
        story.topUpMoney("bob", 100);
        long first = story.reserve("alice", "shop", 10).reservationId();
        story.reserve("bob", "shop", 10);

        assertThat(story.submit(new Reserve("alice", "shop", Unit.MONEY, 10, ANY, 1_000)))
                .isEqualTo(new LimitExceeded("reservationsMax", 2));
        assertThat(story.availableMoney("alice")).isEqualTo(90);

        story.commit(first, 10);
        assertThat(story.submit(new Reserve("alice", "shop", Unit.MONEY, 10, ANY, 1_000))).isInstanceOf(Reserved.class);
    }

    @Test
    void aReservationLivesAtMostReservationTtlMaxMillis() {
        LedgerStory story = new LedgerStory(LedgerStory.limits(10, 32, 10, 1_000, 100, 60_000, 100));
        story.subscriber("alice").operator("shop");
        story.topUpMoney("alice", 100);

        assertThat(story.submit(new Reserve("alice", "shop", Unit.MONEY, 10, ANY, 1_001)))
                .isEqualTo(new LimitExceeded("reservationTtlMaxMillis", 1_000));
        assertThat(story.submit(new Reserve("alice", "shop", Unit.MONEY, 10, ANY, 1_000)))
                .isEqualTo(new Reserved(1, 10, T0 + 1_000));
    }

    @Test
    void aVeryLongTtlEndsAtTheEndOfTimeInsteadOfWrappingAround() {
        LedgerStory story = new LedgerStory(LedgerStory.limits(10, 32, 10, MAX, 100, 60_000, 100));
        story.subscriber("alice").operator("shop");
        story.topUpMoney("alice", 100);

        Reserved r = story.reserve("alice", "shop", Unit.MONEY, 10, ANY, MAX);

        assertThat(r.expiresAtMillis()).isEqualTo(MAX);
        story.advanceTo(T0 + 1);
        assertThat(story.ledger.reservation(r.reservationId()).orElseThrow().status()).isEqualTo(ReservationStatus.OPEN);
    }

    @Test
    void theSystemAccountIssuesAtMostLongMaxValueOfEachUnit() {
        LedgerStory story = new LedgerStory();
        story.subscriber("alice").subscriber("bob");

        assertThat(story.submit(new TopUp("system", "alice", Unit.MONEY, MAX, null))).isInstanceOf(ToppedUp.class);
        assertThat(story.submit(new TopUp("system", "bob", Unit.MONEY, 1, null)))
                .isEqualTo(new LimitExceeded("issued total of system MONEY", MAX));
        assertThat(story.submit(new TopUp("system", "bob", Unit.MONEY, 1, BucketSpec.unlimited(1, ServiceFilter.ALL))))
                .isEqualTo(new LimitExceeded("issued total of system MONEY", MAX));

        assertThat(story.submit(new TopUp("system", "bob", Unit.BYTES, MAX, null))).isInstanceOf(ToppedUp.class);
        story.account("sys2", AccountKind.SYSTEM, Map.of());
        assertThat(story.submit(new TopUp("sys2", "bob", Unit.MONEY, MAX, null))).isInstanceOf(ToppedUp.class);
        assertThat(story.money("system")).isEqualTo(new Balance(Unit.MONEY, -MAX, 0, 0, MAX));
        assertThat(story.money("alice").total()).isEqualTo(MAX);
    }

    @Test
    void aMainBalanceCannotPassLongMaxValue() {
        LedgerStory story = new LedgerStory();
        story.subscriber("alice").subscriberWithCredit("bob", MAX);
        story.topUpMoney("alice", MAX);
        Object before = story.everything();

        assertThat(story.transfer("bob", "alice", 1)).isEqualTo(new LimitExceeded("balance of alice MONEY", MAX));

        assertThat(story.everything()).isEqualTo(before);
        assertThat(story.transfer("alice", "bob", MAX)).isInstanceOf(Transferred.class);
        assertThat(story.money("bob").total()).isEqualTo(MAX);
    }

    @Test
    void aBalanceCountsItsBucketsTowardsLongMaxValue() {
        LedgerStory story = new LedgerStory();
        story.subscriber("alice").subscriberWithCredit("bob", MAX);
        story.bucket("alice", Unit.MONEY, MAX, BucketSpec.unlimited(1, ServiceFilter.ALL));

        assertThat(story.transfer("bob", "alice", 1)).isEqualTo(new LimitExceeded("balance of alice MONEY", MAX));

        assertThat(story.money("alice").total()).isEqualTo(MAX);
        assertThat(story.money("bob").total()).isZero();
    }

    @Test
    void aBucketTopUpCannotPushABalancePastLongMaxValue() {
        LedgerStory story = new LedgerStory();
        story.subscriber("alice").account("sys2", AccountKind.SYSTEM, Map.of());
        assertThat(story.submit(new TopUp("sys2", "alice", Unit.MONEY, MAX, null))).isInstanceOf(ToppedUp.class);

        assertThat(story.submit(new TopUp("system", "alice", Unit.MONEY, 1, BucketSpec.unlimited(1, ServiceFilter.ALL))))
                .isEqualTo(new LimitExceeded("balance of alice MONEY", MAX));
        assertThat(story.money("alice").total()).isEqualTo(MAX);
    }

    @Test
    void aCommitIntoAFullBalanceIsRefusedAndTheReservationStaysOpen() {
        LedgerStory story = new LedgerStory();
        story.subscriber("alice").operator("shop").account("sys2", AccountKind.SYSTEM, Map.of());
        story.topUpMoney("shop", MAX);
        story.submit(new TopUp("sys2", "alice", Unit.MONEY, 10, null));
        long id = story.reserve("alice", "shop", 5).reservationId();

        assertThat(story.commit(id, 5)).isEqualTo(new LimitExceeded("balance of shop MONEY", MAX));
        assertThat(story.ledger.reservation(id).orElseThrow().status()).isEqualTo(ReservationStatus.OPEN);
        assertThat(story.commit(id, 0)).isEqualTo(new Committed(id, 0, 5, 0, 0));
        assertThat(story.money("alice").total()).isEqualTo(10);
    }

    @Test
    void holdsUnderAHugeCreditLimitNeverAddUpPastLongMaxValue() {
        LedgerStory story = new LedgerStory();
        story.subscriberWithCredit("operator-x", MAX).operator("shop");
        story.topUpMoney("operator-x", 5);
        assertThat(story.availableMoney("operator-x")).isEqualTo(MAX);

        assertThat(story.submit(new Reserve("operator-x", "shop", Unit.MONEY, MAX, ANY, 1_000))).isInstanceOf(Reserved.class);
        assertThat(story.submit(new Reserve("operator-x", "shop", Unit.MONEY, 5, ANY, 1_000)))
                .isEqualTo(new InsufficientBalance("operator-x", Unit.MONEY, 5, 0));

        assertThat(story.money("operator-x")).isEqualTo(new Balance(Unit.MONEY, 5, MAX, 0, MAX));
    }

    @Test
    void aSystemAccountsOwnHoldsCountTowardsWhatItMayStillIssue() {
        LedgerStory story = new LedgerStory();
        story.subscriber("alice").subscriber("bob").subscriber("carol");
        story.topUpMoney("alice", MAX - 10);
        assertThat(story.submit(new Reserve("system", "bob", Unit.MONEY, 5, ANY, 60_000))).isInstanceOf(Reserved.class);

        assertThat(story.submit(new TopUp("system", "carol", Unit.MONEY, 10, null)))
                .isEqualTo(new LimitExceeded("issued total of system MONEY", MAX));
        assertThat(story.submit(new TopUp("system", "carol", Unit.MONEY, 5, null))).isInstanceOf(ToppedUp.class);
        assertThat(story.availableMoney("system")).isZero();
        assertThat(story.submit(new Transfer("system", "carol", Unit.MONEY, 1, ANY)))
                .isEqualTo(new InsufficientBalance("system", Unit.MONEY, 1, 0));
    }
}
