package io.credence.ledger;

import io.credence.ledger.Operation.Advance;
import io.credence.ledger.Operation.Commit;
import io.credence.ledger.Operation.CreateAccount;
import io.credence.ledger.Operation.TopUp;
import io.credence.ledger.Outcome.AccountCreated;
import io.credence.ledger.Outcome.AccountUpdated;
import io.credence.ledger.Outcome.Advanced;
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
import io.credence.ledger.Rejection.StaleSequence;
import io.credence.ledger.Rejection.UnknownAccount;
import io.credence.ledger.Rejection.UnknownIdentity;
import io.credence.ledger.Rejection.UnknownReservation;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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
        newer[7] = 5;
        byte[] older = bytes.clone();
        older[7] = 2; // before reservation tags (3, before streams, is still read: see below)
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
    void streamsSurviveASnapshotInTheOrderTheyWereAdded() throws IOException {
        LedgerStory story = new LedgerStory();
        story.subscriber("alice").subscriber("bob");
        story.submit(new Advance("alice", "sim-2", 3, 30));
        Outcome first = story.submit("report-1", new Advance("alice", "sim-1", 1, 10));
        story.submit(new Advance("alice", "sim-1", 9, Long.MAX_VALUE - 10));
        story.submit(new Advance("bob", "x".repeat(Ids.STREAM_LENGTH_MAX), Long.MAX_VALUE, 0));
        Outcome stale = story.submit("report-stale", new Advance("alice", "sim-2", 3, 30));
        story.status("bob", AccountStatus.CLOSED);
        byte[] bytes = write(story.ledger);

        Ledger restored = read(bytes, LedgerLimits.DEFAULTS);

        assertThat(restored.sequence("alice", "sim-1")).contains(new SequenceView("sim-1", 9, Long.MAX_VALUE));
        assertThat(restored.sequence("alice", "sim-2")).contains(new SequenceView("sim-2", 3, 30));
        assertThat(restored.sequence("bob", "x".repeat(Ids.STREAM_LENGTH_MAX)))
                .contains(new SequenceView("x".repeat(Ids.STREAM_LENGTH_MAX), Long.MAX_VALUE, 0));
        assertThat(restored.sequence("system", "sim-1")).isEmpty();
        assertThat(write(restored)).as("the same bytes again, streams in the same order").isEqualTo(bytes);
        long now = story.now;
        assertThat(restored.apply(new Command("report-1", new Advance("alice", "sim-1", 1, 10)), now)).isEqualTo(first);
        assertThat(restored.apply(new Command("report-stale", new Advance("alice", "sim-2", 3, 30)), now))
                .isEqualTo(stale).isEqualTo(new StaleSequence("alice", "sim-2", 3, 3));
        assertThat(restored.apply(new Command("report-2", new Advance("alice", "sim-1", 9, 0)), now))
                .isEqualTo(new StaleSequence("alice", "sim-1", 9, 9));
        assertThat(restored.apply(new Command("report-3", new Advance("bob", "sim-1", 1, 4)), now))
                .isEqualTo(new Advanced("bob", "sim-1", 1, 4));
        restored.verifyInvariants();
    }

    @Test
    void aDamagedStreamSectionIsRefused() throws IOException {
        LedgerStory story = new LedgerStory();
        story.subscriber("alice");
        story.submit(new Advance("alice", "sim-1", 7, 30));
        byte[] bytes = write(story.ledger);
        // The first occurrence of the name is in the account's section (after it, in remembered outcomes).
        int name = indexOf(bytes, "sim-1");
        int count = name - 3; // u8 count, then the u16 length of the only name

        byte[] tooMany = bytes.clone();
        tooMany[count] = (byte) (Account.STREAMS_MAX + 1);
        byte[] badName = bytes.clone();
        badName[name + 3] = ' ';
        byte[] atZero = bytes.clone();
        Arrays.fill(atZero, name + 5, name + 13, (byte) 0);
        byte[] negativeTotal = bytes.clone();
        negativeTotal[name + 13] = (byte) 0x80;

        assertThat(bytes[count]).isEqualTo((byte) 1);
        assertThatThrownBy(() -> read(tooMany, LedgerLimits.DEFAULTS)).isInstanceOf(IOException.class)
                .hasMessageContaining("17 streams");
        assertThatThrownBy(() -> read(badName, LedgerLimits.DEFAULTS)).isInstanceOf(IOException.class)
                .hasMessageContaining("invalid stream name");
        assertThatThrownBy(() -> read(atZero, LedgerLimits.DEFAULTS)).isInstanceOf(IOException.class)
                .hasMessageContaining("is at 0");
        assertThatThrownBy(() -> read(negativeTotal, LedgerLimits.DEFAULTS)).isInstanceOf(IOException.class)
                .hasMessageContaining("with total -");
    }

    /**
     * A data directory written before sequence streams holds version-3 snapshots; they must still
     * load. The bytes are written here field by field in the version-3 layout (accounts end with
     * their identities), for the state of {@link #storyBehindTheVersion3Snapshot}.
     */
    @Test
    void aVersion3SnapshotFromBeforeStreamsIsStillRead() throws IOException {
        Ledger restored = read(version3Snapshot(), LedgerLimits.DEFAULTS);

        LedgerStory story = storyBehindTheVersion3Snapshot();
        assertThat(write(restored)).as("read as if written today").isEqualTo(write(story.ledger));
        assertThat(restored.account("alice")).isEqualTo(story.ledger.account("alice"));
        assertThat(restored.identitiesOf("alice")).containsExactly(new SubscriberIdentity(IdentityType.E164, "4917012"));
        assertThat(restored.sequence("alice", "sim-1")).isEmpty();
        assertThat(restored.apply(new Command("t-1", new TopUp("system", "alice", Unit.MONEY, 100, null)), T0))
                .as("a retry of a request remembered in the old snapshot").isEqualTo(new ToppedUp(1, 2));
        assertThat(restored.apply(new Command("s-1", new Advance("alice", "sim-1", 1, 5)), T0))
                .isEqualTo(new Advanced("alice", "sim-1", 1, 5));
        Ledger again = read(write(restored), LedgerLimits.DEFAULTS);
        assertThat(again.sequence("alice", "sim-1")).contains(new SequenceView("sim-1", 1, 5));
    }

    static LedgerStory storyBehindTheVersion3Snapshot() {
        LedgerStory story = new LedgerStory();
        story.submit("c-alice", new CreateAccount("alice", AccountKind.SUBSCRIBER, Map.of()));
        story.submit("t-1", new TopUp("system", "alice", Unit.MONEY, 100, null));
        story.submit("b-1", new Operation.BindIdentity(IdentityType.E164, "4917012", "alice"));
        return story;
    }

    static byte[] version3Snapshot() throws IOException {
        CommandCodec.Fingerprinter fingerprints = new CommandCodec.Fingerprinter();
        ByteArrayDataOutput out = new ByteArrayDataOutput(512);
        out.writeInt(0x43524453);                           // "CRDS"
        out.writeInt(3);
        out.writeLong(T0);                                  // nowMillis
        out.writeLong(3);                                   // nextBucketId
        out.writeLong(1);                                   // nextReservationId
        out.writeInt(2);                                    // accounts
        version3Account(out, "system", AccountKind.SYSTEM, 1, -100);
        out.writeInt(0);                                    // identities of system
        version3Account(out, "alice", AccountKind.SUBSCRIBER, 2, 100);
        out.writeInt(1);                                    // identities of alice
        out.writeByte(IdentityType.E164.ordinal());
        out.writeUTF("4917012");
        out.writeInt(0);                                    // open reservations
        out.writeInt(0);                                    // closed reservations
        out.writeInt(3);                                    // requests
        version3Request(out, "c-alice", fingerprints.of(new CreateAccount("alice", AccountKind.SUBSCRIBER, Map.of())),
                new AccountCreated("alice"));
        version3Request(out, "t-1", fingerprints.of(new TopUp("system", "alice", Unit.MONEY, 100, null)),
                new ToppedUp(1, 2));
        version3Request(out, "b-1", fingerprints.of(new Operation.BindIdentity(IdentityType.E164, "4917012", "alice")),
                new IdentityBound(IdentityType.E164, "4917012", "alice"));
        out.writeLong(1);                                   // lastTransferSeq
        out.writeInt(1);                                    // retained transfers
        out.writeLong(1);
        out.writeByte(TransferKind.TOP_UP.ordinal());
        out.writeUTF("system");
        out.writeUTF("alice");
        out.writeByte(Unit.MONEY.ordinal());
        out.writeLong(100);                                 // amount
        out.writeLong(0);                                   // overdraft
        out.writeLong(0);                                   // reservationId
        out.writeLong(2);                                   // bucketId
        out.writeLong(T0);
        out.writeUTF("t-1");
        out.writeLong(0);                                   // previous transfer of system
        out.writeLong(0);                                   // previous transfer of alice
        out.writeInt(0x43524445);                           // "CRDE"
        return Arrays.copyOf(out.array(), out.size());
    }

    /** An account up to its identities: no credit limits, one main MONEY balance, one transfer. */
    private static void version3Account(ByteArrayDataOutput out, String id, AccountKind kind, long mainBucketId,
                                        long amount) throws IOException {
        out.writeUTF(id);
        out.writeByte(kind.ordinal());
        out.writeByte(AccountStatus.ACTIVE.ordinal());
        out.writeByte(0);                                   // credit limits
        out.writeLong(1);                                   // lastTransferSeq
        out.writeShort(1);                                  // buckets
        out.writeLong(mainBucketId);
        out.writeByte(Unit.MONEY.ordinal());
        out.writeLong(amount);
        out.writeLong(0);                                   // reserved
        out.writeLong(0);                                   // validFrom
        out.writeLong(BucketSpec.FOREVER);
        out.writeInt(Integer.MIN_VALUE);                    // a main balance's priority
        out.writeByte(0);                                   // filter: rating groups
        out.writeByte(0);                                   // filter: service ids
    }

    private static void version3Request(ByteArrayDataOutput out, String requestId, long fingerprint, Outcome outcome)
            throws IOException {
        out.writeUTF(requestId);
        out.writeLong(fingerprint);
        out.writeLong(T0);
        OutcomeCodec.write(out, outcome);
    }

    private static int indexOf(byte[] bytes, String ascii) {
        byte[] needle = ascii.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i <= bytes.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (bytes[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError(ascii + " not found");
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
                new LimitExceeded("identitiesMax", 8),
                new Advanced("alice", "sim-1", 1, 0), new Advanced("a", "x".repeat(Ids.STREAM_LENGTH_MAX), Long.MAX_VALUE,
                        Long.MAX_VALUE),
                new StaleSequence("alice", "sim-1", 7, 7),
                new LimitExceeded("streamsPerAccount", Account.STREAMS_MAX),
                new LinkedApplied(List.of(new Advanced("alice", "sim-1", 2, 5), new Committed(1, 5, 0, 0, 3))),
                new LinkedRejected(0, new StaleSequence("alice", "sim-1", 1, Long.MAX_VALUE)));
        for (Outcome outcome : outcomes) {
            ByteArrayDataOutput out = new ByteArrayDataOutput(16);
            OutcomeCodec.write(out, outcome);
            ByteArrayDataInput in = new ByteArrayDataInput(out.array(), 0, out.size());

            assertThat(OutcomeCodec.read(in)).isEqualTo(outcome);
            assertThat(in.remaining()).isZero();
        }
    }
}
