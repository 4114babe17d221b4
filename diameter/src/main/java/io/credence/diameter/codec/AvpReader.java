package io.credence.diameter.codec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a run of AVPs from a byte range, trusting no length from the wire: every AVP length is
 * checked against its header size and against what is left of the enclosing range.
 */
final class AvpReader {
    /** Most AVPs in one run; a 64 KiB message cannot honestly hold more than 8192 empty ones. */
    static final int AVPS_PER_RUN_MAX = 8192;

    /** Why a run could not be read, and where; {@code avp} is what could be salvaged for Failed-AVP. */
    record Problem(int offset, String reason, Avp avp) {}

    private AvpReader() {}

    /**
     * @return the AVPs, or throws {@link RunException} naming the first malformed one
     */
    static List<Avp> read(byte[] bytes, int offset, int end) {
        List<Avp> avps = new ArrayList<>();
        int at = offset;
        while (at < end) {
            if (avps.size() >= AVPS_PER_RUN_MAX) {
                throw new RunException(new Problem(at, "more than " + AVPS_PER_RUN_MAX + " AVPs", null));
            }
            if (end - at < 8) {
                throw new RunException(new Problem(at, "truncated AVP header (" + (end - at) + " bytes left)", null));
            }
            long code = Bytes.u32(bytes, at);
            int flags = bytes[at + 4] & 0xFF;
            int length = Bytes.u24(bytes, at + 5);
            boolean vendor = (flags & Avp.FLAG_VENDOR) != 0;
            int header = vendor ? 12 : 8;
            if (vendor && end - at < 12) {
                throw new RunException(new Problem(at, "truncated vendor-specific AVP header", null));
            }
            long vendorId = vendor ? Bytes.u32(bytes, at + 8) : 0;
            if (length < header || length > end - at) {
                Avp salvaged = new Avp(code, flags & ~Avp.FLAG_VENDOR | (vendorId != 0 ? Avp.FLAG_VENDOR : 0),
                        vendorId, new byte[0]);
                throw new RunException(new Problem(at, "AVP " + code + " length " + length + " does not fit "
                        + (end - at) + " remaining bytes", salvaged));
            }
            int padded = Avp.padded(length);
            if (padded > end - at) {
                // RFC 6733 requires padding even on the last AVP; a missing pad is a length error.
                throw new RunException(new Problem(at, "AVP " + code + " padding runs past the end", null));
            }
            if (vendor && vendorId == 0) {
                throw new RunException(new Problem(at, "AVP " + code + " has the V bit with vendor id 0", null));
            }
            avps.add(new Avp(code, flags, vendorId, Arrays.copyOfRange(bytes, at + header, at + length)));
            at += padded;
        }
        return avps;
    }

    /**
     * One level of a Grouped AVP. Groups are read lazily, a level per call, so nesting depth
     * never turns into recursion depth, whatever the wire says.
     */
    static List<Avp> readGroup(Avp group) {
        try {
            return read(group.data(), 0, group.data().length);
        } catch (RunException malformed) {
            throw new AvpFormatException(group, "has malformed content: " + malformed.problem.reason());
        }
    }

    /** Internal signal for a malformed run; converted to a value at the codec's edge. */
    static final class RunException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient Problem problem;

        RunException(Problem problem) {
            super(problem.reason(), null, false, false);
            this.problem = problem;
        }
    }
}
