package io.credence.plan.net;

import java.util.Arrays;

/**
 * A marking packed as unsigned LEB128 varints (one byte per place below 128 tokens), used as a hash key
 * and as the stored form of a state: a chain of millions of states then costs a few bytes per place.
 */
record MarkingKey(byte[] bytes) {

    static MarkingKey of(int[] marking) {
        return new MarkingKey(encode(marking));
    }

    static byte[] encode(int[] marking) {
        byte[] buffer = new byte[marking.length * 5];
        int length = 0;
        for (int tokens : marking) {
            if (tokens < 0) {
                throw new IllegalArgumentException("negative token count " + tokens);
            }
            int rest = tokens;
            while (rest >= 0x80) {
                buffer[length++] = (byte) (rest & 0x7f | 0x80);
                rest >>>= 7;
            }
            buffer[length++] = (byte) rest;
        }
        return Arrays.copyOf(buffer, length);
    }

    static int[] decode(byte[] bytes, int places) {
        int[] marking = new int[places];
        int at = 0;
        for (int p = 0; p < places; p++) {
            int value = 0;
            int shift = 0;
            int b;
            do {
                b = bytes[at++];
                value |= (b & 0x7f) << shift;
                shift += 7;
            } while ((b & 0x80) != 0);
            marking[p] = value;
        }
        if (at != bytes.length) {
            throw new IllegalStateException("packed marking has " + (bytes.length - at) + " bytes left over");
        }
        return marking;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof MarkingKey key && Arrays.equals(bytes, key.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return Arrays.toString(bytes);
    }
}
