package io.credence.diameter.cc;

import io.credence.admission.AdmissionPolicy;
import io.credence.admission.AdmissionResult;
import io.credence.admission.QosRequest;

import java.util.Optional;

/**
 * Layered admission as credit control sees it: the server's admission service (pools shared with
 * the HTTP API), asked when a request carries QoS-Information. An admission is named after the
 * session's grant, held while the session lives and returned by its termination or, for a
 * session that goes silent, by the expiry the periodic maintenance applies.
 */
public interface QosAdmission {
    /** The policy in force; empty when the catalog configures no admission. */
    Optional<AdmissionPolicy> policy();

    AdmissionResult admit(String admissionId, QosRequest request, long ttlSeconds);

    /** Extends a live admission's lifetime; nothing when it is not live. */
    void renew(String admissionId, long ttlSeconds);

    /** Returns a live admission's pools; nothing when it is not live or admission is not configured. */
    void releaseIfHeld(String admissionId);

    QosAdmission NONE = new QosAdmission() {
        public Optional<AdmissionPolicy> policy() {
            return Optional.empty();
        }

        public AdmissionResult admit(String admissionId, QosRequest request, long ttlSeconds) {
            throw new IllegalStateException("admission is not configured");
        }

        public void renew(String admissionId, long ttlSeconds) { }

        public void releaseIfHeld(String admissionId) { }
    };
}
