package io.credence.diameter.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * One AVP as it travels: code, flags, vendor (0 when the V bit is clear) and its raw data
 * without padding. Typed views decode the data on demand and throw {@link AvpFormatException}
 * when it does not fit the type, so a handler can answer 5004 with this AVP as Failed-AVP.
 *
 * <pre>
 *   0                   1                   2                   3
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                           AVP Code                            |
 *   |V M P r r r r r|                  AVP Length                   |
 *   |                        Vendor-ID (opt)                        |
 *   |    Data ...   (padded to 4 bytes; padding not counted in Length)
 * </pre>
 */
public record Avp(long code, int flags, long vendorId, byte[] data) {
    public static final int FLAG_VENDOR = 0x80;
    public static final int FLAG_MANDATORY = 0x40;
    public static final int FLAG_PROTECTED = 0x20;
    static final int FLAGS_RESERVED = 0x1F;

    public Avp {
        if (code < 0 || code > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("AVP code out of Unsigned32 range: " + code);
        }
        if ((flags & ~0xFF) != 0) {
            throw new IllegalArgumentException("AVP flags are one byte: " + flags);
        }
        if (((flags & FLAG_VENDOR) != 0) != (vendorId != 0)) {
            throw new IllegalArgumentException("the V flag is set exactly when a vendor id is given");
        }
        if (vendorId < 0 || vendorId > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("vendor id out of Unsigned32 range: " + vendorId);
        }
        if (data == null) {
            throw new IllegalArgumentException("data must not be null");
        }
    }

    public boolean mandatory() {
        return (flags & FLAG_MANDATORY) != 0;
    }

    /** Encoded size including header and padding. */
    public int encodedLength() {
        return headerLength() + padded(data.length);
    }

    int headerLength() {
        return vendorId == 0 ? 8 : 12;
    }

    static int padded(int length) {
        return (length + 3) & ~3;
    }

    // ---------------------------------------------------------------- typed views

    public long unsigned32() {
        requireLength(4, "Unsigned32");
        return Bytes.u32(data, 0);
    }

    public int integer32() {
        requireLength(4, "Integer32");
        return (int) Bytes.u32(data, 0);
    }

    public long unsigned64() {
        requireLength(8, "Unsigned64");
        return Bytes.i64(data, 0);
    }

    public long integer64() {
        requireLength(8, "Integer64");
        return Bytes.i64(data, 0);
    }

    public float float32() {
        requireLength(4, "Float32");
        return Float.intBitsToFloat((int) Bytes.u32(data, 0));
    }

    public double float64() {
        requireLength(8, "Float64");
        return Double.longBitsToDouble(Bytes.i64(data, 0));
    }

    public String utf8() {
        var decoder = StandardCharsets.UTF_8.newDecoder();
        try {
            return decoder.decode(java.nio.ByteBuffer.wrap(data)).toString();
        } catch (java.nio.charset.CharacterCodingException notUtf8) {
            throw new AvpFormatException(this, "is not valid UTF-8");
        }
    }

    /** Diameter Time: seconds since 1900-01-01 as Unsigned32, returned as Unix epoch seconds. */
    public long timeEpochSeconds() {
        requireLength(4, "Time");
        return Bytes.u32(data, 0) - Bytes.NTP_TO_UNIX_SECONDS;
    }

    /** Address: a 2-byte IANA family (1 IPv4, 2 IPv6) followed by the address bytes. */
    public byte[] address() {
        if (data.length < 2) {
            throw new AvpFormatException(this, "is too short for an Address");
        }
        int family = (data[0] & 0xFF) << 8 | (data[1] & 0xFF);
        int expected = family == 1 ? 4 : family == 2 ? 16 : -1;
        if (expected < 0 || data.length != 2 + expected) {
            throw new AvpFormatException(this, "is not an IPv4 or IPv6 Address");
        }
        return Arrays.copyOfRange(data, 2, data.length);
    }

    /** The AVPs inside a Grouped AVP; malformed content is an {@link AvpFormatException}. */
    public List<Avp> grouped() {
        return AvpReader.readGroup(this);
    }

    private void requireLength(int length, String type) {
        if (data.length != length) {
            throw new AvpFormatException(this, "has " + data.length + " bytes, a " + type + " has " + length);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Avp a && a.code == code && a.flags == flags && a.vendorId == vendorId
                && Arrays.equals(a.data, data);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(code) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Avp[code=" + code + (vendorId == 0 ? "" : ", vendor=" + vendorId) + ", flags=0x"
                + Integer.toHexString(flags) + ", " + data.length + " bytes]";
    }
}
