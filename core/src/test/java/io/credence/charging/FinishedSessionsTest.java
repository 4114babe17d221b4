package io.credence.charging;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Ended sessions kept as bytes, against an insertion-ordered map of objects doing the same over
 * random operations: through the ring's and the index's growth, the arena's compaction and wrap
 * around, takes from anywhere, and expiry from the oldest.
 */
class FinishedSessionsTest {
    private static Session ended(String id, long deadline, long number) {
        Session s = new Session(id, Digests.shortKey(id, 11), ChargingRequest.Origin.NONE);
        s.state = number % 3 == 0 ? Session.State.REFUSED : Session.State.FINISHED;
        s.accountId = number % 2 == 0 ? "account-" + number : null;
        s.lastNumber = number;
        s.lastDigest = number * 31;
        s.lastOutcome = ChargingOutcome.refused(ChargingOutcome.Result.INVALID_VALUE, "answer " + number, null, true);
        s.expiresAtMillis = deadline;
        return s;
    }

    private static void assertSame(Session actual, Session expected) {
        assertThat(actual.id).isEqualTo(expected.id);
        assertThat(actual.state).isEqualTo(expected.state);
        assertThat(actual.accountId).isEqualTo(expected.accountId);
        assertThat(actual.lastNumber).isEqualTo(expected.lastNumber);
        assertThat(actual.lastOutcome).isEqualTo(expected.lastOutcome);
        assertThat(actual.expiresAtMillis).isEqualTo(expected.expiresAtMillis);
    }

    @Test
    void behavesAsAnInsertionOrderedMapForgottenFromTheOldest() throws Exception {
        for (int seed = 0; seed < 12; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            FinishedSessions table = new FinishedSessions();
            LinkedHashMap<String, Session> model = new LinkedHashMap<>();
            long now = 0;
            for (int step = 0; step < 12_000; step++) {
                int op = random.nextInt(100);
                // ids of one gateway share long prefixes; a few are reused after being forgotten
                String id = "gw.example.net;" + random.nextInt(4_000) + ";" + (seed % 3);
                if (op < 50) {
                    if (!model.containsKey(id)) {
                        Session s = ended(id, now + random.nextInt(5_000), step);
                        table.add(s);
                        model.put(id, s);
                    }
                } else if (op < 65) {
                    Session taken = table.take(id);
                    Session expected = model.remove(id);
                    assertThat(taken == null).isEqualTo(expected == null);
                    if (expected != null) {
                        assertSame(taken, expected);
                        if (random.nextBoolean()) { // served and put back, at the end, with a later deadline
                            taken.expiresAtMillis = now + 4_000;
                            table.add(taken);
                            model.put(id, taken);
                        }
                    }
                } else if (op < 75) {
                    now += random.nextInt(400);
                    table.expire(now);
                    var oldest = model.entrySet().iterator();
                    while (oldest.hasNext()) { // forgotten from the oldest while their deadlines passed
                        if (oldest.next().getValue().expiresAtMillis > now) {
                            break;
                        }
                        oldest.remove();
                    }
                } else {
                    Session peeked = table.peek(id);
                    Session expected = model.get(id);
                    assertThat(peeked == null).as("seed %d step %d %s", seed, step, id).isEqualTo(expected == null);
                    if (expected != null) {
                        assertSame(peeked, expected);
                    }
                }
                assertThat(table.size()).as("seed %d step %d", seed, step).isEqualTo(model.size());
            }
            List<String> order = new ArrayList<>();
            FinishedSessions copy = new FinishedSessions();
            table.forEachOldestFirst((bytes, offset, length) -> copy.addEncoded(bytes, offset, length));
            copy.forEachOldestFirst((bytes, offset, length) -> order.add(
                    new io.credence.ledger.ByteArrayDataInput(bytes, offset, length).readUTF()));
            assertThat(order).containsExactlyElementsOf(model.keySet());
        }
    }

    @Test
    void anOpenSessionOrOneHoldingGrantsIsRefused() {
        FinishedSessions table = new FinishedSessions();
        Session open = ended("s1", 10, 1);
        open.state = Session.State.OPEN;
        assertThatThrownBy(() -> table.add(open)).hasMessageContaining("only an ended session");
        assertThat(table.size()).isZero();
        Map<String, Long> hashes = Map.of("a", FinishedSessions.hash("a"), "b", FinishedSessions.hash("b"));
        assertThat(hashes.get("a")).as("the same on every run").isEqualTo(0xaf63dc4c8601ec8cL).isNotEqualTo(hashes.get("b"));
    }
}
