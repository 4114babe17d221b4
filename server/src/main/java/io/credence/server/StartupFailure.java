package io.credence.server;

/**
 * The server could not start for a reason the operator can fix: a port in use, a data directory
 * held by another process. {@code credence} prints its message as one line and exits with
 * {@link Main#EXIT_CANNOT_START}; a stack trace would only hide the sentence that matters.
 */
public final class StartupFailure extends Exception {
    private static final long serialVersionUID = 1L;

    public StartupFailure(String message, Throwable cause) {
        super(message, cause);
    }

    /** The first cause of {@code type} in {@code failure}'s chain (or suppressed list), or null. */
    static <T extends Throwable> T causeOf(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            for (Throwable suppressed : t.getSuppressed()) {
                T inner = causeOf(suppressed, type);
                if (inner != null) {
                    return inner;
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }
}
