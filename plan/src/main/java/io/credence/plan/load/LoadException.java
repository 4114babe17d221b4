package io.credence.plan.load;

/** A load description that cannot be used, naming the field as the file spells it. */
public final class LoadException extends Exception {
    private final String field;

    public LoadException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
