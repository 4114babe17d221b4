package io.credence.diameter.cc;

import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.AvpFormatException;
import io.credence.diameter.codec.Dictionary;

/**
 * A request the application refuses as a whole, with the Result-Code, the AVP at fault (for
 * Failed-AVP, may be null) and a sentence for Error-Message. Thrown while reading a request,
 * before anything changed.
 */
final class CcError extends Exception {
    private static final long serialVersionUID = 1L;

    final long resultCode;
    final transient Avp failedAvp;

    CcError(long resultCode, Avp failedAvp, String message) {
        super(message, null, false, false);
        this.resultCode = resultCode;
        this.failedAvp = failedAvp;
    }

    /** The AVPs a Failed-AVP names, for a log line: {@code 480 Accounting-Record-Type}, vendor shown when not 0. */
    static String describe(Avp failedAvpGroup) {
        StringBuilder out = new StringBuilder();
        try {
            for (Avp avp : failedAvpGroup.grouped()) {
                out.append(out.isEmpty() ? "" : ", ").append(avp.code());
                if (avp.vendorId() != 0) {
                    out.append(" (vendor ").append(avp.vendorId()).append(')');
                }
                Dictionary.find(avp.code(), avp.vendorId()).ifPresent(d -> out.append(' ').append(d.name()));
            }
        } catch (AvpFormatException malformed) {
            return "(unreadable)";
        }
        return out.toString();
    }
}
