package io.credence.ledger;

/**
 * A request to change the ledger. The request id makes it idempotent: the ledger answers a
 * repeated id with the first outcome and changes nothing, and rejects the same id carrying a
 * different operation.
 */
public record Command(String requestId, Operation operation) {
    public Command {
        String problem = Ids.requestIdProblem(requestId);
        if (problem != null) {
            throw new IllegalArgumentException("requestId: " + problem);
        }
        if (operation == null) {
            throw new IllegalArgumentException("operation must not be null");
        }
    }
}
