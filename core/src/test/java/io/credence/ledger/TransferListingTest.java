package io.credence.ledger;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.credence.ledger.LedgerStory.T0;
import static org.assertj.core.api.Assertions.assertThat;

/** Each account lists its own transfers, newest first, from a ring of the most recent ones. */
class TransferListingTest {

    static List<Long> seqs(List<TransferRecord> records) {
        return records.stream().map(TransferRecord::seq).toList();
    }

    @Test
    void anAccountListsOnlyItsOwnTransfersNewestFirst() {
        LedgerStory story = new LedgerStory();
        story.subscriber("alice").subscriber("bob").operator("shop");
        story.topUpMoney("alice", 100);        // 1
        story.topUpMoney("bob", 100);          // 2
        story.transfer("alice", "bob", 10);    // 3
        story.transfer("bob", "shop", 20);     // 4
        story.transfer("alice", "shop", 30);   // 5

        assertThat(seqs(story.transfers("alice"))).containsExactly(5L, 3L, 1L);
        assertThat(seqs(story.transfers("bob"))).containsExactly(4L, 3L, 2L);
        assertThat(seqs(story.transfers("shop"))).containsExactly(5L, 4L);
        assertThat(seqs(story.transfers("system"))).containsExactly(2L, 1L);
        assertThat(story.transfers("alice").getFirst()).isEqualTo(new TransferRecord(5, TransferKind.TRANSFER, "alice",
                "shop", Unit.MONEY, 30, 0, 0, 0, T0, "req-8"));
    }

    @Test
    void pagesStartBelowBeforeSeqAndHoldAtMostLimitTransfers() {
        LedgerStory story = new LedgerStory();
        story.subscriber("alice").subscriber("bob");
        story.topUpMoney("alice", 100);
        for (int i = 0; i < 6; i++) {
            story.transfer("alice", "bob", 1);
        }

        assertThat(seqs(story.ledger.transfers("alice", 0, 3).orElseThrow())).containsExactly(7L, 6L, 5L);
        assertThat(seqs(story.ledger.transfers("alice", 5, 3).orElseThrow())).containsExactly(4L, 3L, 2L);
        assertThat(seqs(story.ledger.transfers("alice", 2, 3).orElseThrow())).containsExactly(1L);
        assertThat(story.ledger.transfers("alice", 1, 3).orElseThrow()).isEmpty();
        assertThat(story.ledger.transfers("alice", 0, 0).orElseThrow()).isEmpty();
    }

    @Test
    void onlyTheNewestTransfersStayInTheRing() {
        LedgerStory story = new LedgerStory(LedgerStory.limits(10, 32, 10, 60_000, 100, 60_000, 3));
        story.subscriber("alice").subscriber("bob").subscriber("carol");
        story.topUpMoney("alice", 100);        // 1
        story.topUpMoney("carol", 100);        // 2
        story.transfer("alice", "bob", 1);     // 3
        story.transfer("alice", "bob", 1);     // 4
        story.transfer("alice", "bob", 1);     // 5

        assertThat(story.ledger.lastTransferSeq()).isEqualTo(5);
        assertThat(seqs(story.transfers("alice"))).containsExactly(5L, 4L, 3L);
        assertThat(story.transfers("carol")).as("its only transfer left the ring").isEmpty();
        assertThat(seqs(story.transfers("system"))).isEmpty();
        assertThat(story.money("carol").total()).as("balances do not depend on the ring").isEqualTo(100);

        story.transfer("carol", "bob", 1);     // 6
        assertThat(seqs(story.transfers("carol"))).containsExactly(6L);
        assertThat(seqs(story.transfers("bob"))).containsExactly(6L, 5L, 4L);
    }

    @Test
    void anUnknownAccountHasNoListing() {
        LedgerStory story = new LedgerStory();
        assertThat(story.ledger.transfers("ghost", 0, 10)).isEmpty();
        assertThat(story.ledger.transfers("system", 0, 10)).contains(List.of());
    }

    @Test
    void everyTransferKindIsListedForBothSides() {
        LedgerStory story = new LedgerStory();
        story.subscriber("alice").operator("shop");
        long bucket = story.bucket("alice", 100, 1, T0 + 1_000);
        story.transfer("alice", "shop", 10);
        long id = story.reserve("alice", "shop", 20).reservationId();
        story.overdraftCommit(id, 25);
        story.advanceTo(T0 + 1_000);

        assertThat(story.transfers("alice")).extracting(TransferRecord::kind).containsExactly(TransferKind.BUCKET_EXPIRY,
                TransferKind.COMMIT, TransferKind.TRANSFER, TransferKind.TOP_UP);
        TransferRecord commit = story.transfers("shop").getFirst();
        assertThat(commit.reservationId()).isEqualTo(id);
        assertThat(commit.overdraft()).isEqualTo(5);
        assertThat(story.transfers("system").getFirst().bucketId()).isEqualTo(bucket);
    }
}
