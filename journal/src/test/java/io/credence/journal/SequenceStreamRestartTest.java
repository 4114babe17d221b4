package io.credence.journal;

import io.credence.ledger.LedgerView;
import io.credence.ledger.Command;
import io.credence.ledger.Ledger;
import io.credence.ledger.Operation.Advance;
import io.credence.ledger.Operation.Commit;
import io.credence.ledger.Operation.Linked;
import io.credence.ledger.Outcome;
import io.credence.ledger.Rejection;
import io.credence.ledger.SequenceView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import static io.credence.journal.JournalTestSupport.apply;
import static io.credence.journal.JournalTestSupport.crashImage;
import static io.credence.journal.JournalTestSupport.create;
import static io.credence.journal.JournalTestSupport.createOperator;
import static io.credence.journal.JournalTestSupport.query;
import static io.credence.journal.JournalTestSupport.reserve;
import static io.credence.journal.JournalTestSupport.topUp;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sequence streams are ledger state like balances: after a restart, from the snapshot close()
 * wrote or from the journal alone, every stream is where it was and a repeated report is still
 * recognised, also once its request id is long forgotten.
 */
class SequenceStreamRestartTest {
    static final List<String> ACCOUNTS = List.of("alice", "bob", "nobody");
    static final List<String> STREAMS = List.of("sim-1", "sim-2", "imsi:262011234567890");

    final JournalTestSupport support = new JournalTestSupport();

    @TempDir
    Path dir;

    @TempDir
    Path crashDir;

    @AfterEach
    void nothingFatal() {
        assertThat(support.fatal).isEmpty();
    }

    static Command advance(String requestId, String accountId, String stream, long seq, long amount) {
        return new Command(requestId, new Advance(accountId, stream, seq, amount));
    }

    /**
     * Reports of two accounts: one linked with the charge it stands for, repeats and a late one
     * (rejected, and remembered as such), a gap, and a chain whose charge fails so that its
     * report is taken back. Returns each command with the answer it got.
     */
    static Map<Command, Outcome> reports(DurableEngine ledger) {
        Map<Command, Outcome> answers = new LinkedHashMap<>();
        List<Command> commands = List.of(
                create("c-alice", "alice"),
                create("c-bob", "bob"),
                createOperator("c-op", "op"),
                topUp("t-alice", "alice", 1_000),
                reserve("r-1", "alice", "op", 500, 600_000),
                new Command("charged-1", new Linked(List.of(new Advance("alice", "sim-1", 1, 200),
                        new Commit(1, 200, false)))),
                advance("repeat-1", "alice", "sim-1", 1, 200),
                advance("s-3", "alice", "sim-1", 3, 50),
                advance("late-2", "alice", "sim-1", 2, 70),
                advance("s-a2", "alice", "sim-2", 1, 0),
                advance("s-b", "bob", "imsi:262011234567890", 7, 10),
                new Command("charge-fails", new Linked(List.of(new Advance("bob", "sim-1", 1, 5),
                        new Commit(1, 5, false)))));
        for (Command command : commands) {
            answers.put(command, apply(ledger, command));
        }
        assertThat(answers.values()).filteredOn(Outcome::accepted).hasSize(commands.size() - 3);
        assertThat(answers.get(commands.get(6))).isEqualTo(new Rejection.StaleSequence("alice", "sim-1", 1, 1));
        assertThat(answers.get(commands.get(8))).isEqualTo(new Rejection.StaleSequence("alice", "sim-1", 2, 3));
        assertThat(answers.get(commands.get(11))).isInstanceOf(Rejection.LinkedRejected.class);
        return answers;
    }

    static Function<LedgerView, Map<String, Optional<SequenceView>>> streams() {
        return ledger -> {
            Map<String, Optional<SequenceView>> all = new LinkedHashMap<>();
            for (String account : ACCOUNTS) {
                for (String stream : STREAMS) {
                    all.put(account + "/" + stream, ledger.sequence(account, stream));
                }
            }
            return all;
        };
    }

    static void assertTheStreamsOfTheReports(Map<String, Optional<SequenceView>> streams) {
        assertThat(streams.get("alice/sim-1")).contains(new SequenceView("sim-1", 3, 250));
        assertThat(streams.get("alice/sim-2")).contains(new SequenceView("sim-2", 1, 0));
        assertThat(streams.get("bob/imsi:262011234567890"))
                .contains(new SequenceView("imsi:262011234567890", 7, 10));
        assertThat(streams.get("bob/sim-1")).as("taken back with its failed charge").isEmpty();
        assertThat(streams.values().stream().filter(Optional::isPresent)).hasSize(3);
    }

    @Test
    void streamsSurviveCloseAndReopen() throws Exception {
        Map<Command, Outcome> answers;
        Map<String, Optional<SequenceView>> before;
        try (DurableEngine ledger = support.open(dir)) {
            answers = reports(ledger);
            before = query(ledger, streams());
        }
        assertTheStreamsOfTheReports(before);
        try (DurableEngine ledger = support.open(dir)) {
            assertThat(ledger.recovery().snapshotSeq()).as("close() wrote a snapshot").isEqualTo(answers.size());
            assertThat(ledger.recovery().recordsReplayed()).isZero();
            assertThat(query(ledger, streams())).isEqualTo(before);
            for (Map.Entry<Command, Outcome> e : answers.entrySet()) {
                assertThat(apply(ledger, e.getKey())).as("retry of %s", e.getKey().requestId()).isEqualTo(e.getValue());
            }
            assertThat(query(ledger, streams())).isEqualTo(before);
        }
    }

    @Test
    void streamsComeBackFromTheJournalAloneAfterACrash() throws Exception {
        Map<Command, Outcome> answers;
        Map<String, Optional<SequenceView>> before;
        try (DurableEngine ledger = support.open(dir)) {
            answers = reports(ledger);
            before = query(ledger, streams());
            crashImage(ledger, dir, crashDir);
        }
        assertThat(JournalTestSupport.snapshots(crashDir)).isEmpty();
        try (DurableEngine ledger = support.open(crashDir)) {
            assertThat(ledger.recovery().snapshotSeq()).isZero();
            assertThat(ledger.recovery().recordsReplayed()).isEqualTo(answers.size());
            assertThat(query(ledger, streams())).isEqualTo(before);
            for (Map.Entry<Command, Outcome> e : answers.entrySet()) {
                assertThat(apply(ledger, e.getKey())).as("retry of %s", e.getKey().requestId()).isEqualTo(e.getValue());
            }
        }
    }

    @Test
    void aRepeatAfterARestartAndAfterItsRequestIdWasForgottenIsStillStale() throws Exception {
        try (DurableEngine ledger = support.open(dir)) {
            reports(ledger);
        }
        support.clock.addAndGet(JournalTestSupport.LIMITS.requestIdRetentionMillis() + 1);
        try (DurableEngine ledger = support.open(dir)) {
            Outcome repeat = apply(ledger, advance("s-3", "alice", "sim-1", 3, 50));
            Outcome next = apply(ledger, advance("s-4", "alice", "sim-1", 4, 5));

            assertThat(repeat).as("its request id is forgotten, its number is not")
                    .isEqualTo(new Rejection.StaleSequence("alice", "sim-1", 3, 3));
            assertThat(next).isEqualTo(new Outcome.Advanced("alice", "sim-1", 4, 255));
        }
        try (DurableEngine ledger = support.open(dir)) {
            Optional<SequenceView> afterAnotherRestart = query(ledger, l -> l.sequence("alice", "sim-1"));
            assertThat(afterAnotherRestart).contains(new SequenceView("sim-1", 4, 255));
        }
    }
}
