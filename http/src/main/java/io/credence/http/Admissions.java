package io.credence.http;

import io.credence.admission.AdmissionControl;
import io.credence.admission.AdmissionPolicy;
import io.credence.admission.AdmissionResult;
import io.credence.admission.ChargingParameters;
import io.credence.admission.EffectiveUsage;
import io.credence.admission.Layer;
import io.credence.admission.QosRequest;
import io.credence.ledger.Ids;
import io.credence.ledger.Outcome;

import java.util.Objects;
import java.util.Optional;

/**
 * Layered admission as the HTTP API sees it. The server implements it around the core's
 * {@link AdmissionControl} (serialising calls, reading the clock, reconciling periodically); the
 * HTTP module only parses, calls and maps answers to statuses.
 *
 * <p>An admission may be billed: the API takes a ledger reservation for it and tells the server
 * which ({@link #bill}); at release the API commits the effective usage on it and hands the
 * settlement back ({@link #settle}), which the server keeps for a while so a retried release
 * gets the first answer. The server forgets a billing when its admission is released or expires.
 */
public interface Admissions {
    /** Who pays for a live admission of {@code layer}, and the ledger reservation that holds its bytes. */
    record Billing(Layer layer, String accountId, long reservationId, long reservedBytes) {
        public Billing {
            Objects.requireNonNull(layer, "layer");
            if (Ids.accountIdProblem(accountId) != null || reservationId <= 0 || reservedBytes <= 0) {
                throw new IllegalArgumentException("a billing names an account, a reservation and the bytes it holds");
            }
        }
    }

    /**
     * How a billed admission ended: {@code requestId} is the ledger request id the API asked for,
     * {@code committed} what the ledger answered (its own id for the charge may differ when the
     * credit limit capped it: {@code committedRequestId}), {@code released} what the admission
     * held, null when it had expired between the commit and the release.
     */
    record Settlement(String requestId, String committedRequestId, Billing billing, EffectiveUsage usage,
                      Outcome.Committed committed, ChargingParameters released) {
        public Settlement {
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

    /** The policy in force; empty when the server runs without one, and the routes answer 404. */
    Optional<AdmissionPolicy> policy();

    /** {@code ttlSeconds} is already checked against the policy's {@code ttlSecondsMax}. */
    AdmissionResult admit(String admissionId, QosRequest request, long ttlSeconds);

    /**
     * Remembers who pays for a live admission. Returns the billing in force: {@code billing}, or
     * the one a concurrent retry of the same admission stored first; empty when no admission lives
     * under the id any more (it expired or was released meanwhile).
     */
    Optional<Billing> bill(String admissionId, Billing billing);

    /** The billing of a live admission; empty when it has none or no admission lives under the id. */
    Optional<Billing> billing(String admissionId);

    /** What the admission held; empty when no admission lives under the id. Forgets its billing. */
    Optional<ChargingParameters> release(String admissionId);

    /**
     * Releases a billed admission whose reservation the API has committed, forgets its billing and
     * remembers the settlement (bounded: the most recent {@code admissionsMax}). The settlement's
     * {@code released} is filled in here.
     */
    Settlement settle(String admissionId, Settlement settlement);

    /** The remembered settlement of an admission no longer live; empty when none is remembered. */
    Optional<Settlement> settlement(String admissionId);

    AdmissionControl.Report pools();

    Admissions NONE = new Admissions() {
        public Optional<AdmissionPolicy> policy() {
            return Optional.empty();
        }

        public AdmissionResult admit(String admissionId, QosRequest request, long ttlSeconds) {
            throw new IllegalStateException("admission is not configured");
        }

        public Optional<Billing> bill(String admissionId, Billing billing) {
            throw new IllegalStateException("admission is not configured");
        }

        public Optional<Billing> billing(String admissionId) {
            throw new IllegalStateException("admission is not configured");
        }

        public Optional<ChargingParameters> release(String admissionId) {
            throw new IllegalStateException("admission is not configured");
        }

        public Settlement settle(String admissionId, Settlement settlement) {
            throw new IllegalStateException("admission is not configured");
        }

        public Optional<Settlement> settlement(String admissionId) {
            throw new IllegalStateException("admission is not configured");
        }

        public AdmissionControl.Report pools() {
            throw new IllegalStateException("admission is not configured");
        }
    };
}
