package io.credence.diameter.codec;

/** Big-endian reads and writes on byte arrays. */
final class Bytes {
    /** Seconds from 1900-01-01 (Diameter/NTP epoch) to 1970-01-01. */
    static final long NTP_TO_UNIX_SECONDS = 2_208_988_800L;

    private Bytes() {}

    static long u32(byte[] b, int at) {
        return ((long) (b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }

    static int u24(byte[] b, int at) {
        return ((b[at] & 0xFF) << 16) | ((b[at + 1] & 0xFF) << 8) | (b[at + 2] & 0xFF);
    }

    static long i64(byte[] b, int at) {
        return (u32(b, at) << 32) | u32(b, at + 4);
    }

    static void putU32(byte[] b, int at, long v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    static void putU24(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 16);
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) v;
    }

    static void putI64(byte[] b, int at, long v) {
        putU32(b, at, v >>> 32);
        putU32(b, at + 4, v);
    }
}
