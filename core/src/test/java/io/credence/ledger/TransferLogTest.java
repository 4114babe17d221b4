package io.credence.ledger;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The transfer ring in columns: wrap-around, undo of an append that overwrote an older transfer, snapshots. */
class TransferLogTest {
    private static void append(TransferLog log, String from, String to, long amount, long previousFrom, long previousTo) {
        log.append(TransferKind.TRANSFER, from, to, Unit.MONEY, amount, 0, 0, 0, 1_000 + amount, "r-" + amount,
                previousFrom, previousTo);
    }

    @Test
    void keepsTheNewestTransfersAndUndoPutsBackWhatAnAppendOverwrote() {
        TransferLog log = new TransferLog(3);
        append(log, "a", "b", 1, 0, 0);
        append(log, "a", "b", 2, 1, 1);
        append(log, "b", "a", 3, 2, 2);
        TransferLog.Entry second = log.get(2);
        assertThat(second.transfer()).isEqualTo(new TransferRecord(2, TransferKind.TRANSFER, "a", "b", Unit.MONEY, 2, 0,
                0, 0, 1_002, "r-2"));
        assertThat(second.previousSeqOfFrom()).isEqualTo(1);

        TransferLog.Entry overwritten = log.occupantOfSlotFor(4);
        assertThat(overwritten.transfer().seq()).as("seq 4 takes the slot of seq 1").isEqualTo(1);
        append(log, "a", "b", 4, 3, 3);
        assertThat(log.get(1)).as("gone from the ring").isNull();
        assertThat(log.get(4).transfer().amount()).isEqualTo(4);

        log.undoAppend(4, overwritten);
        assertThat(log.lastSeq()).isEqualTo(3);
        assertThat(log.get(4)).isNull();
        assertThat(log.get(1).transfer().amount()).isEqualTo(1);
        assertThat(log.retained()).extracting(e -> e.transfer().seq()).containsExactly(1L, 2L, 3L);
        assertThatThrownBy(() -> log.undoAppend(2, null)).isInstanceOf(IllegalStateException.class);

        TransferLog fresh = new TransferLog(3);
        assertThat(fresh.occupantOfSlotFor(1)).isNull();
        append(fresh, "a", "b", 1, 0, 0);
        fresh.undoAppend(1, null);
        assertThat(fresh.get(1)).isNull();
        assertThat(fresh.retained()).isEmpty();
    }

    @Test
    void aRestoredRingAnswersAsTheOriginal() {
        TransferLog log = new TransferLog(4);
        for (long i = 1; i <= 7; i++) {
            append(log, i % 2 == 0 ? "a" : "b", i % 2 == 0 ? "b" : "a", i, Math.max(0, i - 1), Math.max(0, i - 1));
        }
        List<TransferLog.Entry> retained = log.retained();
        assertThat(retained).extracting(e -> e.transfer().seq()).containsExactly(4L, 5L, 6L, 7L);
        TransferLog restored = new TransferLog(4);
        restored.restore(log.lastSeq(), retained);
        assertThat(restored.retained()).isEqualTo(retained);
        assertThat(restored.lastSeq()).isEqualTo(7);
        assertThat(restored.get(3)).isNull();
    }
}
