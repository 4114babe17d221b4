package io.credence.devices;

/**
 * The shape of the identifiers devices and base stations use: short, safe inside ledger request
 * ids and tags, and (a SIM is {@code /v1/devices/{simId}}) unchanged by URL path normalisation.
 */
final class Names {
    static final int SIM_ID_LENGTH_MAX = 32;
    static final int DEVICE_ID_LENGTH_MAX = 64;
    static final int BASE_STATION_ID_LENGTH_MAX = 64;
    static final int REQUEST_ID_LENGTH_MAX = 64;

    private Names() {}

    /** Why {@code value} is not a valid identifier of at most {@code lengthMax} characters, or null. */
    static String problem(String value, int lengthMax) {
        if (value == null || value.isEmpty()) {
            return "must not be empty";
        }
        if (value.length() > lengthMax) {
            return "must be at most " + lengthMax + " characters, was " + value.length();
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.';
            if (!ok) {
                return "may contain only letters, digits and - _ . (found '" + c + "' at " + i + ")";
            }
        }
        return io.credence.ledger.Ids.pathSegmentProblem(value);
    }
}
