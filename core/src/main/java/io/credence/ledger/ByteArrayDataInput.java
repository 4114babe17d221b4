package io.credence.ledger;

import java.io.DataInput;
import java.io.EOFException;
import java.io.UTFDataFormatException;

/** A {@link DataInput} over a byte range, for decoding journal records without stream overhead. */
public final class ByteArrayDataInput implements DataInput {
    private byte[] bytes;
    private int position;
    private int limit;

    public ByteArrayDataInput() {
        this(new byte[0], 0, 0);
    }

    public ByteArrayDataInput(byte[] bytes, int offset, int length) {
        reset(bytes, offset, length);
    }

    public void reset(byte[] bytes, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > bytes.length) {
            throw new IllegalArgumentException("range " + offset + "+" + length + " outside " + bytes.length);
        }
        this.bytes = bytes;
        this.position = offset;
        this.limit = offset + length;
    }

    public int remaining() {
        return limit - position;
    }

    private void need(int n) throws EOFException {
        if (limit - position < n) {
            throw new EOFException("need " + n + " bytes, " + (limit - position) + " left");
        }
    }

    @Override
    public void readFully(byte[] b) throws EOFException {
        readFully(b, 0, b.length);
    }

    @Override
    public void readFully(byte[] b, int off, int len) throws EOFException {
        need(len);
        System.arraycopy(bytes, position, b, off, len);
        position += len;
    }

    @Override
    public int skipBytes(int n) {
        int skipped = Math.min(n, limit - position);
        position += skipped;
        return skipped;
    }

    @Override
    public boolean readBoolean() throws EOFException {
        return readByte() != 0;
    }

    @Override
    public byte readByte() throws EOFException {
        need(1);
        return bytes[position++];
    }

    @Override
    public int readUnsignedByte() throws EOFException {
        return readByte() & 0xFF;
    }

    @Override
    public short readShort() throws EOFException {
        need(2);
        int v = ((bytes[position] & 0xFF) << 8) | (bytes[position + 1] & 0xFF);
        position += 2;
        return (short) v;
    }

    @Override
    public int readUnsignedShort() throws EOFException {
        return readShort() & 0xFFFF;
    }

    @Override
    public char readChar() throws EOFException {
        return (char) readShort();
    }

    @Override
    public int readInt() throws EOFException {
        need(4);
        int v = ((bytes[position] & 0xFF) << 24) | ((bytes[position + 1] & 0xFF) << 16)
                | ((bytes[position + 2] & 0xFF) << 8) | (bytes[position + 3] & 0xFF);
        position += 4;
        return v;
    }

    @Override
    public long readLong() throws EOFException {
        return ((long) readInt() << 32) | (readInt() & 0xFFFF_FFFFL);
    }

    @Override
    public float readFloat() throws EOFException {
        return Float.intBitsToFloat(readInt());
    }

    @Override
    public double readDouble() throws EOFException {
        return Double.longBitsToDouble(readLong());
    }

    @Override
    public String readLine() {
        throw new UnsupportedOperationException("records hold no text lines");
    }

    @Override
    public String readUTF() throws EOFException, UTFDataFormatException {
        int length = readUnsignedShort();
        need(length);
        int end = position + length;
        boolean ascii = true;
        for (int i = position; i < end; i++) {
            if (bytes[i] <= 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            String s = new String(bytes, position, length, java.nio.charset.StandardCharsets.ISO_8859_1);
            position = end;
            return s;
        }
        StringBuilder sb = new StringBuilder(length);
        while (position < end) {
            int a = bytes[position++] & 0xFF;
            if (a < 0x80) {
                sb.append((char) a);
            } else if ((a & 0xE0) == 0xC0 && position < end) {
                sb.append((char) (((a & 0x1F) << 6) | (bytes[position++] & 0x3F)));
            } else if ((a & 0xF0) == 0xE0 && position + 1 < end) {
                sb.append((char) (((a & 0x0F) << 12) | ((bytes[position] & 0x3F) << 6) | (bytes[position + 1] & 0x3F)));
                position += 2;
            } else {
                throw new UTFDataFormatException("malformed modified UTF-8 at " + (position - 1));
            }
        }
        return sb.toString();
    }
}
