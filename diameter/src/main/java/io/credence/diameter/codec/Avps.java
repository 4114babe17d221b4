package io.credence.diameter.codec;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Builds AVPs of each basic type with the right data layout. */
public final class Avps {
    private Avps() {}

    private static int flags(long vendorId, boolean mandatory) {
        return (vendorId != 0 ? Avp.FLAG_VENDOR : 0) | (mandatory ? Avp.FLAG_MANDATORY : 0);
    }

    public static Avp unsigned32(long code, long vendorId, boolean mandatory, long value) {
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("Unsigned32 out of range: " + value);
        }
        byte[] data = new byte[4];
        Bytes.putU32(data, 0, value);
        return new Avp(code, flags(vendorId, mandatory), vendorId, data);
    }

    public static Avp integer32(long code, long vendorId, boolean mandatory, int value) {
        byte[] data = new byte[4];
        Bytes.putU32(data, 0, value);
        return new Avp(code, flags(vendorId, mandatory), vendorId, data);
    }

    /** Unsigned64 and Integer64 share the layout; Unsigned64 values above Long.MAX_VALUE are not used here. */
    public static Avp long64(long code, long vendorId, boolean mandatory, long value) {
        byte[] data = new byte[8];
        Bytes.putI64(data, 0, value);
        return new Avp(code, flags(vendorId, mandatory), vendorId, data);
    }

    public static Avp float32(long code, long vendorId, boolean mandatory, float value) {
        byte[] data = new byte[4];
        Bytes.putU32(data, 0, Float.floatToIntBits(value));
        return new Avp(code, flags(vendorId, mandatory), vendorId, data);
    }

    public static Avp float64(long code, long vendorId, boolean mandatory, double value) {
        byte[] data = new byte[8];
        Bytes.putI64(data, 0, Double.doubleToLongBits(value));
        return new Avp(code, flags(vendorId, mandatory), vendorId, data);
    }

    /** UTF8String, DiameterIdentity and DiameterURI are all UTF-8 octets on the wire. */
    public static Avp utf8(long code, long vendorId, boolean mandatory, String value) {
        return new Avp(code, flags(vendorId, mandatory), vendorId, value.getBytes(StandardCharsets.UTF_8));
    }

    public static Avp octets(long code, long vendorId, boolean mandatory, byte[] value) {
        return new Avp(code, flags(vendorId, mandatory), vendorId, value.clone());
    }

    public static Avp time(long code, long vendorId, boolean mandatory, long epochSeconds) {
        return unsigned32(code, vendorId, mandatory, epochSeconds + Bytes.NTP_TO_UNIX_SECONDS);
    }

    /** Address: family 1 for a 4-byte IPv4 address, 2 for a 16-byte IPv6 one. */
    public static Avp address(long code, long vendorId, boolean mandatory, byte[] ip) {
        int family = switch (ip.length) {
            case 4 -> 1;
            case 16 -> 2;
            default -> throw new IllegalArgumentException("an address has 4 or 16 bytes, not " + ip.length);
        };
        byte[] data = new byte[2 + ip.length];
        data[1] = (byte) family;
        System.arraycopy(ip, 0, data, 2, ip.length);
        return new Avp(code, flags(vendorId, mandatory), vendorId, data);
    }

    public static Avp grouped(long code, long vendorId, boolean mandatory, List<Avp> members) {
        return new Avp(code, flags(vendorId, mandatory), vendorId, DiameterCodec.encodeGroup(members));
    }
}
