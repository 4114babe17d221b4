package io.credence.ledger;

import io.credence.ledger.Operation.Commit;
import io.credence.ledger.Operation.Linked;
import io.credence.ledger.Operation.Reserve;
import io.credence.ledger.Outcome.Reserved;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;

import static io.credence.ledger.LedgerStory.ANY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tagged reservations: a front end (credit control) names each grant, finds it again by name
 * after losing its own memory, and at most one open reservation carries a name.
 */
class ReservationTagTest {
    final LedgerStory story = new LedgerStory();

    ReservationTagTest() {
        story.subscriber("alice").operator("shop");
        story.topUpMoney("alice", 100);
    }

    private Reserve tagged(long amount, String tag) {
        return new Reserve("alice", "shop", Unit.MONEY, amount, ANY, 60_000, tag);
    }

    @Test
    void aTaggedReservationIsFoundByItsTagUntilItCloses() {
        Reserved r = (Reserved) story.submit("r1", tagged(30, "cc:s1:10"));
        assertThat(story.ledger.openReservationTagged("cc:s1:10")).map(ReservationView::reservationId)
                .contains(r.reservationId());
        assertThat(story.ledger.openReservationTagged("cc:s1:20")).isEmpty();
        story.submit("c1", new Commit(r.reservationId(), 10, false));
        assertThat(story.ledger.openReservationTagged("cc:s1:10")).isEmpty();
        story.ledger.verifyInvariants();
    }

    @Test
    void aTagHeldByAnOpenReservationIsRefusedAndChangesNothing() {
        story.submit("r1", tagged(30, "cc:s1:10"));
        Outcome second = story.submit("r2", tagged(10, "cc:s1:10"));
        assertThat(second).isInstanceOf(Rejection.InvalidOperation.class);
        assertThat(story.availableMoney("alice")).isEqualTo(70);
        assertThat(story.ledger.openReservationCount()).isEqualTo(1);
    }

    @Test
    void aLinkedCommitAndReserveMovesTheTagToTheNewGrantAndARejectedChainLeavesItWhereItWas() {
        long first = ((Reserved) story.submit("r1", tagged(30, "cc:s1:10"))).reservationId();
        Outcome moved = story.submit("u1", new Linked(List.of(new Commit(first, 30, false), tagged(40, "cc:s1:10"))));
        long second = ((Reserved) ((Outcome.LinkedApplied) moved).steps().get(1)).reservationId();
        assertThat(story.ledger.openReservationTagged("cc:s1:10")).map(ReservationView::reservationId).contains(second);

        Outcome refused = story.submit("u2", new Linked(List.of(new Commit(second, 40, false), tagged(500, "cc:s1:10"))));
        assertThat(refused).isInstanceOf(Rejection.LinkedRejected.class);
        assertThat(story.ledger.openReservationTagged("cc:s1:10")).map(ReservationView::reservationId).contains(second);
        story.ledger.verifyInvariants();
    }

    @Test
    void expiryFreesTheTag() {
        story.submit("r1", tagged(30, "cc:s1:10"));
        story.advanceTo(LedgerStory.T0 + 61_000);
        assertThat(story.ledger.openReservationTagged("cc:s1:10")).isEmpty();
        assertThat(story.submit("r2", tagged(30, "cc:s1:10"))).isInstanceOf(Reserved.class);
        story.ledger.verifyInvariants();
    }

    @Test
    void tagsSurviveSnapshotsAndTheCommandCodec() throws IOException {
        story.submit("r1", tagged(30, "cc:s1:10"));
        story.submit("r2", new Reserve("alice", "shop", Unit.MONEY, 5, ANY, 60_000));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LedgerSnapshot.write(story.ledger, new DataOutputStream(bytes));
        byte[] image = bytes.toByteArray();
        Ledger restored = LedgerSnapshot.read(new ByteArrayDataInput(image, 0, image.length), LedgerLimits.DEFAULTS);
        assertThat(restored.openReservationTagged("cc:s1:10")).isEqualTo(story.ledger.openReservationTagged("cc:s1:10"));
        restored.verifyInvariants();

        for (Reserve reserve : List.of(tagged(30, "cc:s1:10"), new Reserve("alice", "shop", Unit.MONEY, 5, ANY, 1))) {
            Command command = new Command("x", reserve);
            ByteArrayOutputStream encoded = new ByteArrayOutputStream();
            CommandCodec.write(new DataOutputStream(encoded), command);
            byte[] b = encoded.toByteArray();
            assertThat(CommandCodec.read(new ByteArrayDataInput(b, 0, b.length))).isEqualTo(command);
        }
    }

    @Test
    void theFirstOutcomeOfARequestIdCanBeLookedUp() {
        Outcome first = story.submit("r1", tagged(30, "cc:s1:10"));
        assertThat(story.ledger.outcomeOf("r1")).contains(first);
        assertThat(story.ledger.outcomeOf("never")).isEmpty();
    }

    @Test
    void aTagFollowsTheRulesOfIdentifiers() {
        assertThatThrownBy(() -> tagged(1, "has space")).hasMessageStartingWith("tag:");
        assertThatThrownBy(() -> tagged(1, "")).hasMessageStartingWith("tag:");
    }
}
