package io.credence.nchf;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How {@link ChargingRefs} numbers requests, tells retries from new requests, and stays bounded. */
class ChargingRefsTest {
    private final AtomicLong clock = new AtomicLong(1_780_000_000_000L);
    private final ChargingRefs refs = new ChargingRefs(new ChargingRefs.Limits(2, 60_000, 630_000), clock::get);

    private static byte[] digest(String json) {
        ObjectNode body = RequestReader.parse(json.getBytes(StandardCharsets.UTF_8));
        return CanonicalJson.digest(body);
    }

    private ChargingRefs.Numbered number(String ref, boolean create, String body, long sequence, boolean retransmission)
            throws ChargingRefs.Full {
        ChargingRefs.Entry e = refs.enter(ref);
        try {
            return e.number(create, digest(body), sequence, retransmission, refs.restartBase());
        } finally {
            refs.leave(e);
        }
    }

    @Test
    void theCreateIsZeroAndEachNewRequestTheNextEvenWhenTheConsumerSendsZeroEveryTime() throws Exception {
        assertThat(number("r", true, "{\"a\": 1}", 0, false)).isEqualTo(new ChargingRefs.Numbered(0, false, false));
        // free5GC: invocationSequenceNumber 0 in every update and release, with other contents
        assertThat(number("r", false, "{\"a\": 2}", 0, false)).isEqualTo(new ChargingRefs.Numbered(1, false, true));
        assertThat(number("r", false, "{\"a\": 3}", 0, false)).isEqualTo(new ChargingRefs.Numbered(2, false, true));
        // a consumer that counts properly is never told it repeated itself
        assertThat(number("r", false, "{\"a\": 4}", 3, false)).isEqualTo(new ChargingRefs.Numbered(3, false, false));
    }

    @Test
    void aRetryIsTheSameBodyOrAnIndicatedRetransmissionOfTheLastNumber() throws Exception {
        number("r", true, "{\"a\": 1}", 0, false);
        number("r", false, "{\"a\": 2, \"b\": [1, 2]}", 5, false);
        // the same body in another member order and spacing, and with the indicator added, is the same request
        assertThat(number("r", false, "{ \"b\": [1, 2.0],\"a\": 2, \"retransmissionIndicator\": true }", 5, false))
                .isEqualTo(new ChargingRefs.Numbered(1, true, false));
        // the indicator with the last sequence number marks a retry even if the body changed (a new time stamp)
        assertThat(number("r", false, "{\"a\": 2, \"b\": [1, 2], \"t\": 9}", 5, true))
                .isEqualTo(new ChargingRefs.Numbered(1, true, false));
        // the indicator with another sequence number repeats a request that never arrived: new
        assertThat(number("r", false, "{\"a\": 3}", 6, true)).isEqualTo(new ChargingRefs.Numbered(2, false, false));
        // array order is content: another request
        assertThat(number("r", false, "{\"b\": [2, 1], \"a\": 2}", 5, false).retry()).isFalse();
    }

    @Test
    void aCreateRepeatedAfterUpdatesIsRefusedRatherThanTakenForOne() throws Exception {
        assertThat(number("r", true, "{\"a\": 1}", 0, false).number()).isZero();
        assertThat(number("r", true, "{\"a\": 1}", 0, true)).isEqualTo(new ChargingRefs.Numbered(0, true, false));
        number("r", false, "{\"a\": 2}", 0, false);
        assertThat(number("r", true, "{\"a\": 1}", 0, false)).isNull();
        assertThat(number("r", true, "{\"a\": 1}", 0, true)).isNull();
    }

    @Test
    void anUpdateOfARefNotInTheTableStartsAboveEveryNumberUsedBeforeARestart() throws Exception {
        ChargingRefs.Numbered first = number("unknown", false, "{\"a\": 1}", 0, false);
        assertThat(first.number()).isEqualTo(clock.get() / 1000);
        assertThat(number("unknown", false, "{\"a\": 2}", 0, false).number()).isEqualTo(first.number() + 1);
    }

    @Test
    void theTableIsBoundedAndEntriesGoAfterReleaseOrIdleness() throws Exception {
        number("a", true, "{\"a\": 1}", 0, false);
        number("b", true, "{\"b\": 1}", 0, false);
        assertThatThrownBy(() -> refs.enter("c")).isInstanceOf(ChargingRefs.Full.class).hasMessageContaining("2 refs");

        ChargingRefs.Entry a = refs.enter("a");
        a.released(clock.get(), refs.limits().retentionMillis());
        refs.leave(a);
        clock.addAndGet(59_999);
        assertThatThrownBy(() -> refs.enter("c")).isInstanceOf(ChargingRefs.Full.class); // still kept for retries
        clock.addAndGet(100); // a full table is swept at most every 100 ms: a flood of refs buys no scan each
        ChargingRefs.Entry c = refs.enter("c");
        assertThat(refs.size()).isEqualTo(2);
        // "b" saw no request for validity + grace: gone, but "c" is in use and is never swept under its request
        clock.addAndGet(630_000);
        ChargingRefs.Entry d = refs.enter("d");
        assertThat(refs.size()).isEqualTo(2);
        refs.leave(d);
        refs.leave(c);
        // and the entry that was in use is still the one its ref finds
        ChargingRefs.Entry again = refs.enter("c");
        assertThat(again).isSameAs(c);
        refs.leave(again);
    }

    @Test
    void aRefTheEngineDoesNotKnowIsDroppedAtTheNextSweep() throws Exception {
        ChargingRefs.Entry junk = refs.enter("junk");
        junk.number(false, digest("{}"), 0, false, refs.restartBase());
        junk.unknown(clock.get());
        refs.leave(junk);
        number("a", true, "{\"a\": 1}", 0, false);
        clock.addAndGet(100);
        number("b", true, "{\"b\": 1}", 0, false); // the table was full: the sweep made room
        assertThat(refs.size()).isEqualTo(2);
    }
}
