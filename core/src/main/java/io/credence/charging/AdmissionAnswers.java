package io.credence.charging;

import io.credence.admission.AdmissionResult;
import io.credence.admission.ChargingParameters;
import io.credence.ledger.Rejection;

/** What an admission request or its end did, for the HTTP adapter to answer. */
public final class AdmissionAnswers {
    private AdmissionAnswers() {}

    /** An {@link EngineCommand.Admit}'s answer. */
    public sealed interface Admit {}

    /** No admission policy is in force. */
    public record NotConfigured() implements Admit, End {}

    /** The layer's answer; with {@code billing} when the admission is billed (a retry gets the same). */
    public record Answered(AdmissionResult result, AdmissionBilling billing) implements Admit {}

    /** The account could not hold the admission's reservation: the admission went back, nothing is held. */
    public record ReservationRefused(Rejection rejection) implements Admit {}

    /** The admission id is live and billed to another account. */
    public record BilledToAnother(AdmissionBilling held) implements Admit {}

    /** An {@link EngineCommand.EndAdmission}'s answer. */
    public sealed interface End {}

    /** No admission lives under the id (never admitted, released or expired). */
    public record Unknown() implements End {}

    /** Released without charging: what it held, and the reservation given back whole (when billed). */
    public record Released(ChargingParameters released, AdmissionBilling billing, long reservationReleased)
            implements End {}

    /** Settled: the effective usage committed on the reservation; {@code again} for a retry of the same end. */
    public record Settled(AdmissionSettlement settlement, boolean again) implements End {}

    /** The commit was refused (the reservation lapsed or closed): nothing charged, the admission stays. */
    public record CommitRefused(Rejection rejection) implements End {}
}
