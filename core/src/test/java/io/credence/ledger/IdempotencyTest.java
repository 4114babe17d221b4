package io.credence.ledger;

import io.credence.ledger.Operation.CreateAccount;
import io.credence.ledger.Operation.Reserve;
import io.credence.ledger.Operation.TopUp;
import io.credence.ledger.Operation.Transfer;
import io.credence.ledger.Outcome.Reserved;
import io.credence.ledger.Outcome.ToppedUp;
import io.credence.ledger.Outcome.Transferred;
import io.credence.ledger.Rejection.DuplicateRequest;
import io.credence.ledger.Rejection.InsufficientBalance;
import io.credence.ledger.Rejection.LimitExceeded;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import static io.credence.ledger.LedgerStory.ANY;
import static io.credence.ledger.LedgerStory.T0;
import static org.assertj.core.api.Assertions.assertThat;

/** Every command carries a request id; a retry gets the first answer and changes nothing. */
class IdempotencyTest {
    static final Transfer PAY_30 = new Transfer("alice", "shop", Unit.MONEY, 30, ANY);

    final LedgerStory story = new LedgerStory();

    IdempotencyTest() {
        story.subscriber("alice").operator("shop");
    }

    @Test
    void aRetryGetsTheFirstOutcomeAndChangesNothing() {
        story.topUpMoney("alice", 100);
        Outcome first = story.submit("pay-1", PAY_30);
        Object before = story.everything();

        story.later(10_000);
        Outcome retry = story.submit("pay-1", PAY_30);

        assertThat(first).isInstanceOf(Transferred.class);
        assertThat(retry).isEqualTo(first);
        assertThat(story.everything()).isEqualTo(before);
        assertThat(story.money("alice").total()).isEqualTo(70);
    }

    @Test
    void aRejectedRequestStaysRejectedEvenOnceTheBalanceWouldAllowIt() {
        story.topUpMoney("alice", 10);
        Outcome first = story.submit("pay-1", PAY_30);
        story.topUpMoney("alice", 1_000);

        Outcome retry = story.submit("pay-1", PAY_30);

        assertThat(first).isEqualTo(new InsufficientBalance("alice", Unit.MONEY, 30, 10));
        assertThat(retry).isEqualTo(first);
        assertThat(story.money("alice").total()).isEqualTo(1_010);
    }

    @Test
    void theSameIdWithAnotherOperationIsADuplicateAndTheFirstOutcomeStands() {
        story.topUpMoney("alice", 100);
        Outcome first = story.submit("pay-1", PAY_30);
        Object before = story.everything();

        assertThat(story.submit("pay-1", new Transfer("alice", "shop", Unit.MONEY, 31, ANY)))
                .isEqualTo(new DuplicateRequest("pay-1"));
        assertThat(story.submit("pay-1", new CreateAccount("bob", AccountKind.SUBSCRIBER, Map.of())))
                .isEqualTo(new DuplicateRequest("pay-1"));

        assertThat(story.everything()).isEqualTo(before);
        assertThat(story.ledger.account("bob")).isEmpty();
        assertThat(story.submit("pay-1", PAY_30)).isEqualTo(first);
    }

    @Test
    void aRetriedReservationHoldsOnceAndKeepsItsFirstDeadline() {
        story.topUpMoney("alice", 100);
        Reserve reserve = new Reserve("alice", "shop", Unit.MONEY, 40, ANY, 60_000);
        Outcome first = story.submit("session-1", reserve);

        story.later(30_000);
        Outcome retry = story.submit("session-1", reserve);

        assertThat(retry).isEqualTo(first).isEqualTo(new Reserved(1, 40, T0 + 60_000));
        assertThat(story.ledger.openReservationCount()).isEqualTo(1);
        assertThat(story.availableMoney("alice")).isEqualTo(60);
    }

    @Test
    void aServiceFilterListedInAnotherOrderIsTheSameOperation() {
        LinkedHashSet<Long> ascending = new LinkedHashSet<>();
        LongStream.range(0, 40).forEach(i -> ascending.add(i * 1_000_003L));
        LinkedHashSet<Long> descending = new LinkedHashSet<>(ascending.reversed());
        TopUp first = new TopUp("system", "alice", Unit.BYTES, 5, new BucketSpec(0, BucketSpec.FOREVER, 1,
                new ServiceFilter(ascending, ordered(7L, 8L, 9L))));
        TopUp second = new TopUp("system", "alice", Unit.BYTES, 5, new BucketSpec(0, BucketSpec.FOREVER, 1,
                new ServiceFilter(descending, ordered(9L, 8L, 7L))));

        Outcome outcome = story.submit("grant-1", first);

        assertThat(outcome).isInstanceOf(ToppedUp.class);
        assertThat(story.submit("grant-1", second)).isEqualTo(outcome);
        assertThat(story.balance("alice", Unit.BYTES).total()).isEqualTo(5);
    }

    @Test
    void requestIdsAreForgottenOnceTheRetentionWindowHasPassed() {
        LedgerStory short10s = new LedgerStory(LedgerStory.limits(10, 32, 10, 60_000, 100, 10_000, 100));
        short10s.subscriber("alice").operator("shop");
        short10s.topUpMoney("alice", 100);
        Outcome first = short10s.submit("pay-1", PAY_30);

        short10s.at(T0 + 9_999);
        assertThat(short10s.submit("pay-1", PAY_30)).isEqualTo(first);
        assertThat(short10s.money("alice").total()).isEqualTo(70);

        short10s.at(T0 + 10_000);
        Outcome again = short10s.submit("pay-1", PAY_30);
        assertThat(again).isInstanceOf(Transferred.class).isNotEqualTo(first);
        assertThat(short10s.money("alice").total()).isEqualTo(40);
    }

    @Test
    void whenTheRequestTableIsFullNewRequestsAreRefusedButRetriesAreStillAnswered() {
        LedgerStory small = new LedgerStory(LedgerStory.limits(10, 32, 10, 60_000, 4, 10_000, 100));
        small.subscriber("alice").operator("shop");
        small.topUpMoney("alice", 100);
        Outcome paid = small.submit("pay-1", PAY_30);
        assertThat(small.ledger.requestIdCount()).isEqualTo(4);
        Object before = small.everything();

        assertThat(small.submit("pay-2", PAY_30)).isEqualTo(new LimitExceeded("requestIdsMax", 4));
        assertThat(small.everything()).isEqualTo(before);
        assertThat(small.submit("pay-1", PAY_30)).as("a retry needs no new entry").isEqualTo(paid);

        small.at(T0 + 10_000);
        Transfer other = new Transfer("alice", "shop", Unit.MONEY, 5, ANY);
        assertThat(small.submit("pay-2", other)).as("a refused id was not remembered").isInstanceOf(Transferred.class);
        assertThat(small.ledger.requestIdCount()).isEqualTo(1);
    }

    /** A set that iterates in the order given. */
    private static java.util.Set<Long> ordered(Long... ids) {
        return new LinkedHashSet<>(List.of(ids));
    }
}
