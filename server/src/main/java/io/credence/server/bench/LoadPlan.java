package io.credence.server.bench;

import java.util.List;

/**
 * What one {@code credence bench diameter} run offers the server: where, as whom, how fast, how
 * many sessions at once and of what shape, for how long, and which subscribers they charge.
 *
 * <p>A session is CCR-Initial, {@code updates} CCR-Updates and CCR-Termination, one request at a
 * time as a gateway sends them; session {@code n} charges subscriber {@code n mod subscribers}.
 *
 * @param originHosts    one Origin-Host per connection: the server keeps one connection per
 *                       Origin-Host, so a second connection under the same name would replace the first
 * @param ratePerSecond  CCRs offered per second, on a fixed schedule whatever the answers do
 * @param sessions       sessions open at once; also the bound on requests in flight and on sends
 *                       that are due but wait for a session to become free
 * @param subscribers    how many subscribers the sessions are spread over
 */
record LoadPlan(String host, int port, List<String> originHosts, String originRealm, String destinationRealm,
                long ratePerSecond, int sessions, int updates, long warmupNanos, long durationNanos,
                String msisdnPrefix, int subscribers) {
    static final long RATE_MAX = 1_000_000;
    static final int SESSIONS_MAX = 1_000_000;
    static final int UPDATES_MAX = 1_000;
    static final int CONNECTIONS_MAX = 64;
    /** Subscriber numbers are the prefix and a 7-digit index: E.164 allows 15 digits, so the prefix 1 to 8. */
    static final int SUBSCRIBER_DIGITS = 7;
    static final int SUBSCRIBERS_MAX = 1_000_000;
    static final int MSISDN_PREFIX_DIGITS_MAX = 15 - SUBSCRIBER_DIGITS;
    static final long DURATION_MAX_NANOS = 24L * 3600 * 1_000_000_000L;

    /** The rating group every session is charged on, and what it asks and reports per request. */
    static final long RATING_GROUP = 10;
    static final long REQUESTED_OCTETS = 1_000_000;
    /** Less than a grant, so usage never runs past it and every answer can be 2001. */
    static final long USED_OCTETS = 600_000;

    LoadPlan {
        originHosts = List.copyOf(originHosts);
        if (originHosts.isEmpty() || originHosts.size() > CONNECTIONS_MAX) {
            throw new IllegalArgumentException("1.." + CONNECTIONS_MAX + " connections, was " + originHosts.size());
        }
        if (port < 1 || port > 65_535 || ratePerSecond < 1 || ratePerSecond > RATE_MAX || sessions < 1
                || sessions > SESSIONS_MAX || updates < 0 || updates > UPDATES_MAX || subscribers < 1
                || subscribers > SUBSCRIBERS_MAX) {
            throw new IllegalArgumentException("plan out of bounds: " + this);
        }
        if (warmupNanos < 0 || durationNanos <= 0 || warmupNanos + durationNanos > DURATION_MAX_NANOS) {
            throw new IllegalArgumentException("warm-up >= 0 and duration > 0 within a day required");
        }
        if (!msisdnPrefix.matches("[0-9]{1," + MSISDN_PREFIX_DIGITS_MAX + "}")) {
            throw new IllegalArgumentException("msisdnPrefix must be 1.." + MSISDN_PREFIX_DIGITS_MAX + " digits");
        }
        // the schedule computes slot * 1e9 / rate in a long
        if (ratePerSecond * ((warmupNanos + durationNanos) / 1_000_000_000L + 1) > Long.MAX_VALUE / 1_000_000_000L) {
            throw new IllegalArgumentException("rate x duration too large");
        }
    }

    String msisdn(int subscriber) {
        if (subscriber < 0 || subscriber >= subscribers) {
            throw new IllegalStateException("subscriber " + subscriber + " outside 0.." + (subscribers - 1));
        }
        String index = Integer.toString(subscriber); // not String.format: this runs for every session
        return msisdnPrefix + "0".repeat(SUBSCRIBER_DIGITS - index.length()) + index;
    }

    /** The account of a subscriber: its number, so a rerun finds what an earlier run created. */
    String accountId(int subscriber) {
        return "bench-" + msisdn(subscriber);
    }

    /** Requests per session: I, the updates, T. */
    int requestsPerSession() {
        return updates + 2;
    }
}
