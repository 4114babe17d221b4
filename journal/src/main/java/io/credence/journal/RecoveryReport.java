package io.credence.journal;

/**
 * What start-up found: which snapshot it loaded (0 = none), how many journal records it replayed
 * after it, the last record's number, and any torn tail it cut off (with the reason).
 */
public record RecoveryReport(long snapshotSeq, long recordsReplayed, long lastSeq, long tailBytesCut,
                             String tailReason, String tailFile, long elapsedMillis) {
    public String describe() {
        String base = "recovered to record " + lastSeq + " (snapshot " + snapshotSeq + " + " + recordsReplayed
                + " replayed) in " + elapsedMillis + " ms";
        return tailBytesCut == 0 ? base
                : base + "; cut a torn tail of " + tailBytesCut + " bytes from " + tailFile + " (" + tailReason + ")";
    }
}
