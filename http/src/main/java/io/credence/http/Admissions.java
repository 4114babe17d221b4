package io.credence.http;

import io.credence.admission.AdmissionControl;
import io.credence.admission.AdmissionPolicy;
import io.credence.admission.AdmissionResult;
import io.credence.admission.ChargingParameters;
import io.credence.admission.QosRequest;

import java.util.Optional;

/**
 * Layered admission as the HTTP API sees it. The server implements it around the core's
 * {@link AdmissionControl} (serialising calls, reading the clock, reconciling periodically); the
 * HTTP module only parses, calls and maps answers to statuses.
 */
public interface Admissions {
    /** The policy in force; empty when the server runs without one, and the routes answer 404. */
    Optional<AdmissionPolicy> policy();

    /** {@code ttlSeconds} is already checked against the policy's {@code ttlSecondsMax}. */
    AdmissionResult admit(String admissionId, QosRequest request, long ttlSeconds);

    /** What the admission held; empty when no admission lives under the id. */
    Optional<ChargingParameters> release(String admissionId);

    AdmissionControl.Report pools();

    Admissions NONE = new Admissions() {
        public Optional<AdmissionPolicy> policy() {
            return Optional.empty();
        }

        public AdmissionResult admit(String admissionId, QosRequest request, long ttlSeconds) {
            throw new IllegalStateException("admission is not configured");
        }

        public Optional<ChargingParameters> release(String admissionId) {
            throw new IllegalStateException("admission is not configured");
        }

        public AdmissionControl.Report pools() {
            throw new IllegalStateException("admission is not configured");
        }
    };
}
