package io.credence.rating;

import java.util.EnumSet;
import java.util.Set;

/**
 * A charging policy: when a request's service and terminal attributes match, it is charged at a
 * tariff, free, or denied. An empty set (or null) leaves an attribute unconstrained; the more
 * attributes a rule constrains, the more specific it is, and the most specific matching rule wins.
 */
public record Rule(String name, String service, Set<NetworkType> callingNetwork, Set<TerminalType> callingTerminal,
                   Boolean callingRoaming, Set<NetworkType> calledNetwork, Set<TerminalType> calledTerminal,
                   Set<String> outlets, Set<String> timeBands, Decision decision) {

    /** What a matching rule decides. */
    public sealed interface Decision {
        record Charge(String tariff) implements Decision {}

        /** No balance needed; usage is still metered and recorded at a zero price. */
        record Free() implements Decision {}

        record Deny(String reason) implements Decision {}
    }

    public Rule {
        if (name == null || name.isBlank() || decision == null) {
            throw new IllegalArgumentException("a rule needs a name and a decision");
        }
        callingNetwork = enums(NetworkType.class, callingNetwork);
        callingTerminal = enums(TerminalType.class, callingTerminal);
        calledNetwork = enums(NetworkType.class, calledNetwork);
        calledTerminal = enums(TerminalType.class, calledTerminal);
        outlets = outlets == null ? Set.of() : Set.copyOf(outlets);
        timeBands = timeBands == null ? Set.of() : Set.copyOf(timeBands);
    }

    private static <E extends Enum<E>> Set<E> enums(Class<E> type, Set<E> values) {
        return values == null || values.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(values));
    }

    /** How many attributes the rule constrains. */
    public int specificity() {
        return (service != null ? 1 : 0) + (callingNetwork.isEmpty() ? 0 : 1) + (callingTerminal.isEmpty() ? 0 : 1)
                + (callingRoaming != null ? 1 : 0) + (calledNetwork.isEmpty() ? 0 : 1)
                + (calledTerminal.isEmpty() ? 0 : 1) + (outlets.isEmpty() ? 0 : 1) + (timeBands.isEmpty() ? 0 : 1);
    }

    /** Whether this rule applies; {@code bands} are the names of the time bands the request falls in. */
    public boolean matches(RatingRequest r, Set<String> bands) {
        return (service == null || service.equals(r.service()))
                && in(callingNetwork, r.calling().network()) && in(callingTerminal, r.calling().type())
                && (callingRoaming == null || callingRoaming.equals(r.calling().roaming()))
                && in(calledNetwork, r.called().network()) && in(calledTerminal, r.called().type())
                && (outlets.isEmpty() || (r.outlet() != null && outlets.contains(r.outlet())))
                && (timeBands.isEmpty() || timeBands.stream().anyMatch(bands::contains));
    }

    private static <T> boolean in(Set<T> allowed, T value) {
        return allowed.isEmpty() || (value != null && allowed.contains(value));
    }

    /**
     * Whether some request could match both rules: every attribute either is unconstrained in
     * one of them or has a value both allow. Time bands are compared by the catalog, which knows
     * the minutes each band covers.
     */
    public boolean overlaps(Rule other) {
        return (service == null || other.service == null || service.equals(other.service))
                && meet(callingNetwork, other.callingNetwork) && meet(callingTerminal, other.callingTerminal)
                && (callingRoaming == null || other.callingRoaming == null || callingRoaming.equals(other.callingRoaming))
                && meet(calledNetwork, other.calledNetwork) && meet(calledTerminal, other.calledTerminal)
                && meet(outlets, other.outlets);
    }

    private static <T> boolean meet(Set<T> a, Set<T> b) {
        if (a.isEmpty() || b.isEmpty()) {
            return true;
        }
        for (T x : a) {
            if (b.contains(x)) {
                return true;
            }
        }
        return false;
    }
}
