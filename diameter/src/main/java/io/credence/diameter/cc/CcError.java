package io.credence.diameter.cc;

import io.credence.diameter.codec.Avp;

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
}
