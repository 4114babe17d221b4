package io.credence.charging;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The session table under many deadline moves and an ended session revived to serve a request. */
class SessionsEdgesTest {
    private static Session session(String id, Session.State state, long deadline) {
        return SessionsTest.session(id, state, deadline, 1);
    }

    @Test
    void thousandsOfDeadlineMovesDropOnlyTheStaleOnes() {
        Sessions table = new Sessions();
        Session quiet = session("quiet", Session.State.OPEN, 1_000_000);
        Session busy = session("busy", Session.State.OPEN, 10);
        table.add(quiet);
        table.add(busy);
        // enough moves of one session's deadline that the stale queue entries are compacted away
        for (int i = 1; i <= 5_000; i++) {
            busy.expiresAtMillis = 10 + i;
            table.rescheduled(busy);
        }
        assertThat(table.expire(5_009)).as("none of the busy one's old deadlines counts").isEmpty();
        assertThat(table.expire(5_010)).containsExactly(busy);
        assertThat(table.expire(999_999)).isEmpty();
        assertThat(table.expire(1_000_000)).as("the quiet one's deadline survived the compaction")
                .containsExactly(quiet);
        assertThat(table.size()).isZero();
        assertThat(table.openCount()).isZero();
    }

    @Test
    void anEndedSessionRevivedForARetryGoesBackToBytesWithItsNewDeadline() {
        Sessions table = new Sessions();
        for (int i = 0; i < 3; i++) {
            table.add(session("s" + i, Session.State.OPEN, 100));
        }
        Session s1 = table.get("s1");
        table.finish(s1);
        s1.expiresAtMillis = 200;
        table.rescheduled(s1);
        assertThat(table.settle("s1")).isSameAs(s1);
        assertThat(table.endedCount()).isEqualTo(1);
        assertThat(table.openCount()).isEqualTo(2);

        Session revived = table.get("s1"); // out of its bytes to serve a retry
        assertThat(revived.state).isEqualTo(Session.State.FINISHED);
        assertThat(table.endedCount()).isZero();
        revived.expiresAtMillis = 300;
        table.rescheduled(revived);
        assertThat(table.settle("s1")).isNotNull();
        assertThat(table.endedCount()).isEqualTo(1);
        assertThat(table.size()).isEqualTo(3);

        assertThat(table.expire(100)).extracting(s -> s.id).containsExactlyInAnyOrder("s0", "s2");
        assertThat(table.expire(299)).isEmpty();
        assertThat(table.peek("s1").expiresAtMillis).isEqualTo(300);
        table.expire(300);
        assertThat(table.peek("s1")).isNull();
        assertThat(table.size()).isZero();
    }
}
