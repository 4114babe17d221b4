package io.credence.market.contract;

import org.bouncycastle.crypto.digests.SHA256Digest;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * The canonical binary encoding: one value, one byte string, so an entry's hash and signatures
 * are well defined. Big-endian fixed-width numbers, no optional padding, no alternative forms:
 *
 * <pre>
 *   u8  / i32 / i64    1 / 4 / 8 bytes, big-endian, two's complement
 *   bool               1 byte, 0x00 or 0x01 (any other byte is refused)
 *   code               1 byte, an enum's {@link WireCode} (unknown codes are refused)
 *   text               u16 length, then that many bytes of strict UTF-8 (no overlong forms,
 *                      no encoded surrogates), length bounded per field
 *   optional text      bool present, then text if present
 *   fixed[n]           n raw bytes (keys, hashes, signatures; n is implied by the field)
 * </pre>
 *
 * Every encoding starts with {@link #FORMAT_VERSION} and a kind tag (see {@link EntryCodec}).
 * Decoding is strict: a value that would encode to different bytes than were read is refused,
 * because two encodings of one entry would give it two hashes.
 */
public final class Canonical {
    /** The first byte of every encoding. A new layout gets a new version, never a reinterpretation. */
    public static final int FORMAT_VERSION = 1;
    public static final int SHA256_BYTES = 32;

    private Canonical() {}

    public static byte[] sha256(byte[] bytes) {
        SHA256Digest digest = new SHA256Digest();
        digest.update(bytes, 0, bytes.length);
        byte[] out = new byte[SHA256_BYTES];
        digest.doFinal(out, 0);
        return out;
    }

    /** Checks an identifier: present, non-empty, encodable, at most {@link ContractLimits#ID_BYTES_MAX}. */
    static String requireId(String field, String value) {
        Objects.requireNonNull(value, field);
        if (value.isEmpty()) {
            throw new IllegalArgumentException(field + " must not be empty");
        }
        return requireText(field, value, ContractLimits.ID_BYTES_MAX);
    }

    /** Like {@link #requireId} but null is allowed (an absent value). */
    static String requireOptionalId(String field, String value) {
        return value == null ? null : requireId(field, value);
    }

    static String requireText(String field, String value, int bytesMax) {
        Objects.requireNonNull(value, field);
        int bytes = utf8Length(field, value);
        if (bytes > bytesMax) {
            throw new IllegalArgumentException(field + " is " + bytes + " UTF-8 bytes, more than " + bytesMax);
        }
        return value;
    }

    static byte[] requireBytes(String field, byte[] value, int length) {
        Objects.requireNonNull(value, field);
        if (value.length != length) {
            throw new IllegalArgumentException(field + " must be " + length + " bytes, was " + value.length);
        }
        return value.clone();
    }

    static long requireRange(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be " + min + ".." + max + ", was " + value);
        }
        return value;
    }

    /**
     * The UTF-8 length of {@code value}, refusing unpaired surrogates: Java would encode them as
     * '?', so two different strings would share one encoding and one signature.
     */
    static int utf8Length(String field, String value) {
        int bytes = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(field + " has an unpaired surrogate at index " + i);
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /**
     * The longest prefix of {@code text} (whole code points) that fits in {@code bytesMax} UTF-8
     * bytes; for free text made of other parties' data, such as the problems behind a refusal.
     */
    static String truncateUtf8(String text, int bytesMax) {
        StringBuilder out = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            i += Character.charCount(codePoint);
            if (codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE) {
                codePoint = 0xFFFD; // unpaired: replaced, so the result is always encodable
            }
            int width = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
            if (bytes + width > bytesMax) {
                break;
            }
            bytes += width;
            out.appendCodePoint(codePoint);
        }
        return out.toString();
    }

    /** Appends fields to a buffer that refuses to grow past its bound. */
    public static final class Writer {
        private final int bytesMax;
        private byte[] bytes = new byte[256];
        private int length;

        public Writer(int bytesMax) {
            if (bytesMax <= 0) {
                throw new IllegalArgumentException("bytesMax must be positive, was " + bytesMax);
            }
            this.bytesMax = bytesMax;
        }

        private void ensure(int more) {
            if (length + more > bytesMax) {
                // Records bound every field, so reaching this is a bound set too low, not bad input.
                throw new IllegalStateException("encoding exceeds " + bytesMax + " bytes");
            }
            if (length + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.min(bytesMax, Math.max(bytes.length * 2, length + more)));
            }
        }

        public Writer u8(int value) {
            if (value < 0 || value > 0xFF) {
                throw new IllegalArgumentException("u8 out of range: " + value);
            }
            ensure(1);
            bytes[length++] = (byte) value;
            return this;
        }

        public Writer u16(int value) {
            if (value < 0 || value > 0xFFFF) {
                throw new IllegalArgumentException("u16 out of range: " + value);
            }
            ensure(2);
            bytes[length++] = (byte) (value >>> 8);
            bytes[length++] = (byte) value;
            return this;
        }

        public Writer i32(int value) {
            ensure(4);
            for (int shift = 24; shift >= 0; shift -= 8) {
                bytes[length++] = (byte) (value >>> shift);
            }
            return this;
        }

        public Writer i64(long value) {
            ensure(8);
            for (int shift = 56; shift >= 0; shift -= 8) {
                bytes[length++] = (byte) (value >>> shift);
            }
            return this;
        }

        public Writer bool(boolean value) {
            return u8(value ? 1 : 0);
        }

        public Writer code(WireCode value) {
            return u8(value.code());
        }

        public Writer text(String field, String value, int bytesMax) {
            requireText(field, value, bytesMax);
            byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
            u16(utf8.length);
            return raw(utf8);
        }

        public Writer optionalText(String field, String value, int bytesMax) {
            bool(value != null);
            return value == null ? this : text(field, value, bytesMax);
        }

        public Writer fixed(String field, byte[] value, int length) {
            return raw(requireBytes(field, value, length));
        }

        /** Appends bytes as they are; the caller has framed them (a length before, or a fixed size). */
        public Writer raw(byte[] value) {
            ensure(value.length);
            System.arraycopy(value, 0, bytes, length, value.length);
            length += value.length;
            return this;
        }

        public byte[] toByteArray() {
            return Arrays.copyOf(bytes, length);
        }
    }

    /**
     * Reads fields in order and refuses anything not canonical with a {@link CanonicalFormatException}
     * naming the field. Never allocates from a length before checking it against the bytes left
     * and the field's bound.
     */
    public static final class Reader {
        private final byte[] bytes;
        private int position;

        public Reader(byte[] bytes) {
            this.bytes = Objects.requireNonNull(bytes, "bytes");
        }

        public int position() {
            return position;
        }

        public int remaining() {
            return bytes.length - position;
        }

        private void need(String field, int n) {
            if (bytes.length - position < n) {
                throw new CanonicalFormatException("truncated at byte " + position + ": " + field + " needs " + n
                        + " bytes, " + (bytes.length - position) + " left");
            }
        }

        public int u8(String field) {
            need(field, 1);
            return bytes[position++] & 0xFF;
        }

        public int u16(String field) {
            need(field, 2);
            int value = ((bytes[position] & 0xFF) << 8) | (bytes[position + 1] & 0xFF);
            position += 2;
            return value;
        }

        public int i32(String field) {
            need(field, 4);
            int value = 0;
            for (int i = 0; i < 4; i++) {
                value = (value << 8) | (bytes[position++] & 0xFF);
            }
            return value;
        }

        public long i64(String field) {
            need(field, 8);
            long value = 0;
            for (int i = 0; i < 8; i++) {
                value = (value << 8) | (bytes[position++] & 0xFF);
            }
            return value;
        }

        public boolean bool(String field) {
            int at = position;
            int value = u8(field);
            if (value > 1) {
                throw new CanonicalFormatException(field + ": boolean byte must be 0 or 1, was " + value + " at byte " + at);
            }
            return value == 1;
        }

        /** The constant of {@code values} whose code was read. */
        public <E extends Enum<E> & WireCode> E code(String field, E[] values) {
            int at = position;
            int code = u8(field);
            for (E value : values) {
                if (value.code() == code) {
                    return value;
                }
            }
            throw new CanonicalFormatException(field + ": unknown code " + code + " at byte " + at);
        }

        public String text(String field, int bytesMax) {
            int at = position;
            int length = u16(field + " length");
            if (length > bytesMax) {
                throw new CanonicalFormatException(field + ": length " + length + " exceeds " + bytesMax
                        + " bytes at byte " + at);
            }
            need(field, length);
            String value;
            try {
                value = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes, position, length))
                        .toString();
            } catch (CharacterCodingException e) {
                throw new CanonicalFormatException(field + ": not valid UTF-8 at byte " + at);
            }
            position += length;
            return value;
        }

        public String optionalText(String field, int bytesMax) {
            return bool(field + " present") ? text(field, bytesMax) : null;
        }

        public byte[] fixed(String field, int length) {
            need(field, length);
            byte[] value = Arrays.copyOfRange(bytes, position, position + length);
            position += length;
            return value;
        }

        /** Refuses anything after the last field: trailing bytes would give one entry many encodings. */
        public void end(String what) {
            if (position != bytes.length) {
                throw new CanonicalFormatException((bytes.length - position) + " trailing bytes after " + what
                        + " at byte " + position);
            }
        }
    }
}
