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

    /**
     * The rule for a new account id, which every edge (HTTP, command line, configuration) applies:
     * well formed ({@link #storedAccountIdProblem}) and usable as a URL path segment
     * ({@link #pathSegmentProblem}), since an account is addressed as {@code /v1/accounts/{id}}.
     *
     * @return null when {@code id} is a valid account id, else the reason it is not
     */
    public static String accountIdProblem(String id) {
        String problem = problem(id, ACCOUNT_ID_LENGTH_MAX);
        return problem != null ? problem : pathSegmentProblem(id);
    }

    /**
     * The rule the ledger itself checks (commands, journal records, snapshots, usage records): the
     * characters and the length only. Ids a ledger accepted before {@link #pathSegmentProblem}
     * existed (".", "..") must still replay from its journal; the edges refuse new ones.
     *
     * @return null when {@code id} is a well-formed stored account id, else the reason it is not
     */
    public static String storedAccountIdProblem(String id) {
        return problem(id, ACCOUNT_ID_LENGTH_MAX);
    }

    /**
     * Whether {@code id}, percent-encoded as one URL path segment, reaches the server unchanged.
     * Anything else is encoded and decoded back to itself, but RFC 3986 normalisation (clients,
     * proxies, {@code curl} and the JDK's {@code URI.normalize}) removes the dot segments "." and
     * ".." (also when sent as {@code %2E}) and many merge an empty segment ({@code //}), so an id
     * like that could be created and never reached again.
     *
     * @return null when {@code id} is safe as a path segment, else the reason it is not
     */
    public static String pathSegmentProblem(String id) {
        if (id == null || id.isEmpty()) {
            return "must not be empty: an empty URL path segment ('//') is merged or refused on the way";
        }
        if (id.equals(".") || id.equals("..")) {
            return "must not be '" + id + "': URL path normalisers remove or resolve a '.' or '..' segment "
                    + "(also sent as %2E), so it could never be addressed in a path";
        }
        return null;
    }

    /** @return null when {@code id} is a valid request id, else the reason it is not */
    public static String requestIdProblem(String id) {
        return problem(id, REQUEST_ID_LENGTH_MAX);
    }

    /** @return null when {@code name} is a valid sequence stream name, else the reason it is not */
    public static String streamProblem(String name) {
        return problem(name, STREAM_LENGTH_MAX);
    }

    /** The stored rule: commands are also decoded from journals written before the path rule. */
    public static String requireAccountId(String id, String field) {
        String problem = storedAccountIdProblem(id);
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
