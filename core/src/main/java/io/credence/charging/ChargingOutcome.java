package io.credence.charging;

import io.credence.ledger.Unit;

import java.util.List;

/**
 * What a charging request did, for the adapter to answer in its protocol; a retry of the request
 * gets this same value. The result of the whole request and of each service are protocol-neutral
 * ({@link Result}); the Diameter adapter maps them to Result-Codes, the Nchf adapter to resultCode
 * and ProblemDetails.
 *
 * @param result        the request's result: SUCCESS unless it failed as a whole (or every service
 *                      failed alike)
 * @param message       why, when it is not SUCCESS (for Error-Message / detail); null otherwise
 * @param failedField   the request field at fault ({@link Field}), or null
 * @param services      one per service of the request, in its order
 * @param enoughCredit  a CHECK_BALANCE event's answer: whether the balance covers the request; null otherwise
 * @param price         a PRICE_ENQUIRY event's answer in minor units of money; -1 otherwise
 * @param sessionEnded  whether the session is over after this request
 */
public record ChargingOutcome(Result result, String message, Field failedField, List<ServiceOutcome> services,
                              Boolean enoughCredit, long price, boolean sessionEnded) {

    /** Outcomes a charging request can have, named by what they mean rather than by a protocol's codes. */
    public enum Result {
        SUCCESS,
        /** Nothing (more) can be granted: the balance and the credit limit are spent. */
        CREDIT_LIMIT_REACHED,
        /** The subscriber may not use the service: account not active, a rule, an outlet, a full pool. */
        END_USER_SERVICE_DENIED,
        /** No account is bound to any identity the request carries. */
        USER_UNKNOWN,
        /** The service cannot be rated: a unit it is not rated in, no default grant, no price. */
        RATING_FAILED,
        /** The session is not known (never opened, finished, or forgotten). */
        UNKNOWN_SESSION,
        /** A field has a value that cannot be right here (out of order, already open); see failedField. */
        INVALID_VALUE,
        /** A bound is reached (the session table); nothing changed, a retry later may succeed. */
        TOO_BUSY
    }

    /** Request fields an outcome can name as being at fault. */
    public enum Field { REQUEST_NUMBER, REQUEST_KIND, IDENTITIES, SERVICES, LATENCY_CLASS, BANDWIDTH }

    /**
     * One service's part.
     *
     * @param unit           the unit granted; null when nothing was granted
     * @param granted        how much was granted (0 when nothing)
     * @param finalUnits     the grant is the last the balance allows: the client ends the service when it is used
     * @param validitySeconds how long the grant is valid (the client reports by then); 0 without a grant
     * @param remainingMoney the subscriber's money when an outlet check let the grant through; -1 otherwise
     * @param problem        why the service was refused, or null
     * @param failedField    the field at fault for a refusal (an admission range), or null
     */
    public record ServiceOutcome(ServiceKey key, Result result, Unit unit, long granted, boolean finalUnits,
                                 long validitySeconds, long remainingMoney, String problem, Field failedField) {
        public static ServiceOutcome of(ServiceKey key, Result result) {
            return new ServiceOutcome(key, result, null, 0, false, 0, -1, null, null);
        }

        public static ServiceOutcome refused(ServiceKey key, Result result, String problem, Field field) {
            return new ServiceOutcome(key, result, null, 0, false, 0, -1, problem, field);
        }

        public ServiceOutcome withRemainingMoney(long money) {
            return new ServiceOutcome(key, result, unit, granted, finalUnits, validitySeconds, money, problem,
                    failedField);
        }
    }

    public ChargingOutcome {
        if (result == null) {
            throw new IllegalArgumentException("result is required");
        }
        services = List.copyOf(services);
    }

    /** A request refused as a whole, before any service was looked at. */
    public static ChargingOutcome refused(Result result, String message, Field field, boolean sessionEnded) {
        return new ChargingOutcome(result, message, field, List.of(), null, -1, sessionEnded);
    }

    /** Every service failed alike: that is the request's result too; otherwise SUCCESS (RFC 4006 5.1). */
    static Result overall(List<ServiceOutcome> services) {
        if (services.isEmpty()) {
            return Result.SUCCESS;
        }
        Result first = services.get(0).result();
        for (ServiceOutcome s : services) {
            if (s.result() != first) {
                return Result.SUCCESS;
            }
        }
        return first;
    }
}
