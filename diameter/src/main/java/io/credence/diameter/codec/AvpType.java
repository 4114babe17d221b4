package io.credence.diameter.codec;

/** The RFC 6733 basic and derived AVP data formats. */
public enum AvpType {
    OCTET_STRING,
    INTEGER32,
    INTEGER64,
    UNSIGNED32,
    UNSIGNED64,
    FLOAT32,
    FLOAT64,
    GROUPED,
    ADDRESS,
    TIME,
    UTF8_STRING,
    DIAMETER_IDENTITY,
    DIAMETER_URI,
    ENUMERATED;

    /** Checks that an AVP's data has this format; throws {@link AvpFormatException} naming it if not. */
    public void check(Avp avp) {
        switch (this) {
            case OCTET_STRING -> { }
            case INTEGER32, ENUMERATED -> avp.integer32();
            case INTEGER64 -> avp.integer64();
            case UNSIGNED32 -> avp.unsigned32();
            case UNSIGNED64 -> avp.unsigned64();
            case FLOAT32 -> avp.float32();
            case FLOAT64 -> avp.float64();
            case GROUPED -> avp.grouped();
            case ADDRESS -> avp.address();
            case TIME -> avp.timeEpochSeconds();
            case UTF8_STRING, DIAMETER_IDENTITY, DIAMETER_URI -> avp.utf8();
        }
    }
}
