package io.credence.http;

import io.credence.admission.AdmissionControl;
import io.credence.admission.AdmissionPolicy;
import io.credence.admission.QosRequest;
import io.credence.charging.AdmissionAnswers;
import io.credence.charging.AdmissionUsage;

import java.util.Optional;

/**
 * Layered admission as the HTTP API sees it: each call is one command of the charging engine
 * (the admission, its reservation and its end are the engine's state, journaled), so the HTTP
 * module only parses, calls and maps answers to statuses. The server implements it.
 */
public interface Admissions {
    /** The engine could not take the command now (queue full, stopping): the API answers 503. */
    final class Busy extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Busy(String reason) {
            super(reason, null, false, false);
        }
    }

    /** The policy in force; empty when the server runs without one, and the routes answer 404. */
    Optional<AdmissionPolicy> policy();

    /**
     * Admits, and with an account bills: the admission's reservation is taken in the same command.
     * {@code ttlSeconds} is already checked against the policy's {@code ttlSecondsMax}.
     *
     * @param accountId who pays, or null; {@code counterpartyId} who is paid (with an account only)
     */
    AdmissionAnswers.Admit admit(String admissionId, QosRequest request, long ttlSeconds, String accountId,
                                 String counterpartyId);

    /**
     * Ends an admission: with usage, a billed one's effective bytes are committed ({@code requestId}
     * names that commit, null for one derived from the reservation); without, it is released.
     */
    AdmissionAnswers.End end(String admissionId, AdmissionUsage usage, String requestId);

    /** Every layer's pools and the table's fill; empty without a policy. */
    Optional<AdmissionControl.Report> pools();

    Admissions NONE = new Admissions() {
        public Optional<AdmissionPolicy> policy() {
            return Optional.empty();
        }

        public AdmissionAnswers.Admit admit(String admissionId, QosRequest request, long ttlSeconds, String accountId,
                                            String counterpartyId) {
            return new AdmissionAnswers.NotConfigured();
        }

        public AdmissionAnswers.End end(String admissionId, AdmissionUsage usage, String requestId) {
            return new AdmissionAnswers.NotConfigured();
        }

        public Optional<AdmissionControl.Report> pools() {
            return Optional.empty();
        }
    };
}
