package io.credence.ledger;

import java.io.DataOutput;
import java.util.Arrays;

/**
 * A growable in-memory {@link DataOutput} (big-endian, as {@code DataOutputStream}), reused
 * between records to keep the write path free of per-record buffers.
 */
public final class ByteArrayDataOutput implements DataOutput {
    private byte[] bytes;
    private int size;

    public ByteArrayDataOutput(int initialCapacity) {
        bytes = new byte[Math.max(16, initialCapacity)];
    }

    public byte[] array() {
        return bytes;
    }

    public int size() {
        return size;
    }

    public void reset() {
        size = 0;
    }

    /** Moves the write position back, e.g. to fill in a length once the body is written. */
    public void position(int position) {
        if (position < 0 || position > bytes.length) {
            throw new IllegalArgumentException("position " + position);
        }
        size = position;
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }

    @Override
    public void write(int b) {
        ensure(1);
        bytes[size++] = (byte) b;
    }

    @Override
    public void write(byte[] b) {
        write(b, 0, b.length);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, bytes, size, len);
        size += len;
    }

    @Override
    public void writeBoolean(boolean v) {
        write(v ? 1 : 0);
    }

    @Override
    public void writeByte(int v) {
        write(v);
    }

    @Override
    public void writeShort(int v) {
        ensure(2);
        bytes[size++] = (byte) (v >>> 8);
        bytes[size++] = (byte) v;
    }

    @Override
    public void writeChar(int v) {
        writeShort(v);
    }

    @Override
    public void writeInt(int v) {
        ensure(4);
        bytes[size++] = (byte) (v >>> 24);
        bytes[size++] = (byte) (v >>> 16);
        bytes[size++] = (byte) (v >>> 8);
        bytes[size++] = (byte) v;
    }

    @Override
    public void writeLong(long v) {
        writeInt((int) (v >>> 32));
        writeInt((int) v);
    }

    @Override
    public void writeFloat(float v) {
        writeInt(Float.floatToIntBits(v));
    }

    @Override
    public void writeDouble(double v) {
        writeLong(Double.doubleToLongBits(v));
    }

    @Override
    public void writeBytes(String s) {
        for (int i = 0; i < s.length(); i++) {
            write(s.charAt(i));
        }
    }

    @Override
    public void writeChars(String s) {
        for (int i = 0; i < s.length(); i++) {
            writeChar(s.charAt(i));
        }
    }

    /** Modified UTF-8 with a two-byte length, exactly as {@link java.io.DataOutputStream#writeUTF}. */
    @Override
    public void writeUTF(String s) {
        int utfLength = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            utfLength += (c >= 0x0001 && c <= 0x007F) ? 1 : (c > 0x07FF ? 3 : 2);
        }
        if (utfLength > 0xFFFF) {
            throw new IllegalArgumentException("string too long for writeUTF: " + utfLength + " bytes");
        }
        writeShort(utfLength);
        ensure(utfLength);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x0001 && c <= 0x007F) {
                bytes[size++] = (byte) c;
            } else if (c > 0x07FF) {
                bytes[size++] = (byte) (0xE0 | ((c >> 12) & 0x0F));
                bytes[size++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                bytes[size++] = (byte) (0x80 | (c & 0x3F));
            } else {
                bytes[size++] = (byte) (0xC0 | ((c >> 6) & 0x1F));
                bytes[size++] = (byte) (0x80 | (c & 0x3F));
            }
        }
    }
}
