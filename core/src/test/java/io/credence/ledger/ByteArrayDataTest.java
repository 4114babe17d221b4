package io.credence.ledger;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The journal's and snapshots' in-memory codec writes exactly what {@link DataOutputStream}
 * writes and reads exactly what {@link DataInputStream} reads, for every method, over random
 * values (including strings outside ASCII and the zero character, which modified UTF-8 encodes
 * in two bytes).
 */
class ByteArrayDataTest {
    private static final String[] TEXTS = {"", "a", "ascii only", "\u0000", "é", "ü€", "日本語", "\u07FF\u0800\uFFFF",
            "mixed \u0001 \u007F \u0080 end"};

    @Test
    void writesAndReadsWhatTheJdkStreamsDo() throws IOException {
        SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < 200; round++) {
            ByteArrayDataOutput ours = new ByteArrayDataOutput(1 + random.nextInt(8));
            ByteArrayOutputStream jdkBytes = new ByteArrayOutputStream();
            DataOutputStream jdk = new DataOutputStream(jdkBytes);
            long seed = random.nextLong();
            write(new SplittableRandom(seed), ours);
            write(new SplittableRandom(seed), jdk);
            jdk.flush();
            assertThat(java.util.Arrays.copyOf(ours.array(), ours.size())).isEqualTo(jdkBytes.toByteArray());

            byte[] bytes = jdkBytes.toByteArray();
            byte[] padded = new byte[bytes.length + 6];
            System.arraycopy(bytes, 0, padded, 3, bytes.length);
            ByteArrayDataInput in = new ByteArrayDataInput(padded, 3, bytes.length);
            DataInputStream reference = new DataInputStream(new ByteArrayInputStream(bytes));
            readAndCompare(new SplittableRandom(seed), in, reference);
            assertThat(in.remaining()).isZero();
        }
    }

    private static void write(SplittableRandom r, java.io.DataOutput out) throws IOException {
        for (int i = 0; i < 40; i++) {
            switch (r.nextInt(13)) {
                case 0 -> out.writeBoolean(r.nextBoolean());
                case 1 -> out.writeByte(r.nextInt());
                case 2 -> out.writeShort(r.nextInt());
                case 3 -> out.writeChar(r.nextInt());
                case 4 -> out.writeInt(r.nextInt());
                case 5 -> out.writeLong(r.nextLong());
                case 6 -> out.writeFloat((float) r.nextDouble(-1e6, 1e6));
                case 7 -> out.writeDouble(r.nextDouble(-1e12, 1e12));
                case 8 -> out.writeUTF(TEXTS[r.nextInt(TEXTS.length)]);
                case 9 -> out.write(r.nextInt(256));
                case 10 -> {
                    byte[] b = new byte[r.nextInt(20)];
                    r.nextBytes(b);
                    out.write(b);
                }
                case 11 -> {
                    byte[] b = new byte[5 + r.nextInt(20)];
                    r.nextBytes(b);
                    out.write(b, 2, b.length - 4);
                }
                default -> out.writeBytes(TEXTS[r.nextInt(3)]);
            }
        }
    }

    private static void readAndCompare(SplittableRandom r, ByteArrayDataInput in, DataInputStream ref) throws IOException {
        for (int i = 0; i < 40; i++) {
            switch (r.nextInt(13)) {
                case 0 -> {
                    r.nextBoolean();
                    assertThat(in.readBoolean()).isEqualTo(ref.readBoolean());
                }
                case 1 -> {
                    r.nextInt();
                    if ((i & 1) == 0) { // signed or not: chosen apart from r, which must replay the writes
                        assertThat(in.readByte()).isEqualTo(ref.readByte());
                    } else {
                        assertThat(in.readUnsignedByte()).isEqualTo(ref.readUnsignedByte());
                    }
                }
                case 2 -> {
                    r.nextInt();
                    if ((i & 1) == 0) {
                        assertThat(in.readShort()).isEqualTo(ref.readShort());
                    } else {
                        assertThat(in.readUnsignedShort()).isEqualTo(ref.readUnsignedShort());
                    }
                }
                case 3 -> {
                    r.nextInt();
                    assertThat(in.readChar()).isEqualTo(ref.readChar());
                }
                case 4 -> {
                    r.nextInt();
                    assertThat(in.readInt()).isEqualTo(ref.readInt());
                }
                case 5 -> {
                    r.nextLong();
                    assertThat(in.readLong()).isEqualTo(ref.readLong());
                }
                case 6 -> {
                    r.nextDouble(-1e6, 1e6);
                    assertThat(in.readFloat()).isEqualTo(ref.readFloat());
                }
                case 7 -> {
                    r.nextDouble(-1e12, 1e12);
                    assertThat(in.readDouble()).isEqualTo(ref.readDouble());
                }
                case 8 -> {
                    r.nextInt(TEXTS.length);
                    assertThat(in.readUTF()).isEqualTo(ref.readUTF());
                }
                case 9 -> {
                    r.nextInt(256);
                    assertThat(in.readUnsignedByte()).isEqualTo(ref.readUnsignedByte());
                }
                case 10 -> {
                    byte[] b = new byte[r.nextInt(20)];
                    r.nextBytes(b);
                    byte[] got = new byte[b.length];
                    in.readFully(got);
                    assertThat(got).isEqualTo(b);
                    assertThat(ref.skipBytes(b.length)).isEqualTo(b.length);
                }
                case 11 -> {
                    byte[] b = new byte[5 + r.nextInt(20)];
                    r.nextBytes(b);
                    byte[] got = new byte[b.length];
                    in.readFully(got, 2, b.length - 4);
                    assertThat(java.util.Arrays.copyOfRange(got, 2, b.length - 2))
                            .isEqualTo(java.util.Arrays.copyOfRange(b, 2, b.length - 2));
                    ref.skipBytes(b.length - 4);
                }
                default -> {
                    int n = TEXTS[r.nextInt(3)].length();
                    assertThat(in.skipBytes(n)).isEqualTo(n);
                    ref.skipBytes(n);
                }
            }
        }
    }

    @Test
    void aShortInputIsAnEndOfFileNotAnIndexError() {
        ByteArrayDataInput in = new ByteArrayDataInput(new byte[] {1, 2, 3, 4, 5}, 1, 3);
        assertThat(in.remaining()).isEqualTo(3);
        assertThatThrownBy(in::readInt).isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> in.readFully(new byte[4])).isInstanceOf(EOFException.class);
        assertThat(in.skipBytes(10)).as("skips only what is there").isEqualTo(3);
        assertThat(in.remaining()).isZero();
        in.reset(new byte[] {0, 2, 'h', 'i'}, 0, 4);
        try {
            assertThat(in.readUTF()).isEqualTo("hi");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        ByteArrayDataOutput out = new ByteArrayDataOutput(2);
        out.writeLong(1);
        out.reset();
        assertThat(out.size()).isZero();
        out.writeInt(7);
        out.position(0);
        out.writeShort(1);
        assertThat(out.size()).as("position moves where the next write goes").isEqualTo(2);
    }
}
