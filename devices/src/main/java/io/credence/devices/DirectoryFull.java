package io.credence.devices;

/** A device directory table is at its bound: nothing changed; the edge answers 503 busy. */
public final class DirectoryFull extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DirectoryFull(String table, int max) {
        super("the " + table + " table is full (" + max + ")");
    }
}
