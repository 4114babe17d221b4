package io.credence.agent;

/**
 * A consistent view of one agent.
 *
 * @param meteredBytes        every byte use() ever accepted (persisted)
 * @param acknowledgedBytes   bytes of reports the server answered with 200 (persisted)
 * @param pendingReports      reports numbered and persisted but not yet answered
 * @param unreportedBytes     accepted but not yet acknowledged: always metered − acknowledged
 * @param usageRowsWaiting    usage rows kept until acknowledged
 * @param usageRowsFull       usageRowsWaiting reached unreportedRowsMax: use() refuses until reports go out
 * @param grantRemainingBytes what use() may still accept under the grant held (0 without one)
 * @param serverReportedBytes the server's running total for the SIM from its last answer
 * @param problem             what went wrong last, or null when the last cycle went through
 */
public record AgentStatus(AgentState state, long meteredBytes, long acknowledgedBytes, int pendingReports,
                          long unreportedBytes, long usageRowsWaiting, boolean usageRowsFull,
                          long grantRemainingBytes, long serverReportedBytes, String problem) {
    public AgentStatus {
        if (unreportedBytes != meteredBytes - acknowledgedBytes) {
            throw new IllegalStateException("unreportedBytes must be metered - acknowledged: " + unreportedBytes
                    + " != " + meteredBytes + " - " + acknowledgedBytes);
        }
    }

    /** The CLI's one-line form: {@code metered=<n> acknowledged=<n> pending=<n> state=<S> serverReported=<n>}. */
    public String line() {
        return "metered=" + meteredBytes + " acknowledged=" + acknowledgedBytes + " pending=" + pendingReports
                + " state=" + state + " serverReported=" + serverReportedBytes;
    }
}
