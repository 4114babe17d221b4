package io.credence.ledger;

import io.credence.ledger.Operation.Advance;
import io.credence.ledger.Operation.BindIdentity;
import io.credence.ledger.Operation.Commit;
import io.credence.ledger.Operation.CreateAccount;
import io.credence.ledger.Operation.Linked;
import io.credence.ledger.Operation.Release;
import io.credence.ledger.Operation.Reserve;
import io.credence.ledger.Operation.Step;
import io.credence.ledger.Operation.TopUp;
import io.credence.ledger.Operation.Transfer;
import io.credence.ledger.Operation.UnbindIdentity;
import io.credence.ledger.Operation.UpdateAccount;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * The journal's record format. Contract checked here: every command round-trips; equal
 * operations have equal fingerprints; damaged bytes either fail with {@link IOException} or decode
 * to some other well-formed command (the journal's checksum catches those) — never any other
 * exception, never a hang.
 */
class CommandCodecTest {
    static final long MAX = Long.MAX_VALUE;
    static final ServiceFilter SEVERAL = new ServiceFilter(Set.of(1L, 10L, ServiceRef.UNSIGNED32_MAX), Set.of(0L, 7L));

    static List<Command> samples() {
        List<Step> sixteen = new ArrayList<>();
        for (int i = 0; i < Linked.STEPS_MAX; i++) {
            sixteen.add(switch (i % 5) {
                case 0 -> new TopUp("system", "alice", Unit.MONEY, i + 1, i % 2 == 0 ? null
                        : new BucketSpec(0, 1_000 + i, i, SEVERAL));
                case 1 -> new Transfer("alice", "bob", Unit.BYTES, i + 1, ServiceRef.ratingGroup(i));
                case 2 -> new Reserve("alice", "shop", Unit.SECONDS, i + 1, ServiceRef.ANY, 1_000);
                case 3 -> new Commit(i, i, i % 2 == 0);
                default -> new Release(i);
            });
        }
        return List.of(
                new Command("c-1", new CreateAccount("alice", AccountKind.SUBSCRIBER, Map.of())),
                new Command("c-2", new CreateAccount("op.1@x:y_z-0", AccountKind.OPERATOR, Map.of(Unit.MONEY, 100L,
                        Unit.BYTES, MAX, Unit.SECONDS, 0L, Unit.SERVICE_UNITS, 1L))),
                new Command("c-3", new CreateAccount("sys2", AccountKind.SYSTEM, Map.of())),
                new Command("u-1", new UpdateAccount("alice", null, null)),
                new Command("u-2", new UpdateAccount("alice", AccountStatus.CLOSED, Map.of())),
                new Command("u-3", new UpdateAccount("alice", AccountStatus.SUSPENDED, Map.of(Unit.MONEY, 5L))),
                new Command("u-4", new UpdateAccount("alice", null, Map.of(Unit.SERVICE_UNITS, MAX))),
                new Command("t-1", new TopUp("system", "alice", Unit.MONEY, MAX, null)),
                new Command("t-2", new TopUp("system", "alice", Unit.BYTES, 1,
                        new BucketSpec(0, BucketSpec.FOREVER, Integer.MAX_VALUE, ServiceFilter.ALL))),
                new Command("t-3", new TopUp("sys2", "alice", Unit.SERVICE_UNITS, 7,
                        new BucketSpec(5, 6, Integer.MIN_VALUE + 1, SEVERAL))),
                new Command("x-1", new Transfer("alice", "bob", Unit.MONEY, 1, ServiceRef.ANY)),
                new Command("x-2", new Transfer("alice", "bob", Unit.SECONDS, 99, new ServiceRef(ServiceRef.UNSIGNED32_MAX, 0))),
                new Command("r-1", new Reserve("alice", "shop", Unit.MONEY, 30, ServiceRef.ratingGroup(10), 60_000)),
                new Command("r-2", new Reserve("alice", "shop", Unit.BYTES, MAX, new ServiceRef(ServiceRef.NONE, 7), MAX)),
                new Command("k-1", new Commit(1, 0, false)),
                new Command("k-2", new Commit(MAX, MAX, true)),
                new Command("l-1", new Release(3)),
                new Command("L-1", new Linked(List.of(new Release(1)))),
                new Command("L-16", new Linked(sixteen)),
                new Command("i-1", new BindIdentity(IdentityType.E164, "491701234567", "alice")),
                new Command("i-2", new BindIdentity(IdentityType.IMSI, "262011234567890", "op.1@x:y_z-0")),
                new Command("i-3", new BindIdentity(IdentityType.SIP_URI, "sip:+491701234567@ims.example.com;user=phone",
                        "alice")),
                new Command("i-4", new BindIdentity(IdentityType.NAI, "x".repeat(IdentityType.VALUE_LENGTH_MAX), "alice")),
                new Command("i-5", new BindIdentity(IdentityType.PRIVATE, "!", "a")),
                new Command("j-1", new UnbindIdentity(IdentityType.E164, "1")),
                new Command("j-2", new UnbindIdentity(IdentityType.SIP_URI, "sip:alice@example.com")),
                new Command("s-1", new Advance("alice", "sim-1", 1, 0)),
                new Command("s-2", new Advance("op.1@x:y_z-0", "x".repeat(Ids.STREAM_LENGTH_MAX), MAX, MAX)),
                new Command("L-s", new Linked(List.of(new Advance("alice", "imsi:262011234567890", 42, 1_500),
                        new Commit(7, 1_500, false)))),
                new Command("q".repeat(Ids.REQUEST_ID_LENGTH_MAX), new Release(1)));
    }

    static byte[] encode(Command command) throws IOException {
        ByteArrayDataOutput out = new ByteArrayDataOutput(16);
        CommandCodec.write(out, command);
        return Arrays.copyOf(out.array(), out.size());
    }

    static byte[] encode(Operation operation) throws IOException {
        ByteArrayDataOutput out = new ByteArrayDataOutput(16);
        CommandCodec.writeOperation(out, operation);
        return Arrays.copyOf(out.array(), out.size());
    }

    static Command decode(byte[] bytes) throws IOException {
        return CommandCodec.read(new ByteArrayDataInput(bytes, 0, bytes.length));
    }

    @Test
    void everyCommandRoundTripsAndUsesExactlyItsBytes() throws IOException {
        for (Command command : samples()) {
            byte[] bytes = encode(command);
            ByteArrayDataInput in = new ByteArrayDataInput(bytes, 0, bytes.length);

            assertThat(CommandCodec.read(in)).as("round trip of %s", command).isEqualTo(command);
            assertThat(in.remaining()).as("bytes left after %s", command).isZero();
        }
    }

    @Test
    void theEncodingIsTheSameThroughTheJdksDataStreams() throws IOException {
        for (Command command : samples()) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            CommandCodec.write(new DataOutputStream(buffer), command);

            assertThat(buffer.toByteArray()).isEqualTo(encode(command));
            assertThat(CommandCodec.read(new DataInputStream(new ByteArrayInputStream(buffer.toByteArray()))))
                    .isEqualTo(command);
        }
    }

    @Test
    void theLayoutIsStable() throws IOException {
        // Journals written today must decode tomorrow: requestId (u16 length + UTF-8), tag 6, id, amount, flag.
        byte[] bytes = encode(new Command("k1", new Commit(1, 20, false)));

        assertThat(HexFormat.of().formatHex(bytes))
                .isEqualTo("00026b3106" + "0000000000000001" + "0000000000000014" + "00");
    }

    @Test
    void theIdentityLayoutsAreStable() throws IOException {
        // requestId, tag 9, type (Subscription-Id-Type value), value, accountId
        assertThat(HexFormat.of().formatHex(encode(new Command("b1", new BindIdentity(IdentityType.IMSI, "12345", "a")))))
                .isEqualTo("00026231" + "09" + "01" + "00053132333435" + "000161");
        // requestId, tag 10, type, value
        assertThat(HexFormat.of().formatHex(encode(new Command("u1", new UnbindIdentity(IdentityType.NAI, "a@b")))))
                .isEqualTo("00027531" + "0a" + "03" + "0003614062");
    }

    @Test
    void theAdvanceLayoutIsStable() throws IOException {
        // requestId, tag 12, accountId, stream, seq, amount
        assertThat(HexFormat.of().formatHex(encode(new Command("a1", new Advance("a", "s", 1, 20)))))
                .isEqualTo("00026131" + "0c" + "000161" + "000173" + "0000000000000001" + "0000000000000014");
    }

    @Test
    void theFingerprintIsStableAcrossRunsAndMachines() throws IOException {
        // FNV-1a 64 with a final avalanche over the operation's bytes, computed independently
        Operation commit = new Commit(1, 20, false);

        assertThat(new CommandCodec.Fingerprinter().of(commit)).isEqualTo(0xc839b3fe9a8b3f4fL);
        byte[] bytes = encode(commit);
        assertThat(CommandCodec.fingerprint(bytes, 0, bytes.length)).isEqualTo(0xc839b3fe9a8b3f4fL);
        assertThat(CommandCodec.fingerprint(new byte[0], 0, 0)).isEqualTo(0xecba3df2c3383c52L);
    }

    @Test
    void theFingerprintersReusedBufferGivesWhatTheEncodedBytesGive() throws IOException {
        CommandCodec.Fingerprinter fingerprinter = new CommandCodec.Fingerprinter();
        byte[] padded = new byte[4096];
        for (Command command : samples()) {
            byte[] bytes = encode(command.operation());
            System.arraycopy(bytes, 0, padded, 7, bytes.length);

            assertThat(fingerprinter.of(command.operation()))
                    .isEqualTo(CommandCodec.fingerprint(bytes, 0, bytes.length))
                    .isEqualTo(CommandCodec.fingerprint(padded, 7, bytes.length));
        }
    }

    @Test
    void equalOperationsHaveEqualFingerprintsWhateverTheOrderOfTheirSetsAndMaps() {
        CommandCodec.Fingerprinter fingerprinter = new CommandCodec.Fingerprinter();
        LinkedHashSet<Long> ascending = new LinkedHashSet<>();
        for (long i = 0; i < 40; i++) {
            ascending.add(i * 1_000_003L);
        }
        Set<Long> descending = new LinkedHashSet<>(ascending.reversed());
        Set<Long> hashed = new HashSet<>(ascending);
        TopUp a = new TopUp("system", "alice", Unit.BYTES, 5, new BucketSpec(0, 9, 1, new ServiceFilter(ascending, Set.of(1L, 2L))));
        TopUp b = new TopUp("system", "alice", Unit.BYTES, 5, new BucketSpec(0, 9, 1, new ServiceFilter(descending, Set.of(2L, 1L))));
        TopUp c = new TopUp("system", "alice", Unit.BYTES, 5, new BucketSpec(0, 9, 1, new ServiceFilter(hashed, Set.of(1L, 2L))));
        assertThat(a).isEqualTo(b).isEqualTo(c);
        assertThat(fingerprinter.of(a)).isEqualTo(fingerprinter.of(b)).isEqualTo(fingerprinter.of(c));

        Map<Unit, Long> forwards = new LinkedHashMap<>();
        Map<Unit, Long> backwards = new LinkedHashMap<>();
        for (Unit unit : Unit.values()) {
            forwards.put(unit, 10L + unit.ordinal());
        }
        for (Unit unit : List.of(Unit.values()).reversed()) {
            backwards.put(unit, 10L + unit.ordinal());
        }
        assertThat(fingerprinter.of(new CreateAccount("alice", AccountKind.SUBSCRIBER, forwards)))
                .isEqualTo(fingerprinter.of(new CreateAccount("alice", AccountKind.SUBSCRIBER, backwards)))
                .isEqualTo(fingerprinter.of(new CreateAccount("alice", AccountKind.SUBSCRIBER, new EnumMap<>(backwards))));
        assertThat(fingerprinter.of(new UpdateAccount("alice", null, forwards)))
                .isEqualTo(fingerprinter.of(new UpdateAccount("alice", null, backwards)));
    }

    @Test
    void differentOperationsHaveDifferentFingerprints() {
        CommandCodec.Fingerprinter fingerprinter = new CommandCodec.Fingerprinter();
        List<Operation> operations = new ArrayList<>(samples().stream().map(Command::operation).toList());
        operations.add(new UpdateAccount("alice", null, Map.of()));       // differs from "no change to limits"
        operations.add(new Commit(1, 0, true));                          // differs only in the flag
        operations.add(new Reserve("alice", "shop", Unit.MONEY, 30, ServiceRef.ratingGroup(10), 60_001));
        operations.add(new Linked(List.of(new Release(1), new Release(1))));
        operations.add(new BindIdentity(IdentityType.IMSI, "491701234567", "alice"));   // differs only in the type
        operations.add(new BindIdentity(IdentityType.E164, "491701234567", "bob"));     // differs only in the account
        operations.add(new UnbindIdentity(IdentityType.E164, "491701234567"));
        operations.add(new Advance("alice", "sim-1", 2, 0));                              // differs only in seq
        operations.add(new Advance("alice", "sim-1", 1, 1));                              // differs only in amount
        operations.add(new Advance("alice", "sim-2", 1, 0));                              // differs only in stream
        operations.add(new Advance("bob", "sim-1", 1, 0));                                // differs only in account

        assertThat(operations.stream().map(fingerprinter::of).distinct().count()).isEqualTo(operations.size());
    }

    @Test
    void everyTruncationFailsWithAnIOException() throws IOException {
        for (Command command : samples()) {
            byte[] bytes = encode(command);
            for (int length = 0; length < bytes.length; length++) {
                byte[] cut = Arrays.copyOf(bytes, length);
                assertThatThrownBy(() -> decode(cut)).as("%s cut to %d bytes", command, length)
                        .isInstanceOf(IOException.class);
            }
        }
    }

    @Test
    void aChangedByteFailsWithAnIOExceptionOrDecodesToAnotherWellFormedCommand() throws IOException {
        int[] replacements = {0x00, 0x01, 0x08, 0x20, 0x7F, 0x80, 0xFE, 0xFF};
        for (Command command : samples()) {
            byte[] bytes = encode(command);
            for (int at = 0; at < bytes.length; at++) {
                for (int replacement : replacements) {
                    byte[] mutated = bytes.clone();
                    mutated[at] = (byte) replacement;
                    checkDecodesCleanly(mutated, command + " with byte " + at + " := " + replacement);
                }
                byte[] flipped = bytes.clone();
                flipped[at] ^= 0x40;
                checkDecodesCleanly(flipped, command + " with byte " + at + " flipped");
            }
        }
    }

    @Test
    void randomBytesFailWithAnIOExceptionOrDecodeToAWellFormedCommand() {
        Random rnd = new Random(7);
        byte[][] starts = {{0, 1, 'a'}, {0, 2, 'a', 'b'}};
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[rnd.nextInt(120)];
            rnd.nextBytes(bytes);
            if (bytes.length > 4 && rnd.nextBoolean()) {
                byte[] start = starts[rnd.nextInt(starts.length)];
                System.arraycopy(start, 0, bytes, 0, start.length);
                bytes[start.length] = (byte) (1 + rnd.nextInt(12)); // a real tag, so decoding gets further
            }
            checkDecodesCleanly(bytes, "random bytes #" + i);
        }
    }

    private static void checkDecodesCleanly(byte[] bytes, String what) {
        Command decoded;
        try {
            decoded = decode(bytes);
        } catch (IOException expected) {
            return;
        } catch (RuntimeException | StackOverflowError unexpected) {
            throw new AssertionError(what + ": decoding threw " + unexpected + " instead of an IOException", unexpected);
        }
        try {
            assertThat(decode(encode(decoded))).as(what).isEqualTo(decoded);
        } catch (IOException e) {
            fail("%s decoded to %s, which does not round-trip: %s", what, decoded, e);
        }
    }

    @Test
    void anInvalidRequestIdIsAnIOException() throws IOException {
        byte[] bytes = encode(new Command("ab", new Release(1)));
        bytes[2] = '!';

        assertThatThrownBy(() -> decode(bytes)).isInstanceOf(IOException.class);
    }

    @Test
    void aLinkedStepThatIsItselfLinkedIsRefusedWithoutDeepRecursion() throws IOException {
        ByteArrayDataOutput out = new ByteArrayDataOutput(64);
        out.writeUTF("deep");
        for (int i = 0; i < 200_000; i++) {
            out.writeByte(8);   // Linked
            out.writeByte(1);   // of one step
        }
        byte[] bytes = Arrays.copyOf(out.array(), out.size());

        assertThatThrownBy(() -> decode(bytes)).isInstanceOf(IOException.class);
    }

    @Test
    void chainLengthsOutsideOneToSixteenAreRefused() throws IOException {
        byte[] one = encode(new Command("L", new Linked(List.of(new Release(1)))));
        int countAt = 2 + 1 + 1;
        byte[] none = one.clone();
        none[countAt] = 0;
        byte[] seventeen = one.clone();
        seventeen[countAt] = 17;

        assertThatThrownBy(() -> decode(none)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> decode(seventeen)).isInstanceOf(IOException.class);
    }

    @Test
    void unknownTagsAndEnumOrdinalsAreRefused() throws IOException {
        byte[] release = encode(new Command("x", new Release(1)));
        release[3] = 0x7F; // no operation has this tag
        assertThatThrownBy(() -> decode(release)).isInstanceOf(IOException.class).hasMessageContaining("tag");

        byte[] create = encode(new Command("x", new CreateAccount("a", AccountKind.SUBSCRIBER, Map.of())));
        create[create.length - 2] = (byte) AccountKind.values().length;
        assertThatThrownBy(() -> decode(create)).isInstanceOf(IOException.class).hasMessageContaining("AccountKind");

        byte[] bind = encode(new Command("x", new BindIdentity(IdentityType.E164, "1", "a")));
        bind[4] = (byte) IdentityType.values().length;
        assertThatThrownBy(() -> decode(bind)).isInstanceOf(IOException.class).hasMessageContaining("IdentityType");
        bind[4] = (byte) IdentityType.IMSI.ordinal();
        assertThatThrownBy(() -> decode(bind)).as("'1' is no IMSI").isInstanceOf(IOException.class)
                .hasMessageContaining("value");
    }

    @Test
    void byteArrayDataStreamsAgreeWithTheJdkOnModifiedUtf8() throws IOException {
        for (String s : List.of("", "ascii", "é€\u0000𝄞", "\u07FF\u0800\uFFFF", "x".repeat(70_000 / 3))) {
            ByteArrayOutputStream jdk = new ByteArrayOutputStream();
            new DataOutputStream(jdk).writeUTF(s);
            ByteArrayDataOutput ours = new ByteArrayDataOutput(4);
            ours.writeUTF(s);

            assertThat(Arrays.copyOf(ours.array(), ours.size())).isEqualTo(jdk.toByteArray());
            assertThat(new ByteArrayDataInput(jdk.toByteArray(), 0, jdk.size()).readUTF()).isEqualTo(s);
        }
        assertThatThrownBy(() -> new ByteArrayDataOutput(4).writeUTF("€".repeat(30_000)))
                .isInstanceOf(IllegalArgumentException.class);
        byte[] malformed = {0, 2, (byte) 0x80, 'a'};
        assertThatThrownBy(() -> new ByteArrayDataInput(malformed, 0, malformed.length).readUTF())
                .isInstanceOf(java.io.UTFDataFormatException.class);
    }
}
