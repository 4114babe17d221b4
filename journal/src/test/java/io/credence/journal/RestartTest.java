package io.credence.journal;

import io.credence.journal.JournalTestSupport.LedgerState;
import io.credence.ledger.LedgerView;
import io.credence.ledger.BucketSpec;
import io.credence.ledger.Command;
import io.credence.ledger.IdentityType;
import io.credence.ledger.Ledger;
import io.credence.ledger.Outcome;
import io.credence.ledger.Rejection;
import io.credence.ledger.ReservationStatus;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static io.credence.journal.JournalTestSupport.apply;
import static io.credence.journal.JournalTestSupport.bind;
import static io.credence.journal.JournalTestSupport.commit;
import static io.credence.journal.JournalTestSupport.create;
import static io.credence.journal.JournalTestSupport.createOperator;
import static io.credence.journal.JournalTestSupport.crashImage;
import static io.credence.journal.JournalTestSupport.query;
import static io.credence.journal.JournalTestSupport.release;
import static io.credence.journal.JournalTestSupport.reserve;
import static io.credence.journal.JournalTestSupport.topUp;
import static io.credence.journal.JournalTestSupport.topUpBucket;
import static io.credence.journal.JournalTestSupport.transfer;
import static io.credence.journal.JournalTestSupport.unbind;
import static org.assertj.core.api.Assertions.assertThat;

/** What was acknowledged before a restart is there after it, and retries still get the first answer. */
class RestartTest {
    static final List<String> ACCOUNTS = List.of("system", "alice", "bob", "op", "nobody");
    /** The reservations the story below can create, and then some. */
    static final long RESERVATION_ID_MAX = 6;

    static Function<LedgerView, LedgerState> state() {
        return LedgerState.of(ACCOUNTS, RESERVATION_ID_MAX);
    }

    final JournalTestSupport support = new JournalTestSupport();

    @TempDir
    Path dir;

    @TempDir
    Path crashDir;

    @AfterEach
    void nothingFatal() {
        assertThat(support.fatal).isEmpty();
    }

    /**
     * A day in the life of two subscribers: top-ups, a bucket, a transfer, one reservation
     * committed, one released, one left open, their phone numbers and SIM bound (one identity
     * bound and freed again), and three rejections (which are answers too and must be
     * remembered). Returns each command with the answer it got.
     */
    static Map<Command, Outcome> story(DurableEngine ledger) {
        Map<Command, Outcome> answers = new LinkedHashMap<>();
        List<Command> commands = List.of(
                create("c-alice", "alice"),
                create("c-bob", "bob"),
                createOperator("c-op", "op"),
                topUp("t-alice", "alice", 10_000),
                topUp("t-bob", "bob", 5_000),
                topUpBucket("t-alice-bytes", "alice", 1_000_000, BucketSpec.FOREVER),
                transfer("x-1", "alice", "bob", 1_500),
                reserve("r-1", "alice", "op", 2_000, 60_000),
                commit("k-1", 1, 1_200),
                reserve("r-2", "bob", "op", 1_000, 60_000),
                release("l-2", 2),
                reserve("r-3", "alice", "op", 500, 600_000),
                transfer("x-too-much", "bob", "alice", 1_000_000),
                commit("k-unknown", 999, 1),
                bind("i-alice-msisdn", IdentityType.E164, "491701234567", "alice"),
                bind("i-alice-imsi", IdentityType.IMSI, "262011234567890", "alice"),
                bind("i-bob-sip", IdentityType.SIP_URI, "sip:+491709876543@ims.example.com;user=phone", "bob"),
                bind("i-bob-nai", IdentityType.NAI, "bob@example.com", "bob"),
                unbind("u-bob-nai", IdentityType.NAI, "bob@example.com"),
                bind("i-taken", IdentityType.E164, "491701234567", "bob"));
        for (Command command : commands) {
            answers.put(command, apply(ledger, command));
        }
        assertThat(answers.values()).filteredOn(Outcome::accepted).hasSize(commands.size() - 3);
        assertThat(answers.get(commands.get(12))).isInstanceOf(Rejection.InsufficientBalance.class);
        assertThat(answers.get(commands.get(13))).isInstanceOf(Rejection.UnknownReservation.class);
        assertThat(answers.get(commands.get(19))).isInstanceOf(Rejection.IdentityTaken.class);
        return answers;
    }

    @Test
    void acknowledgedCommandsSurviveCloseAndReopen() throws Exception {
        Map<Command, Outcome> answers;
        LedgerState before;
        try (DurableEngine ledger = support.open(dir)) {
            assertThat(ledger.recovery().lastSeq()).isZero();
            answers = story(ledger);
            before = query(ledger, state());
        }
        try (DurableEngine ledger = support.open(dir)) {
            assertThat(ledger.recovery().lastSeq()).isEqualTo(answers.size());
            assertThat(ledger.recovery().snapshotSeq()).as("close() wrote a snapshot").isEqualTo(answers.size());
            assertThat(ledger.recovery().tailBytesCut()).isZero();
            assertThat(query(ledger, state())).isEqualTo(before);
            assertThat(before.accounts().get("alice").orElseThrow().balances()).isNotEmpty();
            assertThat(before.identities().get("alice")).hasSize(2);
            assertThat(before.identities().get("bob")).hasSize(1);
            ReservationStatus open = query(ledger, l -> l.reservation(3).orElseThrow().status());
            assertThat(open).isEqualTo(ReservationStatus.OPEN);
        }
    }

    @Test
    void retriesAfterReopenGetTheFirstAnswerAndChangeNothing() throws Exception {
        Map<Command, Outcome> answers;
        LedgerState before;
        try (DurableEngine ledger = support.open(dir)) {
            answers = story(ledger);
            before = query(ledger, state());
        }
        try (DurableEngine ledger = support.open(dir)) {
            for (Map.Entry<Command, Outcome> e : answers.entrySet()) {
                assertThat(apply(ledger, e.getKey())).as("retry of %s", e.getKey().requestId()).isEqualTo(e.getValue());
            }
            assertThat(apply(ledger, topUp("t-alice", "alice", 1)))
                    .as("same request id, different operation")
                    .isEqualTo(new Rejection.DuplicateRequest("t-alice"));
            assertThat(query(ledger, state())).isEqualTo(before);
        }
        try (DurableEngine ledger = support.open(dir)) {
            assertThat(query(ledger, state())).as("retries journaled and replayed change nothing").isEqualTo(before);
        }
    }

    /**
     * Without the snapshot that close() writes: the state must come back from the journal alone,
     * as after a crash, with the same answers for retries.
     */
    @Test
    void aCrashImageReplaysToTheSameStateAndAnswers() throws Exception {
        Map<Command, Outcome> answers;
        LedgerState before;
        try (DurableEngine ledger = support.open(dir)) {
            answers = story(ledger);
            before = query(ledger, state());
            crashImage(ledger, dir, crashDir);
        }
        assertThat(JournalTestSupport.snapshots(crashDir)).isEmpty();
        try (DurableEngine ledger = support.open(crashDir)) {
            RecoveryReport report = ledger.recovery();
            assertThat(report.snapshotSeq()).isZero();
            assertThat(report.recordsReplayed()).isEqualTo(answers.size());
            assertThat(report.lastSeq()).isEqualTo(answers.size());
            assertThat(report.tailBytesCut()).isZero();
            assertThat(report.tailReason()).isNull();
            assertThat(report.describe()).contains("recovered to record " + answers.size());
            assertThat(query(ledger, state())).isEqualTo(before);
            for (Map.Entry<Command, Outcome> e : answers.entrySet()) {
                assertThat(apply(ledger, e.getKey())).as("retry of %s", e.getKey().requestId()).isEqualTo(e.getValue());
            }
            assertThat(query(ledger, state())).isEqualTo(before);
        }
    }

    @Test
    void aFreshDirectoryStartsEmptyAndAReopenWithoutCommandsKeepsItEmpty() throws Exception {
        Path fresh = dir.resolve("not-yet-there");
        LedgerState empty;
        try (DurableEngine ledger = support.open(fresh)) {
            RecoveryReport report = ledger.recovery();
            assertThat(report.lastSeq()).isZero();
            assertThat(report.snapshotSeq()).isZero();
            empty = query(ledger, state());
            assertThat(empty.accountCount()).isEqualTo(1);
        }
        assertThat(JournalTestSupport.snapshots(fresh)).as("nothing to snapshot").isEmpty();
        try (DurableEngine ledger = support.open(fresh)) {
            assertThat(query(ledger, state())).isEqualTo(empty);
            apply(ledger, create("c-1", "alice"));
        }
        try (DurableEngine ledger = support.open(fresh)) {
            boolean present = query(ledger, l -> l.account("alice").isPresent());
            assertThat(present).isTrue();
            assertThat(ledger.recovery().lastSeq()).isEqualTo(1);
        }
    }
}
