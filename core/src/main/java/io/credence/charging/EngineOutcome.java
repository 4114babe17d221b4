package io.credence.charging;

import io.credence.ledger.Outcome;

/** What an {@link EngineCommand} did. */
public sealed interface EngineOutcome {
    /** The usage records the command wrote: kept, and made durable, before its answer goes out. */
    default java.util.List<io.credence.records.UsageRecord> records() {
        return java.util.List.of();
    }

    record LedgerOutcome(Outcome outcome) implements EngineOutcome {}

    record Charged(ChargingResult result) implements EngineOutcome {
        @Override
        public java.util.List<io.credence.records.UsageRecord> records() {
            return result.records();
        }
    }

    /** The catalog now in force, or why the source was refused (nothing changed then). */
    record CatalogInstalled(String version, String refusal) implements EngineOutcome {
        public boolean installed() {
            return refusal == null;
        }
    }

    record Configured(EngineConfig config) implements EngineOutcome {}

    /** The policy in force now; what putting it in force did to the pools (expired, corrected). */
    record AdmissionPolicySet(io.credence.admission.AdmissionPolicy policy,
                              io.credence.admission.AdmissionControl.Reconciled reconciled) implements EngineOutcome {}

    record Admitting(AdmissionAnswers.Admit answer) implements EngineOutcome {}

    record DeviceGranted(DeviceAnswers.GrantAnswer answer) implements EngineOutcome {}

    /** Each report's answer, in order, and the usage records of those counted now (none for a duplicate). */
    record DeviceReported(java.util.List<DeviceAnswers.ReportAnswer> answers,
                          java.util.List<io.credence.records.UsageRecord> records) implements EngineOutcome {
        public DeviceReported {
            answers = java.util.List.copyOf(answers);
            records = java.util.List.copyOf(records);
        }
    }

    /** An admission's end, and the usage record of what was charged (none for a release or a retry). */
    record AdmissionEnded(AdmissionAnswers.End answer, java.util.List<io.credence.records.UsageRecord> records)
            implements EngineOutcome {
        public AdmissionEnded {
            records = java.util.List.copyOf(records);
        }
    }

    record ShareOpened(ShareAnswers.Open answer) implements EngineOutcome {}

    /** A share's usage report answered, and the usage record of what it settled (none when nothing new). */
    record ShareMetered(ShareAnswers.Meter answer, java.util.List<io.credence.records.UsageRecord> records)
            implements EngineOutcome {
        public ShareMetered {
            records = java.util.List.copyOf(records);
        }
    }

    record ShareCancelled(ShareAnswers.Cancel answer) implements EngineOutcome {}

    record DirectoryChanged(DirectoryAnswer answer) implements EngineOutcome {}
}
