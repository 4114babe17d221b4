package io.credence.ledger;

/** Why the ledger said no. A rejected command changed nothing. */
public sealed interface Rejection extends Outcome {

    /** A sentence for an operator, naming the account, reservation or limit involved. */
    String message();

    record UnknownAccount(String accountId) implements Rejection {
        public String message() {
            return "account '" + accountId + "' does not exist";
        }
    }

    record AccountExists(String accountId) implements Rejection {
        public String message() {
            return "account '" + accountId + "' already exists";
        }
    }

    record AccountNotActive(String accountId, AccountStatus status) implements Rejection {
        public String message() {
            return "account '" + accountId + "' is " + status;
        }
    }

    record NotASystemAccount(String accountId) implements Rejection {
        public String message() {
            return "top-ups must come from a SYSTEM account; '" + accountId + "' is not one";
        }
    }

    record InsufficientBalance(String accountId, Unit unit, long requested, long available) implements Rejection {
        public String message() {
            return "account '" + accountId + "' has " + available + " " + unit + " available, " + requested + " requested";
        }
    }

    /** Overdraft asked for beyond what the credit limit allows. */
    record CreditLimitExceeded(String accountId, Unit unit, long requested, long available) implements Rejection {
        public String message() {
            return "account '" + accountId + "' can cover " + available + " " + unit
                    + " including its credit limit, " + requested + " requested";
        }
    }

    record UnknownReservation(long reservationId) implements Rejection {
        public String message() {
            return "reservation " + reservationId + " does not exist";
        }
    }

    record Expired(long reservationId, long expiredAtMillis) implements Rejection {
        public String message() {
            return "reservation " + reservationId + " expired at " + expiredAtMillis;
        }
    }

    record ReservationClosed(long reservationId, ReservationStatus status) implements Rejection {
        public String message() {
            return "reservation " + reservationId + " is already " + status;
        }
    }

    record CommitExceedsReservation(long reservationId, long reserved, long requested) implements Rejection {
        public String message() {
            return "commit of " + requested + " exceeds reservation " + reservationId + " of " + reserved
                    + " and overdraft was not requested";
        }
    }

    /** The identity is bound to another account ({@code accountId}); unbind it there first. */
    record IdentityTaken(IdentityType type, String value, String accountId) implements Rejection {
        public String message() {
            return type + " identity '" + value + "' is bound to account '" + accountId + "'";
        }
    }

    record UnknownIdentity(IdentityType type, String value) implements Rejection {
        public String message() {
            return type + " identity '" + value + "' is not bound to any account";
        }
    }

    /**
     * A report numbered {@code requested} for a stream already at {@code last}: a repeat or an
     * older report, already counted or given up on. Nothing changed.
     */
    record StaleSequence(String accountId, String stream, long requested, long last) implements Rejection {
        public String message() {
            return "stream '" + stream + "' of account '" + accountId + "' is at " + last + "; " + requested
                    + " is not above it";
        }
    }

    /** The request id was used before for a different operation; the first outcome stands. */
    record DuplicateRequest(String requestId) implements Rejection {
        public String message() {
            return "request id '" + requestId + "' was already used for a different operation";
        }
    }

    /** A configured bound would be passed (accounts, buckets, reservations, identities, amounts that overflow). */
    record LimitExceeded(String limit, long max) implements Rejection {
        public String message() {
            return "limit " + limit + " (" + max + ") would be exceeded";
        }
    }

    record InvalidOperation(String field, String reason) implements Rejection {
        public String message() {
            return field + ": " + reason;
        }
    }

    /** A linked chain stopped at {@code stepIndex} (0-based) for {@code cause}; no step remains applied. */
    record LinkedRejected(int stepIndex, Rejection cause) implements Rejection {
        public String message() {
            return "linked step " + stepIndex + " rejected: " + cause.message();
        }
    }
}
