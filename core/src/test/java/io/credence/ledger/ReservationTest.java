package io.credence.ledger;

import io.credence.ledger.Operation.Commit;
import io.credence.ledger.Operation.Reserve;
import io.credence.ledger.Outcome.Committed;
import io.credence.ledger.Outcome.Released;
import io.credence.ledger.Outcome.Reserved;
import io.credence.ledger.Rejection.CommitExceedsReservation;
import io.credence.ledger.Rejection.CreditLimitExceeded;
import io.credence.ledger.Rejection.Expired;
import io.credence.ledger.Rejection.InsufficientBalance;
import io.credence.ledger.Rejection.ReservationClosed;
import io.credence.ledger.Rejection.UnknownReservation;
import org.junit.jupiter.api.Test;

import static io.credence.ledger.LedgerStory.ANY;
import static io.credence.ledger.LedgerStory.T0;
import static org.assertj.core.api.Assertions.assertThat;

/** Reserve, then commit what was used (the rest returns) or release everything; or let it expire. */
class ReservationTest {
    final LedgerStory story = new LedgerStory();

    ReservationTest() {
        story.subscriber("alice").operator("shop");
    }

    @Test
    void aReservationHoldsWithoutSpending() {
        story.topUpMoney("alice", 100);

        Reserved r = story.reserve("alice", "shop", 30);

        assertThat(r).isEqualTo(new Reserved(1, 30, T0 + 60_000));
        assertThat(story.money("alice")).isEqualTo(new Balance(Unit.MONEY, 100, 30, 70, 0));
        assertThat(story.ledger.reservation(1)).contains(new ReservationView(1, ReservationStatus.OPEN, "alice", "shop",
                Unit.MONEY, 30, ANY, T0 + 60_000, 0));
        assertThat(story.ledger.openReservationCount()).isEqualTo(1);
        assertThat(story.transfers("alice")).as("a hold is not a transfer").hasSize(1);
    }

    @Test
    void committingLessThanWasReservedChargesThatAndReturnsTheRest() {
        story.topUpMoney("alice", 100);
        long id = story.reserve("alice", "shop", 30).reservationId();
        story.later(5_000);

        Outcome outcome = story.submit("commit-1", new Commit(id, 20, false));

        assertThat(outcome).isEqualTo(new Committed(id, 20, 10, 0, 2));
        assertThat(story.money("alice")).isEqualTo(new Balance(Unit.MONEY, 80, 0, 80, 0));
        assertThat(story.money("shop").total()).isEqualTo(20);
        assertThat(story.transfers("alice").getFirst()).isEqualTo(new TransferRecord(2, TransferKind.COMMIT, "alice",
                "shop", Unit.MONEY, 20, 0, id, 0, T0 + 5_000, "commit-1"));
        assertThat(story.transfers("shop")).containsExactlyElementsOf(story.transfers("alice").subList(0, 1));
        assertThat(story.ledger.reservation(id)).contains(new ReservationView(id, ReservationStatus.COMMITTED, null, null,
                null, 0, null, 0, T0 + 5_000));
        assertThat(story.ledger.openReservationCount()).isZero();
    }

    @Test
    void committingExactlyTheReservationReleasesNothing() {
        story.topUpMoney("alice", 100);
        long id = story.reserve("alice", "shop", 30).reservationId();

        assertThat(story.commit(id, 30)).isEqualTo(new Committed(id, 30, 0, 0, 2));
        assertThat(story.money("alice")).isEqualTo(new Balance(Unit.MONEY, 70, 0, 70, 0));
    }

    @Test
    void committingNothingChargesNothingAndRecordsNoTransfer() {
        story.topUpMoney("alice", 100);
        long id = story.reserve("alice", "shop", 30).reservationId();

        assertThat(story.commit(id, 0)).isEqualTo(new Committed(id, 0, 30, 0, 0));

        assertThat(story.ledger.lastTransferSeq()).isEqualTo(1);
        assertThat(story.view("shop").balances()).as("no main balance created for nothing").isEmpty();
        assertThat(story.money("alice")).isEqualTo(new Balance(Unit.MONEY, 100, 0, 100, 0));
    }

    @Test
    void committingMoreThanWasReservedNeedsTheOverdraftFlag() {
        story.topUpMoney("alice", 100);
        long id = story.reserve("alice", "shop", 30).reservationId();
        Object before = story.everything();

        assertThat(story.commit(id, 31)).isEqualTo(new CommitExceedsReservation(id, 30, 31));

        assertThat(story.everything()).isEqualTo(before);
        assertThat(story.commit(id, 30)).isInstanceOf(Committed.class);
    }

    @Test
    void anOverdraftIsChargedFromWhatIsAvailableAndRecordedAsSuch() {
        story.topUpMoney("alice", 100);
        long id = story.reserve("alice", "shop", 30).reservationId();

        assertThat(story.overdraftCommit(id, 50)).isEqualTo(new Committed(id, 50, 0, 20, 2));

        assertThat(story.money("alice")).isEqualTo(new Balance(Unit.MONEY, 50, 0, 50, 0));
        assertThat(story.money("shop").total()).isEqualTo(50);
        TransferRecord record = story.transfers("alice").getFirst();
        assertThat(record.amount()).isEqualTo(50);
        assertThat(record.overdraft()).isEqualTo(20);
    }

    @Test
    void anOverdraftMayUseWhatTheReservationLeftInTheBucketsItHeld() {
        // 60 of 100 held; the commit takes those 60 and 40 more: the bucket had exactly that much free
        story.topUpMoney("alice", 100);
        long id = story.reserve("alice", "shop", 60).reservationId();

        assertThat(story.overdraftCommit(id, 100)).isEqualTo(new Committed(id, 100, 0, 40, 2));

        assertThat(story.money("alice")).isEqualTo(new Balance(Unit.MONEY, 0, 0, 0, 0));
        assertThat(story.money("shop").total()).isEqualTo(100);
    }

    @Test
    void anOverdraftMayUseTheWholeCreditLimit() {
        story.subscriberWithCredit("bob", 100);
        long id = story.reserve("bob", "shop", 30).reservationId();

        assertThat(story.overdraftCommit(id, 100)).isEqualTo(new Committed(id, 100, 0, 70, 1));

        assertThat(story.money("bob")).isEqualTo(new Balance(Unit.MONEY, -100, 0, 0, 100));
    }

    @Test
    void anOverdraftBeyondTheCreditLimitIsRefusedAndChangesNothing() {
        story.subscriberWithCredit("bob", 50);
        story.topUpMoney("bob", 100);
        long id = story.reserve("bob", "shop", 30).reservationId();
        Object before = story.everything();

        assertThat(story.overdraftCommit(id, 181)).isEqualTo(new CreditLimitExceeded("bob", Unit.MONEY, 151, 120));

        assertThat(story.everything()).isEqualTo(before);
        assertThat(story.overdraftCommit(id, 150)).isEqualTo(new Committed(id, 150, 0, 120, 2));
        assertThat(story.money("bob")).isEqualTo(new Balance(Unit.MONEY, -50, 0, 0, 50));
    }

    @Test
    void anOverdraftCountsOnlyBucketsThatPayForTheReservedService() {
        ServiceRef video = ServiceRef.ratingGroup(20);
        story.bucket("alice", Unit.MONEY, 100, BucketSpec.unlimited(5, ServiceFilter.ratingGroups(10L)));
        story.topUpMoney("alice", 10);
        long id = story.reserve("alice", "shop", Unit.MONEY, 5, video, 60_000).reservationId();

        assertThat(story.overdraftCommit(id, 20)).isEqualTo(new CreditLimitExceeded("alice", Unit.MONEY, 15, 5));
        assertThat(story.overdraftCommit(id, 10)).isInstanceOf(Committed.class);
        assertThat(story.money("alice").total()).isEqualTo(100);
    }

    @Test
    void releasingReturnsEverything() {
        story.topUpMoney("alice", 100);
        long id = story.reserve("alice", "shop", 30).reservationId();

        assertThat(story.release(id)).isEqualTo(new Released(id, 30));

        assertThat(story.money("alice")).isEqualTo(new Balance(Unit.MONEY, 100, 0, 100, 0));
        assertThat(story.ledger.reservation(id).orElseThrow().status()).isEqualTo(ReservationStatus.RELEASED);
        assertThat(story.ledger.lastTransferSeq()).isEqualTo(1);
    }

    @Test
    void aSettledReservationCannotBeSettledAgain() {
        story.topUpMoney("alice", 100);
        long committed = story.reserve("alice", "shop", 10).reservationId();
        long released = story.reserve("alice", "shop", 10).reservationId();
        story.commit(committed, 10);
        story.release(released);
        Object before = story.everything();

        assertThat(story.commit(committed, 1)).isEqualTo(new ReservationClosed(committed, ReservationStatus.COMMITTED));
        assertThat(story.release(committed)).isEqualTo(new ReservationClosed(committed, ReservationStatus.COMMITTED));
        assertThat(story.commit(released, 1)).isEqualTo(new ReservationClosed(released, ReservationStatus.RELEASED));
        assertThat(story.release(released)).isEqualTo(new ReservationClosed(released, ReservationStatus.RELEASED));

        assertThat(story.everything()).isEqualTo(before);
    }

    @Test
    void anUnknownReservationIsNamed() {
        assertThat(story.commit(42, 1)).isEqualTo(new UnknownReservation(42));
        assertThat(story.release(42)).isEqualTo(new UnknownReservation(42));
        assertThat(story.ledger.reservation(42)).isEmpty();
    }

    @Test
    void aReservationHoldsNoMoreThanIsAvailableCreditIncluded() {
        story.subscriberWithCredit("bob", 20);
        story.topUpMoney("bob", 100);

        assertThat(story.submit(new Reserve("bob", "shop", Unit.MONEY, 121, ANY, 1_000)))
                .isEqualTo(new InsufficientBalance("bob", Unit.MONEY, 121, 120));
        assertThat(story.submit(new Reserve("bob", "shop", Unit.MONEY, 120, ANY, 1_000))).isInstanceOf(Reserved.class);
        assertThat(story.money("bob")).isEqualTo(new Balance(Unit.MONEY, 100, 120, 0, 20));
    }

    @Test
    void aReservationExpiresByItselfWhenLedgerTimeReachesItsDeadline() {
        story.topUpMoney("alice", 100);
        long id = story.reserve("alice", "shop", Unit.MONEY, 100, ANY, 1_000).reservationId();

        story.advanceTo(T0 + 999);
        assertThat(story.ledger.reservation(id).orElseThrow().status()).isEqualTo(ReservationStatus.OPEN);
        assertThat(story.availableMoney("alice")).isZero();

        story.advanceTo(T0 + 1_000);
        assertThat(story.ledger.reservation(id)).contains(new ReservationView(id, ReservationStatus.EXPIRED, null, null,
                null, 0, null, 0, T0 + 1_000));
        assertThat(story.availableMoney("alice")).isEqualTo(100);
        assertThat(story.ledger.openReservationCount()).isZero();
        assertThat(story.commit(id, 10)).isEqualTo(new Expired(id, T0 + 1_000));
        assertThat(story.release(id)).isEqualTo(new Expired(id, T0 + 1_000));
        assertThat(story.money("alice").total()).isEqualTo(100);
    }

    @Test
    void aCommitOneMillisecondBeforeTheDeadlineStillSettles() {
        story.topUpMoney("alice", 100);
        long id = story.reserve("alice", "shop", Unit.MONEY, 50, ANY, 1_000).reservationId();

        story.at(T0 + 999);
        assertThat(story.commit(id, 50)).isInstanceOf(Committed.class);
    }

    @Test
    void anExpiredReservationReportsItsDeadlineHoweverLateTheLedgerHearsOfIt() {
        story.topUpMoney("alice", 100);
        long id = story.reserve("alice", "shop", Unit.MONEY, 50, ANY, 1_000).reservationId();

        story.at(T0 + 50_000);

        assertThat(story.commit(id, 50)).isEqualTo(new Expired(id, T0 + 1_000));
        assertThat(story.ledger.reservation(id).orElseThrow().closedAtMillis()).isEqualTo(T0 + 1_000);
    }

    @Test
    void anEarlierTimeCountsAsTheLedgersCurrentTime() {
        story.at(T0 + 10_000);
        story.topUpMoney("alice", 100);

        story.at(T0);
        Reserved r = story.reserve("alice", "shop", Unit.MONEY, 10, ANY, 1_000);

        assertThat(story.ledger.nowMillis()).isEqualTo(T0 + 10_000);
        assertThat(r.expiresAtMillis()).isEqualTo(T0 + 11_000);
        assertThat(story.transfers("alice").getFirst().atMillis()).isEqualTo(T0 + 10_000);
        story.at(T0 + 10_999);
        assertThat(story.commit(r.reservationId(), 10)).isInstanceOf(Committed.class);
    }

    @Test
    void aSuspendedCounterpartyIsStillPaid() {
        story.topUpMoney("alice", 100);
        long id = story.reserve("alice", "shop", 30).reservationId();
        story.status("shop", AccountStatus.SUSPENDED);

        assertThat(story.commit(id, 30)).isInstanceOf(Committed.class);
        assertThat(story.money("shop").total()).isEqualTo(30);
    }
}
