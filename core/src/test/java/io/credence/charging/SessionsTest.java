package io.credence.charging;

import io.credence.ledger.ByteArrayDataOutput;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The session table and its ended sessions kept as bytes: counts, deadlines, growth and snapshots. */
class SessionsTest {
    private static Session session(String id, Session.State state, long deadline) {
        return session(id, state, deadline, 3);
    }

    /** A session of alice's in {@code state} until {@code deadline}, its last answer a refusal naming it. */
    static Session session(String id, Session.State state, long deadline, long lastNumber) {
        Session s = new Session(id, Digests.shortKey(id, 11), ChargingRequest.Origin.NONE);
        s.state = state;
        s.accountId = "alice";
        s.lastNumber = lastNumber;
        s.lastOutcome = ChargingOutcome.refused(ChargingOutcome.Result.INVALID_VALUE, "answer " + id, null, true);
        s.expiresAtMillis = deadline;
        return s;
    }

    private static Session ended(String id, long deadline) {
        return session(id, Session.State.FINISHED, deadline);
    }

    private static byte[] encoded(Session s) throws IOException {
        ByteArrayDataOutput out = new ByteArrayDataOutput(256);
        SessionCodec.writeSession(out, s);
        return Arrays.copyOf(out.array(), out.size());
    }

    // ---------------------------------------------------------------- Sessions

    @Test
    void openCountFollowsOpenFinishRemoveAndExpire() {
        Sessions table = new Sessions();
        Session a = session("a", Session.State.OPEN, 100);
        Session b = session("b", Session.State.OPEN, 200);
        Session c = session("c", Session.State.OPEN, 300);
        table.add(a);
        table.add(b);
        table.add(c);
        assertThat(table.openCount()).isEqualTo(3);
        assertThat(table.size()).isEqualTo(3);

        table.finish(a);
        assertThat(a.state).isEqualTo(Session.State.FINISHED);
        assertThat(table.openCount()).isEqualTo(2);
        table.finish(a);
        assertThat(table.openCount()).as("finishing an ended session counts nothing").isEqualTo(2);

        table.remove(b);
        assertThat(table.openCount()).isEqualTo(1);
        assertThat(table.size()).isEqualTo(2);
        table.remove(b);
        assertThat(table.openCount()).as("removed once").isEqualTo(1);
        assertThat(table.peek("b")).isNull();

        assertThat(table.expire(299)).containsExactly(a);
        assertThat(table.openCount()).isEqualTo(1);
        assertThat(table.expire(300)).containsExactly(c);
        assertThat(table.openCount()).isZero();
        assertThat(table.size()).isZero();
        assertThat(table.expire(10_000)).isEmpty();
    }

    @Test
    void removingAnEndedSessionLeavesTheOpenCount() {
        Sessions table = new Sessions();
        Session open = session("o", Session.State.OPEN, 100);
        Session done = session("d", Session.State.REFUSED, 100);
        table.add(open);
        table.add(done);
        assertThat(table.openCount()).isEqualTo(1);
        table.remove(done);
        assertThat(table.openCount()).isEqualTo(1);
        table.remove(session("o", Session.State.OPEN, 100));
        assertThat(table.openCount()).as("another object of the same id is not the table's").isEqualTo(1);
        assertThat(table.peek("o")).isSameAs(open);
    }

    @Test
    void settleKeepsAnOpenSessionAsAnObjectAndPutsAnEndedOneIntoBytes() throws IOException {
        Sessions table = new Sessions();
        Session open = session("o", Session.State.OPEN, 1_000);
        table.add(open);
        assertThat(table.settle("o")).isNull();
        assertThat(table.objects()).containsExactly(open);
        assertThat(table.endedCount()).isZero();
        assertThat(table.endedBytes()).isZero();
        assertThat(table.settle("unknown")).isNull();

        Session done = ended("d", 150);
        table.add(done);
        assertThat(table.settle("d")).isSameAs(done);
        assertThat(table.objects()).containsExactly(open);
        assertThat(table.endedCount()).isEqualTo(1);
        assertThat(table.endedBytes()).isEqualTo(encoded(done).length);
        assertThat(table.size()).isEqualTo(2);
        Session peeked = table.peek("d");
        assertThat(peeked).isNotSameAs(done);
        assertThat(peeked.lastOutcome).isEqualTo(done.lastOutcome);
        assertThat(peeked.open()).isFalse();

        Session served = table.get("d");
        assertThat(served.id).isEqualTo("d");
        assertThat(table.endedCount()).isZero();
        assertThat(table.endedBytes()).isZero();
        assertThat(table.size()).isEqualTo(2);
        assertThat(table.objects()).hasSize(2);
        assertThat(table.expire(149)).isEmpty();
        assertThat(table.expire(150)).singleElement().satisfies(s -> assertThat(s.id).isEqualTo("d"));
    }

    @Test
    void aRescheduledSessionExpiresAtItsNewDeadlineOnly() {
        Sessions table = new Sessions();
        Session s = session("s", Session.State.OPEN, 100);
        table.add(s);
        for (int i = 1; i <= 5_000; i++) {
            s.expiresAtMillis = 100 + i;
            table.rescheduled(s);
        }
        assertThat(table.expire(5_099)).isEmpty();
        assertThat(table.openCount()).isEqualTo(1);
        assertThat(table.expire(5_100)).containsExactly(s);
        assertThat(table.openCount()).isZero();
    }

    @Test
    void endedSessionsExpireAtTheirDeadlineNotBefore() {
        Sessions table = new Sessions();
        table.add(ended("d", 100));
        table.settle("d");
        assertThat(table.expire(99)).isEmpty();
        assertThat(table.peek("d")).isNotNull();
        assertThat(table.expire(100)).as("kept as bytes: forgotten, not returned").isEmpty();
        assertThat(table.peek("d")).isNull();
        assertThat(table.size()).isZero();
    }

    // ---------------------------------------------------------------- FinishedSessions

    @Test
    void arenaBytesAreTheKeptSessionsEncodedBytes() throws IOException {
        FinishedSessions table = new FinishedSessions();
        assertThat(table.arenaBytes()).isZero();
        Session a = ended("a", 10);
        Session b = ended("bb", 20);
        table.add(a);
        assertThat(table.arenaBytes()).isEqualTo(encoded(a).length);
        table.add(b);
        assertThat(table.arenaBytes()).isEqualTo(encoded(a).length + encoded(b).length);
        assertThat(table.take("a").id).isEqualTo("a");
        assertThat(table.arenaBytes()).isEqualTo(encoded(b).length);
        table.expire(20);
        assertThat(table.arenaBytes()).isZero();
        assertThat(table.size()).isZero();
    }

    @Test
    void expiryIsAtTheDeadlineNotJustBefore() {
        FinishedSessions table = new FinishedSessions();
        table.add(ended("a", 100));
        table.expire(99);
        assertThat(table.peek("a")).isNotNull();
        table.expire(100);
        assertThat(table.peek("a")).isNull();
        assertThat(table.size()).isZero();
    }

    @Test
    void addEncodedRefusesAnOpenSessionAndADuplicate() throws IOException {
        FinishedSessions table = new FinishedSessions();
        byte[] open = encoded(session("o", Session.State.OPEN, 10));
        assertThatThrownBy(() -> table.addEncoded(open, 0, open.length)).isInstanceOf(IOException.class)
                .hasMessage("snapshot keeps session o as ended, but it is OPEN");
        byte[] done = encoded(ended("d", 10));
        byte[] buffer = new byte[done.length + 3];
        System.arraycopy(done, 0, buffer, 3, done.length);
        table.addEncoded(buffer, 3, done.length);
        assertThat(table.peek("d").lastOutcome).isEqualTo(ended("d", 10).lastOutcome);
        assertThat(table.arenaBytes()).isEqualTo(done.length);
        assertThatThrownBy(() -> table.addEncoded(done, 0, done.length)).isInstanceOf(IOException.class)
                .hasMessage("snapshot keeps session d twice");
        assertThat(table.size()).isEqualTo(1);
    }

    @Test
    void growsPastItsRingAndArenaAndStaysExact() throws IOException {
        FinishedSessions table = new FinishedSessions();
        String pad = "x".repeat(300);
        List<String> ids = new ArrayList<>();
        long bytes = 0;
        // the first 500 taken early, so the ring has wrapped when it grows
        for (int i = 0; i < 500; i++) {
            table.add(ended("early-" + i, 1_000 + i));
        }
        for (int i = 0; i < 500; i++) {
            assertThat(table.take("early-" + i).id).isEqualTo("early-" + i);
        }
        assertThat(table.arenaBytes()).isZero();
        for (int i = 0; i < 3_000; i++) {
            Session s = ended("gw;" + i + ";" + pad, 10_000 + i);
            table.add(s);
            ids.add(s.id);
            bytes += encoded(s).length;
        }
        assertThat(bytes).as("past the arena's first 256 KiB").isGreaterThan(256 * 1024);
        assertThat(table.size()).isEqualTo(3_000);
        assertThat(table.arenaBytes()).isEqualTo(bytes);
        for (int i = 0; i < 3_000; i++) {
            Session s = table.peek(ids.get(i));
            assertThat(s).as(ids.get(i)).isNotNull();
            assertThat(s.expiresAtMillis).isEqualTo(10_000 + i);
        }
        assertThat(table.peek("gw;3000;" + pad)).isNull();
        for (int i = 0; i < 3_000; i += 2) {
            assertThat(table.take(ids.get(i)).expiresAtMillis).isEqualTo(10_000 + i);
        }
        assertThat(table.size()).isEqualTo(1_500);
        List<String> order = new ArrayList<>();
        table.forEachOldestFirst((b, offset, length) -> order.add(
                new io.credence.ledger.ByteArrayDataInput(b, offset, length).readUTF()));
        List<String> expected = new ArrayList<>();
        for (int i = 1; i < 3_000; i += 2) {
            expected.add(ids.get(i));
        }
        assertThat(order).containsExactlyElementsOf(expected);

        table.expire(10_000 + 1_499);
        assertThat(table.size()).isEqualTo(750);
        assertThat(table.peek(ids.get(1_499))).isNull();
        assertThat(table.peek(ids.get(1_501)).expiresAtMillis).isEqualTo(11_501);
        // adding again after expiry compacts the arena: still exact
        for (int i = 0; i < 2_000; i++) {
            table.add(ended("late-" + i + pad, 20_000 + i));
        }
        assertThat(table.peek("late-1999" + pad).expiresAtMillis).isEqualTo(21_999);
        assertThat(table.peek(ids.get(2_999)).expiresAtMillis).isEqualTo(12_999);
        assertThat(table.size()).isEqualTo(2_750);
    }
}
