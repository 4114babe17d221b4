package io.credence.rating;

/**
 * How a terminal is attached, as charging policies see it: LTE (VoLTE), NR (VoNR), CS (2G/3G
 * circuit switched), WIFI (untrusted non-3GPP access, VoWiFi) and FIXED (fixed broadband, DSL,
 * FTTH).
 */
public enum NetworkType {
    LTE,
    NR,
    CS,
    WIFI,
    FIXED
}
