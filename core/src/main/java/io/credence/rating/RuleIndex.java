package io.credence.rating;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Finds the first rule, in descending specificity, that matches a request, without testing the
 * rules one by one. Rules get a position in that order; for every attribute value the index keeps
 * a bitset (one bit per position) of the rules that accept the value: those unconstrained on the
 * attribute and those that name the value. A request's matching rules are the AND of its values'
 * bitsets, and the answer is the lowest set bit. An unknown (null) value selects the bitset of the
 * unconstrained rules only, which is {@link Rule#matches}'s rule that a constraint on an unknown
 * attribute does not match.
 *
 * <p>Outlets can number in the thousands, so they are not kept as one bitset per name (that
 * would be outlets x rules bits): a name keeps the positions of the rules naming it, each
 * checked against the other attributes, and the rules unconstrained on outlets go through the
 * bitsets. Time bands are left to the caller, who passes the bitset for the bands the request
 * falls in ({@link #acceptingBands}), since which bands apply depends on the clock, not the rules.
 *
 * <p>Immutable once built, so one index serves any number of threads.
 */
final class RuleIndex {
    private static final int NETWORK_UNKNOWN = NetworkType.values().length;
    private static final int TERMINAL_UNKNOWN = TerminalType.values().length;

    private final Rule[] bySpecificity;
    private final int words;

    private final Map<String, long[]> byService;
    private final long[] serviceUnconstrained;
    /** Indexed by the value's ordinal, and the slot after the last value for an unknown one. */
    private final long[][] callingNetwork;
    private final long[][] callingTerminal;
    private final long[][] callingRoaming;
    private final long[][] calledNetwork;
    private final long[][] calledTerminal;
    /** Per outlet name, the positions (ascending) of the rules that name it. */
    private final Map<String, int[]> namingOutlet;
    private final long[] outletUnconstrained;
    private final Map<String, long[]> byBand;
    private final long[] bandUnconstrained;

    RuleIndex(List<Rule> rules) {
        List<Rule> sorted = new ArrayList<>(rules);
        // stable, and within a level at most one rule can match (the catalog refuses ties)
        sorted.sort(Comparator.comparingInt(Rule::specificity).reversed());
        bySpecificity = sorted.toArray(Rule[]::new);
        words = Math.max(1, (bySpecificity.length + 63) >>> 6);

        serviceUnconstrained = positions(rule -> rule.service() == null);
        byService = new HashMap<>();
        for (Rule rule : bySpecificity) {
            if (rule.service() != null) {
                byService.computeIfAbsent(rule.service(), s -> positions(r -> r.service() == null || r.service().equals(s)));
            }
        }
        callingNetwork = enumSlots(NetworkType.values(), Rule::callingNetwork);
        callingTerminal = enumSlots(TerminalType.values(), Rule::callingTerminal);
        calledNetwork = enumSlots(NetworkType.values(), Rule::calledNetwork);
        calledTerminal = enumSlots(TerminalType.values(), Rule::calledTerminal);
        callingRoaming = new long[][] {
                positions(r -> r.callingRoaming() == null || !r.callingRoaming()),
                positions(r -> r.callingRoaming() == null || r.callingRoaming()),
                positions(r -> r.callingRoaming() == null)};

        outletUnconstrained = positions(rule -> rule.outlets().isEmpty());
        Map<String, List<Integer>> naming = new HashMap<>();
        for (int position = 0; position < bySpecificity.length; position++) {
            for (String outlet : bySpecificity[position].outlets()) {
                naming.computeIfAbsent(outlet, o -> new ArrayList<>()).add(position);
            }
        }
        namingOutlet = new HashMap<>();
        naming.forEach((outlet, list) -> namingOutlet.put(outlet, list.stream().mapToInt(Integer::intValue).toArray()));

        bandUnconstrained = positions(rule -> rule.timeBands().isEmpty());
        byBand = new HashMap<>();
        for (Rule rule : bySpecificity) {
            for (String band : rule.timeBands()) {
                byBand.computeIfAbsent(band, b -> positions(r -> r.timeBands().contains(b)));
            }
        }
    }

    /** The rule at a position; positions run in descending specificity. */
    Rule rule(int position) {
        return bySpecificity[position];
    }

    int size() {
        return bySpecificity.length;
    }

    /**
     * The bitset of the rules that accept a request falling in {@code bands}: unconstrained on
     * time bands, or naming one of them. Built anew; callers keep it for as long as the bands hold.
     */
    long[] acceptingBands(Set<String> bands) {
        long[] accepting = bandUnconstrained.clone();
        for (String band : bands) {
            long[] naming = byBand.get(band);
            if (naming != null) {
                for (int w = 0; w < words; w++) {
                    accepting[w] |= naming[w];
                }
            }
        }
        return accepting;
    }

    /**
     * The position of the most specific rule matching {@code request}, or -1 when none does.
     *
     * @param bandsAccepting from {@link #acceptingBands} for the bands the request starts in
     */
    int firstMatch(RatingRequest request, long[] bandsAccepting) {
        if (bandsAccepting.length != words) {
            throw new IllegalArgumentException("a band bitset of " + bandsAccepting.length + " words, the index has "
                    + words);
        }
        long[] service = byService.getOrDefault(request.service(), serviceUnconstrained);
        long[] fromNetwork = callingNetwork[slot(request.calling().network())];
        long[] fromTerminal = callingTerminal[slot(request.calling().type())];
        long[] fromRoaming = callingRoaming[roamingSlot(request.calling().roaming())];
        long[] toNetwork = calledNetwork[slot(request.called().network())];
        long[] toTerminal = calledTerminal[slot(request.called().type())];

        // a rule naming the outlet, if one matches, bounds how far the bitset scan has to go
        int namedMatch = Integer.MAX_VALUE;
        int[] naming = request.outlet() == null ? null : namingOutlet.get(request.outlet());
        if (naming != null) {
            for (int position : naming) {
                if (has(service, position) && has(fromNetwork, position) && has(fromTerminal, position)
                        && has(fromRoaming, position) && has(toNetwork, position) && has(toTerminal, position)
                        && has(bandsAccepting, position)) {
                    namedMatch = position;
                    break;
                }
            }
        }
        int wordsToScan = namedMatch == Integer.MAX_VALUE ? words : (namedMatch >>> 6) + 1;
        for (int w = 0; w < wordsToScan; w++) {
            long matching = service[w] & fromNetwork[w] & fromTerminal[w] & fromRoaming[w] & toNetwork[w]
                    & toTerminal[w] & outletUnconstrained[w] & bandsAccepting[w];
            if (matching != 0) {
                return Math.min(namedMatch, (w << 6) + Long.numberOfTrailingZeros(matching));
            }
        }
        return namedMatch == Integer.MAX_VALUE ? -1 : namedMatch;
    }

    private static boolean has(long[] bits, int position) {
        return (bits[position >>> 6] & (1L << position)) != 0;
    }

    /** An enum value's slot: its ordinal, or the slot after the last value's when it is unknown. */
    private static int slot(NetworkType value) {
        return value == null ? NETWORK_UNKNOWN : value.ordinal();
    }

    private static int slot(TerminalType value) {
        return value == null ? TERMINAL_UNKNOWN : value.ordinal();
    }

    private static int roamingSlot(Boolean roaming) {
        return roaming == null ? 2 : roaming ? 1 : 0;
    }

    private <E extends Enum<E>> long[][] enumSlots(E[] values, Function<Rule, Set<E>> allowed) {
        long[][] slots = new long[values.length + 1][];
        for (E value : values) {
            slots[value.ordinal()] = positions(rule -> allowed.apply(rule).isEmpty() || allowed.apply(rule).contains(value));
        }
        slots[values.length] = positions(rule -> allowed.apply(rule).isEmpty());
        return slots;
    }

    private long[] positions(Predicate<Rule> accepts) {
        long[] bits = new long[words];
        for (int position = 0; position < bySpecificity.length; position++) {
            if (accepts.test(bySpecificity[position])) {
                bits[position >>> 6] |= 1L << position;
            }
        }
        return bits;
    }

    @Override
    public String toString() {
        return "RuleIndex[" + bySpecificity.length + " rules, " + words + " words, " + namingOutlet.size()
                + " outlets, bands " + byBand.keySet() + "]";
    }
}
