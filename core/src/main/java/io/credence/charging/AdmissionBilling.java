package io.credence.charging;

import io.credence.admission.Layer;
import io.credence.ledger.Ids;

import java.util.Objects;

/** Who pays for a live admission of {@code layer}, and the ledger reservation that holds its bytes. */
public record AdmissionBilling(Layer layer, String accountId, long reservationId, long reservedBytes) {
    public AdmissionBilling {
        Objects.requireNonNull(layer, "layer");
        if (Ids.accountIdProblem(accountId) != null || reservationId <= 0 || reservedBytes <= 0) {
            throw new IllegalArgumentException("a billing names an account, a reservation and the bytes it holds");
        }
    }
}
