package io.credence.charging;

import io.credence.ledger.ByteArrayDataInput;
import io.credence.ledger.ByteArrayDataOutput;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ended sessions past the table's first capacity: the ring wraps and then grows while its oldest
 * were forgotten, the arena is compacted in place once its front is free, and a session taken out
 * (revived) and put back goes to the end with its new deadline.
 */
class FinishedSessionsEdgesTest {
    private static Session ended(String id, long deadline) {
        Session s = new Session(id, Digests.shortKey(id, 11), ChargingRequest.Origin.NONE);
        s.state = Session.State.FINISHED;
        s.accountId = "alice";
        s.lastNumber = deadline;
        s.lastOutcome = ChargingOutcome.refused(ChargingOutcome.Result.INVALID_VALUE, "answer " + id, null, true);
        s.expiresAtMillis = deadline;
        return s;
    }

    private static int encodedLength(Session s) throws IOException {
        ByteArrayDataOutput out = new ByteArrayDataOutput(512);
        SessionCodec.writeSession(out, s);
        return out.size();
    }

    private static List<String> oldestFirst(FinishedSessions table) throws IOException {
        List<String> ids = new ArrayList<>();
        table.forEachOldestFirst((bytes, offset, length) -> ids.add(new ByteArrayDataInput(bytes, offset, length).readUTF()));
        return ids;
    }

    private static void assertKept(FinishedSessions table, String id, long deadline) {
        Session s = table.peek(id);
        assertThat(s).as(id).isNotNull();
        assertThat(s.id).isEqualTo(id);
        assertThat(s.expiresAtMillis).isEqualTo(deadline);
        assertThat(s.lastNumber).isEqualTo(deadline);
        assertThat(s.lastOutcome.message()).isEqualTo("answer " + id);
    }

    @Test
    void theRingGrowsWhileWrappedAndStillFindsEverySession() throws IOException {
        FinishedSessions table = new FinishedSessions();
        for (int i = 0; i < 100; i++) {
            table.add(ended("first-" + i, i));
        }
        table.expire(49); // the oldest 50 go: the ring's oldest entry is now at its 51st slot
        for (int i = 60; i < 70; i++) { // taken from the middle: their slots stay used until the oldest pass
            assertThat(table.take("first-" + i)).isNotNull();
        }
        assertThat(table.size()).isEqualTo(40);
        // 974 more fill the 1024 slots from there, wrapping around; the next ones make it grow (while the
        // index, at most half full, still has room: it is not rebuilt for its own sake)
        for (int i = 0; i < 980; i++) {
            table.add(ended("next-" + i, 1_000 + i));
        }
        assertThat(table.size()).isEqualTo(1_020);
        for (int i = 50; i < 100; i++) {
            if (i < 60 || i >= 70) {
                assertKept(table, "first-" + i, i);
            } else {
                assertThat(table.peek("first-" + i)).isNull();
            }
        }
        for (int i = 0; i < 980; i++) {
            assertKept(table, "next-" + i, 1_000 + i);
        }
        assertThat(table.peek("first-49")).isNull();
        assertThat(oldestFirst(table)).hasSize(1_020).startsWith("first-50").endsWith("next-979");
        // taken and expired after the growth: each exactly once
        assertThat(table.take("first-77").expiresAtMillis).isEqualTo(77);
        assertThat(table.take("first-77")).isNull();
        table.expire(1_499);
        assertThat(table.size()).isEqualTo(480);
        assertThat(table.peek("next-499")).isNull();
        assertKept(table, "next-500", 1_500);
    }

    @Test
    void theArenaIsCompactedInPlaceOnceItsFrontIsFree() throws IOException {
        FinishedSessions table = new FinishedSessions();
        String pad = ";" + "p".repeat(200);
        List<Session> all = new ArrayList<>();
        long bytes = 0;
        int i = 0;
        // about 250 KiB: nearly the whole first arena (256 KiB)
        while (bytes < 250 * 1024) {
            Session s = ended("gw" + pad + ";" + i, i);
            all.add(s);
            table.add(s);
            bytes += encodedLength(s);
            i++;
        }
        int firstBatch = i;
        table.expire(firstBatch - 101); // all but the newest 100 go: the live bytes are at the arena's end
        long live = 0;
        for (Session s : all.subList(firstBatch - 100, firstBatch)) {
            live += encodedLength(s);
        }
        assertThat(table.arenaBytes()).isEqualTo(live);
        // more do not fit behind them: the live ones move to the front of the same arena, and the new
        // ones are written over where they were
        for (int j = 0; j < 1_000; j++) {
            Session s = ended("gw" + pad + ";" + i, i);
            all.add(s);
            table.add(s);
            live += encodedLength(s);
            i++;
        }
        assertThat(table.size()).isEqualTo(1_100);
        assertThat(table.arenaBytes()).isEqualTo(live);
        for (Session s : all.subList(firstBatch - 100, i)) {
            assertKept(table, s.id, s.expiresAtMillis);
        }
        assertThat(oldestFirst(table)).first().isEqualTo(all.get(firstBatch - 100).id);
    }

    @Test
    void aRevivedSessionPutBackGoesLastWithItsNewDeadline() throws IOException {
        FinishedSessions table = new FinishedSessions();
        for (int i = 0; i < 1_500; i++) {
            table.add(ended("s-" + i, 100 + i));
        }
        Session revived = table.take("s-3"); // a retry is served from it
        assertThat(table.peek("s-3")).isNull();
        revived.expiresAtMillis = 5_000;
        revived.lastNumber = 5_000;
        revived.lastOutcome = ChargingOutcome.refused(ChargingOutcome.Result.INVALID_VALUE, "answer s-3", null, true);
        table.add(revived);
        assertThat(table.size()).isEqualTo(1_500);
        assertThat(oldestFirst(table)).endsWith("s-1499", "s-3").doesNotHaveDuplicates();
        table.expire(100 + 1_499); // every other one has passed: the revived one stays
        assertThat(table.size()).isEqualTo(1);
        assertKept(table, "s-3", 5_000);
        table.expire(4_999);
        assertThat(table.size()).isEqualTo(1);
        table.expire(5_000);
        assertThat(table.size()).isZero();
        assertThat(table.arenaBytes()).isZero();
    }
}
