package io.credence.ledger;

/** Rules for identifiers: short, printable, and safe to put in a URL path or a log line. */
public final class Ids {
    public static final int ACCOUNT_ID_LENGTH_MAX = 64;
    public static final int REQUEST_ID_LENGTH_MAX = 128;
    /** A sequence stream's name (see {@link Operation.Advance}): one per SIM or device, so short. */
    public static final int STREAM_LENGTH_MAX = 64;
    /** The system account every ledger starts with; top-ups come from it unless told otherwise. */
    public static final String SYSTEM_ACCOUNT = "system";

    private Ids() {}

    /** @return null when {@code id} is a valid account id, else the reason it is not */
    public static String accountIdProblem(String id) {
        return problem(id, ACCOUNT_ID_LENGTH_MAX);
    }

    /** @return null when {@code id} is a valid request id, else the reason it is not */
    public static String requestIdProblem(String id) {
        return problem(id, REQUEST_ID_LENGTH_MAX);
    }

    /** @return null when {@code name} is a valid sequence stream name, else the reason it is not */
    public static String streamProblem(String name) {
        return problem(name, STREAM_LENGTH_MAX);
    }

    static String requireAccountId(String id, String field) {
        String problem = accountIdProblem(id);
        if (problem != null) {
            throw new IllegalArgumentException(field + ": " + problem);
        }
        return id;
    }

    private static String problem(String id, int lengthMax) {
        if (id == null || id.isEmpty()) {
            return "must not be empty";
        }
        if (id.length() > lengthMax) {
            return "must be at most " + lengthMax + " characters, was " + id.length();
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == ':' || c == '@';
            if (!ok) {
                return "may contain only letters, digits and - _ . : @ (found '" + c + "' at " + i + ")";
            }
        }
        return null;
    }
}
