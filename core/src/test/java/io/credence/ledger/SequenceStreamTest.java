package io.credence.ledger;

import io.credence.ledger.Operation.Advance;
import io.credence.ledger.Operation.Commit;
import io.credence.ledger.Operation.Linked;
import io.credence.ledger.Operation.TopUp;
import io.credence.ledger.Outcome.Advanced;
import io.credence.ledger.Outcome.Committed;
import io.credence.ledger.Outcome.LinkedApplied;
import io.credence.ledger.Rejection.CommitExceedsReservation;
import io.credence.ledger.Rejection.DuplicateRequest;
import io.credence.ledger.Rejection.LimitExceeded;
import io.credence.ledger.Rejection.LinkedRejected;
import io.credence.ledger.Rejection.StaleSequence;
import io.credence.ledger.Rejection.UnknownAccount;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Sequence streams: a numbered report is counted once, whenever it comes again, and together with
 * the charge it is linked to.
 */
class SequenceStreamTest {
    static final long MAX = Long.MAX_VALUE;

    final LedgerStory story = new LedgerStory();

    SequenceStreamTest() {
        story.subscriber("alice").subscriber("bob").operator("shop");
    }

    Outcome advance(String account, String stream, long seq, long amount) {
        return story.submit(new Advance(account, stream, seq, amount));
    }

    Optional<SequenceView> sequence(String account, String stream) {
        return story.ledger.sequence(account, stream);
    }

    @Test
    void anAdvanceIsAcceptedAndTheTotalAccumulates() {
        assertThat(advance("alice", "sim-1", 1, 100)).isEqualTo(new Advanced("alice", "sim-1", 1, 100));
        assertThat(advance("alice", "sim-1", 2, 50)).isEqualTo(new Advanced("alice", "sim-1", 2, 150));

        assertThat(sequence("alice", "sim-1")).contains(new SequenceView("sim-1", 2, 150));
    }

    @Test
    void theSameNumberAgainIsStaleAndChangesNothing() {
        advance("alice", "sim-1", 7, 100);
        Object before = story.everything();

        Outcome again = advance("alice", "sim-1", 7, 100);

        assertThat(again).isEqualTo(new StaleSequence("alice", "sim-1", 7, 7));
        assertThat(((Rejection) again).message()).isEqualTo("stream 'sim-1' of account 'alice' is at 7; 7 is not above it");
        assertThat(sequence("alice", "sim-1")).contains(new SequenceView("sim-1", 7, 100));
        assertThat(story.everything()).isEqualTo(before);
    }

    @Test
    void aLowerNumberIsStale() {
        advance("alice", "sim-1", 7, 100);

        assertThat(advance("alice", "sim-1", 6, 1)).isEqualTo(new StaleSequence("alice", "sim-1", 6, 7));
        assertThat(advance("alice", "sim-1", 1, 1)).isEqualTo(new StaleSequence("alice", "sim-1", 1, 7));
        assertThat(sequence("alice", "sim-1")).contains(new SequenceView("sim-1", 7, 100));
    }

    @Test
    void gapsAreAllowedAndAReportInsideAGapComesTooLate() {
        assertThat(advance("alice", "sim-1", 5, 10)).isEqualTo(new Advanced("alice", "sim-1", 5, 10));
        assertThat(advance("alice", "sim-1", 9, 10)).isEqualTo(new Advanced("alice", "sim-1", 9, 20));

        assertThat(advance("alice", "sim-1", 7, 10)).isEqualTo(new StaleSequence("alice", "sim-1", 7, 9));
        assertThat(advance("alice", "sim-1", MAX, 10)).isEqualTo(new Advanced("alice", "sim-1", MAX, 30));
        assertThat(advance("alice", "sim-1", MAX, 10)).as("nothing is above the end")
                .isEqualTo(new StaleSequence("alice", "sim-1", MAX, MAX));
    }

    @Test
    void streamsAreSeparatePerNameAndPerAccount() {
        advance("alice", "sim-1", 5, 10);

        assertThat(advance("alice", "sim-2", 1, 3)).isEqualTo(new Advanced("alice", "sim-2", 1, 3));
        assertThat(advance("bob", "sim-1", 1, 4)).isEqualTo(new Advanced("bob", "sim-1", 1, 4));
        assertThat(sequence("alice", "sim-1")).contains(new SequenceView("sim-1", 5, 10));
        assertThat(sequence("alice", "SIM-1")).as("names are case-sensitive, like ids").isEmpty();
    }

    @Test
    void anAmountOfZeroIsAcceptedAndMovesOnlyTheNumber() {
        advance("alice", "sim-1", 1, 100);

        assertThat(advance("alice", "sim-1", 2, 0)).isEqualTo(new Advanced("alice", "sim-1", 2, 100));
        assertThat(advance("bob", "sim-1", 1, 0)).as("a new stream too").isEqualTo(new Advanced("bob", "sim-1", 1, 0));
    }

    @Test
    void usageIsCountedWhateverTheAccountsStatus() {
        story.status("alice", AccountStatus.SUSPENDED);
        assertThat(advance("alice", "sim-1", 1, 10)).isEqualTo(new Advanced("alice", "sim-1", 1, 10));

        story.status("alice", AccountStatus.CLOSED);
        assertThat(advance("alice", "sim-1", 2, 10)).isEqualTo(new Advanced("alice", "sim-1", 2, 20));
        assertThat(advance("alice", "sim-1", 2, 10)).isEqualTo(new StaleSequence("alice", "sim-1", 2, 2));
    }

    @Test
    void anUnknownAccountIsRejectedAndHasNoStreams() {
        assertThat(advance("ghost", "sim-1", 1, 10)).isEqualTo(new UnknownAccount("ghost"));

        assertThat(sequence("ghost", "sim-1")).isEmpty();
        assertThat(sequence("alice", "sim-1")).isEmpty();
        assertThat(sequence("alice", null)).isEmpty();
    }

    @Test
    void aSeventeenthStreamIsOverTheLimitWhileTheSixteenStillAdvance() {
        for (int i = 0; i < Account.STREAMS_MAX; i++) {
            assertThat(advance("alice", "sim-" + i, 1, i).accepted()).isTrue();
        }
        Object before = story.everything();

        assertThat(advance("alice", "sim-16", 1, 1)).isEqualTo(new LimitExceeded("streamsPerAccount", 16));
        assertThat(sequence("alice", "sim-16")).isEmpty();
        assertThat(story.everything()).isEqualTo(before);
        assertThat(advance("alice", "sim-15", 2, 1)).isEqualTo(new Advanced("alice", "sim-15", 2, 16));
        assertThat(advance("bob", "sim-16", 1, 1)).as("the limit is per account").isInstanceOf(Advanced.class);
    }

    @Test
    void aTotalThatWouldPassLongMaxIsOverTheLimitAndChangesNothing() {
        assertThat(advance("alice", "sim-1", 1, MAX)).isEqualTo(new Advanced("alice", "sim-1", 1, MAX));

        assertThat(advance("alice", "sim-1", 2, 1)).isEqualTo(new LimitExceeded("total of alice stream sim-1", MAX));
        assertThat(sequence("alice", "sim-1")).as("not even the number moved").contains(new SequenceView("sim-1", 1, MAX));
        assertThat(advance("alice", "sim-1", 2, 0)).isEqualTo(new Advanced("alice", "sim-1", 2, MAX));

        advance("bob", "sim-1", 1, MAX - 5);
        assertThat(advance("bob", "sim-1", 2, 5)).as("exactly up to the end").isEqualTo(new Advanced("bob", "sim-1", 2, MAX));
    }

    // ---------------------------------------------------------------- linked with the charge

    @Test
    void linkedWithItsChargeBothApply() {
        story.topUpMoney("alice", 100);
        long reservation = story.reserve("alice", "shop", 50).reservationId();

        Outcome outcome = story.submit(new Linked(List.of(new Advance("alice", "sim-1", 1, 30),
                new Commit(reservation, 30, false))));

        assertThat(outcome).isEqualTo(new LinkedApplied(List.of(new Advanced("alice", "sim-1", 1, 30),
                new Committed(reservation, 30, 20, 0, 2))));
        assertThat(story.money("alice").total()).isEqualTo(70);
    }

    @Test
    void aRejectedChargeTakesTheAdvanceBackWith() {
        story.topUpMoney("alice", 100);
        long reservation = story.reserve("alice", "shop", 50).reservationId();
        advance("alice", "sim-1", 1, 10);
        Object before = story.everything();

        Outcome onExisting = story.submit(new Linked(List.of(new Advance("alice", "sim-1", 2, 80),
                new Commit(reservation, 80, false))));
        Outcome onNew = story.submit(new Linked(List.of(new Advance("alice", "sim-2", 1, 80),
                new Commit(reservation, 80, false))));

        LinkedRejected rejected = new LinkedRejected(1, new CommitExceedsReservation(reservation, 50, 80));
        assertThat(onExisting).isEqualTo(rejected);
        assertThat(onNew).isEqualTo(rejected);
        assertThat(sequence("alice", "sim-1")).contains(new SequenceView("sim-1", 1, 10));
        assertThat(sequence("alice", "sim-2")).as("a stream the chain added is gone again").isEmpty();
        assertThat(story.everything()).isEqualTo(before);
        // the numbers the rolled-back chain used are still free
        assertThat(advance("alice", "sim-1", 2, 5)).isEqualTo(new Advanced("alice", "sim-1", 2, 15));
        assertThat(advance("alice", "sim-2", 1, 5)).isEqualTo(new Advanced("alice", "sim-2", 1, 5));
    }

    @Test
    void aStaleReportStopsTheChainBeforeItsCharge() {
        advance("alice", "sim-1", 3, 10);
        Object before = story.everything();

        Outcome outcome = story.submit(new Linked(List.of(new Advance("alice", "sim-1", 3, 10),
                new TopUp("system", "alice", Unit.MONEY, 10, null))));

        assertThat(outcome).isEqualTo(new LinkedRejected(0, new StaleSequence("alice", "sim-1", 3, 3)));
        assertThat(story.everything()).isEqualTo(before);
    }

    @Test
    void twoAdvancesOfOneStreamInAChainMustRise() {
        Outcome rising = story.submit(new Linked(List.of(new Advance("alice", "sim-1", 1, 1),
                new Advance("alice", "sim-1", 2, 2))));
        Outcome repeated = story.submit(new Linked(List.of(new Advance("alice", "sim-1", 3, 1),
                new Advance("alice", "sim-1", 3, 2))));

        assertThat(rising).isEqualTo(new LinkedApplied(List.of(new Advanced("alice", "sim-1", 1, 1),
                new Advanced("alice", "sim-1", 2, 3))));
        assertThat(repeated).isEqualTo(new LinkedRejected(1, new StaleSequence("alice", "sim-1", 3, 3)));
        assertThat(sequence("alice", "sim-1")).contains(new SequenceView("sim-1", 2, 3));
    }

    @Test
    void streamsAddedByARolledBackChainDoNotCountTowardsTheLimit() {
        for (int i = 0; i < Account.STREAMS_MAX - 2; i++) {
            advance("alice", "sim-" + i, 1, 1);
        }
        List<Operation.Step> steps = new ArrayList<>();
        for (int i = Account.STREAMS_MAX - 2; i <= Account.STREAMS_MAX; i++) {
            steps.add(new Advance("alice", "sim-" + i, 1, 1));
        }

        assertThat(story.submit(new Linked(steps)))
                .isEqualTo(new LinkedRejected(2, new LimitExceeded("streamsPerAccount", 16)));
        assertThat(sequence("alice", "sim-14")).isEmpty();
        assertThat(story.submit(new Linked(steps.subList(0, 2))).accepted()).isTrue();
        assertThat(sequence("alice", "sim-15")).contains(new SequenceView("sim-15", 1, 1));
    }

    // ---------------------------------------------------------------- request ids

    @Test
    void aRetryUnderTheSameRequestIdGetsTheFirstOutcome() {
        Advance report = new Advance("alice", "sim-1", 1, 100);
        Outcome first = story.submit("report-1", report);
        Object before = story.everything();

        assertThat(story.submit("report-1", report)).isEqualTo(first).isEqualTo(new Advanced("alice", "sim-1", 1, 100));
        assertThat(story.submit("report-1", new Advance("alice", "sim-1", 2, 100)))
                .isEqualTo(new DuplicateRequest("report-1"));
        assertThat(story.everything()).isEqualTo(before);
        assertThat(sequence("alice", "sim-1")).contains(new SequenceView("sim-1", 1, 100));
        assertThat(story.ledger.outcomeOf("report-1")).contains(first);
    }

    @Test
    void aRepeatIsRecognisedAfterTheRequestIdIsForgotten() {
        Advance report = new Advance("alice", "sim-1", 1, 100);
        story.submit("report-1", report);

        story.later(story.ledger.limits().requestIdRetentionMillis() + 1);
        Outcome muchLater = story.submit("report-1", report);

        assertThat(story.ledger.outcomeOf("report-1")).contains(muchLater);
        assertThat(muchLater).isEqualTo(new StaleSequence("alice", "sim-1", 1, 1));
        assertThat(sequence("alice", "sim-1")).contains(new SequenceView("sim-1", 1, 100));
    }

    // ---------------------------------------------------------------- shape

    @Test
    void theRecordRefusesMalformedReports() {
        assertThatThrownBy(() -> new Advance("", "sim-1", 1, 0)).hasMessageContaining("accountId");
        assertThatThrownBy(() -> new Advance("alice", "", 1, 0)).hasMessageContaining("stream");
        assertThatThrownBy(() -> new Advance("alice", null, 1, 0)).hasMessageContaining("stream");
        assertThatThrownBy(() -> new Advance("alice", "x".repeat(65), 1, 0)).hasMessageContaining("stream")
                .hasMessageContaining("64");
        assertThatThrownBy(() -> new Advance("alice", "sim 1", 1, 0)).hasMessageContaining("stream");
        assertThatThrownBy(() -> new Advance("alice", "sim-1", 0, 0)).hasMessageContaining("seq");
        assertThatThrownBy(() -> new Advance("alice", "sim-1", -1, 0)).hasMessageContaining("seq");
        assertThatThrownBy(() -> new Advance("alice", "sim-1", 1, -1)).hasMessageContaining("amount");

        assertThat(new Advance("alice", "x".repeat(64), MAX, MAX).stream()).hasSize(64);
        assertThat(new Advance("alice", "imsi:262011234567890@a_b.c-d", 1, 0).seq()).isEqualTo(1);
        assertThat(Ids.streamProblem("sim/1")).isNotNull();
        assertThat(Ids.streamProblem("sim-1")).isNull();
    }
}
