package io.credence.ledger;

/**
 * The kind of a subscriber identity, as Diameter's Subscription-Id-Type (RFC 4006 §8.47) names
 * it. The declaration order is the AVP's value, so {@link #ordinal()} is what goes on the wire:
 *
 * <pre>
 *   END_USER_E164     0   international number (MSISDN), digits only, 1..15 (ITU-T E.164)
 *   END_USER_IMSI     1   digits only, 5..15 (MCC + MNC + MSIN, ITU-T E.212)
 *   END_USER_SIP_URI  2   a SIP URI (RFC 3261)
 *   END_USER_NAI      3   a network access identifier (RFC 7542)
 *   END_USER_PRIVATE  4   anything the operator defines
 * </pre>
 *
 * Values are matched exactly as given: the charging client sends what the network saw, so
 * normalising (a leading '+', letter case in a SIP host) is the provisioner's job, done once
 * when binding rather than guessed at on every lookup.
 */
public enum IdentityType {
    E164,
    IMSI,
    SIP_URI,
    NAI,
    PRIVATE;

    /** Longest value of any type; a SIP URI or NAI past this is not one a network hands out. */
    public static final int VALUE_LENGTH_MAX = 128;
    private static final int E164_DIGITS_MAX = 15;
    private static final int IMSI_DIGITS_MIN = 5;
    private static final int IMSI_DIGITS_MAX = 15;
    private static final IdentityType[] VALUES = values();

    /** @return the type for a Subscription-Id-Type value, or null when the value is not one RFC 4006 defines */
    public static IdentityType ofSubscriptionIdType(int subscriptionIdType) {
        return subscriptionIdType >= 0 && subscriptionIdType < VALUES.length ? VALUES[subscriptionIdType] : null;
    }

    /** The Subscription-Id-Type value of this type. */
    public int subscriptionIdType() {
        return ordinal();
    }

    /** @return null when {@code value} is a well-formed identity of this type, else the reason it is not */
    public String valueProblem(String value) {
        if (value == null || value.isEmpty()) {
            return "must not be empty";
        }
        if (value.length() > VALUE_LENGTH_MAX) {
            return "must be at most " + VALUE_LENGTH_MAX + " characters, was " + value.length();
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            // Printable ASCII without the space: safe in a log line, a journal record and (encoded) a URL path.
            if (c < 0x21 || c > 0x7E) {
                return "may contain only printable ASCII without spaces (found " + describe(c) + " at " + i + ")";
            }
        }
        return switch (this) {
            case E164 -> digitsProblem(value, 1, E164_DIGITS_MAX, "an E.164 number (country code first, no '+')");
            case IMSI -> digitsProblem(value, IMSI_DIGITS_MIN, IMSI_DIGITS_MAX, "an IMSI");
            case SIP_URI, NAI, PRIVATE -> null;
        };
    }

    private static String digitsProblem(String value, int min, int max, String what) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return "must be " + what + ": digits only (found '" + value.charAt(i) + "' at " + i + ")";
            }
        }
        if (value.length() < min || value.length() > max) {
            return "must be " + what + " of " + min + ".." + max + " digits, was " + value.length();
        }
        return null;
    }

    private static String describe(char c) {
        return c >= 0x21 && c <= 0x7E ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }
}
