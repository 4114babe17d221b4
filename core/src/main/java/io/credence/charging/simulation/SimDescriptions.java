package io.credence.charging.simulation;

import io.credence.charging.AdmissionAnswers;
import io.credence.charging.ChargingRequest;
import io.credence.charging.ChargingResult;
import io.credence.charging.EngineCommand;
import io.credence.charging.EngineOutcome;
import io.credence.records.UsageRecord;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** One line per applied command, for the steps a failure shows. */
final class SimDescriptions {
    private SimDescriptions() {}

    static String of(EngineCommand command, EngineOutcome outcome) {
        return switch (command) {
            case EngineCommand.Charge c -> charge(c.request(), ((EngineOutcome.Charged) outcome).result());
            case EngineCommand.LedgerCommand c -> c.command().requestId() + " " + c.command().operation()
                    .getClass().getSimpleName() + " -> " + ((EngineOutcome.LedgerOutcome) outcome).outcome()
                    .getClass().getSimpleName();
            case EngineCommand.InstallCatalog c -> "catalog " + new String(c.source(), StandardCharsets.UTF_8);
            case EngineCommand.Configure c -> "configure validity " + c.config().validitySeconds() + " s, grace "
                    + c.config().graceSeconds() + " s, sessions " + c.config().sessionsMax() + ", closed kept "
                    + c.config().closedRetentionSeconds() + " s, silent kept " + c.config().silentRetentionSeconds()
                    + " s";
            case EngineCommand.SetAdmissionPolicy c -> "admission policy, " + c.policy().admissionsMax() + " admissions";
            case EngineCommand.Admit c -> "admit " + c.admissionId() + " " + c.request().layer() + " "
                    + c.request().parameters() + (c.accountId() == null ? "" : " billed to " + c.accountId()) + " -> "
                    + admit(((EngineOutcome.Admitting) outcome).answer());
            case EngineCommand.DeviceGrant c -> "device grant " + c.simId() + " asks " + c.askedBytes() + " -> "
                    + ((EngineOutcome.DeviceGranted) outcome).answer();
            case EngineCommand.DeviceReports c -> "device reports " + c.simId() + " " + c.reports() + " -> "
                    + ((EngineOutcome.DeviceReported) outcome).answers();
            case EngineCommand.DeviceGrantByToken c -> "device grant " + c.simId() + " by token asks " + c.askedBytes()
                    + " -> " + ((EngineOutcome.DeviceGranted) outcome).answer();
            case EngineCommand.DeviceReportsByToken c -> "device reports " + c.simId() + " by token " + c.reports()
                    + " -> " + ((EngineOutcome.DeviceReported) outcome).answers();
            case EngineCommand.EndAdmission c -> "end " + c.admissionId() + (c.usage() == null ? "" : " with "
                    + c.usage()) + " -> " + ((EngineOutcome.AdmissionEnded) outcome).answer().getClass().getSimpleName()
                    + ", " + ((EngineOutcome.AdmissionEnded) outcome).records().size() + " records";
            case EngineCommand.OpenShare c -> "open share " + c.shareId() + " " + c.supplierSim() + " -> "
                    + c.borrowerSim() + " " + c.bytes() + " bytes -> " + ((EngineOutcome.ShareOpened) outcome).answer();
            case EngineCommand.MeterShare c -> "share " + c.shareId() + " total " + c.totalBytes()
                    + (c.last() ? " final" : "") + " -> " + ((EngineOutcome.ShareMetered) outcome).answer();
            case EngineCommand.CancelShare c -> "cancel share " + c.shareId() + " by " + c.simId() + " -> "
                    + ((EngineOutcome.ShareCancelled) outcome).answer();
            case io.credence.charging.DirectoryCommand c -> "directory " + c.getClass().getSimpleName() + " -> "
                    + ((EngineOutcome.DirectoryChanged) outcome).answer();
        };
    }

    private static String admit(AdmissionAnswers.Admit answer) {
        return switch (answer) {
            case AdmissionAnswers.Answered a -> a.result().getClass().getSimpleName()
                    + (a.billing() == null ? "" : " reservation " + a.billing().reservationId());
            default -> answer.getClass().getSimpleName();
        };
    }

    private static String charge(ChargingRequest r, ChargingResult result) {
        StringBuilder line = new StringBuilder(r.kind() + " " + r.sessionId() + " #" + r.number()
                + (r.retransmission() ? " (retransmitted)" : "") + " services " + r.services().stream()
                .map(u -> u.key().ratingGroup() + (u.key().upfId() == null ? "" : "@" + u.key().upfId())
                        + " asks " + u.requested() + " used " + u.used()).toList()
                + " -> " + result.outcome().result() + " " + result.outcome().services().stream()
                .map(o -> o.key().ratingGroup() + ":" + o.result() + (o.unit() == null ? "" : " "
                        + o.granted() + " " + o.unit())).toList());
        if (result.outcome().message() != null) {
            line.append(" (").append(result.outcome().message()).append(')');
        }
        return line.append(", ").append(result.records().size()).append(" records").toString();
    }
}
