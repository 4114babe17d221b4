package io.credence.records;

import io.credence.ledger.Ids;
import io.credence.ledger.Unit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One committed usage (a CDR): who used what, how it was rated, and which balances it moved.
 *
 * <p>{@code recordId} is deterministic — the ledger request id of the commit — so a retried commit
 * produces the same id and readers keep one copy. Amounts are {@code long}s in the unit's smallest
 * step, as everywhere in the ledger. {@code ratingGroup} is -1 when the request named none;
 * {@code sessionId}, {@code rule}, {@code tariff} and {@code currency} may be null. Attributes are kept
 * sorted by name so the same record always encodes to the same bytes.
 */
public record UsageRecord(String recordId, long atMillis, String accountId, String origin, String sessionId,
        String service, long ratingGroup, Map<String, String> attributes, String rule, String tariff,
        String decision, Unit unit, long rawUnits, long effectiveUnits, long price, String currency,
        List<BalanceChange> balances, List<String> requestIds) {

    public static final String CHARGED = "CHARGED";
    public static final String FREE = "FREE";
    public static final String UNRATED = "UNRATED";
    public static final Set<String> DECISIONS = Set.of(CHARGED, FREE, UNRATED);
    /** No rating group: a request without Rating-Group (an HTTP charge, a Diameter event without MSCC). */
    public static final long RATING_GROUP_NONE = -1;
    /** Bounds on the free-text fields, so one record stays small enough for one line of a records file. */
    public static final int TEXT_LENGTH_MAX = 256;
    /** As long as a charging request's session id may be (a Diameter Session-Id has no shorter bound). */
    public static final int SESSION_ID_LENGTH_MAX = 512;
    public static final int ATTRIBUTES_MAX = 64;
    public static final int BALANCES_MAX = 64;
    public static final int REQUEST_IDS_MAX = 256;

    /** One balance the usage moved: negative amounts are debits, positive credits (a provider's share). */
    public record BalanceChange(String accountId, Unit unit, long amount) {
        public BalanceChange {
            requireId(Ids.storedAccountIdProblem(accountId), "balances.accountId");
            require(unit != null, "balances.unit", "must not be null");
        }
    }

    public UsageRecord {
        requireId(Ids.requestIdProblem(recordId), "recordId");
        require(atMillis >= 0, "atMillis", "must be >= 0, was " + atMillis);
        requireId(Ids.storedAccountIdProblem(accountId), "accountId");
        requireText(origin, "origin", false);
        requireText(sessionId, "sessionId", true, SESSION_ID_LENGTH_MAX);
        requireText(service, "service", false);
        require(ratingGroup >= RATING_GROUP_NONE, "ratingGroup", "must be >= 0, or -1 for none; was " + ratingGroup);
        attributes = copyAttributes(attributes);
        requireText(rule, "rule", true);
        requireText(tariff, "tariff", true);
        require(decision != null && DECISIONS.contains(decision), "decision",
                "must be one of CHARGED, FREE, UNRATED; was " + decision);
        require(unit != null, "unit", "must not be null");
        require(rawUnits >= 0, "rawUnits", "must be >= 0, was " + rawUnits);
        require(effectiveUnits >= 0, "effectiveUnits", "must be >= 0, was " + effectiveUnits);
        require(price >= 0, "price", "must be >= 0, was " + price);
        requireText(currency, "currency", true);
        balances = copyList(balances, BALANCES_MAX, "balances");
        requestIds = copyList(requestIds, REQUEST_IDS_MAX, "requestIds");
        for (String id : requestIds) {
            requireId(Ids.requestIdProblem(id), "requestIds");
        }
    }

    private static Map<String, String> copyAttributes(Map<String, String> attributes) {
        if (attributes == null) {
            return Map.of();
        }
        require(attributes.size() <= ATTRIBUTES_MAX, "attributes",
                "at most " + ATTRIBUTES_MAX + " entries, was " + attributes.size());
        TreeMap<String, String> sorted = new TreeMap<>();
        for (Map.Entry<String, String> e : attributes.entrySet()) {
            requireText(e.getKey(), "attributes key", false);
            // An empty value is a value (an AVP present but empty); only null is refused.
            String value = e.getValue();
            require(value != null, "attributes." + e.getKey(), "must not be null");
            require(value.length() <= TEXT_LENGTH_MAX, "attributes." + e.getKey(),
                    "must be at most " + TEXT_LENGTH_MAX + " characters, was " + value.length());
            sorted.put(e.getKey(), e.getValue());
        }
        return Collections.unmodifiableMap(sorted);
    }

    private static <T> List<T> copyList(List<T> list, int sizeMax, String field) {
        if (list == null) {
            return List.of();
        }
        require(list.size() <= sizeMax, field, "at most " + sizeMax + " entries, was " + list.size());
        // List.copyOf would throw a NullPointerException that names no field.
        List<T> copy = new ArrayList<>(list);
        require(!copy.contains(null), field, "must not contain null");
        return List.copyOf(copy);
    }

    private static void requireId(String problem, String field) {
        require(problem == null, field, problem);
    }

    private static void requireText(String text, String field, boolean nullable) {
        requireText(text, field, nullable, TEXT_LENGTH_MAX);
    }

    private static void requireText(String text, String field, boolean nullable, int lengthMax) {
        if (text == null) {
            require(nullable, field, "must not be null");
            return;
        }
        require(!text.isEmpty(), field, nullable ? "must not be empty (null means none)" : "must not be empty");
        require(text.length() <= lengthMax, field,
                "must be at most " + lengthMax + " characters, was " + text.length());
    }

    private static void require(boolean ok, String field, String problem) {
        if (!ok) {
            throw new IllegalArgumentException(field + " " + problem);
        }
    }
}
