package io.credence.ledger;

import io.credence.ledger.Operation.Commit;
import io.credence.ledger.Operation.Release;
import io.credence.ledger.Operation.Reserve;
import io.credence.ledger.Operation.TopUp;
import io.credence.ledger.Operation.Transfer;
import io.credence.ledger.Outcome.Committed;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.credence.ledger.LedgerStory.ANY;
import static io.credence.ledger.LedgerStory.T0;
import static org.assertj.core.api.Assertions.assertThat;

/** Buckets end at validUntil: what is left (and not held) returns to the system account. */
class ExpiryTest {
    final LedgerStory story = new LedgerStory();

    ExpiryTest() {
        story.subscriber("alice").operator("shop");
    }

    @Test
    void whatIsLeftInAnEndedBucketGoesBackToTheSystemAccount() {
        long bucket = story.bucket("alice", 100, 1, T0 + 1_000);
        story.transfer("alice", "shop", 30);

        story.advanceTo(T0 + 5_000);

        assertThat(story.view("alice").buckets()).isEmpty();
        assertThat(story.transfers("alice").getFirst()).isEqualTo(new TransferRecord(3, TransferKind.BUCKET_EXPIRY,
                "alice", "system", Unit.MONEY, 70, 0, 0, bucket, T0 + 1_000, null));
        assertThat(story.money("system").total()).isEqualTo(-30);
        assertThat(story.money("shop").total()).isEqualTo(30);
    }

    @Test
    void aBucketPaysUntilTheMillisecondBeforeItsValidUntil() {
        story.bucket("alice", 100, 1, T0 + 1_000);

        story.advanceTo(T0 + 999);
        assertThat(story.availableMoney("alice")).isEqualTo(100);
        assertThat(story.transfer("alice", "shop", 1)).isInstanceOf(Outcome.Transferred.class);

        story.at(T0 + 1_000);
        assertThat(story.transfer("alice", "shop", 1))
                .isEqualTo(new Rejection.InsufficientBalance("alice", Unit.MONEY, 1, 0));
    }

    @Test
    void anEmptyBucketThatEndsDisappearsWithoutATransfer() {
        story.bucket("alice", 100, 1, T0 + 1_000);
        story.transfer("alice", "shop", 100);
        long lastSeq = story.ledger.lastTransferSeq();

        story.advanceTo(T0 + 1_000);

        assertThat(story.view("alice").buckets()).isEmpty();
        assertThat(story.ledger.lastTransferSeq()).isEqualTo(lastSeq);
    }

    @Test
    void aHeldBucketStaysUntilTheHoldEndsThenOnlyWhatWasNotChargedReturns() {
        long bucket = story.bucket("alice", 100, 1, T0 + 1_000);
        long id = story.reserve("alice", "shop", 60).reservationId();

        story.advanceTo(T0 + 2_000);
        BucketView held = story.bucketView("alice", bucket);
        assertThat(held.amount()).isEqualTo(100);
        assertThat(held.reserved()).isEqualTo(60);
        assertThat(held.available()).as("no longer valid").isZero();
        assertThat(story.availableMoney("alice")).isZero();

        assertThat(story.submit("commit-1", new Commit(id, 50, false))).isEqualTo(new Committed(id, 50, 10, 0, 2));

        assertThat(story.view("alice").buckets()).isEmpty();
        assertThat(story.transfers("alice")).extracting(TransferRecord::kind, TransferRecord::amount)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(TransferKind.BUCKET_EXPIRY, 50L),
                        org.assertj.core.groups.Tuple.tuple(TransferKind.COMMIT, 50L),
                        org.assertj.core.groups.Tuple.tuple(TransferKind.TOP_UP, 100L));
        assertThat(story.transfers("alice").getFirst().requestId()).as("swept by the commit").isEqualTo("commit-1");
        assertThat(story.money("system").total()).isEqualTo(-50);
    }

    @Test
    void aHeldBucketIsSweptWhenItsReservationExpires() {
        long bucket = story.bucket("alice", 100, 1, T0 + 1_000);
        story.reserve("alice", "shop", Unit.MONEY, 60, ANY, 5_000);

        story.advanceTo(T0 + 10_000);

        assertThat(story.view("alice").buckets()).isEmpty();
        assertThat(story.transfers("alice").getFirst()).isEqualTo(new TransferRecord(2, TransferKind.BUCKET_EXPIRY,
                "alice", "system", Unit.MONEY, 100, 0, 0, bucket, T0 + 5_000, null));
        assertThat(story.money("system").total()).isZero();
    }

    @Test
    void aReleasedHoldOnAnEndedBucketReturnsEverythingToTheSystem() {
        story.bucket("alice", 100, 1, T0 + 1_000);
        long main = story.topUpMoney("alice", 10);
        long id = story.reserve("alice", "shop", 105).reservationId();
        story.at(T0 + 3_000);

        story.release(id);

        assertThat(story.amounts("alice")).isEqualTo(Map.of(main, 10L));
        assertThat(story.money("system").total()).isEqualTo(-10);
    }

    @Test
    void aReservationAndABucketDueAtTheSameInstantEndTogether() {
        long bucket = story.bucket("alice", 100, 1, T0 + 1_000);
        story.reserve("alice", "shop", Unit.MONEY, 40, ANY, 1_000);

        story.advanceTo(T0 + 1_000);

        assertThat(story.ledger.openReservationCount()).isZero();
        assertThat(story.bucketView("alice", bucket)).isNull();
        assertThat(story.transfers("alice").getFirst().amount()).isEqualTo(100);
    }

    /**
     * The journal's writer calls {@code advanceTo} when idle and does not journal it; a replay sees
     * only the commands. So an idle tick must not change any outcome, view or transfer record.
     */
    @Test
    void idleTicksChangeNoOutcomeViewOrTransferRecord() {
        List<Command> commands = List.of(
                new Command("c1", new Operation.CreateAccount("alice", AccountKind.SUBSCRIBER, Map.of())),
                new Command("c2", new Operation.CreateAccount("shop", AccountKind.OPERATOR, Map.of())),
                new Command("t1", new TopUp("system", "alice", Unit.MONEY, 100,
                        new BucketSpec(0, T0 + 1_000, 1, ServiceFilter.ALL))),
                new Command("t2", new TopUp("system", "alice", Unit.MONEY, 100,
                        new BucketSpec(0, T0 + 2_000, 1, ServiceFilter.ALL))),
                new Command("r1", new Reserve("alice", "shop", Unit.MONEY, 10, ANY, 500)),
                new Command("r2", new Reserve("alice", "shop", Unit.MONEY, 150, ANY, 3_000)),
                new Command("x1", new Transfer("alice", "shop", Unit.MONEY, 1, ANY)),
                new Command("k1", new Commit(1, 10, false)),
                new Command("k2", new Release(2)),
                new Command("k1", new Commit(1, 10, false)));
        long[] times = {T0, T0, T0, T0, T0, T0, T0 + 20_000, T0 + 20_000, T0 + 20_000, T0 + 20_000};

        Ledger quiet = new Ledger(LedgerLimits.DEFAULTS);
        Ledger ticking = new Ledger(LedgerLimits.DEFAULTS);
        List<Outcome> quietOutcomes = new ArrayList<>();
        List<Outcome> tickingOutcomes = new ArrayList<>();
        for (int i = 0; i < commands.size(); i++) {
            if (i == 6) {
                ticking.advanceTo(T0 + 700);
                ticking.advanceTo(T0 + 1_500);
                ticking.advanceTo(T0 + 4_000);
            }
            quietOutcomes.add(quiet.apply(commands.get(i), times[i]));
            tickingOutcomes.add(ticking.apply(commands.get(i), times[i]));
        }

        assertThat(tickingOutcomes).isEqualTo(quietOutcomes);
        assertThat(tickingOutcomes.get(7)).isEqualTo(new Rejection.Expired(1, T0 + 500));
        for (String id : List.of("alice", "shop", "system")) {
            assertThat(ticking.transfers(id, 0, 100)).isEqualTo(quiet.transfers(id, 0, 100));
            assertThat(ticking.account(id)).isEqualTo(quiet.account(id));
        }
        assertThat(ticking.reservation(1)).isEqualTo(quiet.reservation(1));
        assertThat(ticking.reservation(2)).isEqualTo(quiet.reservation(2));
    }
}
