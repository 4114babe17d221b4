package io.credence.charging;

import io.credence.ledger.Rejection;

/** What a device's grant request or usage report did, for the device API to answer. */
public final class DeviceAnswers {
    private DeviceAnswers() {}

    /** A grant as the agent sees it: what is still held for the SIM. */
    public record Grant(long grantId, long bytes, long expiresAtMillis) {}

    public sealed interface GrantAnswer {}

    /** {@code alreadyOpen}: the SIM held this grant already (one grant per SIM; a retry finds it). */
    public record Granted(Grant grant, boolean alreadyOpen) implements GrantAnswer {}

    /** Nothing left to grant: the agent stops data use. */
    public record Exhausted(long availableBytes) implements GrantAnswer {}

    public record GrantRefused(Rejection rejection) implements GrantAnswer {}

    public sealed interface ReportAnswer {}

    /**
     * @param reportedBytes  the SIM's reported total after the report
     * @param returnedBytes  for a final report, what the grant still held and went back to the balance
     * @param grant          the grant still open after the report, or null
     * @param overGrantBytes bytes used past the grant the report was made on (charged, as overdraft)
     * @param unchargedBytes bytes counted but not charged: past the grant and the credit limit
     */
    public record Reported(long seq, boolean duplicate, long reportedBytes, long returnedBytes, Grant grant,
                           long overGrantBytes, long unchargedBytes) implements ReportAnswer {}

    public record ReportRefused(Rejection rejection) implements ReportAnswer {}

    /** The token presented is not the SIM's device's (unknown SIM, unbound, or another token): nothing done. */
    public record NotAuthenticated() implements GrantAnswer, ReportAnswer {}

    /** One numbered report of a batch. */
    public record Report(long seq, long bytes, boolean last) {
        public Report {
            if (seq <= 0 || bytes < 0) {
                throw new IllegalArgumentException("seq must be > 0 and bytes >= 0");
            }
        }
    }
}
