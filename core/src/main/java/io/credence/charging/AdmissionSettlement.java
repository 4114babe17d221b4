package io.credence.charging;

import io.credence.admission.ChargingParameters;
import io.credence.ledger.Outcome;

import java.util.Objects;

/**
 * How a billed admission ended: {@code requestId} names the commit (the client's, or one derived
 * from the reservation), {@code committedRequestId} the commit that was made (it differs when the
 * credit limit capped it at what was reserved), {@code released} what the admission held, null
 * when it had expired before it was ended.
 */
public record AdmissionSettlement(String requestId, String committedRequestId, AdmissionBilling billing,
                                  AdmissionUsage usage, Outcome.Committed committed, ChargingParameters released) {
    public AdmissionSettlement {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(committedRequestId, "committedRequestId");
        Objects.requireNonNull(billing, "billing");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(committed, "committed");
        if (committed.reservationId() != billing.reservationId()) {
            throw new IllegalArgumentException("a settlement commits its own billing's reservation");
        }
    }
}
