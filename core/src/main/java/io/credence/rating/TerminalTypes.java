package io.credence.rating;

import java.util.List;
import java.util.Locale;

/**
 * How a request's device description becomes a {@link TerminalType}: IMEI type allocation code
 * (TAC, the first 8 digits of the IMEI) ranges first, because an IMEI identifies the model
 * exactly; then User-Agent substrings (case-insensitive), in the order the catalog lists them,
 * the first that occurs winning. Nothing matched: the type is unknown and rules that constrain it
 * do not apply.
 */
public record TerminalTypes(List<TacRange> tacRanges, List<UserAgent> userAgents) {
    public static final TerminalTypes NONE = new TerminalTypes(List.of(), List.of());

    /** TACs {@code from}..{@code to} inclusive (8-digit numbers) are {@code type}. */
    public record TacRange(long from, long to, TerminalType type) {
        public TacRange {
            if (from < 0 || to > 99_999_999L || from > to || type == null) {
                throw new IllegalArgumentException("a TAC range needs 0 <= from <= to <= 99999999 and a type");
            }
        }
    }

    /** A User-Agent containing {@code contains} (any case) is {@code type}. */
    public record UserAgent(String contains, TerminalType type) {
        public UserAgent {
            if (contains == null || contains.isBlank() || type == null) {
                throw new IllegalArgumentException("a User-Agent entry needs a non-blank 'contains' and a type");
            }
            contains = contains.toLowerCase(Locale.ROOT);
        }
    }

    public TerminalTypes {
        tacRanges = tacRanges == null ? List.of() : List.copyOf(tacRanges);
        userAgents = userAgents == null ? List.of() : List.copyOf(userAgents);
        for (int i = 0; i < tacRanges.size(); i++) {
            for (int j = 0; j < i; j++) {
                TacRange a = tacRanges.get(i);
                TacRange b = tacRanges.get(j);
                if (a.from() <= b.to() && b.from() <= a.to()) {
                    throw new CatalogException("terminalTypes.tac[" + i + "]", "overlaps tac[" + j + "] ("
                            + b.from() + ".." + b.to() + "): a TAC must name one type");
                }
            }
        }
    }

    /**
     * The terminal type for an IMEI or IMEISV (digits; its first 8 are the TAC) and a User-Agent,
     * either of which may be null; null when neither is known.
     */
    public TerminalType classify(String imei, String userAgent) {
        if (imei != null && imei.length() >= 8) {
            long tac = tacOf(imei);
            if (tac >= 0) {
                for (TacRange r : tacRanges) {
                    if (tac >= r.from() && tac <= r.to()) {
                        return r.type();
                    }
                }
            }
        }
        if (userAgent != null && !userAgent.isEmpty()) {
            String ua = userAgent.toLowerCase(Locale.ROOT);
            for (UserAgent u : userAgents) {
                if (ua.contains(u.contains())) {
                    return u.type();
                }
            }
        }
        return null;
    }

    private static long tacOf(String imei) {
        long tac = 0;
        for (int i = 0; i < 8; i++) {
            char c = imei.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            tac = tac * 10 + (c - '0');
        }
        return tac;
    }
}
