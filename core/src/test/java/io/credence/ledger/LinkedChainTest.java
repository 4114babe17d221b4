package io.credence.ledger;

import io.credence.ledger.Operation.Commit;
import io.credence.ledger.Operation.Linked;
import io.credence.ledger.Operation.Release;
import io.credence.ledger.Operation.Reserve;
import io.credence.ledger.Operation.Step;
import io.credence.ledger.Operation.TopUp;
import io.credence.ledger.Operation.Transfer;
import io.credence.ledger.Outcome.Committed;
import io.credence.ledger.Outcome.LinkedApplied;
import io.credence.ledger.Outcome.Reserved;
import io.credence.ledger.Outcome.ToppedUp;
import io.credence.ledger.Outcome.Transferred;
import io.credence.ledger.Rejection.Expired;
import io.credence.ledger.Rejection.InsufficientBalance;
import io.credence.ledger.Rejection.LinkedRejected;
import io.credence.ledger.Rejection.UnknownAccount;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static io.credence.ledger.LedgerStory.ANY;
import static io.credence.ledger.LedgerStory.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Linked steps succeed together or leave no trace at all. */
class LinkedChainTest {
    static final Step TOO_MUCH = new Transfer("alice", "bob", Unit.MONEY, 1_000_000, ANY);

    final LedgerStory story = new LedgerStory();

    LinkedChainTest() {
        story.subscriber("alice").subscriber("bob").operator("shop");
    }

    @Test
    void allStepsApplyTogetherAndALaterStepSeesWhatAnEarlierOneDid() {
        long main = story.topUpMoney("alice", 100);

        Outcome outcome = story.submit(new Linked(List.of(
                new Reserve("alice", "shop", Unit.MONEY, 30, ANY, 60_000),
                new Commit(1, 20, false),
                new Transfer("alice", "bob", Unit.MONEY, 80, ANY),
                new TopUp("system", "alice", Unit.MONEY, 5, null))));

        assertThat(outcome).isEqualTo(new LinkedApplied(List.of(
                new Reserved(1, 30, T0 + 60_000),
                new Committed(1, 20, 10, 0, 2),
                new Transferred(3),
                new ToppedUp(4, main))));
        assertThat(story.money("alice").total()).isEqualTo(5);
        assertThat(story.money("bob").total()).isEqualTo(80);
    }

    @Test
    void aRejectedStepLeavesNoTraceOfTheStepsBeforeIt() {
        story.topUpMoney("alice", 100);
        Object before = story.everything();
        long lastSeq = story.ledger.lastTransferSeq();

        Outcome outcome = story.submit(new Linked(List.of(
                new TopUp("system", "alice", Unit.MONEY, 50, BucketSpec.unlimited(3, ServiceFilter.ALL)),
                new TopUp("system", "bob", Unit.BYTES, 7, null),
                new Reserve("alice", "shop", Unit.MONEY, 120, ANY, 60_000),
                new Transfer("alice", "bob", Unit.MONEY, 10, ANY),
                TOO_MUCH)));

        assertThat(outcome).isEqualTo(new LinkedRejected(4, new InsufficientBalance("alice", Unit.MONEY, 1_000_000, 20)));
        assertThat(story.everything()).isEqualTo(before);
        assertThat(story.view("bob").balances()).as("no main balance was left behind").isEmpty();
        assertThat(story.ledger.lastTransferSeq()).isEqualTo(lastSeq);

        // the ids the chain used are handed out again
        ToppedUp bucket = story.expect(ToppedUp.class,
                new TopUp("system", "alice", Unit.MONEY, 50, BucketSpec.unlimited(3, ServiceFilter.ALL)));
        Reserved reserved = story.reserve("alice", "shop", 10);
        assertThat(bucket.bucketId()).isEqualTo(3);
        assertThat(bucket.transferSeq()).isEqualTo(lastSeq + 1);
        assertThat(reserved.reservationId()).isEqualTo(1);
    }

    @Test
    void theRejectionNamesTheStepAndItsCause() {
        Outcome outcome = story.submit(new Linked(List.of(
                new TopUp("system", "alice", Unit.MONEY, 5, null),
                new Transfer("alice", "ghost", Unit.MONEY, 1, ANY))));

        assertThat(outcome).isEqualTo(new LinkedRejected(1, new UnknownAccount("ghost")));
        assertThat(((Rejection) outcome).message()).contains("step 1").contains("ghost");
        assertThat(story.money("alice").total()).isZero();
    }

    @Test
    void aRolledBackReleaseKeepsTheReservationAndTheEndedBucketItHolds() {
        long bucket = story.bucket("alice", 100, 1, T0 + 1_000);
        long id = story.reserve("alice", "shop", 60).reservationId();
        story.advanceTo(T0 + 2_000);
        Object before = story.everything();

        Outcome outcome = story.submit(new Linked(List.of(new Release(id), TOO_MUCH)));

        assertThat(outcome).isInstanceOf(LinkedRejected.class);
        assertThat(story.everything()).isEqualTo(before);
        assertThat(story.bucketView("alice", bucket).reserved()).isEqualTo(60);
        assertThat(story.ledger.reservation(id).orElseThrow().status()).isEqualTo(ReservationStatus.OPEN);

        story.release(id);
        assertThat(story.view("alice").buckets()).as("swept once really released").isEmpty();
    }

    @Test
    void aRolledBackReleaseStillExpiresOnTime() {
        // More than 4096 settled reservations make the ledger tidy its deadline queue on the next
        // reservation; a chain that released one and then failed must not lose that one's deadline.
        LedgerStory big = new LedgerStory();
        big.subscriber("alice").operator("shop");
        big.topUpMoney("alice", 1_000_000);
        long target = big.reserve("alice", "shop", Unit.MONEY, 10, ANY, 5_000).reservationId();
        List<Long> others = new ArrayList<>();
        for (int i = 0; i < 4_100; i++) {
            others.add(big.reserve("alice", "shop", Unit.MONEY, 1, ANY, 60_000).reservationId());
        }
        for (long other : others) {
            big.release(other);
        }

        Outcome outcome = big.submit(new Linked(List.of(
                new Release(target),
                new Reserve("alice", "shop", Unit.MONEY, 1, ANY, 60_000),
                new Transfer("alice", "shop", Unit.MONEY, 999_999_999, ANY))));
        assertThat(outcome).isInstanceOf(LinkedRejected.class);
        assertThat(big.ledger.reservation(target).orElseThrow().status()).isEqualTo(ReservationStatus.OPEN);

        big.advanceTo(T0 + 5_000);

        assertThat(big.ledger.reservation(target).orElseThrow().status()).isEqualTo(ReservationStatus.EXPIRED);
        assertThat(big.commit(target, 10)).isEqualTo(new Expired(target, T0 + 5_000));
        assertThat(big.availableMoney("alice")).isEqualTo(1_000_000);
    }

    @Test
    void aRolledBackChainKeepsTheMemoryOfClosedReservations() {
        // closed reservations are remembered up to requestIdsMax of them
        LedgerStory small = new LedgerStory(LedgerStory.limits(10, 32, 100, 60_000, 8, 3_600_000, 100));
        small.subscriber("alice").operator("shop");
        small.topUpMoney("alice", 100);
        List<Step> eight = Collections.nCopies(8, new Reserve("alice", "shop", Unit.MONEY, 1, ANY, 1_000));
        assertThat(small.submit(new Linked(eight))).isInstanceOf(LinkedApplied.class);
        small.at(T0 + 1_000);
        long open = small.reserve("alice", "shop", Unit.MONEY, 1, ANY, 60_000).reservationId();
        assertThat(small.ledger.reservation(1).orElseThrow().status()).isEqualTo(ReservationStatus.EXPIRED);

        assertThat(small.submit(new Linked(List.of(new Release(open), TOO_MUCH)))).isInstanceOf(LinkedRejected.class);

        assertThat(small.ledger.reservation(1)).map(ReservationView::status).contains(ReservationStatus.EXPIRED);
        assertThat(small.commit(1, 1)).isEqualTo(new Expired(1, T0 + 1_000));
    }

    @Test
    void aRolledBackChainPutsBackTheTransfersItPushedOutOfTheRing() {
        LedgerStory ring2 = new LedgerStory(LedgerStory.limits(10, 32, 10, 60_000, 100, 60_000, 2));
        ring2.subscriber("alice").subscriber("bob");
        ring2.topUpMoney("alice", 100);
        ring2.topUpMoney("bob", 100);
        List<TransferRecord> aliceBefore = ring2.transfers("alice");
        List<TransferRecord> bobBefore = ring2.transfers("bob");

        Outcome outcome = ring2.submit(new Linked(List.of(
                new Transfer("alice", "bob", Unit.MONEY, 1, ANY),
                new Transfer("bob", "alice", Unit.MONEY, 1, ANY),
                TOO_MUCH)));

        assertThat(outcome).isInstanceOf(LinkedRejected.class);
        assertThat(ring2.transfers("alice")).isEqualTo(aliceBefore).hasSize(1);
        assertThat(ring2.transfers("bob")).isEqualTo(bobBefore).hasSize(1);
        assertThat(ring2.ledger.lastTransferSeq()).isEqualTo(2);
    }

    @Test
    void aRetriedChainGetsItsFirstOutcome() {
        story.topUpMoney("alice", 100);
        Linked chain = new Linked(List.of(new Transfer("alice", "bob", Unit.MONEY, 60, ANY),
                new Transfer("alice", "shop", Unit.MONEY, 60, ANY)));
        Outcome first = story.submit("chain-1", chain);
        story.topUpMoney("alice", 100);

        assertThat(story.submit("chain-1", chain)).isEqualTo(first).isInstanceOf(LinkedRejected.class);
        assertThat(story.money("alice").total()).isEqualTo(200);
    }

    @Test
    void aChainHasOneToSixteenSteps() {
        List<Step> sixteen = Collections.nCopies(Linked.STEPS_MAX, new TopUp("system", "alice", Unit.MONEY, 1, null));
        assertThat(story.submit(new Linked(sixteen))).isInstanceOfSatisfying(LinkedApplied.class,
                applied -> assertThat(applied.steps()).hasSize(16));
        assertThat(story.money("alice").total()).isEqualTo(16);

        List<Step> seventeen = new ArrayList<>(sixteen);
        seventeen.add(new Release(1));
        assertThatThrownBy(() -> new Linked(seventeen)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Linked(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
