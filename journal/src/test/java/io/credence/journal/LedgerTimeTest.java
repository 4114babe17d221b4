package io.credence.journal;

import io.credence.journal.JournalTestSupport.LedgerState;
import io.credence.ledger.LedgerView;
import io.credence.ledger.Ledger;
import io.credence.ledger.Outcome;
import io.credence.ledger.Rejection;
import io.credence.ledger.ReservationStatus;
import io.credence.ledger.ReservationView;
import io.credence.ledger.TransferRecord;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

import static io.credence.journal.JournalTestSupport.START_MILLIS;
import static io.credence.journal.JournalTestSupport.allRecords;
import static io.credence.journal.JournalTestSupport.apply;
import static io.credence.journal.JournalTestSupport.applyAccepted;
import static io.credence.journal.JournalTestSupport.awaitOnWriter;
import static io.credence.journal.JournalTestSupport.barrier;
import static io.credence.journal.JournalTestSupport.commit;
import static io.credence.journal.JournalTestSupport.crashImage;
import static io.credence.journal.JournalTestSupport.create;
import static io.credence.journal.JournalTestSupport.createOperator;
import static io.credence.journal.JournalTestSupport.moneyAvailable;
import static io.credence.journal.JournalTestSupport.query;
import static io.credence.journal.JournalTestSupport.reserve;
import static io.credence.journal.JournalTestSupport.sleepMillis;
import static io.credence.journal.JournalTestSupport.topUp;
import static io.credence.journal.JournalTestSupport.topUpBucket;
import static io.credence.journal.JournalTestSupport.transfer;
import static org.assertj.core.api.Assertions.assertThat;

/** Time comes from the injected clock, never goes back, and moves on even when nobody submits. */
class LedgerTimeTest {
    static final List<String> ACCOUNTS = List.of("system", "alice", "bob", "op");
    static final Function<LedgerView, LedgerState> STATE = LedgerState.of(ACCOUNTS, 3);

    final JournalTestSupport support = new JournalTestSupport();

    @TempDir
    Path dir;

    @TempDir
    Path crashDir;

    @AfterEach
    void nothingFatal() {
        assertThat(support.fatal).isEmpty();
    }

    private void setUpAccounts(DurableEngine ledger) {
        applyAccepted(ledger, create("c-alice", "alice"));
        applyAccepted(ledger, create("c-bob", "bob"));
        applyAccepted(ledger, createOperator("c-op", "op"));
        applyAccepted(ledger, topUp("t-alice", "alice", 1_000));
    }

    private static ReservationView reservation(DurableEngine ledger, long id) {
        return query(ledger, l -> l.reservation(id).orElseThrow());
    }

    @Test
    void commandsAreAppliedAndJournaledAtTheInjectedClocksTime() throws IOException {
        try (DurableEngine ledger = support.open(dir)) {
            setUpAccounts(ledger);
            Outcome.Reserved reserved = (Outcome.Reserved) applyAccepted(ledger,
                    reserve("r-1", "alice", "op", 100, 30_000));
            assertThat(reserved.expiresAtMillis()).isEqualTo(START_MILLIS + 30_000);

            support.clock.set(START_MILLIS + 5_000);
            applyAccepted(ledger, transfer("x-1", "alice", "bob", 10));
            List<TransferRecord> transfers = query(ledger, l -> l.transfers("alice", 0, 10).orElseThrow());
            assertThat(transfers).extracting(TransferRecord::atMillis)
                    .containsExactly(START_MILLIS + 5_000, START_MILLIS);
            barrier(ledger);
            assertThat(allRecords(dir)).extracting(JournalTestSupport.RecordOnDisk::atMillis)
                    .containsExactly(START_MILLIS, START_MILLIS, START_MILLIS, START_MILLIS, START_MILLIS,
                            START_MILLIS + 5_000);
        }
    }

    @Test
    void ledgerTimeNeverGoesBackwardsEvenAcrossARestart() throws IOException {
        try (DurableEngine ledger = support.open(dir)) {
            setUpAccounts(ledger);
            support.clock.set(START_MILLIS + 10_000);
            applyAccepted(ledger, transfer("x-1", "alice", "bob", 1));
            support.clock.set(START_MILLIS + 2_000); // the host clock steps back
            applyAccepted(ledger, transfer("x-2", "alice", "bob", 1));
            Outcome.Reserved reserved = (Outcome.Reserved) applyAccepted(ledger,
                    reserve("r-1", "alice", "op", 100, 1_000));
            assertThat(reserved.expiresAtMillis()).isEqualTo(START_MILLIS + 11_000);
            barrier(ledger);
            assertThat(allRecords(dir).subList(4, 7)).extracting(JournalTestSupport.RecordOnDisk::atMillis)
                    .containsOnly(START_MILLIS + 10_000);
        }
        support.clock.set(START_MILLIS); // and after a restart it is even further behind
        try (DurableEngine ledger = support.open(dir)) {
            applyAccepted(ledger, transfer("x-3", "alice", "bob", 1));
            long now = query(ledger, LedgerView::nowMillis);
            assertThat(now).isEqualTo(START_MILLIS + 10_000);
            assertThat(reservation(ledger, 1).status()).isEqualTo(ReservationStatus.OPEN);
        }
    }

    @Test
    void aReservationExpiresOnTimeWithNoTraffic() throws IOException {
        try (DurableEngine ledger = support.open(dir)) {
            setUpAccounts(ledger);
            applyAccepted(ledger, reserve("r-1", "alice", "op", 300, 1_000));
            assertThat(moneyAvailable(ledger, "alice")).isEqualTo(700);

            support.clock.set(START_MILLIS + 999);
            sleepMillis(30); // many idle ticks, one millisecond before the deadline
            assertThat(reservation(ledger, 1).status()).isEqualTo(ReservationStatus.OPEN);

            support.clock.set(START_MILLIS + 1_000);
            awaitOnWriter(ledger, l -> l.openReservationCount() == 0, "the reservation expires");
            assertThat(reservation(ledger, 1).status()).isEqualTo(ReservationStatus.EXPIRED);
            assertThat(moneyAvailable(ledger, "alice")).isEqualTo(1_000);
            assertThat(apply(ledger, commit("k-1", 1, 100))).isInstanceOf(Rejection.Expired.class);
        }
    }

    @Test
    void aReservationOpenAtShutdownExpiresAfterTheRestart() throws IOException {
        try (DurableEngine ledger = support.open(dir)) {
            setUpAccounts(ledger);
            applyAccepted(ledger, reserve("r-1", "alice", "op", 300, 60_000));
        }
        support.clock.set(START_MILLIS + 59_999);
        try (DurableEngine ledger = support.open(dir)) {
            sleepMillis(20);
            assertThat(reservation(ledger, 1).status()).isEqualTo(ReservationStatus.OPEN);
            assertThat(moneyAvailable(ledger, "alice")).isEqualTo(700);
            support.clock.set(START_MILLIS + 60_000);
            awaitOnWriter(ledger, l -> l.openReservationCount() == 0, "the reservation expires");
            assertThat(moneyAvailable(ledger, "alice")).isEqualTo(1_000);
        }
        // that expiry was decided by a tick, not journaled: after start-up it is decided again
        try (DurableEngine ledger = support.open(dir)) {
            awaitOnWriter(ledger, l -> l.openReservationCount() == 0, "the reservation expires again");
            assertThat(reservation(ledger, 1).status()).isEqualTo(ReservationStatus.EXPIRED);
        }
    }

    @Test
    void aReservationWhoseDeadlinePassedWhileDownExpiresRightAfterStart() throws IOException {
        try (DurableEngine ledger = support.open(dir)) {
            setUpAccounts(ledger);
            applyAccepted(ledger, reserve("r-1", "alice", "op", 300, 60_000));
        }
        support.clock.set(START_MILLIS + 300_000); // down for five minutes, inside the retention window
        try (DurableEngine ledger = support.open(dir)) {
            awaitOnWriter(ledger, l -> l.openReservationCount() == 0, "the reservation expires");
            assertThat(moneyAvailable(ledger, "alice")).isEqualTo(1_000);
            assertThat(apply(ledger, commit("k-1", 1, 100))).isInstanceOf(Rejection.Expired.class);
        }
    }

    /**
     * Queries alone keep the writer from ever being idle (a dashboard polling balances). Time must
     * still move: a reservation past its deadline is expired for the next query, not only once the
     * writer has had nothing to do for a whole idle tick.
     */
    @Test
    void aReservationExpiresWhileQueriesKeepTheWriterBusy() throws IOException {
        JournalConfig slowTick = new JournalConfig(1024, 64, 4096, 0, 50, true);
        try (DurableEngine ledger = support.open(dir, slowTick)) {
            setUpAccounts(ledger);
            applyAccepted(ledger, reserve("r-1", "alice", "op", 300, 1_000));
            support.clock.set(START_MILLIS + 1_000);
            long until = System.nanoTime() + 500_000_000L; // ten idle ticks' worth of back-to-back queries
            ReservationStatus status = ReservationStatus.OPEN;
            while (status == ReservationStatus.OPEN && System.nanoTime() < until) {
                status = reservation(ledger, 1).status();
            }
            assertThat(status).isEqualTo(ReservationStatus.EXPIRED);
        }
    }

    /**
     * An idle tick expires a reservation and a bucket; later a commit of that reservation is
     * refused. After a crash the journal is replayed: the retried commit must get the answer the
     * client already has, and the state (expiry times, transfers) must be what it was. The idle
     * tick is not in the journal, so whatever it decided must not depend on when it ran.
     */
    @Test
    void whatAnIdleTickExpiredReadsTheSameAfterACrash() throws IOException {
        LedgerState live;
        Outcome refused;
        try (DurableEngine ledger = support.open(dir)) {
            setUpAccounts(ledger);
            applyAccepted(ledger, topUpBucket("t-bytes", "alice", 500, START_MILLIS + 2_000));
            applyAccepted(ledger, reserve("r-1", "alice", "op", 300, 1_000));

            support.clock.set(START_MILLIS + 5_000); // no traffic until well after both deadlines
            awaitOnWriter(ledger, l -> l.openReservationCount() == 0
                    && l.account("alice").orElseThrow().buckets().stream().noneMatch(b -> !b.main()),
                    "reservation and bucket expire");

            support.clock.set(START_MILLIS + 6_000);
            refused = apply(ledger, commit("k-1", 1, 100));
            assertThat(refused).isInstanceOf(Rejection.Expired.class);
            live = query(ledger, STATE);
            crashImage(ledger, dir, crashDir);
        }
        try (DurableEngine ledger = support.open(crashDir)) {
            assertThat(apply(ledger, commit("k-1", 1, 100))).as("retry of k-1 after the crash").isEqualTo(refused);
            assertThat(query(ledger, STATE)).isEqualTo(live);
        }
    }
}
