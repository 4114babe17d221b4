package io.credence.diameter.codec;

import java.util.List;

/**
 * Maps Diameter frames to {@link DiameterMessage} records and back. Never touches a socket: the
 * transport hands it whole frames (it uses {@link #frameLength} to cut them) and writes what
 * {@link #encode} returns. Nothing read from the wire is trusted: version, lengths and reserved
 * bits are checked before anything is allocated from them.
 */
public final class DiameterCodec {
    public static final long DIAMETER_INVALID_HDR_BITS = 3008;
    public static final long DIAMETER_INVALID_AVP_BITS = 3009;
    public static final long DIAMETER_UNSUPPORTED_VERSION = 5011;
    public static final long DIAMETER_INVALID_AVP_LENGTH = 5014;
    public static final long DIAMETER_INVALID_MESSAGE_LENGTH = 5015;

    private final int messageBytesMax;

    /** @param messageBytesMax largest frame accepted; larger ones are refused before being read */
    public DiameterCodec(int messageBytesMax) {
        if (messageBytesMax < DiameterMessage.HEADER_LENGTH || messageBytesMax > 0xFF_FFFF) {
            throw new IllegalArgumentException("messageBytesMax must be 20..16777215, was " + messageBytesMax);
        }
        this.messageBytesMax = messageBytesMax;
    }

    public int messageBytesMax() {
        return messageBytesMax;
    }

    /**
     * The frame length announced by the first four bytes, or -1 when they cannot start a frame we
     * accept (wrong version, shorter than a header, longer than the bound, not a multiple of 4).
     */
    public int frameLength(byte version, int length24) {
        if ((version & 0xFF) != DiameterMessage.VERSION || length24 < DiameterMessage.HEADER_LENGTH
                || length24 > messageBytesMax || (length24 & 3) != 0) {
            return -1;
        }
        return length24;
    }

    public byte[] encode(DiameterMessage message) {
        int length = DiameterMessage.HEADER_LENGTH;
        for (Avp avp : message.avps()) {
            length += avp.encodedLength();
        }
        if (length > messageBytesMax) {
            throw new IllegalArgumentException("message of " + length + " bytes exceeds " + messageBytesMax);
        }
        byte[] out = new byte[length];
        out[0] = DiameterMessage.VERSION;
        Bytes.putU24(out, 1, length);
        out[4] = (byte) message.flags();
        Bytes.putU24(out, 5, message.commandCode());
        Bytes.putU32(out, 8, message.applicationId());
        Bytes.putU32(out, 12, message.hopByHop());
        Bytes.putU32(out, 16, message.endToEnd());
        int at = DiameterMessage.HEADER_LENGTH;
        for (Avp avp : message.avps()) {
            at = writeAvp(out, at, avp);
        }
        return out;
    }

    /** Encodes AVPs into the data of a Grouped AVP. */
    public static byte[] encodeGroup(List<Avp> avps) {
        int length = 0;
        for (Avp avp : avps) {
            length += avp.encodedLength();
        }
        byte[] out = new byte[length];
        int at = 0;
        for (Avp avp : avps) {
            at = writeAvp(out, at, avp);
        }
        return out;
    }

    private static int writeAvp(byte[] out, int at, Avp avp) {
        int length = avp.headerLength() + avp.data().length;
        if (length > 0xFF_FFFF) {
            throw new IllegalArgumentException("AVP " + avp.code() + " of " + length + " bytes exceeds 24 bits");
        }
        Bytes.putU32(out, at, avp.code());
        out[at + 4] = (byte) avp.flags();
        Bytes.putU24(out, at + 5, length);
        if (avp.vendorId() != 0) {
            Bytes.putU32(out, at + 8, avp.vendorId());
        }
        System.arraycopy(avp.data(), 0, out, at + avp.headerLength(), avp.data().length);
        return at + Avp.padded(length); // padding bytes stay zero
    }

    /** Decodes one whole frame (as cut by {@link #frameLength}); never throws on bad input. */
    public DecodeResult decode(byte[] frame) {
        if (frame.length < DiameterMessage.HEADER_LENGTH) {
            return unreadable(DIAMETER_INVALID_MESSAGE_LENGTH, "frame of " + frame.length + " bytes is shorter than a header");
        }
        int flags = frame[4] & 0xFF;
        int commandCode = Bytes.u24(frame, 5);
        long applicationId = Bytes.u32(frame, 8);
        long hopByHop = Bytes.u32(frame, 12);
        long endToEnd = Bytes.u32(frame, 16);
        int length = Bytes.u24(frame, 1);
        if ((frame[0] & 0xFF) != DiameterMessage.VERSION) {
            return malformed(DIAMETER_UNSUPPORTED_VERSION, "version " + (frame[0] & 0xFF), null, commandCode,
                    applicationId, hopByHop, endToEnd, flags);
        }
        if (length != frame.length || length > messageBytesMax || (length & 3) != 0) {
            return malformed(DIAMETER_INVALID_MESSAGE_LENGTH, "header length " + length + " for a frame of "
                    + frame.length + " bytes", null, commandCode, applicationId, hopByHop, endToEnd, flags);
        }
        if ((flags & DiameterMessage.FLAGS_RESERVED) != 0 || ((flags & DiameterMessage.FLAG_REQUEST) != 0
                && (flags & DiameterMessage.FLAG_ERROR) != 0)) {
            return malformed(DIAMETER_INVALID_HDR_BITS, "header flags 0x" + Integer.toHexString(flags), null,
                    commandCode, applicationId, hopByHop, endToEnd, flags);
        }
        List<Avp> avps;
        try {
            avps = AvpReader.read(frame, DiameterMessage.HEADER_LENGTH, frame.length);
        } catch (AvpReader.RunException bad) {
            return malformed(DIAMETER_INVALID_AVP_LENGTH, bad.problem.reason(), bad.problem.avp(), commandCode,
                    applicationId, hopByHop, endToEnd, flags);
        }
        for (Avp avp : avps) {
            if ((avp.flags() & Avp.FLAGS_RESERVED) != 0) {
                return malformed(DIAMETER_INVALID_AVP_BITS, "AVP " + avp.code() + " has reserved flag bits set", avp,
                        commandCode, applicationId, hopByHop, endToEnd, flags);
            }
        }
        return new DecodeResult.Decoded(new DiameterMessage(flags, commandCode, applicationId, hopByHop, endToEnd, avps));
    }

    private static DecodeResult malformed(long resultCode, String reason, Avp failed, int commandCode,
                                          long applicationId, long hopByHop, long endToEnd, int flags) {
        return new DecodeResult.Malformed(resultCode, reason, failed, true, commandCode, applicationId, hopByHop,
                endToEnd, flags);
    }

    private static DecodeResult unreadable(long resultCode, String reason) {
        return new DecodeResult.Malformed(resultCode, reason, null, false, 0, 0, 0, 0, 0);
    }
}
