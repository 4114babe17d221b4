package io.credence.diameter.codec;

/**
 * An AVP whose data does not fit its type (or a group whose content is malformed). Carries the
 * AVP so the answer can name it in Failed-AVP (RFC 6733 section 7.5).
 */
public final class AvpFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Avp avp;

    public AvpFormatException(Avp avp, String reason) {
        super("AVP " + avp.code() + (avp.vendorId() == 0 ? "" : "/" + avp.vendorId()) + " " + reason, null, false, false);
        this.avp = avp;
    }

    public Avp avp() {
        return avp;
    }
}
