package io.credence.agent;

import java.time.Instant;
import java.util.Objects;

/**
 * How one request to the server ended. The agent's reaction differs for each, so each is a value:
 * <ul>
 *   <li>{@link Answered}: a 2xx with a body that decoded and matched the request;</li>
 *   <li>{@link Refused}: the server said no with a problem document (401, 403, 409, ...);</li>
 *   <li>{@link NoAnswer}: nothing usable came back (connection refused or reset, timeout, 429 or
 *       502/503/504 busy, a 2xx body that does not decode). Every request of the protocol is safe
 *       to repeat, so the answer is always: keep everything and retry at the next interval.</li>
 * </ul>
 */
public sealed interface Exchange<T> permits Exchange.Answered, Exchange.Refused, Exchange.NoAnswer {

    /** @param serverDate the answer's {@code Date} header, or null without one (used to correct clock skew) */
    record Answered<T>(T value, Instant serverDate) implements Exchange<T> {
        public Answered {
            Objects.requireNonNull(value, "value");
        }
    }

    record Refused<T>(Problem problem) implements Exchange<T> {
        public Refused {
            Objects.requireNonNull(problem, "problem");
        }
    }

    record NoAnswer<T>(String reason) implements Exchange<T> {
        public NoAnswer {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
