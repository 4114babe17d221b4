package io.credence.ledger;

import io.credence.ledger.Operation.Commit;
import io.credence.ledger.Outcome.AccountCreated;
import io.credence.ledger.Outcome.AccountUpdated;
import io.credence.ledger.Outcome.Committed;
import io.credence.ledger.Outcome.IdentityBound;
import io.credence.ledger.Outcome.IdentityUnbound;
import io.credence.ledger.Outcome.LinkedApplied;
import io.credence.ledger.Outcome.Released;
import io.credence.ledger.Outcome.Reserved;
import io.credence.ledger.Outcome.ToppedUp;
import io.credence.ledger.Outcome.Transferred;
import io.credence.ledger.Rejection.AccountExists;
import io.credence.ledger.Rejection.AccountNotActive;
import io.credence.ledger.Rejection.CommitExceedsReservation;
import io.credence.ledger.Rejection.CreditLimitExceeded;
import io.credence.ledger.Rejection.DuplicateRequest;
import io.credence.ledger.Rejection.Expired;
import io.credence.ledger.Rejection.IdentityTaken;
import io.credence.ledger.Rejection.InsufficientBalance;
import io.credence.ledger.Rejection.InvalidOperation;
import io.credence.ledger.Rejection.LimitExceeded;
import io.credence.ledger.Rejection.LinkedRejected;
import io.credence.ledger.Rejection.NotASystemAccount;
import io.credence.ledger.Rejection.ReservationClosed;
import io.credence.ledger.Rejection.UnknownAccount;
import io.credence.ledger.Rejection.UnknownIdentity;
import io.credence.ledger.Rejection.UnknownReservation;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.credence.ledger.LedgerStory.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/** A snapshot restores a ledger that answers every later command exactly as the original would. */
class LedgerSnapshotTest {
    static final int SEQUENCES = Integer.getInteger("credence.snapshotSequences", 300);

    static byte[] write(Ledger ledger) throws IOException {
        ByteArrayDataOutput out = new ByteArrayDataOutput(1024);
        LedgerSnapshot.write(ledger, out);
        return Arrays.copyOf(out.array(), out.size());
    }

    static Ledger read(byte[] bytes, LedgerLimits limits) throws IOException {
        return LedgerSnapshot.read(new ByteArrayDataInput(bytes, 0, bytes.length), limits);
    }

    @Test
    void aNewLedgerRoundTrips() throws IOException {
        Ledger original = new Ledger(LedgerLimits.DEFAULTS);

        Ledger restored = read(write(original), LedgerLimits.DEFAULTS);

        assertThat(LedgerFuzz.stateOf(restored, 3)).isEqualTo(LedgerFuzz.stateOf(original, 3));
    }

    @Test
    void aRestoredLedgerShowsTheSameAndAnswersTheSameAsTheOriginal() throws IOException {
        int compared = 0;
        int withOpenReservations = 0;
        for (int i = 0; i < SEQUENCES; i++) {
            long seed = 99_000L + i;
            Random rnd = new Random(seed);
            LedgerLimits limits = LedgerFuzz.randomLimits(rnd);
            Ledger original = new Ledger(limits);
            ReferenceLedger model = new ReferenceLedger(limits);
            LedgerFuzz fuzz = new LedgerFuzz(rnd, model, T0);
            int before = rnd.nextInt(80);
            for (int step = 0; step < before; step++) {
                LedgerFuzz.Timed next = fuzz.next();
                model.apply(next.command(), next.atMillis());
                original.apply(next.command(), next.atMillis());
            }

            byte[] bytes = write(original);
            Ledger restored = read(bytes, limits);

            long reservationIds = model.nextReservationId + 1;
            withOpenReservations += original.openReservationCount() > 0 ? 1 : 0;
            LedgerFuzz.assertSameState(restored, original, reservationIds, "restore, seed " + seed);
            assertThat(write(restored)).as("a restored ledger's snapshot, seed %d", seed).hasSameSizeAs(bytes);
            for (int step = 0; step < 40; step++) {
                LedgerFuzz.Timed next = fuzz.next();
                String context = "seed " + seed + " step " + step + " after the restore: " + LedgerFuzz.describe(next);
                for (long tick : next.ticksBefore()) {
                    original.advanceTo(tick);
                    restored.advanceTo(tick);
                }
                Outcome expected = original.apply(next.command(), next.atMillis());
                Outcome actual;
                try {
                    actual = restored.apply(next.command(), next.atMillis());
                } catch (RuntimeException crash) {
                    throw new AssertionError("restored ledger threw on " + context, crash);
                }
                model.apply(next.command(), next.atMillis());
                if (!expected.equals(actual)) {
                    fail("outcomes differ on %s%n  original: %s%n  restored: %s", context, expected, actual);
                }
                LedgerFuzz.assertSameState(restored, original, model.nextReservationId + 1, context);
                compared++;
            }
        }
        assertThat(compared).isEqualTo(SEQUENCES * 40);
        assertThat(withOpenReservations).as("snapshots taken with reservations open").isGreaterThan(SEQUENCES / 5);
        System.out.println("LedgerSnapshotTest: " + SEQUENCES + " restores, " + withOpenReservations
                + " with open reservations, " + compared + " commands compared");
    }

    @Test
    void remembersRequestIdsHoldsOnEndedBucketsAndDeadlines() throws IOException {
        LedgerStory story = new LedgerStory();
        story.subscriber("alice").operator("shop");
        long bucket = story.bucket("alice", 100, 1, T0 + 1_000);
        Outcome reserved = story.submit("session-1", new Operation.Reserve("alice", "shop", Unit.MONEY, 60,
                ServiceRef.ANY, 5_000));
        long toExpire = story.reserve("alice", "shop", Unit.MONEY, 10, ServiceRef.ANY, 3_000).reservationId();
        story.advanceTo(T0 + 2_000);

        Ledger restored = read(write(story.ledger), LedgerLimits.DEFAULTS);

        assertThat(restored.apply(new Command("session-1", new Operation.Reserve("alice", "shop", Unit.MONEY, 60,
                ServiceRef.ANY, 5_000)), T0 + 2_000)).as("a retry after the restore").isEqualTo(reserved);
        assertThat(restored.apply(new Command("session-1", new Operation.Release(1)), T0 + 2_000))
                .isEqualTo(new DuplicateRequest("session-1"));
        assertThat(restored.account("alice").orElseThrow().buckets()).extracting(BucketView::bucketId)
                .containsExactly(bucket);
        restored.advanceTo(T0 + 3_000);
        assertThat(restored.reservation(toExpire).orElseThrow().status()).isEqualTo(ReservationStatus.EXPIRED);
        assertThat(restored.apply(new Command("k", new Commit(1, 50, false)), T0 + 4_000))
                .isEqualTo(new Committed(1, 50, 10, 0, 2));
        assertThat(restored.account("alice").orElseThrow().buckets()).as("swept at the end of the hold").isEmpty();
        restored.verifyInvariants();
    }

    @Test
    void everyTruncationFailsWithAnIOException() throws IOException {
        LedgerStory story = new LedgerStory();
        story.subscriber("alice").operator("shop");
        story.bucket("alice", 100, 1, T0 + 1_000);
        long id = story.reserve("alice", "shop", 30).reservationId();
        story.reserve("alice", "shop", 30);
        story.commit(id, 10);
        byte[] bytes = write(story.ledger);

        for (int length = 0; length < bytes.length; length++) {
            byte[] cut = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> read(cut, LedgerLimits.DEFAULTS)).as("cut to %d of %d", length, bytes.length)
                    .isInstanceOf(IOException.class);
        }
        assertThat(LedgerSnapshot.read(new DataInputStream(new ByteArrayInputStream(bytes)), LedgerLimits.DEFAULTS)
                .account("alice")).isEqualTo(story.ledger.account("alice"));
    }

    @Test
    void aForeignOrNewerFileIsRefused() throws IOException {
        byte[] bytes = write(new Ledger(LedgerLimits.DEFAULTS));
        byte[] badMagic = bytes.clone();
        badMagic[0] = 'X';
        byte[] newer = bytes.clone();
        newer[7] = 4;
        byte[] older = bytes.clone();
        older[7] = 2; // before reservation tags
        byte[] noEnd = bytes.clone();
        noEnd[noEnd.length - 1] ^= 1;

        assertThatThrownBy(() -> read(badMagic, LedgerLimits.DEFAULTS)).isInstanceOf(IOException.class)
                .hasMessageContaining("magic");
        assertThatThrownBy(() -> read(newer, LedgerLimits.DEFAULTS)).isInstanceOf(IOException.class)
                .hasMessageContaining("version");
        assertThatThrownBy(() -> read(older, LedgerLimits.DEFAULTS)).isInstanceOf(IOException.class)
                .hasMessageContaining("version 2");
        assertThatThrownBy(() -> read(noEnd, LedgerLimits.DEFAULTS)).isInstanceOf(IOException.class)
                .hasMessageContaining("end marker");
    }

    @Test
    void everyOutcomeRoundTripsThroughTheRequestTablesCodec() throws IOException {
        List<Outcome> outcomes = List.of(
                new AccountCreated("alice"), new AccountUpdated("alice", AccountStatus.SUSPENDED),
                new ToppedUp(1, 2), new Transferred(Long.MAX_VALUE), new Reserved(1, 2, 3),
                new Committed(1, 2, 3, 4, 5), new Released(1, 2),
                new LinkedApplied(List.of(new Transferred(1), new Reserved(1, 2, 3))),
                new UnknownAccount("ghost"), new AccountExists("alice"),
                new AccountNotActive("alice", AccountStatus.CLOSED), new NotASystemAccount("alice"),
                new InsufficientBalance("alice", Unit.BYTES, 5, 4), new CreditLimitExceeded("alice", Unit.SECONDS, 5, 4),
                new UnknownReservation(9), new Expired(9, T0), new ReservationClosed(9, ReservationStatus.RELEASED),
                new CommitExceedsReservation(9, 1, 2), new DuplicateRequest("r-1"),
                new LimitExceeded("balance of alice MONEY", Long.MAX_VALUE), new InvalidOperation("field", "réason"),
                new LinkedRejected(15, new LimitExceeded("reservationsMax", 3)),
                new IdentityBound(IdentityType.SIP_URI, "sip:+4917@ims.example.com;user=phone", "alice"),
                new IdentityUnbound(IdentityType.PRIVATE, "x".repeat(IdentityType.VALUE_LENGTH_MAX), "bob"),
                new IdentityTaken(IdentityType.E164, "491701234567", "alice"),
                new UnknownIdentity(IdentityType.IMSI, "262011234567890"),
                new LimitExceeded("identitiesMax", 8));
        for (Outcome outcome : outcomes) {
            ByteArrayDataOutput out = new ByteArrayDataOutput(16);
            OutcomeCodec.write(out, outcome);
            ByteArrayDataInput in = new ByteArrayDataInput(out.array(), 0, out.size());

            assertThat(OutcomeCodec.read(in)).isEqualTo(outcome);
            assertThat(in.remaining()).isZero();
        }
    }
}
