package io.credence.ledger;

import io.credence.ledger.Operation.Reserve;
import io.credence.ledger.Operation.TopUp;
import io.credence.ledger.Operation.Transfer;
import io.credence.ledger.Outcome.Committed;
import io.credence.ledger.Outcome.Reserved;
import io.credence.ledger.Outcome.ToppedUp;
import io.credence.ledger.Outcome.Transferred;
import io.credence.ledger.Rejection.InsufficientBalance;
import io.credence.ledger.Rejection.InvalidOperation;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static io.credence.ledger.LedgerStory.ANY;
import static io.credence.ledger.LedgerStory.T0;
import static org.assertj.core.api.Assertions.assertThat;

/** Which bucket pays: priority, then earliest expiry, then the older bucket; the main balance last. */
class BucketConsumptionTest {
    static final long FOREVER = BucketSpec.FOREVER;
    static final ServiceRef GROUP_10 = ServiceRef.ratingGroup(10);
    static final ServiceRef GROUP_20 = ServiceRef.ratingGroup(20);

    final LedgerStory story = new LedgerStory();

    BucketConsumptionTest() {
        story.subscriber("alice").operator("shop");
    }

    @Test
    void theHigherPriorityBucketPaysFirst() {
        long low = story.bucket("alice", 100, 1, FOREVER);
        long high = story.bucket("alice", 100, 5, FOREVER);
        long main = story.topUpMoney("alice", 100);

        assertThat(story.transfer("alice", "shop", 150)).isInstanceOf(Transferred.class);

        assertThat(story.amounts("alice")).isEqualTo(Map.of(low, 50L, high, 0L, main, 100L));
    }

    @Test
    void atEqualPriorityTheBucketThatEndsSoonerPaysFirst() {
        long later = story.bucket("alice", 100, 1, T0 + 20_000);
        long sooner = story.bucket("alice", 100, 1, T0 + 10_000);

        story.transfer("alice", "shop", 120);

        assertThat(story.amounts("alice")).isEqualTo(Map.of(later, 80L, sooner, 0L));
    }

    @Test
    void atEqualPriorityAndEndTheOlderBucketPaysFirst() {
        long older = story.bucket("alice", 100, 1, T0 + 10_000);
        long newer = story.bucket("alice", 100, 1, T0 + 10_000);
        assertThat(older).isLessThan(newer);

        story.transfer("alice", "shop", 120);

        assertThat(story.amounts("alice")).isEqualTo(Map.of(older, 0L, newer, 80L));
    }

    @Test
    void theMainBalancePaysLastEvenAfterTheLowestPriorityBucket() {
        long main = story.topUpMoney("alice", 100);
        long lowest = story.bucket("alice", 100, Integer.MIN_VALUE + 1, T0 + 5_000);

        story.transfer("alice", "shop", 120);

        assertThat(story.amounts("alice")).isEqualTo(Map.of(main, 80L, lowest, 0L));
    }

    @Test
    void bucketViewsListTheBucketsInConsumptionOrder() {
        long main = story.topUpMoney("alice", 1);
        long a = story.bucket("alice", 1, 1, T0 + 20_000);
        long b = story.bucket("alice", 1, 9, FOREVER);
        long c = story.bucket("alice", 1, 1, T0 + 10_000);
        long d = story.bucket("alice", 1, 1, T0 + 10_000);

        assertThat(story.view("alice").buckets()).extracting(BucketView::bucketId).containsExactly(b, c, d, a, main);
        BucketView mainView = story.bucketView("alice", main);
        assertThat(mainView.main()).isTrue();
        assertThat(mainView.priority()).isZero();
        assertThat(mainView.validUntilMillis()).isEqualTo(FOREVER);
        assertThat(mainView.services()).isEqualTo(ServiceFilter.ALL);
    }

    @Test
    void aBucketForARatingGroupPaysOnlyForThatGroup() {
        long group10 = story.bucket("alice", Unit.MONEY, 100, new BucketSpec(0, FOREVER, 5, ServiceFilter.ratingGroups(10L)));
        long main = story.topUpMoney("alice", 50);

        assertThat(story.available("alice", Unit.MONEY, GROUP_10)).isEqualTo(150);
        assertThat(story.available("alice", Unit.MONEY, GROUP_20)).isEqualTo(50);
        assertThat(story.available("alice", Unit.MONEY, ANY)).as("a request for no particular service").isEqualTo(50);
        assertThat(story.submit(new Transfer("alice", "shop", Unit.MONEY, 60, GROUP_20)))
                .isEqualTo(new InsufficientBalance("alice", Unit.MONEY, 60, 50));

        story.reserve("alice", "shop", Unit.MONEY, 120, GROUP_10, 60_000);

        assertThat(story.bucketView("alice", group10).reserved()).isEqualTo(100);
        assertThat(story.bucketView("alice", main).reserved()).isEqualTo(20);
        assertThat(story.money("alice")).isEqualTo(new Balance(Unit.MONEY, 150, 120, 30, 0));
    }

    @Test
    void aBucketForAServiceIdPaysForThatServiceWhateverItsRatingGroup() {
        story.bucket("alice", Unit.BYTES, 1_000, new BucketSpec(0, FOREVER, 1, new ServiceFilter(Set.of(), Set.of(7L))));

        assertThat(story.available("alice", Unit.BYTES, new ServiceRef(ServiceRef.NONE, 7))).isEqualTo(1_000);
        assertThat(story.available("alice", Unit.BYTES, new ServiceRef(99, 7))).isEqualTo(1_000);
        assertThat(story.available("alice", Unit.BYTES, ServiceRef.ratingGroup(7))).as("7 as a rating group").isZero();
        assertThat(story.available("alice", Unit.BYTES, ANY)).isZero();
    }

    @Test
    void aBucketForSeveralServicesCoversEachOfThem() {
        story.bucket("alice", Unit.BYTES, 1_000, new BucketSpec(0, FOREVER, 1, new ServiceFilter(Set.of(10L, 20L), Set.of(7L))));

        assertThat(story.available("alice", Unit.BYTES, GROUP_10)).isEqualTo(1_000);
        assertThat(story.available("alice", Unit.BYTES, GROUP_20)).isEqualTo(1_000);
        assertThat(story.available("alice", Unit.BYTES, new ServiceRef(30, 7))).isEqualTo(1_000);
        assertThat(story.available("alice", Unit.BYTES, ServiceRef.ratingGroup(30))).isZero();
    }

    @Test
    void bucketsOfAnotherUnitNeverPay() {
        story.bucket("alice", Unit.BYTES, 1_000, BucketSpec.unlimited(1, ServiceFilter.ALL));

        assertThat(story.availableMoney("alice")).isZero();
        assertThat(story.transfer("alice", "shop", 1)).isEqualTo(new InsufficientBalance("alice", Unit.MONEY, 1, 0));
    }

    @Test
    void aBucketThatIsNotValidYetWaitsForItsStart() {
        long future = story.bucket("alice", Unit.MONEY, 100, new BucketSpec(T0 + 1_000, FOREVER, 9, ServiceFilter.ALL));
        long main = story.topUpMoney("alice", 10);

        assertThat(story.availableMoney("alice")).isEqualTo(10);
        assertThat(story.bucketView("alice", future).available()).isZero();
        assertThat(story.money("alice").total()).as("it is already the account's").isEqualTo(110);
        assertThat(story.transfer("alice", "shop", 50)).isEqualTo(new InsufficientBalance("alice", Unit.MONEY, 50, 10));

        story.advanceTo(T0 + 999);
        assertThat(story.availableMoney("alice")).isEqualTo(10);
        story.advanceTo(T0 + 1_000);
        assertThat(story.availableMoney("alice")).isEqualTo(110);
        assertThat(story.transfer("alice", "shop", 50)).isInstanceOf(Transferred.class);
        assertThat(story.amounts("alice")).isEqualTo(Map.of(future, 50L, main, 10L));
    }

    @Test
    void aReservationHoldsAcrossBucketsInOrderAndACommitConsumesThemInThatOrder() {
        long first = story.bucket("alice", 100, 5, FOREVER);
        long second = story.bucket("alice", 50, 1, FOREVER);
        long main = story.topUpMoney("alice", 200);

        Reserved r = story.reserve("alice", "shop", 180);

        assertThat(story.view("alice").buckets()).extracting(BucketView::bucketId, BucketView::reserved)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(first, 100L),
                        org.assertj.core.groups.Tuple.tuple(second, 50L),
                        org.assertj.core.groups.Tuple.tuple(main, 30L));
        assertThat(story.money("alice")).isEqualTo(new Balance(Unit.MONEY, 350, 180, 170, 0));

        Outcome committed = story.commit(r.reservationId(), 120);

        assertThat(committed).isInstanceOfSatisfying(Committed.class, c -> {
            assertThat(c.committed()).isEqualTo(120);
            assertThat(c.released()).isEqualTo(60);
            assertThat(c.overdraft()).isZero();
        });
        assertThat(story.amounts("alice")).isEqualTo(Map.of(first, 0L, second, 30L, main, 200L));
        assertThat(story.money("alice")).isEqualTo(new Balance(Unit.MONEY, 230, 0, 230, 0));
        assertThat(story.money("shop").total()).isEqualTo(120);
    }

    @Test
    void aSecondReservationHoldsOnlyWhatTheFirstLeftFree() {
        long first = story.bucket("alice", 100, 5, FOREVER);
        long second = story.bucket("alice", 100, 1, FOREVER);

        story.reserve("alice", "shop", 70);
        story.reserve("alice", "shop", 70);

        assertThat(story.bucketView("alice", first).reserved()).isEqualTo(100);
        assertThat(story.bucketView("alice", second).reserved()).isEqualTo(40);
        assertThat(story.availableMoney("alice")).isEqualTo(60);
    }

    @Test
    void aTransferTakesFromTheSendersBucketsAndLandsInTheReceiversMainBalance() {
        long bucket = story.bucket("alice", 100, 5, FOREVER);
        story.subscriber("bob");
        story.bucket("bob", 10, 5, FOREVER);

        story.transfer("alice", "bob", 60);

        assertThat(story.amounts("alice")).isEqualTo(Map.of(bucket, 40L));
        assertThat(story.view("bob").buckets()).filteredOn(BucketView::main).singleElement()
                .satisfies(main -> assertThat(main.amount()).isEqualTo(60));
    }

    @Test
    void aBucketThatWouldEndBeforeItIsToppedUpIsRefused() {
        assertThat(story.submit(new TopUp("system", "alice", Unit.MONEY, 10, new BucketSpec(0, T0, 1, ServiceFilter.ALL))))
                .isInstanceOfSatisfying(InvalidOperation.class,
                        r -> assertThat(r.field()).isEqualTo("bucket.validUntilMillis"));
        assertThat(story.view("alice").buckets()).isEmpty();
        assertThat(story.submit(new TopUp("system", "alice", Unit.MONEY, 10, new BucketSpec(0, T0 + 1, 1, ServiceFilter.ALL))))
                .isInstanceOf(ToppedUp.class);
    }

    @Test
    void aHoldNeverTakesFromABucketForAnotherService() {
        long group20 = story.bucket("alice", Unit.MONEY, 100, new BucketSpec(0, FOREVER, 9, ServiceFilter.ratingGroups(20L)));
        long main = story.topUpMoney("alice", 100);

        story.submit(new Reserve("alice", "shop", Unit.MONEY, 40, GROUP_10, 1_000));

        assertThat(story.bucketView("alice", group20).reserved()).isZero();
        assertThat(story.bucketView("alice", main).reserved()).isEqualTo(40);
    }
}
