package io.credence.rating;

/** What kind of device a terminal is. */
public enum TerminalType {
    PHONE,
    WATCH,
    SET_TOP_BOX,
    PC,
    SOFT_CLIENT,
    IOT
}
